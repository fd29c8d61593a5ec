import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import { failed, idsByExternalId, joinList, listCell, rowError } from '../../platform/bulk/rows.js'
import type { ImportSpec, RowResult } from '../../platform/bulk/spec.js'
import { Problem, type FieldError } from '../../platform/problems.js'
import { applyOriginChanges, createEntry, ENTRY_COLUMNS, patchColumns, todayUtc } from './entries.repository.js'
import { LearningLogImportRow } from './entries.schemas.js'
import { LEARNING_READ, LEARNING_WRITE } from './scopes.js'
import type { Dissemination, LearningKind, SourceKind } from './tables.js'

type Row = Static<typeof LearningLogImportRow>

/** A refusal raised while writing a row, as the row's errors. */
function rowErrorsOf(error: unknown): FieldError[] | undefined {
  if (!(error instanceof Problem) || error.status >= 500) return undefined
  return error.errors?.map((e) => ({ ...e, in: 'row' })) ?? [rowError('', error.detail ?? error.slug)]
}

/** The origin fields a row gives: the whole entry's origin, so a field left out is cleared (identifiedOn is kept). */
function fieldsOf(row: Row, orgUnitId: string, identifiedById: string | null) {
  return {
    externalId: row.externalId,
    title: row.title,
    summary: row.summary,
    notes: row.notes ?? null,
    kind: (row.kind ?? 'lesson_identified') as LearningKind,
    sourceKind: row.sourceKind as SourceKind,
    sourceReference: row.sourceReference ?? null,
    eventDate: row.eventDate ?? null,
    orgUnitId,
    identifiedById,
    dissemination: (row.dissemination ?? 'internal_unit') as Dissemination,
    tags: [...new Set(listCell(row.tags))]
  }
}

/**
 * Learning log entries upserted by externalId: lessons from a debrief spreadsheet, say. A new
 * entry starts at origin (its reference assigned, or kept when the row carries one: exported rows
 * keep their references elsewhere, but only those with an externalId import at all); an existing
 * entry's origin fields are updated. Stages never move by import: a row whose `stage` differs
 * from the entry's is refused (use the transitions).
 */
export const learningLogImport: ImportSpec<Row> = {
  resource: 'learning-log-entries',
  operationName: 'LearningLogEntries',
  tag: 'learning-logs',
  writeScope: LEARNING_WRITE,
  readScope: LEARNING_READ,
  rowSchema: LearningLogImportRow,
  columns: [
    'externalId', 'reference', 'title', 'summary', 'notes', 'kind', 'sourceKind', 'sourceReference', 'eventDate', 'orgUnitExternalId',
    'identifiedByExternalId', 'identifiedOn', 'dissemination', 'tags', 'stage'
  ],
  async upsertBatch(batch, { trx, changes }) {
    const existing = new Map(
      (await trx.selectFrom('learning_log_entries').select(ENTRY_COLUMNS).where('external_id', 'in', batch.map((b) => b.row.externalId)).forUpdate().execute()).map((r) => [r.external_id!, r])
    )
    const units = await idsByExternalId(trx, 'org_units', batch.map((b) => b.row.orgUnitExternalId))
    const people = await idsByExternalId(trx, 'people', batch.map((b) => b.row.identifiedByExternalId))
    const references = batch.map((b) => b.row.reference).filter((r): r is string => !!r)
    const taken = new Map(
      references.length ? (await trx.selectFrom('learning_log_entries').select(['reference', 'external_id']).where('reference', 'in', references).execute()).map((r) => [r.reference, r.external_id]) : []
    )
    const results: RowResult[] = []
    for (const { row } of batch) {
      const errors: FieldError[] = []
      const orgUnitId = units.get(row.orgUnitExternalId)
      if (!orgUnitId) errors.push(rowError('/orgUnitExternalId', `no org unit with externalId ${row.orgUnitExternalId}`))
      const identifiedById = row.identifiedByExternalId ? people.get(row.identifiedByExternalId) : null
      if (identifiedById === undefined) errors.push(rowError('/identifiedByExternalId', `no person with externalId ${row.identifiedByExternalId}`))
      const current = existing.get(row.externalId)
      if (current && row.reference && row.reference !== current.reference) errors.push(rowError('/reference', `the entry’s reference is ${current.reference}; references never change`))
      if (!current && row.reference && taken.has(row.reference)) errors.push(rowError('/reference', `${row.reference} belongs to another entry`))
      const stage = current?.stage ?? 'origin'
      if (row.stage && row.stage !== stage) {
        errors.push(rowError('/stage', current ? `the entry is at ${stage}; an import never moves an entry (use its transitions)` : 'a new entry is imported at origin'))
      }
      if (errors.length) {
        results.push(failed(errors))
        continue
      }
      const fields = fieldsOf(row, orgUnitId!, identifiedById ?? null)
      try {
        if (!current) {
          await createEntry(changes, { ...fields, identifiedOn: row.identifiedOn ?? todayUtc() }, { reference: row.reference ?? undefined })
          results.push({ outcome: 'created' })
          continue
        }
        const set = patchColumns(current, { ...fields, identifiedOn: row.identifiedOn ?? current.identified_on })
        if (Object.keys(set).length === 0) {
          results.push({ outcome: 'unchanged' })
          continue
        }
        const written = await applyOriginChanges(changes, current, set, new Set(Object.keys(fields)), 'row')
        existing.set(row.externalId, written)
        results.push({ outcome: 'updated' })
      } catch (error) {
        const rowErrors = rowErrorsOf(error)
        if (!rowErrors) throw error
        results.push(failed(rowErrors))
      }
    }
    return results
  },
  async exportPage(db: Db, after, limit) {
    let q = db
      .selectFrom('learning_log_entries as e')
      .innerJoin('org_units as u', 'u.id', 'e.org_unit_id')
      .leftJoin('people as p', 'p.id', 'e.identified_by_id')
      .select([
        'e.id', 'e.external_id', 'e.reference', 'e.title', 'e.summary', 'e.notes', 'e.kind', 'e.source_kind', 'e.source_reference', 'e.event_date',
        'e.identified_on', 'e.dissemination', 'e.tags', 'e.stage', 'u.external_id as unit', 'p.external_id as identified_by'
      ])
      .orderBy('e.id')
      .limit(limit)
    if (after) q = q.where('e.id', '>', after)
    const rows = await q.execute()
    return {
      rows: rows.map((r) => ({
        externalId: r.external_id!,
        reference: r.reference,
        title: r.title,
        summary: r.summary,
        notes: r.notes,
        kind: r.kind,
        sourceKind: r.source_kind,
        sourceReference: r.source_reference,
        eventDate: r.event_date,
        orgUnitExternalId: r.unit!,
        identifiedByExternalId: r.identified_by,
        identifiedOn: r.identified_on,
        dissemination: r.dissemination,
        tags: joinList(r.tags),
        stage: r.stage
      })),
      last: rows.length === limit ? rows[rows.length - 1].id : null
    }
  }
}

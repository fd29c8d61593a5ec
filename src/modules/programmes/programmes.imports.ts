import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import { failed, joinList, listCell, sameValues } from '../../platform/bulk/rows.js'
import type { ImportSpec, RowResult } from '../../platform/bulk/spec.js'
import { Problem, type FieldError } from '../../platform/problems.js'
import type { StaffType } from '../people/tables.js'
import { missingFrameworkElements } from '../assessments/frameworks.repository.js'
import { moveProgramme, PROGRAMME_COLUMNS, PROGRAMME_TRANSITIONS, programmeErrors, toProgramme, type ProgrammeRecord } from './programmes.repository.js'
import { ProgrammeImportRow } from './programmes.schemas.js'
import { PROGRAMMES_READ, PROGRAMMES_WRITE } from './scopes.js'
import type { ProgrammeKind, ProgrammeStatus, TargetGroup } from './tables.js'
import { allowedMoves } from './transitions.js'

/** A refusal this module raises while writing a row, as the row's errors (pointing at `pointer`). */
export function rowErrorsOf(error: unknown, pointer: string): FieldError[] | undefined {
  if (!(error instanceof Problem) || error.status >= 500) return undefined
  return error.errors?.map((e) => ({ ...e, in: 'row' })) ?? [{ in: 'row', pointer, detail: error.detail ?? error.slug }]
}

type Row = Static<typeof ProgrammeImportRow>

function columnsOf(row: Row, ownerOrgUnitId: string | null) {
  return {
    code: row.code,
    title: row.title,
    kind: row.kind as ProgrammeKind,
    aim: row.aim ?? null,
    key_features: listCell(row.keyFeatures),
    provider: row.provider ?? null,
    delivery: (row.delivery ?? null) as ProgrammeRecord['delivery'],
    duration: row.duration ?? null,
    duration_days: row.durationDays ?? null,
    accreditation: row.accreditation ?? null,
    eligible_level_min: row.levelMin ?? null,
    eligible_level_max: row.levelMax ?? null,
    eligible_staff_types: listCell(row.staffTypes) as StaffType[],
    eligibility_notes: row.eligibilityNotes ?? null,
    target_groups: listCell(row.targetGroups) as TargetGroup[],
    selection_required: row.selectionRequired ?? false,
    second_approval_required: row.secondApprovalRequired ?? false,
    default_capacity: row.defaultCapacity ?? null,
    min_participants: row.minParticipants ?? null,
    cost_per_event: row.costPerEvent ?? null,
    cost_per_person: row.costPerPerson ?? null,
    annual_target: row.annualTarget ?? null,
    pilot_size: row.pilotSize ?? null,
    target_years: row.targetYears ?? null,
    rollout_starts_on: row.rolloutStartsOn ?? null,
    owner_org_unit_id: ownerOrgUnitId,
    framework_element_ids: listCell(row.frameworkElementIds)
  }
}

/** Lists read back in the row's order, but a set (staff types, groups, elements) is compared as a set. */
const sorted = (items: readonly string[]) => [...items].sort()

function normalised(values: ReturnType<typeof columnsOf>) {
  return {
    ...values,
    eligible_staff_types: sorted(values.eligible_staff_types),
    target_groups: sorted(values.target_groups),
    framework_element_ids: sorted(values.framework_element_ids.map((id) => id.toLowerCase()))
  }
}

/**
 * Programmes upserted by externalId. A row is the whole programme (a field left out is cleared)
 * except `status`: left out, a new programme is a draft and an existing one keeps its status; a
 * different status must be a move the transitions allow, and is recorded as `programme.<status>`.
 */
export const programmeImport: ImportSpec<Row> = {
  resource: 'programmes',
  operationName: 'Programmes',
  tag: 'programmes',
  writeScope: PROGRAMMES_WRITE,
  readScope: PROGRAMMES_READ,
  rowSchema: ProgrammeImportRow,
  columns: [
    'externalId', 'code', 'title', 'kind', 'aim', 'keyFeatures', 'provider', 'delivery', 'duration', 'durationDays', 'accreditation',
    'levelMin', 'levelMax', 'staffTypes', 'eligibilityNotes', 'targetGroups', 'selectionRequired', 'secondApprovalRequired',
    'defaultCapacity', 'minParticipants', 'costPerEvent', 'costPerPerson', 'annualTarget', 'pilotSize', 'targetYears',
    'rolloutStartsOn', 'ownerOrgUnitExternalId', 'frameworkElementIds', 'status'
  ],
  async upsertBatch(batch, { trx, changes }) {
    const existing = new Map(
      (
        await trx
          .selectFrom('programmes')
          .select(PROGRAMME_COLUMNS)
          .where('external_id', 'in', batch.map((b) => b.row.externalId))
          .forUpdate()
          .execute()
      ).map((r) => [r.external_id!, r])
    )
    const owners = [...new Set(batch.map((b) => b.row.ownerOrgUnitExternalId).filter((x): x is string => !!x))]
    const units = new Map(
      owners.length ? (await trx.selectFrom('org_units').select(['id', 'external_id']).where('external_id', 'in', owners).execute()).map((u) => [u.external_id!, u.id]) : []
    )
    // Linked framework elements must exist (one query per batch).
    const missingElements = new Set(await missingFrameworkElements(trx, batch.flatMap((b) => listCell(b.row.frameworkElementIds))))
    const results: RowResult[] = []
    for (const { row } of batch) {
      const unknownElements = listCell(row.frameworkElementIds).flatMap((id, i) =>
        missingElements.has(id) ? [{ in: 'row', pointer: `/frameworkElementIds/${i}`, detail: `no framework element ${id}` }] : []
      )
      if (unknownElements.length) {
        results.push(failed(unknownElements))
        continue
      }
      const owner = row.ownerOrgUnitExternalId ? units.get(row.ownerOrgUnitExternalId) : null
      if (owner === undefined) {
        results.push(failed([{ in: 'row', pointer: '/ownerOrgUnitExternalId', detail: `no org unit with externalId ${row.ownerOrgUnitExternalId}` }]))
        continue
      }
      const desired = columnsOf(row, owner)
      const errors = programmeErrors(desired, 'row')
      if (errors.length) {
        results.push(failed(errors))
        continue
      }
      const current = existing.get(row.externalId)
      if (!current) {
        const created = await trx
          .insertInto('programmes')
          .values({ external_id: row.externalId, ...desired, status: (row.status ?? 'draft') as ProgrammeStatus })
          .returning(PROGRAMME_COLUMNS)
          .executeTakeFirstOrThrow()
        changes.record({ action: 'programme.created', entityType: 'programme', entityId: created.id, after: toProgramme(created) })
        results.push({ outcome: 'created' })
        continue
      }
      const to = (row.status ?? current.status) as ProgrammeStatus
      if (to !== current.status && !allowedMoves(PROGRAMME_TRANSITIONS, current.status).includes(to)) {
        const open = allowedMoves(PROGRAMME_TRANSITIONS, current.status)
        results.push(failed([{ in: 'row', pointer: '/status', detail: `a programme cannot move from ${current.status} to ${to}; ${open.length ? `from ${current.status} it may move to ${open.join(', ')}` : `${current.status} is final`}` }]))
        continue
      }
      const fieldsChanged = !sameValues(normalised({ ...current } as never), normalised(desired))
      if (!fieldsChanged && to === current.status) {
        results.push({ outcome: 'unchanged' })
        continue
      }
      let written = current
      if (fieldsChanged) {
        written = await trx
          .updateTable('programmes')
          .set({ ...desired, version: current.version + 1, updated_at: new Date() })
          .where('id', '=', current.id)
          .returning(PROGRAMME_COLUMNS)
          .executeTakeFirstOrThrow()
        changes.record({ action: 'programme.updated', entityType: 'programme', entityId: current.id, before: toProgramme(current), after: toProgramme(written) })
      }
      if (to !== current.status) await moveProgramme(changes, written, to, 'changed by import')
      results.push({ outcome: 'updated' })
    }
    return results
  },
  async exportPage(db: Db, after, limit) {
    let q = db
      .selectFrom('programmes as p')
      .leftJoin('org_units as u', 'u.id', 'p.owner_org_unit_id')
      .select(PROGRAMME_COLUMNS.map((c) => `p.${c}` as const))
      .select('u.external_id as owner_external_id')
      .orderBy('p.id')
      .limit(limit)
    if (after) q = q.where('p.id', '>', after)
    const rows = await q.execute()
    return {
      rows: rows.map((r) => ({
        externalId: r.external_id!,
        code: r.code,
        title: r.title,
        kind: r.kind,
        aim: r.aim,
        keyFeatures: joinList(r.key_features),
        provider: r.provider,
        delivery: r.delivery,
        duration: r.duration,
        durationDays: r.duration_days,
        accreditation: r.accreditation,
        levelMin: r.eligible_level_min,
        levelMax: r.eligible_level_max,
        staffTypes: joinList(r.eligible_staff_types),
        eligibilityNotes: r.eligibility_notes,
        targetGroups: joinList(r.target_groups),
        selectionRequired: r.selection_required,
        secondApprovalRequired: r.second_approval_required,
        defaultCapacity: r.default_capacity,
        minParticipants: r.min_participants,
        costPerEvent: r.cost_per_event,
        costPerPerson: r.cost_per_person,
        annualTarget: r.annual_target,
        pilotSize: r.pilot_size,
        targetYears: r.target_years,
        rolloutStartsOn: r.rollout_starts_on,
        ownerOrgUnitExternalId: r.owner_external_id,
        frameworkElementIds: joinList(r.framework_element_ids),
        status: r.status
      })),
      last: rows.length === limit ? rows[rows.length - 1].id : null
    }
  }
}

import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import { failed, idsByExternalId, rowError, sameValues } from '../../platform/bulk/rows.js'
import type { ImportContext, ImportSpec, RowResult } from '../../platform/bulk/spec.js'
import { Problem, type FieldError } from '../../platform/problems.js'
import type { Caller } from './enrolments.access.js'
import { findEnrolment, toEnrolment } from './enrolments.repository.js'
import { EnrolmentImportRow } from './enrolments.schemas.js'
import { nominate } from './enrolments.service.js'
import { PROGRAMMES_READ, PROGRAMMES_WRITE } from './scopes.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** An import is HR work: it nominates as the importing principal, with HR's rights (the import needs programmes:write). */
const importer = (context: ImportContext): Caller => ({
  identity: context.changes.actor.subject,
  personId: null,
  administers: true,
  reads: true,
  actsForPerson: false
})

/** Which field of the row a refused nomination is about. */
const POINTER_OF_RULE: Record<string, string> = {
  'cohort-not-open': '/cohortExternalId',
  'enrolment-clash': '/cohortExternalId',
  'enrolment-ineligible': '/personExternalId',
  'enrolment-duplicate': '/personExternalId',
  'person-left': '/personExternalId'
}

// ---- Enrolments (nominations) ----------------------------------------------------------------------

type EnrolmentRowIn = Static<typeof EnrolmentImportRow>

/**
 * A cohort's nominations. A new externalId is a nomination made through the same rules as
 * `createEnrolment` (open cohort, eligibility unless overridden, no duplicate, no clash); a known
 * one may change its source, note and override reason. Statuses move only through transitions.
 */
export const enrolmentImport: ImportSpec<EnrolmentRowIn> = {
  resource: 'enrolments',
  operationName: 'Enrolments',
  tag: 'programmes',
  writeScope: PROGRAMMES_WRITE,
  readScope: PROGRAMMES_READ,
  rowSchema: EnrolmentImportRow,
  columns: ['externalId', 'cohortExternalId', 'personExternalId', 'source', 'note', 'eligibilityOverrideReason', 'status'],
  async upsertBatch(batch, context) {
    const { trx, changes } = context
    const cohorts = await idsByExternalId(trx, 'cohorts', batch.map((b) => b.row.cohortExternalId))
    const people = await idsByExternalId(trx, 'people', batch.map((b) => b.row.personExternalId))
    const keys = batch.map((b) => b.row.externalId)
    const existing = new Map((await trx.selectFrom('enrolments').selectAll().where('external_id', 'in', keys).execute()).map((r) => [r.external_id!, r]))
    // Enrolments made through the API have no externalId: they export (and import back) under their id.
    const byId = keys.filter((k) => UUID.test(k) && !existing.has(k))
    if (byId.length) {
      for (const r of await trx.selectFrom('enrolments').selectAll().where('id', 'in', byId).where('external_id', 'is', null).execute()) existing.set(r.id, r)
    }
    const results: RowResult[] = []
    for (const { row } of batch) {
      const cohortId = cohorts.get(row.cohortExternalId)
      const personId = people.get(row.personExternalId)
      const missing: FieldError[] = []
      if (!cohortId) missing.push(rowError('/cohortExternalId', `no cohort with externalId ${row.cohortExternalId}`))
      if (!personId) missing.push(rowError('/personExternalId', `no person with externalId ${row.personExternalId}`))
      if (missing.length) {
        results.push(failed(missing))
        continue
      }
      const current = existing.get(row.externalId)
      if (!current) {
        if (row.status && row.status !== 'nominated') {
          results.push(failed([rowError('/status', 'an import creates nominations only; move the enrolment on with POST /v1/enrolments/{id}/transitions')]))
          continue
        }
        try {
          const created = await nominate(changes, importer(context), cohortId!, {
            personId: personId!,
            source: row.source,
            note: row.note,
            eligibilityOverrideReason: row.eligibilityOverrideReason,
            externalId: row.externalId
          })
          existing.set(row.externalId, created)
          results.push({ outcome: 'created' })
        } catch (error) {
          // The rules refuse before anything is written, so the row can simply fail.
          if (!(error instanceof Problem) || error.status >= 500) throw error
          results.push(failed([rowError(POINTER_OF_RULE[error.slug] ?? '', `${error.slug}: ${error.detail ?? error.message}`)]))
        }
        continue
      }
      const errors: FieldError[] = []
      if (current.cohort_id !== cohortId) errors.push(rowError('/cohortExternalId', 'an enrolment keeps its cohort; withdraw it and nominate again'))
      if (current.person_id !== personId) errors.push(rowError('/personExternalId', 'an enrolment keeps its person; withdraw it and nominate again'))
      if (row.status && row.status !== current.status) {
        errors.push(rowError('/status', `is ${current.status}; statuses change only through POST /v1/enrolments/{id}/transitions`))
      }
      if (current.eligibility_override_reason && !row.eligibilityOverrideReason) errors.push(rowError('/eligibilityOverrideReason', 'an eligibility override cannot be removed'))
      if (errors.length) {
        results.push(failed(errors))
        continue
      }
      const desired = { nomination_source: row.source, nomination_note: row.note ?? null, eligibility_override_reason: row.eligibilityOverrideReason ?? null }
      if (sameValues(current, desired)) {
        results.push({ outcome: 'unchanged' })
        continue
      }
      const before = toEnrolment(await findEnrolment(trx, current.id))
      await trx.updateTable('enrolments').set({ ...desired, version: current.version + 1, updated_at: new Date() }).where('id', '=', current.id).execute()
      const after = await findEnrolment(trx, current.id)
      changes.record({ action: 'enrolment.updated', entityType: 'enrolment', entityId: current.id, before, after: toEnrolment(after) })
      existing.set(row.externalId, after)
      results.push({ outcome: 'updated' })
    }
    return results
  },
  async exportPage(db: Db, after, limit) {
    let q = db
      .selectFrom('enrolments as e')
      .innerJoin('cohorts as c', 'c.id', 'e.cohort_id')
      .innerJoin('people as p', 'p.id', 'e.person_id')
      .select(['e.id', 'e.external_id', 'c.external_id as cohort_external_id', 'p.external_id as person_external_id', 'e.nomination_source', 'e.nomination_note', 'e.eligibility_override_reason', 'e.status'])
      .orderBy('e.id')
      .limit(limit)
    if (after) q = q.where('e.id', '>', after)
    const rows = await q.execute()
    return {
      rows: rows.map((r) => ({
        externalId: r.external_id ?? r.id,
        cohortExternalId: r.cohort_external_id!,
        personExternalId: r.person_external_id!,
        source: r.nomination_source,
        note: r.nomination_note,
        eligibilityOverrideReason: r.eligibility_override_reason,
        status: r.status
      })),
      last: rows.length === limit ? rows[rows.length - 1].id : null
    }
  }
}

import type { Selectable } from 'kysely'
import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import type { ChangeSet } from '../../platform/changes.js'
import { changedColumns } from '../../platform/patches.js'
import { assertCurrentVersion, type IfMatch } from '../../platform/concurrency.js'
import { keysetPage, type PageRequest, type SortAllowList } from '../../platform/pagination.js'
import { defineProblem, describeConstraint, notFound, Problem } from '../../platform/problems.js'
import { isThePerson, type Caller } from './enrolments.access.js'
import { findCohort } from './cohorts.repository.js'
import { findRelationship, lockEnrolment } from './enrolments.repository.js'
import type { Evaluation, EvaluationCreate, EvaluationUpdate } from './evaluations.schemas.js'
import type { EvaluationsTable } from './tables.js'

defineProblem('evaluation-requires-attendance', {
  status: 409,
  title: 'Evaluation needs attendance',
  description:
    'Only a participant who attended evaluates: the enrolment must be attended or completed. (Marking an enrolment attended needs session attendance: that refusal is `no-session-attended`.)'
})
defineProblem('evaluation-exists', {
  status: 409,
  title: 'Already evaluated',
  description: 'The enrolment already has its evaluation; amend it with PATCH (If-Match honoured).'
})
describeConstraint('evaluations_enrolment_id_key', 'the enrolment already has an evaluation')

export type EvaluationRow = Selectable<EvaluationsTable>
export type EvaluationView = Static<typeof Evaluation>

export const toEvaluation = (r: EvaluationRow): EvaluationView => ({
  id: r.id,
  enrolmentId: r.enrolment_id,
  cohortId: r.cohort_id,
  relevance: r.relevance,
  trainer: r.trainer,
  length: r.length,
  confidenceToApply: r.confidence_to_apply,
  comments: r.comments,
  version: r.version,
  submittedAt: new Date(r.submitted_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString()
})

const EVALUATED_STATUSES = new Set(['attended', 'completed'])

/** The participant evaluates their own enrolment; HR (programmes:write) may enter it for them. */
function assertMayEvaluate(caller: Caller, person: { id: string; line_manager_id: string | null }) {
  if (caller.administers || isThePerson(caller, person)) return
  throw new Problem(403, 'forbidden', 'only the participant (programmes:nominate acting for them) or HR (programmes:write) may evaluate this enrolment')
}

/** Reading: programmes:read, or the participant. */
export function assertMayReadEvaluation(caller: Caller, person: { id: string; line_manager_id: string | null }) {
  if (caller.reads || isThePerson(caller, person)) return
  throw new Problem(403, 'forbidden', 'only programmes:read or the participant may read this evaluation')
}

export async function findEvaluation(db: Db, caller: Caller, enrolmentId: string): Promise<EvaluationRow> {
  const enrolment = await db.selectFrom('enrolments').select(['id', 'person_id']).where('id', '=', enrolmentId).executeTakeFirst()
  if (!enrolment) throw notFound('enrolment', enrolmentId)
  assertMayReadEvaluation(caller, await findRelationship(db, enrolment.person_id))
  const row = await db.selectFrom('evaluations').selectAll().where('enrolment_id', '=', enrolmentId).executeTakeFirst()
  if (!row) throw notFound(`evaluation of enrolment ${enrolmentId}`)
  return row
}

/**
 * Records a participant's evaluation. The enrolment row is locked, so the status checked is the
 * status when the evaluation is written, and two submissions at once find each other.
 */
export async function createEvaluation(changes: ChangeSet, caller: Caller, enrolmentId: string, input: Static<typeof EvaluationCreate>): Promise<EvaluationView> {
  const { trx } = changes
  const enrolment = await lockEnrolment(trx, enrolmentId)
  assertMayEvaluate(caller, await findRelationship(trx, enrolment.person_id))
  if (!EVALUATED_STATUSES.has(enrolment.status)) {
    throw new Problem(409, 'evaluation-requires-attendance', `the enrolment is ${enrolment.status}; only an attended or completed enrolment is evaluated`)
  }
  const existing = await trx.selectFrom('evaluations').select('id').where('enrolment_id', '=', enrolmentId).executeTakeFirst()
  if (existing) throw new Problem(409, 'evaluation-exists', `the enrolment was already evaluated (evaluation ${existing.id}); amend it with PATCH`)
  const row = await trx
    .insertInto('evaluations')
    .values({
      enrolment_id: enrolmentId,
      cohort_id: enrolment.cohort_id,
      relevance: input.relevance,
      trainer: input.trainer,
      length: input.length,
      confidence_to_apply: input.confidenceToApply,
      comments: input.comments ?? null
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  const view = toEvaluation(row)
  changes.record({ action: 'evaluation.submitted', entityType: 'evaluation', entityId: row.id, after: view })
  return view
}

export async function updateEvaluation(
  changes: ChangeSet,
  caller: Caller,
  enrolmentId: string,
  patch: Static<typeof EvaluationUpdate>,
  expected?: IfMatch
): Promise<EvaluationView> {
  const { trx } = changes
  const enrolment = await lockEnrolment(trx, enrolmentId)
  assertMayEvaluate(caller, await findRelationship(trx, enrolment.person_id))
  const current = await trx.selectFrom('evaluations').selectAll().where('enrolment_id', '=', enrolmentId).forUpdate().executeTakeFirst()
  if (!current) throw notFound(`evaluation of enrolment ${enrolmentId}`)
  assertCurrentVersion(expected, current.version)
  const set: Partial<Record<keyof EvaluationsTable, unknown>> = {}
  if (patch.relevance !== undefined) set.relevance = patch.relevance
  if (patch.trainer !== undefined) set.trainer = patch.trainer
  if (patch.length !== undefined) set.length = patch.length
  if (patch.confidenceToApply !== undefined) set.confidence_to_apply = patch.confidenceToApply
  if (patch.comments !== undefined) set.comments = patch.comments
  const changed = changedColumns(current, set)
  if (Object.keys(changed).length === 0) return toEvaluation(current)
  const row = await trx
    .updateTable('evaluations')
    .set({ ...(changed as object), version: current.version + 1, updated_at: new Date() })
    .where('id', '=', current.id)
    .returningAll()
    .executeTakeFirstOrThrow()
  const view = toEvaluation(row)
  changes.record({ action: 'evaluation.updated', entityType: 'evaluation', entityId: row.id, before: toEvaluation(current), after: view })
  return view
}

const sorts: SortAllowList<EvaluationRow> = {
  submittedAt: { columns: ['submitted_at', 'id'], direction: 'asc', key: (r) => [r.submitted_at, r.id] }
}

export async function listCohortEvaluations(db: Db, cohortId: string, q: PageRequest) {
  await findCohort(db, cohortId)
  return keysetPage(db.selectFrom('evaluations').selectAll().where('cohort_id', '=', cohortId), sorts, { ...q, sort: 'submittedAt' }, 'submittedAt')
}

import { randomInt } from 'node:crypto'
import type { Static } from 'typebox'
import type { ChangeSet, Trx } from '../../platform/changes.js'
import type { IfMatch } from '../../platform/concurrency.js'
import { changesNothing } from '../../platform/patches.js'
import { Problem, type FieldError } from '../../platform/problems.js'
import { assertTransition, refuseTransition, type TransitionTable } from '../programmes/transitions.js'
import { lockAssessment, toAssessment, type AssessmentRow, type AssessmentView } from './assessments.repository.js'
import type { AssessmentCreate, AssessmentUpdate } from './assessments.schemas.js'
import { elementsOf, publishedFramework, ratedElements } from './frameworks.js'
import type { AssessmentStatus } from './tables.js'

export const ASSESSMENT_MOVES: TransitionTable<AssessmentStatus> = {
  draft: ['open', 'cancelled'],
  open: ['closed', 'cancelled'],
  closed: ['released'],
  released: [],
  cancelled: []
}

type ScaleInput = NonNullable<Static<typeof AssessmentCreate>['scale']>

function assertValid(errors: FieldError[]) {
  if (errors.length) throw new Problem(422, 'unprocessable', errors.map((e) => `${e.pointer.slice(1)} ${e.detail}`).join('; '), { errors })
}

function scaleErrors(scale: ScaleInput): FieldError[] {
  const errors: FieldError[] = []
  if (scale.min >= scale.max) errors.push({ in: 'body', pointer: '/scale/max', detail: `must be greater than min (${scale.min})` })
  else if (scale.max - scale.min > 10) errors.push({ in: 'body', pointer: '/scale/max', detail: 'must be at most 10 above min' })
  const labels = scale.labels ?? []
  if (labels.length > 0 && scale.min < scale.max && labels.length !== scale.max - scale.min + 1) {
    errors.push({ in: 'body', pointer: '/scale/labels', detail: `needs one label per value from ${scale.min} to ${scale.max} (${scale.max - scale.min + 1}), or none` })
  }
  return errors
}

function windowErrors(opensAt: Date, closesAt: Date): FieldError[] {
  return opensAt < closesAt ? [] : [{ in: 'body', pointer: '/closesAt', detail: 'must be after opensAt' }]
}

async function assertSubject(trx: Trx, subjectId: string) {
  const person = await trx.selectFrom('people').select('id').where('id', '=', subjectId).executeTakeFirst()
  if (!person) throw new Problem(422, 'invalid-reference', 'subjectId: no such person', { errors: [{ in: 'body', pointer: '/subjectId', detail: 'no such person' }] })
}

async function assertCohort(trx: Trx, cohortId: string | null | undefined) {
  if (!cohortId) return
  const cohort = await trx.selectFrom('cohorts').select('id').where('id', '=', cohortId).executeTakeFirst()
  if (!cohort) throw new Problem(422, 'invalid-reference', 'cohortId: no such cohort', { errors: [{ in: 'body', pointer: '/cohortId', detail: 'no such cohort' }] })
}

/** Checks a new assessment's references and rules and inserts it as a draft (no change recorded). */
export async function insertAssessment(trx: Trx, input: Static<typeof AssessmentCreate>): Promise<AssessmentRow> {
  const scale = input.scale ?? { min: 1, max: 5, labels: [], notObservedAllowed: true }
  assertValid([...scaleErrors(scale), ...windowErrors(new Date(input.opensAt), new Date(input.closesAt))])
  await assertSubject(trx, input.subjectId)
  const framework = await publishedFramework(trx, input.frameworkId)
  ratedElements(await elementsOf(trx, framework.id), input.elementIds ?? [])
  await assertCohort(trx, input.cohortId)
  return trx
    .insertInto('feedback_assessments')
    .values({
      external_id: input.externalId ?? null,
      subject_id: input.subjectId,
      framework_id: framework.id,
      element_ids: input.elementIds ?? [],
      purpose: input.purpose,
      cohort_id: input.cohortId ?? null,
      opens_at: input.opensAt,
      closes_at: input.closesAt,
      scale_min: scale.min,
      scale_max: scale.max,
      scale_labels: scale.labels ?? [],
      not_observed_allowed: scale.notObservedAllowed ?? true,
      anonymity_threshold: input.anonymityThreshold ?? 3,
      line_manager_identified: input.lineManagerIdentified ?? true,
      status_reason: null
    })
    .returningAll()
    .executeTakeFirstOrThrow()
}

export async function createAssessment(changes: ChangeSet, input: Static<typeof AssessmentCreate>): Promise<AssessmentView> {
  const view = toAssessment(await insertAssessment(changes.trx, input))
  changes.record({ action: 'assessment.created', entityType: 'assessment', entityId: view.id, after: view })
  return view
}

const OPEN_FIELDS = new Set(['purpose', 'externalId', 'closesAt'])

export async function updateAssessment(changes: ChangeSet, id: string, patch: Static<typeof AssessmentUpdate>, expected: IfMatch): Promise<AssessmentView> {
  const trx = changes.trx
  const row = await lockAssessment(trx, id, expected)
  const fields = Object.keys(patch)
  if (row.status !== 'draft') {
    const locked = fields.filter((f) => !OPEN_FIELDS.has(f))
    if (row.status !== 'open') throw new Problem(409, 'assessment-status', `a ${row.status} assessment no longer changes`)
    if (locked.length) throw new Problem(409, 'assessment-status', `an open assessment changes only its purpose, externalId and closesAt, not ${locked.join(', ')}`)
  }
  const opensAt = new Date(patch.opensAt ?? row.opens_at)
  const closesAt = new Date(patch.closesAt ?? row.closes_at)
  const scale = patch.scale ?? { min: row.scale_min, max: row.scale_max, labels: row.scale_labels, notObservedAllowed: row.not_observed_allowed }
  const errors = [...windowErrors(opensAt, closesAt), ...(patch.scale ? scaleErrors(patch.scale) : [])]
  if (row.status === 'open' && patch.closesAt && closesAt <= new Date()) errors.push({ in: 'body', pointer: '/closesAt', detail: 'must be in the future while the assessment is open' })
  assertValid(errors)
  if (patch.elementIds) ratedElements(await elementsOf(trx, row.framework_id), patch.elementIds)
  if (patch.cohortId !== undefined) await assertCohort(trx, patch.cohortId)
  const values = {
    external_id: patch.externalId === undefined ? row.external_id : patch.externalId,
    element_ids: patch.elementIds ?? row.element_ids,
    purpose: patch.purpose ?? row.purpose,
    cohort_id: patch.cohortId === undefined ? row.cohort_id : patch.cohortId,
    opens_at: opensAt,
    closes_at: closesAt,
    scale_min: scale.min,
    scale_max: scale.max,
    scale_labels: scale.labels ?? [],
    not_observed_allowed: scale.notObservedAllowed ?? true,
    anonymity_threshold: patch.anonymityThreshold ?? row.anonymity_threshold,
    line_manager_identified: patch.lineManagerIdentified ?? row.line_manager_identified
  }
  const before = toAssessment(row)
  // A patch that changes nothing is no change: same version and ETag, no audit record, no event.
  if (changesNothing(row, values)) return before
  const updated = await trx
    .updateTable('feedback_assessments')
    .set({ ...values, version: row.version + 1, updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
  const after = toAssessment(updated)
  changes.record({ action: 'assessment.updated', entityType: 'assessment', entityId: id, before, after })
  return after
}

/**
 * Rewrites an assessment's responses in a random order with new random ids, in one statement
 * pair. Rows inserted at submission share their transaction id (xmin) and heap position with the
 * invitation's update and audit record; once rewritten, nothing in the table says which came when.
 */
export async function reshuffleResponses(trx: Trx, assessmentId: string) {
  const rows = await trx.selectFrom('feedback_responses').select(['rater_group', 'ratings', 'comments']).where('assessment_id', '=', assessmentId).execute()
  if (rows.length === 0) return
  for (let i = rows.length - 1; i > 0; i--) {
    const j = randomInt(i + 1)
    ;[rows[i], rows[j]] = [rows[j], rows[i]]
  }
  await trx.deleteFrom('feedback_responses').where('assessment_id', '=', assessmentId).execute()
  await trx
    .insertInto('feedback_responses')
    .values(rows.map((r) => ({ assessment_id: assessmentId, rater_group: r.rater_group, ratings: JSON.stringify(r.ratings), comments: JSON.stringify(r.comments) })))
    .execute()
}

/** Drafts of raters who did not submit die with the window: nobody can submit them any more. */
async function discardDrafts(trx: Trx, assessmentId: string) {
  await trx
    .deleteFrom('feedback_drafts')
    .where('invitation_id', 'in', (eb) => eb.selectFrom('feedback_invitations').select('id').where('assessment_id', '=', assessmentId))
    .execute()
}

export async function transitionAssessment(
  changes: ChangeSet,
  id: string,
  to: AssessmentStatus,
  reason: string | null,
  expected: IfMatch
): Promise<AssessmentView> {
  const trx = changes.trx
  const row = await lockAssessment(trx, id, expected)
  assertTransition(ASSESSMENT_MOVES, row.status, to, 'assessment')
  const now = new Date()
  if (to === 'open' && new Date(row.closes_at) <= now) {
    throw refuseTransition(row.status, to, ASSESSMENT_MOVES[row.status], `the window closed at ${new Date(row.closes_at).toISOString()}; move closesAt later before opening`)
  }
  if (to === 'closed' || to === 'cancelled') await discardDrafts(trx, id)
  if (to === 'closed' || to === 'cancelled') await reshuffleResponses(trx, id)
  const updated = await trx
    .updateTable('feedback_assessments')
    .set({
      status: to,
      status_reason: reason,
      ...(to === 'open' ? { opened_at: now } : {}),
      ...(to === 'closed' ? { closed_at: now } : {}),
      ...(to === 'released' ? { released_at: now } : {}),
      version: row.version + 1,
      updated_at: now
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
  const before = toAssessment(row)
  const after = toAssessment(updated)
  changes.record({
    action: `assessment.${to}`,
    entityType: 'assessment',
    entityId: id,
    before,
    after,
    event: { ...after, previousStatus: row.status, reason }
  })
  return after
}

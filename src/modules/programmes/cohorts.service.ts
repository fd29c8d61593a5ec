import type { Static } from 'typebox'
import type { ChangeSet } from '../../platform/changes.js'
import type { IfMatch } from '../../platform/concurrency.js'
import { changedColumns } from '../../platform/patches.js'
import { Problem } from '../../platform/problems.js'
import { assertCohortHolds, assertValid, cohortErrors, lockCohort, toCohort, type CohortRow, type CohortView } from './cohorts.repository.js'
import type { CohortUpdate } from './cohorts.schemas.js'
import { lockCohortEnrolments } from './enrolments.repository.js'
import { applyMove, ENROLMENT_TRANSITIONS } from './enrolments.moves.js'
import { promoteFromWaitlist } from './enrolments.waitlist.js'
import { LIVE_PROGRAMME_STATUSES, lockProgramme, type ProgrammeRecord } from './programmes.repository.js'
import type { CohortsTable, CohortStatus, EnrolmentStatus } from './tables.js'
import { allowedMoves, assertTransition, refuseTransition, type TransitionTable } from './transitions.js'

/**
 * planned → open → closed → running → completed; planned, open, closed, running → cancelled;
 * open → planned (withdrawn before anyone is nominated); closed → open (reopened).
 */
export const COHORT_TRANSITIONS: TransitionTable<CohortStatus> = {
  planned: ['open', 'cancelled'],
  open: ['planned', 'closed', 'cancelled'],
  closed: ['open', 'running', 'cancelled'],
  running: ['completed', 'cancelled'],
  completed: [],
  cancelled: []
}

/**
 * Enrolments still in play: those the enrolment rules (ENROLMENT_TRANSITIONS) still allow to be
 * cancelled, which are cancelled with their cohort. Attended and ended ones keep their status.
 */
export const CANCELLED_WITH_COHORT: readonly EnrolmentStatus[] = (Object.keys(ENROLMENT_TRANSITIONS) as EnrolmentStatus[]).filter((status) =>
  ENROLMENT_TRANSITIONS[status].includes('cancelled')
)

/** Cohorts open only while their programme is a pilot or active. */
function assertProgrammeLive(programme: ProgrammeRecord) {
  if (!LIVE_PROGRAMME_STATUSES.includes(programme.status)) {
    throw new Problem(409, 'programme-status', `${programme.title} is ${programme.status}: its cohorts open only while it is a pilot or active`)
  }
}

/**
 * Cancels the cohort's enrolments still in play, each written by applyMove like every other
 * enrolment move (history row with action `cohort-cancelled`, audit record, `enrolment.cancelled`
 * event), by `actor`, in the caller's transaction, which holds the cohort's lock. Returns how many.
 */
async function cancelLiveEnrolments(changes: ChangeSet, cohortId: string, actor: string, reason: string | null): Promise<number> {
  const live = await lockCohortEnrolments(changes.trx, cohortId, CANCELLED_WITH_COHORT)
  const why = reason ?? 'the cohort was cancelled'
  for (const enrolment of live) {
    await applyMove(changes, enrolment, { to: 'cancelled', action: 'cohort-cancelled', actor, reason: why, set: { outcome_reason: why } })
  }
  return live.length
}

/**
 * Moves a locked cohort along COHORT_TRANSITIONS, recorded as `cohort.<status>` with the previous
 * status and the reason. Opening needs a pilot or active programme; going back to planned needs
 * no enrolments in play; cancelling cancels those enrolments too, as moves by `actor` (recorded
 * like any enrolment move's actor: `person:<id>` or the token subject).
 */
export async function moveCohort(changes: ChangeSet, current: CohortRow, to: CohortStatus, reason: string | null, actor: string): Promise<CohortView> {
  const { trx } = changes
  assertTransition(COHORT_TRANSITIONS, current.status, to, 'cohort')
  if (to === 'open') {
    const programme = await lockProgramme(trx, current.programme_id)
    assertProgrammeLive(programme!)
  }
  if (to === 'planned') {
    const live = await trx.selectFrom('enrolments').select('id').where('cohort_id', '=', current.id).where('status', 'in', CANCELLED_WITH_COHORT).limit(1).executeTakeFirst()
    if (live) {
      throw refuseTransition(current.status, to, allowedMoves(COHORT_TRANSITIONS, current.status), 'an open cohort with nominations in play cannot go back to planned; close or cancel it instead')
    }
  }
  const cancelled = to === 'cancelled' ? await cancelLiveEnrolments(changes, current.id, actor, reason) : 0
  const row = await trx
    .updateTable('cohorts')
    .set({ status: to, version: current.version + 1, updated_at: new Date() })
    .where('id', '=', current.id)
    .returningAll()
    .executeTakeFirstOrThrow()
  const view = toCohort(row)
  const after = { ...view, previousStatus: current.status, reason, ...(to === 'cancelled' ? { enrolmentsCancelled: cancelled } : {}) }
  changes.record({ action: `cohort.${to}`, entityType: 'cohort', entityId: current.id, before: toCohort(current), after })
  return view
}

/**
 * Moves the cohort (locked, If-Match checked) to `to`. `actor` is who the enrolments a cancellation
 * cancels are moved by: the caller's identity (callerOf) for a request; the token subject by default.
 */
export async function transitionCohort(
  changes: ChangeSet,
  id: string,
  to: CohortStatus,
  reason: string | null,
  expected?: IfMatch,
  actor: string = changes.actor.subject
): Promise<CohortView> {
  const current = await lockCohort(changes.trx, id, expected)
  return moveCohort(changes, current, to, reason, actor)
}

/**
 * After a change to a locked cohort: places it gained go to its waitlist at once, first waitlisted
 * first, each a move of its own by `system:waitlist` (promoteFromWaitlist), in the same transaction.
 */
export async function fillNewPlaces(changes: ChangeSet, before: CohortRow, after: CohortRow): Promise<number> {
  if (after.capacity <= before.capacity) return 0
  return promoteFromWaitlist(changes, after, `promoted from the waitlist when the cohort’s capacity rose from ${before.capacity} to ${after.capacity}`)
}

/** A JSON merge patch of a cohort, under its lock; raising its capacity promotes from the waitlist into the new places. */
export async function updateCohort(changes: ChangeSet, id: string, patch: Static<typeof CohortUpdate>, expected?: IfMatch): Promise<CohortView> {
  const current = await lockCohort(changes.trx, id, expected)
  const set: Partial<Record<keyof CohortsTable, unknown>> = {}
  const fields: Array<[keyof typeof patch, keyof CohortsTable]> = [
    ['externalId', 'external_id'], ['title', 'title'], ['stream', 'stream'], ['startsOn', 'starts_on'], ['endsOn', 'ends_on'],
    ['venue', 'venue'], ['capacity', 'capacity'], ['cost', 'cost'], ['facilitators', 'facilitators'], ['nominationsCloseOn', 'nominations_close_on']
  ]
  for (const [field, column] of fields) if (patch[field] !== undefined) set[column] = patch[field]
  const next = { ...current, ...(set as Partial<CohortRow>) }
  assertValid(cohortErrors(next))
  await assertCohortHolds(changes.trx, current, next)
  const changed = changedColumns(current, set as Partial<CohortRow>)
  if (Object.keys(changed).length === 0) return toCohort(current)
  const row = await changes.trx
    .updateTable('cohorts')
    .set({ ...(changed as object), version: current.version + 1, updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
  const view = toCohort(row)
  changes.record({ action: 'cohort.updated', entityType: 'cohort', entityId: id, before: toCohort(current), after: view })
  await fillNewPlaces(changes, current, row)
  return view
}

import type { Selectable } from 'kysely'
import type { ChangeSet } from '../../platform/changes.js'
import { defineProblem, Problem } from '../../platform/problems.js'
import { placesTaken, type CohortRow } from './cohorts.repository.js'
import { firstWaitlisted } from './enrolments.repository.js'
import { applyMove } from './enrolments.moves.js'
import type { EnrolmentsTable } from './tables.js'

defineProblem('enrolment-capacity', { status: 409, title: 'Cohort full', description: 'Every place of the cohort is taken (selected, attended, no-show or completed enrolments); waitlist the enrolment instead, or raise the cohort’s capacity.' })

// Every function here expects the caller to hold the cohort's lock (lockCohort), so that places
// are counted and given one change at a time.

const FINISHED_COHORT = new Set(['completed', 'cancelled'])

export function assertCohortTakesPlaces(cohort: CohortRow) {
  if (FINISHED_COHORT.has(cohort.status)) throw new Problem(409, 'cohort-status', `the cohort is ${cohort.status}; nobody can be selected or waitlisted for it`)
}

/** Refuses a selection when every place is taken (selected, attended, completed), pointing at the waitlist. */
export async function assertPlaceFree(changes: ChangeSet, cohort: CohortRow) {
  assertCohortTakesPlaces(cohort)
  const taken = await placesTaken(changes.trx, cohort.id)
  if (taken >= cohort.capacity) {
    throw new Problem(409, 'enrolment-capacity', `all ${cohort.capacity} places of the cohort are taken; waitlist the enrolment instead`, {
      extensions: { capacity: cohort.capacity, taken }
    })
  }
}

/**
 * Gives the cohort's free places to its waitlist, first waitlisted first (by waitlisted_at, then
 * id), each a move of its own by `system:waitlist` with `because` as the reason. Nobody is
 * promoted into a completed or cancelled cohort. Returns how many were promoted.
 */
export async function promoteFromWaitlist(changes: ChangeSet, cohort: CohortRow, because: string): Promise<number> {
  if (FINISHED_COHORT.has(cohort.status)) return 0
  let free = cohort.capacity - (await placesTaken(changes.trx, cohort.id))
  let promoted = 0
  while (free > 0) {
    const next = await firstWaitlisted(changes.trx, cohort.id)
    if (!next) break
    await applyMove(changes, next, { to: 'selected', action: 'select', actor: 'system:waitlist', reason: because })
    free--
    promoted++
  }
  return promoted
}

/**
 * When a programme needs no selection, an approved enrolment takes a free place at once, or else
 * joins the waitlist: a move of its own by `system:selection`. Those already waiting come first.
 */
export async function selectAutomatically(changes: ChangeSet, cohort: CohortRow, approved: Selectable<EnrolmentsTable>): Promise<void> {
  if (FINISHED_COHORT.has(cohort.status)) return
  await promoteFromWaitlist(changes, cohort, 'a place was free when another enrolment was approved')
  const taken = await placesTaken(changes.trx, cohort.id)
  if (taken < cohort.capacity) {
    await applyMove(changes, approved, {
      to: 'selected',
      action: 'select',
      actor: 'system:selection',
      reason: `selection is not required for this programme; place ${taken + 1} of ${cohort.capacity}`
    })
    return
  }
  await applyMove(changes, approved, {
    to: 'waitlisted',
    action: 'waitlist',
    actor: 'system:selection',
    reason: `selection is not required for this programme, but all ${cohort.capacity} places are taken`
  })
}

import type { Static } from 'typebox'
import type { ChangeSet } from '../../platform/changes.js'
import { assertCurrentVersion, type IfMatch } from '../../platform/concurrency.js'
import { defineProblem, describeConstraint, Problem } from '../../platform/problems.js'
import { recomputeAttendance } from './attendance.js'
import { findCohort, lockCohort } from './cohorts.repository.js'
import { ineligibilityReasons } from './eligibility.js'
import { assertMayAct, assertMayNominate, type Caller } from './enrolments.access.js'
import {
  attendanceOf, attendedAnySession, blockingEnrolment, clashingEnrolments, cohortOfEnrolment, findEnrolment, findRelationship, insertNomination,
  insertTransition, lockCandidate, lockEnrolment, toEnrolment, type EnrolmentRow
} from './enrolments.repository.js'
import { applyMove, ENROLMENT_TRANSITIONS, eventOf, type Move } from './enrolments.moves.js'
import type { ENROLMENT_ACTIONS, EnrolmentTransitionRequest, NominationSource } from './enrolments.schemas.js'
import { findProgramme } from './programmes.repository.js'
import type { EnrolmentStatus } from './tables.js'
import { assertCohortTakesPlaces, assertPlaceFree, promoteFromWaitlist, selectAutomatically } from './enrolments.waitlist.js'
import { assertTransition } from './transitions.js'

defineProblem('cohort-not-open', {
  status: 409,
  title: 'Cohort not open for nominations',
  description:
    'Nominations are taken only while the cohort is open; self and line-manager nominations also only until its nominations close date. (Other changes a cohort’s status rules out are `cohort-status`.)'
})
defineProblem('person-left', { status: 409, title: 'Person has left', description: 'A person whose status is `left` cannot be nominated.' })
defineProblem('enrolment-ineligible', { status: 409, title: 'Not eligible', description: 'The person is outside the programme’s eligibility (grade level range, staff types); `reasons` says how. HR (programmes:write) may enrol them with `eligibilityOverrideReason`.' })
defineProblem('enrolment-duplicate', { status: 409, title: 'Already enrolled', description: 'The person already has an enrolment on this cohort that has not ended (declined, not selected, withdrawn or cancelled); `enrolmentId` names it.' })
defineProblem('enrolment-clash', { status: 409, title: 'Clashing cohort', description: 'The person holds a live enrolment on another cohort whose dates overlap this one; `clashes` lists them. Withdraw from it first.' })
defineProblem('second-approval-same-approver', { status: 409, title: 'Second approver must differ', description: 'The programme needs two approvals, and the second must come from someone other than the first approver.' })
defineProblem('no-session-attended', { status: 409, title: 'No session attended', description: 'An enrolment is marked attended only when session attendance shows the person present at one session at least; record attendance first, or mark a no-show.' })
defineProblem('no-show-attended', { status: 409, title: 'Present at a session', description: 'Session attendance shows the person present at a session, so the enrolment cannot be a no-show; mark it attended.' })

describeConstraint('enrolments_live_unique', 'the person already has an enrolment on this cohort that has not ended')
describeConstraint('enrolments_external_id_key', 'an enrolment with this externalId already exists')

type Action = (typeof ENROLMENT_ACTIONS)[number]

const TARGET: Record<Action, EnrolmentStatus> = {
  approve: 'approved',
  decline: 'declined',
  select: 'selected',
  waitlist: 'waitlisted',
  reject: 'not_selected',
  attend: 'attended',
  no_show: 'no_show',
  complete: 'completed',
  withdraw: 'withdrawn',
  cancel: 'cancelled'
}
const REASON_REQUIRED: ReadonlySet<Action> = new Set(['decline', 'reject', 'withdraw', 'cancel'])

// ---- Nomination ---------------------------------------------------------------------------------

export interface Nomination {
  personId: string
  source: Static<typeof NominationSource>
  note?: string | null
  eligibilityOverrideReason?: string | null
  externalId?: string | null
}

const today = () => new Date().toISOString().slice(0, 10)

/**
 * Puts a person forward for a cohort, checking in turn: who may nominate whom, that the cohort
 * takes nominations, that the person is active and eligible (unless HR overrides), and that they
 * hold no other live enrolment on this cohort or on one whose dates overlap. The person's row is
 * locked first, so two nominations of the same person are checked one after the other.
 */
export async function nominate(changes: ChangeSet, caller: Caller, cohortId: string, input: Nomination): Promise<EnrolmentRow> {
  const { trx } = changes
  // A share lock: nominations to one cohort run side by side, but none slips past a cancel or
  // close that holds the cohort, and the cohort-first lock order of every move is kept.
  const cohort = await findCohort(trx, cohortId, { share: true })
  const person = await lockCandidate(trx, input.personId)
  if (!person) {
    throw new Problem(422, 'invalid-reference', `person ${input.personId} does not exist`, {
      errors: [{ in: 'body', pointer: '/personId', detail: 'no such person' }]
    })
  }
  const overriding = !!input.eligibilityOverrideReason
  assertMayNominate(caller, person, input.source, overriding)

  if (cohort.status !== 'open') throw new Problem(409, 'cohort-not-open', `the cohort is ${cohort.status}; nominations are taken only while it is open`)
  if (!caller.administers && cohort.nominations_close_on && today() > cohort.nominations_close_on) {
    throw new Problem(409, 'cohort-not-open', `nominations for this cohort closed on ${cohort.nominations_close_on}; HR (programmes:write) may still nominate`)
  }
  if (person.status !== 'active') throw new Problem(409, 'person-left', 'the person has left and cannot be nominated')

  const programme = await findProgramme(trx, cohort.programme_id)
  const reasons = ineligibilityReasons(programme, { staff_type: person.staff_type, level: person.level })
  if (reasons.length && !overriding) {
    throw new Problem(409, 'enrolment-ineligible', `the person is not eligible for ${programme.title}: ${reasons.join('; ')}`, { extensions: { reasons } })
  }

  const existing = await blockingEnrolment(trx, cohort.id, person.id)
  if (existing) {
    throw new Problem(409, 'enrolment-duplicate', `the person is already enrolled on this cohort (enrolment ${existing.id}, ${existing.status})`, {
      extensions: { enrolmentId: existing.id }
    })
  }
  const clashes = await clashingEnrolments(trx, person.id, cohort)
  if (clashes.length) {
    const first = clashes[0]
    throw new Problem(409, 'enrolment-clash', `the person is ${first.status} on ${first.cohortTitle} (${first.startsOn} to ${first.endsOn}), which overlaps this cohort (${cohort.starts_on} to ${cohort.ends_on})`, {
      extensions: { clashes }
    })
  }

  const inserted = await insertNomination(trx, {
    external_id: input.externalId ?? null,
    cohort_id: cohort.id,
    person_id: person.id,
    nomination_source: input.source,
    nominated_by: caller.identity,
    nomination_note: input.note ?? null,
    eligibility_override_reason: input.eligibilityOverrideReason ?? null
  })
  const transition = await insertTransition(trx, {
    enrolment_id: inserted.id,
    from_status: null,
    to_status: 'nominated',
    action: 'nominate',
    actor: caller.identity,
    reason: input.eligibilityOverrideReason ? `eligibility overridden: ${input.eligibilityOverrideReason}` : (input.note ?? null)
  })
  const row = await findEnrolment(trx, inserted.id)
  changes.record({ action: 'enrolment.nominated', entityType: 'enrolment', entityId: row.id, after: toEnrolment(row), event: eventOf(row, transition) })
  return row
}

// ---- Transitions --------------------------------------------------------------------------------

/**
 * Moves an enrolment by `action`, checking who may (assertMayAct), whether the move is legal from
 * the current status (ENROLMENT_TRANSITIONS) and the rules of the move. The cohort is locked
 * before the enrolment in every transition (one lock order, so no deadlocks), which makes every
 * count of places and every promotion from the waitlist happen one at a time per cohort.
 */
export async function transitionEnrolment(
  changes: ChangeSet,
  caller: Caller,
  id: string,
  request: Static<typeof EnrolmentTransitionRequest>,
  expected?: IfMatch
): Promise<EnrolmentRow> {
  const { trx } = changes
  const cohort = await lockCohort(trx, await cohortOfEnrolment(trx, id))
  const current = await lockEnrolment(trx, id)
  assertCurrentVersion(expected, current.version)

  const action = request.action as Action
  const person = await findRelationship(trx, current.person_id)
  assertMayAct(caller, person, action)
  const reason = request.reason ?? null
  if (REASON_REQUIRED.has(action) && !reason) {
    throw new Problem(400, 'validation', `a reason is required to ${action.replace('_', '-')} an enrolment`, {
      errors: [{ in: 'body', pointer: '/reason', detail: `is required for ${action}` }]
    })
  }
  const programme = await findProgramme(trx, cohort.programme_id)

  if (action === 'approve') {
    const firstApproval = current.status === 'nominated'
    const to = firstApproval && programme.second_approval_required ? 'manager_approved' : 'approved'
    assertTransition(ENROLMENT_TRANSITIONS, current.status, to, 'enrolment')
    if (!firstApproval && current.first_approver === caller.identity) {
      throw new Problem(409, 'second-approval-same-approver', `${programme.title} needs a second approval by someone other than the first approver (${current.first_approver})`)
    }
    const approved = await applyMove(changes, current, {
      to,
      action,
      actor: caller.identity,
      reason,
      set: firstApproval ? { first_approver: caller.identity } : { second_approver: caller.identity }
    })
    if (to === 'approved' && !programme.selection_required) await selectAutomatically(changes, cohort, approved)
    return findEnrolment(trx, id)
  }

  const to = TARGET[action]
  assertTransition(ENROLMENT_TRANSITIONS, current.status, to, 'enrolment')
  const move: Move = { to, action, actor: caller.identity, reason }
  switch (action) {
    case 'select':
      await assertPlaceFree(changes, cohort)
      break
    case 'waitlist':
      assertCohortTakesPlaces(cohort)
      break
    case 'attend': {
      await recomputeAttendance(trx, [id], changes)
      if ((await attendanceOf(trx, id)) === 'none') throw new Problem(409, 'no-session-attended', 'no session attendance shows the person present; record attendance first, or mark a no-show')
      break
    }
    case 'no_show':
      if (await attendedAnySession(trx, id)) throw new Problem(409, 'no-show-attended', 'session attendance shows the person present; mark the enrolment attended instead')
      break
    case 'decline':
    case 'reject':
    case 'withdraw':
    case 'cancel':
      move.set = { outcome_reason: reason }
      break
  }
  // The attendance level may just have been recomputed: move from the row as it is now.
  const fresh = action === 'attend' ? await lockEnrolment(trx, id) : current
  await applyMove(changes, fresh, move)
  if ((action === 'withdraw' || action === 'cancel') && current.status === 'selected') {
    await promoteFromWaitlist(changes, cohort, `promoted from the waitlist to the place freed when enrolment ${id} was ${to}`)
  }
  return findEnrolment(trx, id)
}

import { sql, type Selectable } from 'kysely'
import type { ChangeSet } from '../../platform/changes.js'
import { findEnrolment, insertTransition, toEnrolment, toEnrolmentTransition, type EnrolmentRow } from './enrolments.repository.js'
import type { EnrolmentStatus, EnrolmentsTable } from './tables.js'
import type { TransitionTable } from './transitions.js'

/** Every status an enrolment may move to from each status. */
export const ENROLMENT_TRANSITIONS: TransitionTable<EnrolmentStatus> = {
  nominated: ['manager_approved', 'approved', 'declined', 'withdrawn', 'cancelled'],
  manager_approved: ['approved', 'declined', 'withdrawn', 'cancelled'],
  approved: ['selected', 'waitlisted', 'not_selected', 'withdrawn', 'cancelled'],
  waitlisted: ['selected', 'not_selected', 'withdrawn', 'cancelled'],
  selected: ['attended', 'no_show', 'withdrawn', 'cancelled'],
  attended: ['completed'],
  declined: [],
  not_selected: [],
  no_show: [],
  completed: [],
  withdrawn: [],
  cancelled: []
}

/** The change-feed payload of an enrolment move: the enrolment after it, and the move itself. */
export const eventOf = (after: EnrolmentRow, transition: Parameters<typeof toEnrolmentTransition>[0]) => ({
  ...toEnrolment(after),
  transition: toEnrolmentTransition(transition)
})

export interface Move {
  to: EnrolmentStatus
  /** The action of the transition request, or what else moved it (`cohort-cancelled`). */
  action: string
  /** Who moved it: a caller's identity, or `system:…` for automatic moves. */
  actor: string
  reason: string | null
  /** Other columns the move sets (approvers, outcome reason, waitlist time). */
  set?: Partial<Record<keyof EnrolmentsTable, unknown>>
}

/**
 * Writes one move of a locked enrolment, whose legality the caller checked: the enrolment, its
 * history row, the audit record and the `enrolment.<new status>` event, all in the transaction.
 * Every move after the nomination is written here, whatever caused it (a request, the waitlist,
 * automatic selection, the cohort's cancellation).
 */
export async function applyMove(changes: ChangeSet, current: Selectable<EnrolmentsTable>, move: Move): Promise<EnrolmentRow> {
  const { trx } = changes
  const before = await findEnrolment(trx, current.id)
  // The queue position: strictly after everyone already queued on this (locked) cohort, so two
  // people waitlisted in the same millisecond still leave in the order they joined.
  const queued = move.to === 'waitlisted'
    ? { waitlisted_at: sql<Date>`greatest(clock_timestamp(), (select max(w.waitlisted_at) + interval '1 millisecond' from enrolments w where w.cohort_id = ${current.cohort_id}))` }
    : {}
  await trx
    .updateTable('enrolments')
    .set({ ...(move.set as object), ...queued, status: move.to, version: current.version + 1, updated_at: new Date() })
    .where('id', '=', current.id)
    .execute()
  const transition = await insertTransition(trx, {
    enrolment_id: current.id,
    from_status: current.status,
    to_status: move.to,
    action: move.action,
    actor: move.actor,
    reason: move.reason
  })
  const after = await findEnrolment(trx, current.id)
  changes.record({
    action: `enrolment.${move.to}`,
    entityType: 'enrolment',
    entityId: current.id,
    before: toEnrolment(before),
    after: toEnrolment(after),
    event: eventOf(after, transition)
  })
  return after
}

import type { Selectable } from 'kysely'
import type { ChangeSet } from '../../platform/changes.js'
import { findEnrolment, insertTransition, toEnrolment, toEnrolmentTransition, type EnrolmentRow } from './enrolments.repository.js'
import type { EnrolmentStatus, EnrolmentsTable } from './tables.js'

/** The change-feed payload of an enrolment move: the enrolment after it, and the move itself. */
export const eventOf = (after: EnrolmentRow, transition: Parameters<typeof toEnrolmentTransition>[0]) => ({
  ...toEnrolment(after),
  transition: toEnrolmentTransition(transition)
})

export interface Move {
  to: EnrolmentStatus
  /** nominate, or the action of the transition request. */
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
 */
export async function applyMove(changes: ChangeSet, current: Selectable<EnrolmentsTable>, move: Move): Promise<EnrolmentRow> {
  const { trx } = changes
  const before = await findEnrolment(trx, current.id)
  await trx
    .updateTable('enrolments')
    .set({ ...(move.set as object), status: move.to, version: current.version + 1, updated_at: new Date() })
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

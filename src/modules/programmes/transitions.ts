import { Type } from 'typebox'
import { defineProblem, Problem } from '../../platform/problems.js'

defineProblem('illegal-transition', {
  status: 409,
  title: 'Illegal transition',
  description:
    'The record cannot move from its current status to the one asked for. `detail` names the rule; `from`, `to` and `allowed` (the moves open from the current status) say what is possible.'
})

/** The moves a state machine allows: each status to the statuses it may move to (final statuses map to []). */
export type TransitionTable<S extends string> = Readonly<Record<S, readonly S[]>>

/** The statuses `from` may move to under `table`. */
export function allowedMoves<S extends string>(table: TransitionTable<S>, from: S): readonly S[] {
  return table[from] ?? []
}

/**
 * Refuses a move the table does not allow with a 409 `illegal-transition` problem naming the
 * rule: `what` is the record's name in the message (“programme”, “cohort”, “enrolment”).
 */
export function assertTransition<S extends string>(table: TransitionTable<S>, from: S, to: S, what: string): void {
  const allowed = allowedMoves(table, from)
  if (allowed.includes(to)) return
  const open = allowed.length ? `from ${from} it may move to ${allowed.join(', ')}` : `${from} is final`
  const detail = from === to ? `the ${what} is already ${to}` : `a ${what} cannot move from ${from} to ${to}; ${open}`
  throw refuseTransition(from, to, allowed, detail)
}

/** The same 409 for a move the table allows but another rule forbids (e.g. a cohort with live enrolments). */
export function refuseTransition(from: string, to: string, allowed: readonly string[], detail: string): Problem {
  return new Problem(409, 'illegal-transition', detail, { extensions: { from, to, allowed: [...allowed] } })
}

/** The body of a `POST …/transitions` operation: the status to move to and why. */
export function transitionBody<const S extends readonly string[]>(statuses: S, id: string, description: string) {
  return Type.Object(
    {
      to: Type.Enum(statuses, { description: 'The status to move to' }),
      reason: Type.Optional(Type.String({ minLength: 1, maxLength: 2000, description: 'Why; kept in the audit trail and the event' }))
    },
    { $id: id, description, additionalProperties: false }
  )
}

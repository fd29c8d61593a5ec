import type { Principal } from '../../platform/auth/tokens.js'
import { Problem } from '../../platform/problems.js'
import { grants } from '../../platform/scopes.js'
import { PROGRAMMES_NOMINATE, PROGRAMMES_READ, PROGRAMMES_WRITE } from './scopes.js'

/** Who is calling, as the enrolment rules see it. */
export interface Caller {
  /** Recorded as nominator, approver and transition actor: `person:<id>` when acting for a person, else the token subject. */
  identity: string
  /** The person the token acts for (`person_id`), if any. */
  personId: string | null
  /** HR / L&D administration (`programmes:write`): any nomination, approval, selection, override. */
  administers: boolean
  /** `programmes:read`: reads any enrolment. */
  reads: boolean
  /** `programmes:nominate` with a person: acts for themselves and their direct reports. */
  actsForPerson: boolean
}

export function callerOf(principal: Principal): Caller {
  const nominates = grants(principal.scopes, PROGRAMMES_NOMINATE) && principal.personId !== null
  return {
    identity: principal.personId ? `person:${principal.personId}` : principal.subject,
    personId: principal.personId,
    administers: grants(principal.scopes, PROGRAMMES_WRITE),
    reads: grants(principal.scopes, PROGRAMMES_READ),
    actsForPerson: nominates
  }
}

/** The relationship of the caller to the enrolled person. */
export interface Subject {
  id: string
  line_manager_id: string | null
}

export const isThePerson = (caller: Caller, person: Subject) => caller.actsForPerson && caller.personId === person.id
export const isTheirLineManager = (caller: Caller, person: Subject) => caller.actsForPerson && person.line_manager_id !== null && caller.personId === person.line_manager_id

const forbidden = (detail: string) => new Problem(403, 'forbidden', detail)

/** Reading an enrolment: `programmes:read`, the person, or their line manager. */
export function assertMayRead(caller: Caller, person: Subject) {
  if (caller.reads || isThePerson(caller, person) || isTheirLineManager(caller, person)) return
  throw forbidden('only programmes:read, the person or their line manager may read these enrolments')
}

/**
 * HR nominates anyone from any source; otherwise a person nominates themselves (`self`) and a
 * line manager their direct reports (`line_manager`). Only HR may override eligibility.
 */
export function assertMayNominate(caller: Caller, person: Subject, source: string, overriding: boolean) {
  if (overriding && !caller.administers) throw forbidden('only HR (programmes:write) may override eligibility')
  if (caller.administers) return
  if (source === 'self' && isThePerson(caller, person)) return
  if (source === 'line_manager' && isTheirLineManager(caller, person)) return
  if (!caller.actsForPerson) throw forbidden('nominating needs programmes:write, or programmes:nominate with a token acting for a person')
  throw forbidden(
    source === 'self' || source === 'line_manager'
      ? `a ${source === 'self' ? 'self-nomination is made by the person' : 'line-manager nomination is made by the person’s line manager'}; HR (programmes:write) nominates anyone`
      : `only HR (programmes:write) records ${source} nominations`
  )
}

const MOVES: Record<string, string> = {
  approve: 'approve this enrolment',
  decline: 'decline this enrolment',
  select: 'give this enrolment a place',
  waitlist: 'waitlist this enrolment',
  reject: 'turn this enrolment down at selection',
  attend: 'mark this enrolment attended',
  no_show: 'mark this enrolment a no-show',
  complete: 'mark this enrolment completed',
  withdraw: 'withdraw this enrolment',
  cancel: 'cancel this enrolment'
}

/** Approve and decline: the person's line manager or HR. Withdraw: also the person. The rest: HR only. */
export function assertMayAct(caller: Caller, person: Subject, action: string) {
  if (caller.administers) return
  if ((action === 'approve' || action === 'decline') && isTheirLineManager(caller, person)) return
  if (action === 'withdraw' && (isThePerson(caller, person) || isTheirLineManager(caller, person))) return
  const who =
    action === 'approve' || action === 'decline' ? 'the person’s line manager or HR (programmes:write)'
    : action === 'withdraw' ? 'the person, their line manager or HR (programmes:write)'
    : 'HR (programmes:write)'
  throw forbidden(`only ${who} may ${MOVES[action] ?? action}`)
}

import type { Principal } from '../../platform/auth/tokens.js'
import type { Db } from '../../db/database.js'
import type { Trx } from '../../platform/changes.js'
import { notFound, Problem } from '../../platform/problems.js'
import { grants } from '../../platform/scopes.js'
import { ASSESSMENTS_READ } from '../assessments/scopes.js'
import { PROGRAMMES_NOMINATE, PROGRAMMES_READ, PROGRAMMES_WRITE } from '../programmes/scopes.js'
import type { Caller as EnrolmentCaller } from '../programmes/enrolments.access.js'
import { DEVELOPMENT_PLANS_OWN, DEVELOPMENT_PLANS_READ, DEVELOPMENT_PLANS_WRITE } from './scopes.js'

/** Who is calling, as the plan rules see it. */
export interface PlanCaller {
  /** Recorded as actor: `person:<id>` when acting for a person, else the token subject. */
  identity: string
  /** The person the token names (`person_id`), whatever its scopes: nobody agrees their own plan. */
  personId: string | null
  /** HR (`development-plans:write`): any plan, any move. */
  hr: boolean
  /** `development-plans:read`: reads any plan and the reports. */
  reads: boolean
  /** `development-plans:own` with a person: acts for themselves and over their direct reports. */
  actsForPerson: boolean
  principal: Principal
}

export function planCallerOf(principal: Principal): PlanCaller {
  return {
    identity: principal.personId ? `person:${principal.personId}` : principal.subject,
    personId: principal.personId,
    hr: grants(principal.scopes, DEVELOPMENT_PLANS_WRITE),
    reads: grants(principal.scopes, DEVELOPMENT_PLANS_READ),
    actsForPerson: grants(principal.scopes, DEVELOPMENT_PLANS_OWN) && principal.personId !== null,
    principal
  }
}

/**
 * The same caller as the programmes module's nomination rules see it. Putting yourself (or, as
 * line manager, your report) forward through your plan is acting for a person, so
 * `development-plans:own` counts as `programmes:nominate` here; every other rule of the
 * nomination (eligibility, capacity, waitlist, cohort status, clashes) is the programmes module's own.
 */
export function enrolmentCallerOf(caller: PlanCaller): EnrolmentCaller {
  const scopes = caller.principal.scopes
  return {
    identity: caller.identity,
    personId: caller.personId,
    administers: grants(scopes, PROGRAMMES_WRITE),
    reads: grants(scopes, PROGRAMMES_READ),
    actsForPerson: caller.personId !== null && (caller.actsForPerson || grants(scopes, PROGRAMMES_NOMINATE))
  }
}

/** The plan's owner as the rules see them, read when the request is served. */
export interface Owner {
  id: string
  line_manager_id: string | null
  org_unit_id: string | null
  status: 'active' | 'left'
}

/**
 * The owner and their line manager per the people data now; inside a transaction the row is
 * share-locked, so a change of line manager waits until an agreement in flight has committed.
 */
export async function readOwner(db: Db | Trx, ownerId: string, lock = false): Promise<Owner> {
  let query = db.selectFrom('people').select(['id', 'line_manager_id', 'org_unit_id', 'status']).where('id', '=', ownerId)
  if (lock) query = query.forShare()
  const owner = await query.executeTakeFirst()
  if (!owner) throw notFound('person', ownerId)
  return owner
}

export const isOwner = (caller: PlanCaller, owner: Owner) => caller.actsForPerson && caller.personId === owner.id
export const isLineManager = (caller: PlanCaller, owner: Owner) =>
  caller.actsForPerson && owner.line_manager_id !== null && caller.personId === owner.line_manager_id

export const mayRead = (caller: PlanCaller, owner: Owner) => caller.reads || isOwner(caller, owner) || isLineManager(caller, owner)

/** Plans a caller may not read do not exist for them. */
export function assertMayRead(caller: PlanCaller, owner: Owner, what: string, id: string) {
  if (!mayRead(caller, owner)) throw notFound(what, id)
}

const forbidden = (detail: string) => new Problem(403, 'forbidden', detail)

/** Refuses with 404 when the caller may not even read the plan, else 403. */
function refuse(caller: PlanCaller, owner: Owner, what: string, id: string, detail: string): never {
  assertMayRead(caller, owner, what, id)
  throw forbidden(detail)
}

/** Drafting (create, change the content, submit): the owner or HR. */
export function assertMayDraft(caller: PlanCaller, owner: Owner, id: string) {
  if (caller.hr || isOwner(caller, owner)) return
  refuse(caller, owner, 'development plan', id, 'only the plan’s owner or HR (development-plans:write) may draft and submit it')
}

/** Progress (notes, objective and activity status, enrolments): the owner, their line manager or HR. */
export function assertMayRecordProgress(caller: PlanCaller, owner: Owner, id: string) {
  if (caller.hr || isOwner(caller, owner) || isLineManager(caller, owner)) return
  refuse(caller, owner, 'development plan', id, 'only the plan’s owner, their line manager or HR (development-plans:write) may record progress')
}

/**
 * Agree, return, reopen, lapse: the owner's line manager per the people data now, or HR; never
 * the owner, whatever their scopes.
 */
export function assertMayReview(caller: PlanCaller, owner: Owner, id: string, action: string) {
  if (caller.personId !== null && caller.personId === owner.id) {
    assertMayRead(caller, owner, 'development plan', id)
    throw forbidden(`nobody may ${action} their own plan; it is for their line manager or HR`)
  }
  if (caller.hr || isLineManager(caller, owner)) return
  refuse(caller, owner, 'development plan', id, `only the owner’s line manager (per the people data now) or HR (development-plans:write) may ${action} the plan`)
}

/**
 * Whether the caller may see a 360° report's figures (means, needs): as the feedback module rules
 * for the report itself, `assessments:read` or the subject; nobody else, line managers and
 * `development-plans:read`/`write` included.
 */
export const seesReportFigures = (caller: PlanCaller, subjectId: string) =>
  grants(caller.principal.scopes, ASSESSMENTS_READ) || (caller.personId !== null && caller.personId === subjectId)

/**
 * Objectives from a 360° report (its gaps): besides drafting the plan, the caller must be the
 * report's subject (the plan's owner) or hold `assessments:read`; HR with plan scopes only may not
 * read the report, so may not pick its largest gaps either.
 */
export function assertMayDraftFromReport(caller: PlanCaller, owner: Owner, id: string) {
  assertMayDraft(caller, owner, id)
  if (seesReportFigures(caller, owner.id)) return
  throw forbidden('objectives from a 360° report are made by its subject or by a caller with assessments:read; the report is not yours to read')
}

/** Completing: the owner, their line manager or HR. */
export function assertMayComplete(caller: PlanCaller, owner: Owner, id: string) {
  assertMayRecordProgress(caller, owner, id)
}

/**
 * Writes the planned cohorts through the programmes module's own functions, as the API would:
 * createCohort and createSession, cohort transitions (planned → open → closed → running →
 * completed, or cancelled), nominate and transitionEnrolment with the caller each move needs (the
 * person for self-nominations, withdrawals and evaluations; their line manager for line-manager
 * nominations, approvals and declines; the programme's administrator for HR's moves), session
 * registers (putRegister) and createEvaluation. Every rule is checked, and every change has its
 * history row, audit record and event.
 *
 * Each cohort is one transaction, so it is written whole or not at all; a cohort whose externalId
 * exists is left as it is, which makes a second run change nothing. After writing a cohort the
 * statuses in the database are compared with the plan, so a change to the module's rules that
 * the plan does not foresee stops the seed with a clear message instead of seeding something else.
 */
import { Compile } from 'typebox/compile'
import type { Db } from '../../db/database.js'
import { inTransaction, type Actor, type ChangeSet } from '../../platform/changes.js'
import { putRegister } from '../../modules/programmes/attendance.js'
import { createCohort } from '../../modules/programmes/cohorts.repository.js'
import { transitionCohort } from '../../modules/programmes/cohorts.service.js'
import { CohortCreate, CohortSessionCreate } from '../../modules/programmes/cohorts.schemas.js'
import type { Caller } from '../../modules/programmes/enrolments.access.js'
import { nominate, transitionEnrolment } from '../../modules/programmes/enrolments.service.js'
import type { ENROLMENT_ACTIONS } from '../../modules/programmes/enrolments.schemas.js'
import { createEvaluation } from '../../modules/programmes/evaluations.repository.js'
import { EvaluationCreate } from '../../modules/programmes/evaluations.schemas.js'
import { createSession } from '../../modules/programmes/sessions.repository.js'
import { LEFT_ON_WAITLIST, type CohortPlan, type EnrolmentPlan } from './enrolments.js'

export interface CohortCounts {
  cohorts: { created: number; unchanged: number }
  sessions: number
  enrolments: { created: number; unchanged: number }
  evaluations: number
}

interface PersonRef {
  id: string
  lineManagerId: string | null
}

interface Refs {
  programmes: Map<string, string>
  people: Map<string, PersonRef>
  actor: Actor
}

const checkCohort = Compile(CohortCreate)
const checkSession = Compile(CohortSessionCreate)
const checkEvaluation = Compile(EvaluationCreate)

function valid<T>(check: { Check(value: unknown): boolean; Errors(value: unknown): Iterable<{ instancePath?: string; message: string }> }, value: T, what: string): T {
  if (check.Check(value)) return value
  const errors = [...check.Errors(value)].map((e) => `${e.instancePath ?? ''} ${e.message}`).join('; ')
  throw new Error(`the demo's ${what} is invalid: ${errors}`)
}

/** A token acting for a person with `programmes:nominate`: themselves and their direct reports. */
const actingFor = (personId: string): Caller => ({ identity: `person:${personId}`, personId, administers: false, reads: false, actsForPerson: true })

/**
 * Waitlist order is by the time an enrolment was waitlisted (then by its random id), so two
 * waitlisted in the same millisecond would be promoted in an order that differs between runs. Each
 * move that may waitlist waits for the clock to pass the previous one.
 */
let lastWaitlisting = 0
async function afterLastWaitlisting<T>(move: () => Promise<T>): Promise<T> {
  while (Date.now() <= lastWaitlisting) await new Promise((resolve) => setImmediate(resolve))
  try {
    return await move()
  } finally {
    lastWaitlisting = Date.now()
  }
}

export async function writeCohorts(db: Db, plans: CohortPlan[], actor: Actor, log: (line: string) => void): Promise<CohortCounts> {
  const counts: CohortCounts = { cohorts: { created: 0, unchanged: 0 }, sessions: 0, enrolments: { created: 0, unchanged: 0 }, evaluations: 0 }
  if (plans.length === 0) return counts
  const programmes = new Map(
    (await db.selectFrom('programmes').select(['id', 'external_id']).where('external_id', 'in', [...new Set(plans.map((p) => p.programmeExternalId))]).execute()).map((p) => [
      p.external_id!,
      p.id
    ])
  )
  const people = new Map(
    (await db.selectFrom('people').select(['id', 'external_id', 'line_manager_id']).execute()).map((p) => [p.external_id!, { id: p.id, lineManagerId: p.line_manager_id }])
  )
  const existing = new Set(
    (await db.selectFrom('cohorts').select('external_id').where('external_id', 'in', plans.map((p) => p.externalId)).execute()).map((c) => c.external_id!)
  )
  const refs: Refs = { programmes, people, actor }
  let written = 0
  for (const plan of plans) {
    if (existing.has(plan.externalId)) {
      counts.cohorts.unchanged++
      counts.enrolments.unchanged += plan.enrolments.length
      continue
    }
    const made = await inTransaction(db, actor, (changes) => writeCohort(changes, plan, refs))
    counts.cohorts.created++
    counts.sessions += made.sessions
    counts.enrolments.created += plan.enrolments.length
    counts.evaluations += made.evaluations
    if (++written % 20 === 0) log(`cohorts: ${written} written`)
  }
  return counts
}

type Action = (typeof ENROLMENT_ACTIONS)[number]

async function writeCohort(changes: ChangeSet, plan: CohortPlan, refs: Refs): Promise<{ sessions: number; evaluations: number }> {
  const programmeId = refs.programmes.get(plan.programmeExternalId)
  if (!programmeId) throw new Error(`cohort ${plan.externalId}: no programme ${plan.programmeExternalId}`)
  const person = (externalId: string): PersonRef => {
    const found = refs.people.get(externalId)
    if (!found) throw new Error(`cohort ${plan.externalId}: no person ${externalId}`)
    return found
  }
  const managerOf = (e: EnrolmentPlan) => {
    const manager = person(e.person).lineManagerId
    if (!manager) throw new Error(`enrolment ${e.externalId}: ${e.person} has no line manager to act`)
    return actingFor(manager)
  }
  const administrator = plan.administrator ? person(plan.administrator).id : null
  // HR: the programme's administrator with programmes:write, or the seed itself when the unit is empty.
  const hr: Caller = administrator
    ? { identity: `person:${administrator}`, personId: administrator, administers: true, reads: true, actsForPerson: true }
    : { identity: refs.actor.subject, personId: null, administers: true, reads: true, actsForPerson: false }

  const cohort = await createCohort(
    changes,
    valid(
      checkCohort,
      {
        programmeId,
        externalId: plan.externalId,
        title: plan.title,
        stream: plan.stream,
        startsOn: plan.startsOn,
        endsOn: plan.endsOn,
        venue: plan.venue,
        capacity: plan.capacity,
        facilitators: plan.facilitators,
        nominationsCloseOn: plan.nominationsCloseOn
      },
      `cohort ${plan.externalId}`
    )
  )
  const sessions: string[] = []
  for (const s of plan.sessions) {
    const input = { externalId: s.externalId, startsAt: s.startsAt, endsAt: s.endsAt, title: s.title, purpose: s.purpose, method: s.method }
    sessions.push((await createSession(changes, cohort.id, valid(checkSession, input, `session ${s.externalId}`))).id)
  }
  if (plan.stage === 'planned') return { sessions: sessions.length, evaluations: 0 }
  const moveCohort = (to: 'open' | 'closed' | 'running' | 'completed' | 'cancelled', reason: string | null) => transitionCohort(changes, cohort.id, to, reason, undefined, hr.identity)
  await moveCohort('open', 'Nominations open')

  const ids = new Map<EnrolmentPlan, string>()
  for (const e of plan.enrolments) {
    const who = person(e.person)
    const caller = e.source === 'self' ? actingFor(who.id) : e.source === 'line_manager' ? managerOf(e) : hr
    const row = await nominate(changes, caller, cohort.id, {
      personId: who.id,
      source: e.source,
      note: e.note,
      eligibilityOverrideReason: e.eligibilityOverrideReason,
      externalId: e.externalId
    })
    ids.set(e, row.id)
  }
  const move = (e: EnrolmentPlan, caller: Caller, action: Action, reason?: string | null) =>
    transitionEnrolment(changes, caller, ids.get(e)!, reason ? { action, reason } : { action })
  // An approval that needs no selection may put the person on the waitlist at once.
  const autoSelects = !plan.selectionRequired

  for (const e of plan.enrolments) {
    if (e.first === 'decline') await move(e, managerOf(e), 'decline', e.declineReason)
    else if (e.first === 'approve') {
      if (autoSelects && !plan.secondApprovalRequired) await afterLastWaitlisting(() => move(e, managerOf(e), 'approve'))
      else await move(e, managerOf(e), 'approve')
    }
  }
  if (plan.secondApprovalRequired) {
    for (const e of plan.enrolments) {
      if (e.first !== 'approve' || e.second === 'wait') continue
      if (e.second === 'decline') await move(e, hr, 'decline', e.declineReason)
      else await afterLastWaitlisting(() => move(e, hr, 'approve'))
    }
  }
  if (plan.selectionRequired) {
    for (const e of plan.enrolments) {
      if (e.selection === 'select') await move(e, hr, 'select')
      else if (e.selection === 'waitlist') await afterLastWaitlisting(() => move(e, hr, 'waitlist'))
      else if (e.selection === 'reject') await move(e, hr, 'reject', e.rejectReason)
    }
  }
  for (const e of plan.enrolments) {
    if (!e.exit) continue
    const caller = e.exit.by === 'person' ? actingFor(person(e.person).id) : e.exit.by === 'manager' ? managerOf(e) : hr
    await move(e, caller, e.exit.action, e.exit.reason)
  }

  if (plan.stage === 'cancelled') {
    await moveCohort('cancelled', plan.cancelReason)
    return { sessions: sessions.length, evaluations: await verify(changes, plan, cohort.id) }
  }
  if (plan.stage === 'open') return { sessions: sessions.length, evaluations: await verify(changes, plan, cohort.id) }
  await moveCohort('closed', 'Nominations closed; selection made')
  if (plan.stage === 'closed') return { sessions: sessions.length, evaluations: await verify(changes, plan, cohort.id) }

  // The cohort runs: nobody left on the waitlist will get a place now.
  const waiting = await changes.trx
    .selectFrom('enrolments')
    .select('external_id')
    .where('cohort_id', '=', cohort.id)
    .where('status', '=', 'waitlisted')
    .orderBy('waitlisted_at')
    .orderBy('id')
    .execute()
  const byExternalId = new Map(plan.enrolments.map((e) => [e.externalId, e]))
  for (const w of waiting) await move(byExternalId.get(w.external_id!)!, hr, 'reject', LEFT_ON_WAITLIST)
  await moveCohort('running', null)

  const participants = plan.enrolments.filter((e) => e.attendance !== null)
  for (let s = 0; s < plan.sessionsHeld; s++) {
    await putRegister(changes, cohort.id, sessions[s], participants.map((e) => ({ enrolmentId: ids.get(e)!, present: e.attendance![s] })))
  }
  const completed = plan.stage === 'completed'
  for (const e of participants) {
    if (e.attendance!.some(Boolean)) await move(e, hr, 'attend')
    else if (completed) await move(e, hr, 'no_show')
  }
  let evaluations = 0
  if (completed) {
    for (const e of participants) if (e.complete) await move(e, hr, 'complete')
    for (const e of participants) {
      if (!e.evaluation) continue
      await createEvaluation(changes, actingFor(person(e.person).id), ids.get(e)!, valid(checkEvaluation, e.evaluation, `evaluation of ${e.externalId}`))
      evaluations++
    }
    await moveCohort('completed', null)
  }
  await verify(changes, plan, cohort.id)
  return { sessions: sessions.length, evaluations }
}

/** Compares every enrolment's status and attendance with the plan; returns the evaluations written. */
async function verify(changes: ChangeSet, plan: CohortPlan, cohortId: string): Promise<number> {
  const rows = await changes.trx.selectFrom('enrolments').select(['external_id', 'status', 'attendance']).where('cohort_id', '=', cohortId).execute()
  const actual = new Map(rows.map((r) => [r.external_id!, r]))
  const wrong = plan.enrolments.filter((e) => actual.get(e.externalId)?.status !== e.expected || actual.get(e.externalId)?.attendance !== e.expectedAttendance)
  if (wrong.length || rows.length !== plan.enrolments.length) {
    const detail = wrong
      .slice(0, 5)
      .map((e) => `${e.externalId} is ${actual.get(e.externalId)?.status}/${actual.get(e.externalId)?.attendance}, planned ${e.expected}/${e.expectedAttendance}`)
      .join('; ')
    throw new Error(`cohort ${plan.externalId} does not match the plan (${rows.length} enrolments, ${plan.enrolments.length} planned): ${detail}`)
  }
  return plan.enrolments.filter((e) => e.evaluation).length
}

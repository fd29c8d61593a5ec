/**
 * Plans who is put forward for each cohort of the demo programmes and what becomes of them, as
 * pure data: nominations (by the person, their line manager, HR or a gateway event), approvals and
 * declines, selection, waitlists, withdrawals and cancellations, session attendance, completion
 * and evaluations. The plan simulates the module's own rules (places, automatic selection when a
 * programme needs none, promotion from the waitlist when a place frees up) so each enrolment's
 * final status is known in advance; the writer (cohorts.ts) checks the database agrees.
 *
 * People are chosen within the programme's eligibility and the cohort's audience, never twice on
 * cohorts whose dates overlap, and, once they have taken part in a programme, not again for it.
 * Those declined or not selected may be put forward again for a later run, as happens.
 */
import type { EnrolmentStatus, NominationSource } from '../../modules/programmes/tables.js'
import { addDays } from './calendar.js'
import { gradeOf } from './organisation.js'
import type { PersonPlan } from './people.js'
import { cohortStage, DEMO_DATE, type Candidate, type CohortDef, type CohortStage, type ProgrammeDef, type ProgrammeRow, type SessionDef } from './programmes.js'
import type { Random } from './random.js'
import type { OrgUnitPlan } from './structure.js'

export type Decision = 'approve' | 'decline' | 'wait'
export type Selection = 'select' | 'waitlist' | 'reject' | 'wait' | 'auto'
export type Attendance = 'none' | 'partial' | 'full'

export interface Exit {
  action: 'withdraw' | 'cancel'
  /** Who: the person, their line manager, or HR (cancellations are HR's). */
  by: 'person' | 'manager' | 'hr'
  reason: string
}

export interface EvaluationPlan {
  relevance: number
  trainer: number
  length: number
  confidenceToApply: number
  comments: string | null
}

export interface EnrolmentPlan {
  externalId: string
  person: string
  source: NominationSource
  note: string | null
  eligibilityOverrideReason: string | null
  /** The line manager's decision (and the reason when declining). */
  first: Decision
  /** HR's, when the programme needs a second approval. */
  second: Decision
  declineReason: string | null
  /** HR's selection, or `auto` when the programme needs none. */
  selection: Selection
  rejectReason: string | null
  exit: Exit | null
  /** Present at each session (of those recorded by the demo date), for those with a place when the cohort runs. */
  attendance: boolean[] | null
  complete: boolean
  evaluation: EvaluationPlan | null
  /** What the module's rules make of all this: the final status and attendance level. */
  expected: EnrolmentStatus
  expectedAttendance: Attendance
}

export interface CohortPlan {
  externalId: string
  programmeExternalId: string
  title: string
  stream: string | null
  startsOn: string
  endsOn: string
  venue: string | null
  facilitators: string[]
  capacity: number
  nominationsCloseOn: string | null
  stage: CohortStage
  cancelReason: string | null
  sessions: SessionDef[]
  /** Sessions whose registers are taken by the demo date (all of them once the cohort has ended). */
  sessionsHeld: number
  selectionRequired: boolean
  secondApprovalRequired: boolean
  /** Who administers the programme (HR's moves are theirs): the head of its owning unit, by externalId. */
  administrator: string | null
  enrolments: EnrolmentPlan[]
}

/** Below this many nominations a past run is left out (a small demo organisation has few people to send). */
const MIN_NOMINATIONS = 4
/** Months of service before anyone is put forward. */
const SERVICE_DAYS = 180
/** Nobody is put forward more than this many times over the demo's five years. */
const MOST_NOMINATIONS = 3
const ENDED: ReadonlySet<EnrolmentStatus> = new Set(['declined', 'not_selected', 'withdrawn', 'cancelled'])

const NOTES: Record<NominationSource, string[]> = {
  self: ['Self-nomination, discussed at my PDR', 'Self-nomination: I want to prepare for my next role', 'Applying after the career management conference'],
  line_manager: ['Identified at PDR as a development priority', 'Nominated by line manager: ready for the next step', 'Development need agreed at the mid-year PDR review'],
  hr: ['Place allocated by HR', 'Place allocated to the OCU by the Leadership Academy'],
  gateway_event: ['Identified at the gateway event as having the highest potential', 'Gateway event: strong potential to progress']
}
const DECLINES = [
  'Operational demands on the team this period; to be nominated for a later run',
  'Not the right time: new in post, revisit at the next PDR',
  'The development need is better met by a placement this year'
]
const SECOND_DECLINES = ['Not endorsed by the Career Management Unit: the application does not yet show the evidence needed']
const REJECTS = [
  'Not selected: places went to candidates with stronger evidence against the role profile; feedback given',
  'Not selected at the gateway event; other Promoting Difference options discussed with the line manager'
]
const WITHDRAWALS = ['Operational commitments: posted to a major investigation', 'Moved to a new post with other priorities', 'Personal circumstances; will apply again next year']
const CANCELLATIONS = ['Cancelled by HR: already completed an equivalent course', 'Cancelled by HR: seconded to another force for the period of the course']
export const LEFT_ON_WAITLIST = 'No place became free before the cohort ran'

const pick = <T>(random: Random, items: readonly T[]) => random.pick(items)

/** Draws `k` of `items` without replacement, each with probability weighted by `weight` (Efraimidis–Spirakis). */
function weightedSample<T>(random: Random, items: readonly T[], weight: (item: T) => number, k: number): T[] {
  return items
    .map((item) => ({ item, key: Math.log(random.next() || Number.MIN_VALUE) / weight(item) }))
    .sort((a, b) => b.key - a.key)
    .slice(0, k)
    .map((x) => x.item)
}

function shuffled<T>(random: Random, items: readonly T[]): T[] {
  const copy = [...items]
  for (let i = copy.length - 1; i > 0; i--) {
    const j = random.int(0, i)
    ;[copy[i], copy[j]] = [copy[j], copy[i]]
  }
  return copy
}

function eligible(row: ProgrammeRow, c: Candidate): boolean {
  if (row.levelMin != null && c.level < row.levelMin) return false
  if (row.levelMax != null && c.level > row.levelMax) return false
  const types = Array.isArray(row.staffTypes) ? row.staffTypes : []
  return types.length === 0 || types.includes(c.staffType)
}

export function candidatesOf(people: PersonPlan[], orgUnits: OrgUnitPlan[]): Candidate[] {
  const names = new Map(orgUnits.map((u) => [u.externalId, u.name]))
  const managers = new Set(people.map((p) => p.row.lineManagerExternalId).filter((m): m is string => m !== null))
  return people
    .filter((p) => p.row.status === 'active')
    .map((p) => ({
      externalId: p.row.externalId,
      level: gradeOf(p.grade).level,
      staffType: p.row.staffType,
      unit: p.row.orgUnitExternalId,
      unitName: names.get(p.row.orgUnitExternalId) ?? '',
      command: p.row.orgUnitExternalId.replace(/-T\d+$/, ''),
      manages: managers.has(p.row.externalId),
      lineManager: p.row.lineManagerExternalId,
      female: p.female,
      minorityEthnic: !p.ethnicity.startsWith('W'),
      startDate: p.row.startDate
    }))
}

/** The head of a unit: the first active person posted to it or below it (heads are numbered before their staff). */
function administratorOf(people: PersonPlan[], unit: string): string | null {
  const head = people.find((p) => p.row.status === 'active' && (p.row.orgUnitExternalId === unit || p.row.orgUnitExternalId.startsWith(`${unit}-`)))
  return head?.row.externalId ?? null
}

/** Who is busy when, and who has already been through each programme. */
class Ledger {
  #busy = new Map<string, Array<[string, string]>>()
  #done = new Map<string, Set<string>>()
  #load = new Map<string, number>()

  free(person: string, from: string, to: string) {
    return !(this.#busy.get(person) ?? []).some(([s, e]) => s <= to && e >= from)
  }
  done(programme: string, person: string) {
    return this.#done.get(programme)?.has(person) ?? false
  }
  load(person: string) {
    return this.#load.get(person) ?? 0
  }
  record(programme: string, cohort: Pick<CohortPlan, 'startsOn' | 'endsOn'>, enrolment: EnrolmentPlan) {
    this.#load.set(enrolment.person, this.load(enrolment.person) + 1)
    if (ENDED.has(enrolment.expected)) return
    const busy = this.#busy.get(enrolment.person) ?? []
    busy.push([cohort.startsOn, cohort.endsOn])
    this.#busy.set(enrolment.person, busy)
    if (!this.#done.has(programme)) this.#done.set(programme, new Set())
    this.#done.get(programme)!.add(enrolment.person)
  }
}

const TAKES_NOMINATIONS: ReadonlySet<CohortStage> = new Set(['open', 'closed', 'running', 'completed', 'cancelled'])

/**
 * Every cohort of every programme, in date order, with its enrolments. Runs too thin to hold (a
 * past run with fewer than MIN_NOMINATIONS people to send) are left out, so a small organisation
 * gets fewer runs rather than empty ones.
 */
export function planCohorts(programmes: ProgrammeDef[], people: PersonPlan[], orgUnits: OrgUnitPlan[], random: Random): CohortPlan[] {
  const candidates = candidatesOf(people, orgUnits)
  const ledger = new Ledger()
  const runs = programmes
    .flatMap((programme) => programme.cohorts.map((def) => ({ programme, def, stage: cohortStage(def) })))
    .sort((a, b) => (a.def.startsOn < b.def.startsOn ? -1 : a.def.startsOn > b.def.startsOn ? 1 : a.def.externalId < b.def.externalId ? -1 : 1))
  const administrators = new Map(programmes.map((p) => [p.row.externalId, administratorOf(people, p.administeredBy)]))

  const plans: CohortPlan[] = []
  runs.forEach(({ programme, def, stage }, index) => {
    const row = programme.row
    const capacity = def.capacity ?? row.defaultCapacity ?? 12
    const r = random.fork(def.externalId)
    const nominate = TAKES_NOMINATIONS.has(stage)
    const latestStart = addDays(def.startsOn, -SERVICE_DAYS)
    // The administrator selects for the programme, so is not put forward for it; and a second
    // approval (theirs) must come from someone other than the line manager, so their own reports
    // are not put forward for programmes that need one.
    const administrator = administrators.get(row.externalId) ?? null
    const approvable = (c: Candidate) => c.externalId !== administrator && (!row.secondApprovalRequired || c.lineManager !== administrator)
    const available = nominate
      ? candidates.filter(
          (c) =>
            c.startDate <= latestStart && eligible(row, c) && def.audience(c) > 0 && ledger.load(c.externalId) < MOST_NOMINATIONS && approvable(c) &&
            !ledger.done(row.externalId, c.externalId) && ledger.free(c.externalId, def.startsOn, def.endsOn)
        )
      : []
    const wanted = Math.round(capacity * programme.demand)
    // Spread what the organisation has over the runs still to come, unless the programme fills runs in turn.
    const runsLeft = runs.slice(index).filter((x) => x.programme === programme && x.def.stream === def.stream && TAKES_NOMINATIONS.has(x.stage)).length
    const share = programme.fill === 'in-turn' ? available.length : Math.max(Math.ceil(available.length / Math.max(1, runsLeft)), Math.min(wanted, MIN_NOMINATIONS))
    const count = Math.min(wanted, available.length, share)
    if ((stage === 'completed' || stage === 'running' || stage === 'closed') && count < MIN_NOMINATIONS) return

    const chosen = weightedSample(r, available, (c) => def.audience(c) * 0.6 ** ledger.load(c.externalId), count)
    const overrides =
      def.override && stage === 'completed'
        ? weightedSample(
            r,
            candidates.filter(
              (c) => c.startDate <= latestStart && !eligible(row, c) && def.override!.audience(c) > 0 && approvable(c) && ledger.free(c.externalId, def.startsOn, def.endsOn)
            ),
            def.override.audience,
            1
          )
        : []
    const plan: CohortPlan = {
      externalId: def.externalId,
      programmeExternalId: row.externalId,
      title: def.title,
      stream: def.stream,
      startsOn: def.startsOn,
      endsOn: def.endsOn,
      venue: def.venue,
      facilitators: def.facilitators,
      capacity,
      nominationsCloseOn: stage === 'planned' ? addDays(def.startsOn, -28) : null,
      stage,
      cancelReason: def.cancelled ?? null,
      sessions: def.sessions,
      sessionsHeld: stage === 'completed' ? def.sessions.length : stage === 'running' ? def.sessions.filter((s) => s.startsAt < `${DEMO_DATE}T00:00:00.000Z`).length : 0,
      selectionRequired: row.selectionRequired ?? false,
      secondApprovalRequired: row.secondApprovalRequired ?? false,
      administrator,
      enrolments: []
    }
    plan.enrolments = planEnrolments(r, plan, programme, def, [...chosen.map((c) => ({ c, override: null })), ...overrides.map((c) => ({ c, override: def.override!.reason }))])
    for (const e of plan.enrolments) ledger.record(row.externalId, plan, e)
    plans.push(plan)
  })
  return plans
}

const enrolmentId = (cohort: string, person: string) => `ENR-${cohort.slice(4)}-${person}`

/** Decides each nominee's path by the cohort's stage, then simulates the rules for the outcome. */
function planEnrolments(
  r: Random,
  cohort: CohortPlan,
  programme: ProgrammeDef,
  def: CohortDef,
  nominees: Array<{ c: Candidate; override: string | null }>
): EnrolmentPlan[] {
  const stage = cohort.stage
  const n = nominees.length
  const plans: EnrolmentPlan[] = nominees.map(({ c, override }) => {
    const source: NominationSource = override ? 'hr' : r.weighted(def.sources)
    return {
      externalId: enrolmentId(cohort.externalId, c.externalId),
      person: c.externalId,
      source,
      note: override ? null : pick(r, NOTES[source]),
      eligibilityOverrideReason: override,
      first: 'approve',
      second: cohort.secondApprovalRequired ? 'approve' : 'wait',
      declineReason: null,
      selection: cohort.selectionRequired ? 'wait' : 'auto',
      rejectReason: null,
      exit: null,
      attendance: null,
      complete: false,
      evaluation: null,
      expected: 'nominated',
      expectedAttendance: 'none'
    }
  })
  const order = shuffled(r, plans)
  const open = stage === 'open'

  // The line manager: some still to decide while nominations are open, a few declined.
  const waiting = open && n >= 3 ? Math.max(1, Math.round(0.15 * n)) : 0
  const declined = n >= (open ? 4 : 5) ? Math.max(1, Math.round(0.08 * n)) : 0
  order.slice(0, waiting).forEach((e) => (e.first = 'wait'))
  order.slice(waiting, waiting + declined).forEach((e) => {
    e.first = 'decline'
    e.declineReason = pick(r, DECLINES)
  })
  // HR's second approval, where the programme asks for one.
  if (cohort.secondApprovalRequired) {
    const approved = order.filter((e) => e.first === 'approve')
    const pending = open && approved.length >= 2 ? Math.max(1, Math.round(0.3 * approved.length)) : 0
    approved.slice(0, pending).forEach((e) => (e.second = 'wait'))
    if (approved.length >= 8) {
      approved[pending].second = 'decline'
      approved[pending].declineReason = pick(r, SECOND_DECLINES)
    }
  }
  const approved = plans.filter((e) => e.first === 'approve' && (!cohort.secondApprovalRequired || e.second === 'approve'))
  // Selection, once nominations have closed: places, a short waitlist, the rest not selected.
  if (cohort.selectionRequired && !open && stage !== 'cancelled') {
    const over = approved.length - cohort.capacity
    approved.forEach((e, i) => {
      if (over > 0) e.selection = i < cohort.capacity ? 'select' : i < cohort.capacity + Math.min(2, over) ? 'waitlist' : 'reject'
      else e.selection = approved.length >= 8 && i === approved.length - 1 ? 'reject' : 'select'
      if (e.selection === 'reject') e.rejectReason = pick(r, REJECTS)
    })
  }
  // Withdrawals and cancellations before the run: a place freed goes to the first on the waitlist.
  if (stage !== 'cancelled' && stage !== 'planned') {
    const placed = cohort.selectionRequired ? approved.filter((e) => e.selection === 'select') : approved.slice(0, cohort.capacity)
    const withdrawable = open && cohort.selectionRequired ? plans.filter((e) => e.first !== 'decline' && e.second !== 'decline') : placed
    if (n >= 6 && withdrawable.length) {
      const e = pick(r, withdrawable)
      e.exit = { action: 'withdraw', by: r.chance(0.6) ? 'person' : 'manager', reason: pick(r, WITHDRAWALS) }
    }
    const cancellable = placed.filter((e) => !e.exit)
    if (n >= 10 && (stage === 'running' || stage === 'completed') && cancellable.length) pick(r, cancellable).exit = { action: 'cancel', by: 'hr', reason: pick(r, CANCELLATIONS) }
  }

  simulate(cohort, plans)
  planAttendance(r, cohort, programme, plans)
  return plans
}

/** The module's rules, replayed: approvals, automatic selection, HR selection, exits and waitlist promotion, the cohort's end. */
function simulate(cohort: CohortPlan, plans: EnrolmentPlan[]) {
  const status = new Map<EnrolmentPlan, EnrolmentStatus>(plans.map((e) => [e, 'nominated']))
  const waitlist: EnrolmentPlan[] = []
  const taken = () => [...status.values()].filter((s) => s === 'selected').length
  const place = (e: EnrolmentPlan) => {
    if (taken() < cohort.capacity) status.set(e, 'selected')
    else {
      status.set(e, 'waitlisted')
      waitlist.push(e)
    }
  }
  const approve = (e: EnrolmentPlan) => {
    status.set(e, 'approved')
    if (!cohort.selectionRequired) place(e)
  }
  for (const e of plans) {
    if (e.first === 'decline') status.set(e, 'declined')
    else if (e.first === 'approve') cohort.secondApprovalRequired ? status.set(e, 'manager_approved') : approve(e)
  }
  if (cohort.secondApprovalRequired) {
    for (const e of plans) {
      if (status.get(e) !== 'manager_approved') continue
      if (e.second === 'decline') status.set(e, 'declined')
      else if (e.second === 'approve') approve(e)
    }
  }
  for (const e of plans) {
    if (status.get(e) !== 'approved') continue
    if (e.selection === 'select') status.set(e, 'selected')
    else if (e.selection === 'waitlist') {
      status.set(e, 'waitlisted')
      waitlist.push(e)
    } else if (e.selection === 'reject') status.set(e, 'not_selected')
  }
  for (const e of plans) {
    if (!e.exit) continue
    const was = status.get(e)
    status.set(e, e.exit.action === 'withdraw' ? 'withdrawn' : 'cancelled')
    if (was === 'waitlisted') waitlist.splice(waitlist.indexOf(e), 1)
    if (was === 'selected' && waitlist.length) status.set(waitlist.shift()!, 'selected')
  }
  if (cohort.stage === 'cancelled') {
    for (const [e, s] of status) if (['nominated', 'manager_approved', 'approved', 'selected', 'waitlisted'].includes(s)) status.set(e, 'cancelled')
  }
  if (cohort.stage === 'running' || cohort.stage === 'completed') {
    for (const e of waitlist) if (status.get(e) === 'waitlisted') status.set(e, 'not_selected')
  }
  for (const e of plans) e.expected = status.get(e)!
}

/** Registers, attendance, completion and evaluations of those holding a place when the cohort runs. */
function planAttendance(r: Random, cohort: CohortPlan, programme: ProgrammeDef, plans: EnrolmentPlan[]) {
  if (cohort.stage !== 'running' && cohort.stage !== 'completed') return
  const held = cohort.sessionsHeld
  const total = cohort.sessions.length
  const placed = shuffled(r, plans.filter((e) => e.expected === 'selected'))
  const k = placed.length
  if (held === 0) return
  const completed = cohort.stage === 'completed'
  const absent = k >= 8 ? Math.max(1, Math.round(0.06 * k)) : k >= 4 && r.chance(0.3) ? 1 : 0
  const partial = held > 1 && k >= 5 ? Math.max(1, Math.round(0.12 * k)) : 0
  placed.forEach((e, i) => {
    if (i < absent) e.attendance = Array(held).fill(false)
    else if (i < absent + partial) {
      const missed = r.int(0, held - 1)
      e.attendance = Array.from({ length: held }, (_, s) => s !== missed && (s === (missed + 1) % held || r.chance(0.6)))
    } else e.attendance = Array(held).fill(true)
    const present = e.attendance.filter(Boolean).length
    e.expectedAttendance = present === 0 ? 'none' : present >= total ? 'full' : 'partial'
  })
  const attendees = placed.filter((e) => e.expectedAttendance !== 'none')
  if (!completed) {
    for (const e of attendees) e.expected = 'attended'
    return
  }
  for (const e of placed) if (e.expectedAttendance === 'none') e.expected = 'no_show'
  const full = attendees.filter((e) => e.expectedAttendance === 'full')
  const partly = attendees.filter((e) => e.expectedAttendance === 'partial')
  // Most who attended throughout complete; one of a large group still has work outstanding, and
  // of those who missed sessions only some are signed off.
  full.forEach((e, i) => (e.complete = !(full.length >= 10 && i === 0)))
  partly.forEach((e, i) => (e.complete = i > 0 && r.chance(0.3)))
  for (const e of attendees) {
    e.expected = e.complete ? 'completed' : 'attended'
    if (!r.chance(0.85)) continue
    const score = (weights: number[]) => r.weighted(weights.map((w, s) => [s + 1, w] as const))
    const { ratings } = programme
    e.evaluation = {
      relevance: score(ratings.relevance),
      trainer: score(ratings.trainer),
      length: score(ratings.length),
      confidenceToApply: score(ratings.confidenceToApply),
      comments: ratings.comments.length && r.chance(0.4) ? pick(r, ratings.comments) : null
    }
  }
}

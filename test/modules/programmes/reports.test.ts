import type { Insertable } from 'kysely'
import t from 'tap'
import type { DiversityRecordsTable, StaffType } from '../../../src/modules/people/tables.js'
import { yearOf } from '../../../src/modules/programmes/rollout.repository.js'
import type { Attendance, CohortsTable, EnrolmentStatus, ProgrammesTable } from '../../../src/modules/programmes/tables.js'
import { isInTargetGroup, MINORITY_ETHNIC_CODES, TARGET_GROUPS } from '../../../src/modules/programmes/target-groups.js'
import { buildTestApp } from '../../helpers/app.js'

const ctx = await buildTestApp({ RATE_LIMIT_PER_MINUTE: '1000000' })
t.teardown(() => ctx.close())
const db = ctx.database.db

const READ = ['programmes:read']
const get = async (url: string, scopes: string[] = READ) => ctx.app.inject({ method: 'GET', url, headers: ctx.auth(scopes) })
async function report(url: string, scopes: string[] = READ) {
  const res = await get(url, scopes)
  if (res.statusCode !== 200) throw new Error(`GET ${url} → ${res.statusCode}: ${res.body}`)
  return res.json()
}

// ---- Factories: rows straight into the tables, so these tests need no other endpoint ----------

let counter = 0
const unique = (prefix: string) => `${prefix}-${process.pid}-${++counter}`

async function grade(level: number, staffType: StaffType = 'officer') {
  const code = unique('G')
  const row = await db.insertInto('grades').values({ code, name: `Grade ${code}`, staff_type: staffType, level }).returning('id').executeTakeFirstOrThrow()
  return row.id
}

type Answers = Partial<Pick<Insertable<DiversityRecordsTable>, 'ethnicity' | 'sex' | 'disability' | 'sexual_orientation'>>

async function person(fields: { gradeId?: string | null; staffType?: StaffType; status?: 'active' | 'left'; diversity?: Answers } = {}) {
  const row = await db
    .insertInto('people')
    .values({ given_name: 'Sam', family_name: unique('Jones'), staff_type: fields.staffType ?? 'officer', grade_id: fields.gradeId ?? null, status: fields.status ?? 'active' })
    .returning('id')
    .executeTakeFirstOrThrow()
  if (fields.diversity) await db.insertInto('diversity_records').values({ person_id: row.id, ...fields.diversity }).execute()
  return row.id
}

async function programme(fields: Partial<Insertable<ProgrammesTable>> = {}) {
  const code = unique('P')
  const row = await db.insertInto('programmes').values({ code, title: `Programme ${code}`, kind: 'course', status: 'active', ...fields }).returning('id').executeTakeFirstOrThrow()
  return row.id
}

async function cohort(programmeId: string, startsOn: string, fields: Partial<Insertable<CohortsTable>> = {}) {
  const row = await db
    .insertInto('cohorts')
    .values({ programme_id: programmeId, title: unique('Cohort'), starts_on: startsOn, ends_on: startsOn, capacity: 12, ...fields })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

async function enrol(cohortId: string, personId: string, status: EnrolmentStatus, attendance: Attendance = 'none') {
  const row = await db
    .insertInto('enrolments')
    .values({ cohort_id: cohortId, person_id: personId, status, attendance, nomination_source: 'hr', nominated_by: 'test' })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

/** `count` new people on the cohort, all with this status and attendance; returns their enrolment ids. */
async function enrolNew(cohortId: string, count: number, status: EnrolmentStatus, attendance: Attendance = 'none') {
  const ids: string[] = []
  for (let i = 0; i < count; i++) ids.push(await enrol(cohortId, await person(), status, attendance))
  return ids
}

async function evaluate(cohortId: string, enrolmentId: string, [relevance, trainer, length, confidence]: number[], comments: string | null = null) {
  await db.insertInto('evaluations').values({ cohort_id: cohortId, enrolment_id: enrolmentId, relevance, trainer, length, confidence_to_apply: confidence, comments }).execute()
}

const none = { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 }
const MISSING = '00000000-0000-4000-8000-000000000000'

// ---- Fixtures, all created before the first test runs --------------------------------------------

// A programme at £2,400 an event and £200 a person, with four cohorts ------------------------

const SECRET_COMMENT = 'the-venue-was-freezing-7f3a'
const impact = await programme({ cost_per_event: 2400, cost_per_person: 200 })
const shared = await person() // attends cohorts A and B: two places, one person

// A: completed, costed by the programme. 6 completed, 2 attended, 1 no-show, 1 selected, 2 waitlisted, and 3 who never held a place.
const cohortA = await cohort(impact, '2024-05-10', { status: 'completed' })
const completedA = [await enrol(cohortA, shared, 'completed', 'full'), ...(await enrolNew(cohortA, 4, 'completed', 'full')), ...(await enrolNew(cohortA, 1, 'completed', 'partial'))]
await enrolNew(cohortA, 1, 'attended', 'full')
await enrolNew(cohortA, 1, 'attended', 'partial')
await enrolNew(cohortA, 1, 'no_show')
await enrolNew(cohortA, 1, 'selected')
await enrolNew(cohortA, 2, 'waitlisted')
await enrolNew(cohortA, 1, 'withdrawn')
await enrolNew(cohortA, 1, 'nominated')
await enrolNew(cohortA, 1, 'declined')
await evaluate(cohortA, completedA[0], [5, 5, 3, 4])
await evaluate(cohortA, completedA[1], [4, 5, 3, 5], SECRET_COMMENT)
await evaluate(cohortA, completedA[2], [4, 5, 2, 3])
await evaluate(cohortA, completedA[3], [3, 4, 4, 3])

// B: completed, its own cost of £1,500; 3 attended (one is `shared`), 2 no-shows, nobody completed.
const cohortB = await cohort(impact, '2024-06-10', { status: 'completed', capacity: 10, cost: 1500 })
const attendedB = [await enrol(cohortB, shared, 'attended', 'full'), ...(await enrolNew(cohortB, 2, 'attended', 'full'))]
await enrolNew(cohortB, 2, 'no_show')
await evaluate(cohortB, attendedB[0], [2, 3, 3, 2])

// C: cancelled, no cost recorded; D: planned, 4 selected, no evaluations yet.
const cohortC = await cohort(impact, '2024-07-10', { status: 'cancelled' })
await enrolNew(cohortC, 3, 'cancelled')
const cohortD = await cohort(impact, '2025-01-10', { status: 'planned' })
await enrolNew(cohortD, 4, 'selected')

// ---- Rollout: a pilot of 2, then 3 a year for 2 years from April 2024, at £1,000 an event -------

const rollout = await programme({ pilot_size: 2, annual_target: 3, target_years: 2, rollout_starts_on: '2024-04-01', cost_per_event: 1000 })
const [r1, r2, r3, r4, r5, r6] = [await person(), await person(), await person(), await person(), await person(), await person()]
const lastDayOfFy23 = await cohort(rollout, '2024-03-31', { status: 'completed' })
await enrol(lastDayOfFy23, r1, 'completed')
await enrol(lastDayOfFy23, r2, 'attended')
// Still `closed`, but attendance was recorded: it ran.
const firstDayOfFy24 = await cohort(rollout, '2024-04-01', { status: 'closed' })
await enrol(firstDayOfFy24, r1, 'attended')
await enrol(firstDayOfFy24, r3, 'completed')
await enrol(firstDayOfFy24, r4, 'no_show')
const autumn = await cohort(rollout, '2024-09-10', { status: 'completed', cost: 500 })
await enrol(autumn, r3, 'attended')
await enrol(autumn, r5, 'completed')
const cancelled = await cohort(rollout, '2025-02-01', { status: 'cancelled' })
await enrol(cancelled, r6, 'cancelled')
await cohort(rollout, '2025-03-31', { status: 'cancelled', cost: 250 }) // a cancellation charge
const next = await cohort(rollout, '2025-06-01', { status: 'planned' })
await enrol(next, r6, 'selected')

// ---- Reach: 23 eligible people, 8 participants, 13 nominated -----------------------------------

const level4 = await grade(4)
const level1 = await grade(1)
const reachProgramme = await programme({ eligible_level_min: 3, eligible_level_max: 5, eligible_staff_types: ['officer', 'staff'], target_groups: ['women', 'minority_ethnic'] })
const eligiblePerson = (diversity?: Answers, staffType: StaffType = 'officer') => person({ gradeId: level4, staffType, diversity })
const E: string[] = []
for (const ethnicity of ['M1', 'A1', 'B2', 'O9', 'M9', 'A9', 'B9']) E.push(await eligiblePerson({ sex: 'female', ethnicity })) // E1–E7: women, minority ethnic
for (const ethnicity of ['W1', 'NS', null, 'W2', 'W9']) E.push(await eligiblePerson({ sex: 'female', ethnicity }, 'staff')) // E8–E12: women
for (let i = 0; i < 4; i++) E.push(await eligiblePerson({ sex: 'male', ethnicity: 'W1', disability: 'yes' })) // E13–E16: disabled
E.push(await eligiblePerson({ sex: 'male', sexual_orientation: 'gay_or_lesbian' })) // E17
E.push(await eligiblePerson({ sex: 'male', sexual_orientation: 'bisexual' })) // E18
E.push(await eligiblePerson({ sex: 'male', sexual_orientation: 'heterosexual', disability: 'prefer_not_to_say' })) // E19
for (let i = 0; i < 4; i++) E.push(await eligiblePerson()) // E20–E23: no diversity record
const at = (n: number) => E[n - 1]
// Not eligible: below the grade range, left, a PCSO, no grade at all. X1 takes part anyway (an HR override).
const X1 = await person({ gradeId: level1, diversity: { sex: 'female', ethnicity: 'A2' } })
await person({ gradeId: level4, status: 'left', diversity: { sex: 'female' } })
await person({ gradeId: level4, staffType: 'pcso', diversity: { sex: 'female' } })
await person({ diversity: { sex: 'female' } })

const k1 = await cohort(reachProgramme, '2024-05-01', { status: 'completed' })
const k2 = await cohort(reachProgramme, '2024-09-01', { status: 'completed' })
await enrol(k1, at(1), 'completed')
await enrol(k2, at(1), 'completed')
await enrol(k1, at(2), 'attended')
await enrol(k1, at(3), 'completed')
await enrol(k1, at(8), 'completed')
await enrol(k1, at(9), 'attended')
await enrol(k2, at(10), 'completed')
await enrol(k2, at(13), 'completed')
await enrol(k2, X1, 'completed')
await enrol(k1, at(4), 'declined')
await enrol(k2, at(5), 'waitlisted')
await enrol(k1, at(17), 'withdrawn')
await enrol(k2, at(20), 'nominated')
await enrol(k1, at(21), 'no_show')

// ---- Tests: every figure against a hand-computed expectation ------------------------------

t.test('cohort report: fill, waitlist, completion, attendance, evaluation and cost, each as computed by hand', async (t) => {
  const r = await report(`/v1/cohorts/${cohortA}/report`)
  t.match(r, { cohortId: cohortA, programmeId: impact, status: 'completed', startsOn: '2024-05-10', endsOn: '2024-05-10', capacity: 12 })
  t.same(r.enrolments, {
    nominated: 1, manager_approved: 0, approved: 0, declined: 1, selected: 1, waitlisted: 2, not_selected: 0,
    attended: 2, no_show: 1, completed: 6, withdrawn: 1, cancelled: 0
  })
  t.equal(r.placesTaken, 10, 'selected 1 + attended 2 + no-show 1 + completed 6')
  t.equal(r.fillRate, 0.8333, '10 of 12 places')
  t.equal(r.waitlist, 2)
  t.equal(r.participants, 8, 'attended 2 + completed 6')
  t.equal(r.completions, 6)
  t.equal(r.completionRate, 0.6, '6 completed of the 10 given a place')
  t.equal(r.noShows, 1)
  t.same(r.attendance, { full: 6, partial: 2, none: 0 })
  t.same(r.evaluations, {
    count: 4,
    means: { relevance: 4, trainer: 4.75, length: 3, confidenceToApply: 3.75 },
    distribution: {
      relevance: { ...none, 3: 1, 4: 2, 5: 1 },
      trainer: { ...none, 4: 1, 5: 3 },
      length: { ...none, 2: 1, 3: 2, 4: 1 },
      confidenceToApply: { ...none, 3: 2, 4: 1, 5: 1 }
    }
  })
  t.equal(r.cost, 2400, 'no cost on the cohort: the programme’s cost per event')
  t.equal(r.costSource, 'programme')
  t.equal(r.costPerParticipant, 300, '2400 / 8')
  t.equal(r.costPerCompletion, 400, '2400 / 6')
  t.notOk(JSON.stringify(r).includes(SECRET_COMMENT), 'comments are never in a report')
  t.notOk(JSON.stringify(r).includes('comments'))
})

t.test('cohort report: nobody completed, so cost per completion is null; the cohort’s own cost wins', async (t) => {
  const r = await report(`/v1/cohorts/${cohortB}/report`)
  t.match(r, { capacity: 10, placesTaken: 5, fillRate: 0.5, participants: 3, completions: 0, completionRate: 0, noShows: 2 })
  t.same(r.attendance, { full: 3, partial: 0, none: 0 })
  t.equal(r.cost, 1500)
  t.equal(r.costSource, 'cohort')
  t.equal(r.costPerParticipant, 500)
  t.equal(r.costPerCompletion, null)
  t.same(r.evaluations.means, { relevance: 2, trainer: 3, length: 3, confidenceToApply: 2 })
})

t.test('cohort report: no evaluations gives null means and empty distributions; no participants, no cost per head', async (t) => {
  const r = await report(`/v1/cohorts/${cohortD}/report`)
  t.same(r.evaluations, {
    count: 0,
    means: { relevance: null, trainer: null, length: null, confidenceToApply: null },
    distribution: { relevance: none, trainer: none, length: none, confidenceToApply: none }
  })
  t.match(r, { placesTaken: 4, fillRate: 0.3333, participants: 0, completionRate: 0, cost: 2400, costPerParticipant: null, costPerCompletion: null })
})

t.test('cohort report: a cancelled cohort has no fill rate and is not assumed to have cost an event', async (t) => {
  const r = await report(`/v1/cohorts/${cohortC}/report`)
  t.match(r, { status: 'cancelled', placesTaken: 0, fillRate: null, cost: null, costSource: null, completionRate: null })
  t.equal(r.enrolments.cancelled, 3)
})

t.test('programme report: the cohorts summed, cancelled cohorts out of fill, a person on two cohorts one distinct participant', async (t) => {
  const r = await report(`/v1/programmes/${impact}/report`)
  t.match(r, { programmeId: impact, cohortCounts: { total: 4, ran: 2, planned: 1, cancelled: 1 } })
  t.equal(r.capacity, 34, '12 + 10 + 12: the cancelled cohort’s 12 left out')
  t.equal(r.placesTaken, 19, '10 + 5 + 4')
  t.equal(r.fillRate, 0.5588, '19 / 34')
  t.same(r.enrolments, {
    nominated: 1, manager_approved: 0, approved: 0, declined: 1, selected: 5, waitlisted: 2, not_selected: 0,
    attended: 5, no_show: 3, completed: 6, withdrawn: 1, cancelled: 3
  })
  t.match(r, { waitlist: 2, participants: 11, completions: 6, noShows: 3, distinctParticipants: 10 })
  t.equal(r.completionRate, 0.3158, '6 / 19')
  t.same(r.attendance, { full: 9, partial: 2, none: 0 })
  t.equal(r.evaluations.count, 5)
  t.same(r.evaluations.means, { relevance: 3.6, trainer: 4.4, length: 3, confidenceToApply: 3.4 }, 'pooled over all five evaluations')
  t.same(r.evaluations.distribution.relevance, { ...none, 2: 1, 3: 1, 4: 2, 5: 1 })
  t.same(r.cost, { spent: 3900, planned: 2400, perParticipant: 354.55, perCompletion: 650, perPersonTarget: 200, perPersonVariance: 154.55 })
  t.same(
    r.cohorts.map((c: Record<string, unknown>) => [c.cohortId, c.ran, c.fillRate, c.cost, c.costPerParticipant, c.costPerCompletion, c.evaluationCount]),
    [
      [cohortA, true, 0.8333, 2400, 300, 400, 4],
      [cohortB, true, 0.5, 1500, 500, null, 1],
      [cohortC, false, null, null, null, null, 0],
      [cohortD, false, 0.3333, 2400, null, null, 0]
    ],
    'one line per cohort, by start date'
  )
  t.notOk(JSON.stringify(r).includes(SECRET_COMMENT))
})

t.test('programme report: a programme with no cohorts has zeros and nulls, not errors', async (t) => {
  const empty = await programme()
  const r = await report(`/v1/programmes/${empty}/report`)
  t.match(r, { capacity: 0, placesTaken: 0, fillRate: null, completionRate: null, participants: 0, distinctParticipants: 0, cohorts: [] })
  t.same(r.cost, { spent: null, planned: null, perParticipant: null, perCompletion: null, perPersonTarget: null, perPersonVariance: null })
  t.equal(r.evaluations.means.relevance, null)
})

t.test('yearOf puts 31 March in the financial year before and 1 April in the new one', async (t) => {
  t.equal(yearOf('2024-03-31', 'april'), 2023)
  t.equal(yearOf('2024-04-01', 'april'), 2024)
  t.equal(yearOf('2024-12-31', 'april'), 2024)
  t.equal(yearOf('2024-03-31', 'january'), 2024)
})

t.test('rollout by financial year (the default): pilot, then targets, cumulative people counted once', async (t) => {
  const r = await report(`/v1/programmes/${rollout}/rollout`)
  t.match(r, { yearStart: 'april', from: 2023, to: 2025, pilotYear: 2023, firstRolloutYear: 2024, rolloutTarget: 6, annualTarget: 3, pilotSize: 2, targetYears: 2 })
  const [fy23, fy24, fy25] = r.years
  t.same(fy23, {
    year: 2023, label: '2023-24', startsOn: '2023-04-01', endsOn: '2024-03-31', phase: 'pilot', target: 2,
    participants: 2, completions: 1, againstTarget: 1, cohortsRun: 1, cohortsPlanned: 0, costSpent: 1000,
    cumulativeParticipants: null, cumulativeTarget: null, cumulativeProgress: null
  }, 'the cohort of 31 March 2024 belongs to 2023-24')
  t.same(fy24, {
    year: 2024, label: '2024-25', startsOn: '2024-04-01', endsOn: '2025-03-31', phase: 'rollout', target: 3,
    participants: 3, completions: 2, againstTarget: 1, cohortsRun: 2, cohortsPlanned: 0, costSpent: 1750,
    cumulativeParticipants: 3, cumulativeTarget: 3, cumulativeProgress: 0.5
  }, 'r3 on two cohorts counts once; the cancelled cohorts run nothing but the recorded charge is spent')
  t.same(fy25, {
    year: 2025, label: '2025-26', startsOn: '2025-04-01', endsOn: '2026-03-31', phase: 'rollout', target: 3,
    participants: 0, completions: 0, againstTarget: 0, cohortsRun: 0, cohortsPlanned: 1, costSpent: 0,
    cumulativeParticipants: 3, cumulativeTarget: 6, cumulativeProgress: 0.5
  })
})

t.test('rollout by calendar year, and years after the target period', async (t) => {
  const r = await report(`/v1/programmes/${rollout}/rollout?yearStart=january&from=2023&to=2026`)
  t.match(r, { yearStart: 'january', from: 2023, to: 2026, pilotYear: 2023, firstRolloutYear: 2024 })
  t.same(
    r.years.map((y: Record<string, unknown>) => [y.year, y.label, y.phase, y.target, y.participants, y.completions, y.againstTarget, y.cohortsRun, y.cohortsPlanned, y.costSpent, y.cumulativeParticipants, y.cumulativeTarget, y.cumulativeProgress]),
    [
      [2023, '2023', 'pilot', 2, 0, 0, 0, 0, 0, 0, null, null, null],
      [2024, '2024', 'rollout', 3, 4, 3, 1.3333, 3, 0, 2500, 4, 3, 0.6667],
      [2025, '2025', 'rollout', 3, 0, 0, 0, 0, 1, 250, 4, 6, 0.6667],
      [2026, '2026', 'after', null, 0, 0, null, 0, 0, 0, 4, 6, 0.6667]
    ]
  )
})

t.test('rollout: a range that ends before it starts, or is too long, is a 400 naming the field', async (t) => {
  for (const query of ['from=2025&to=2024', 'from=1950&to=2024']) {
    const res = await get(`/v1/programmes/${rollout}/rollout?${query}`)
    t.equal(res.statusCode, 400, query)
    t.equal(res.json().type, '/problems/validation')
    t.equal(res.json().errors[0].pointer, '/to')
  }
  t.equal((await get(`/v1/programmes/${rollout}/rollout?yearStart=july`)).statusCode, 400)
  t.equal((await get(`/v1/programmes/${rollout}/rollout?from=twenty`)).statusCode, 400)
})

t.test('rollout without targets or dates still reports the years that had cohorts', async (t) => {
  const r = await report(`/v1/programmes/${impact}/rollout?yearStart=january`)
  t.match(r, { from: 2024, to: 2025, pilotYear: null, firstRolloutYear: 2024, rolloutTarget: null })
  t.same(r.years.map((y: Record<string, unknown>) => [y.year, y.target, y.participants, y.cohortsRun, y.cohortsPlanned, y.costSpent, y.cumulativeParticipants, y.cumulativeTarget]), [
    [2024, null, 10, 2, 0, 3900, 10, null],
    [2025, null, 0, 0, 1, 0, 10, null]
  ])
})

const suppressed = { count: null, share: null, suppressed: true }

t.test('target groups are defined once over the monitoring answers', async (t) => {
  t.same(TARGET_GROUPS, ['minority_ethnic', 'women', 'disabled', 'lgb'])
  t.ok(MINORITY_ETHNIC_CODES.every((code) => isInTargetGroup('minority_ethnic', { ethnicity: code })))
  for (const ethnicity of ['W1', 'W2', 'W9', 'NS', null]) t.notOk(isInTargetGroup('minority_ethnic', { ethnicity }), `${ethnicity} is not minority ethnic`)
  t.ok(isInTargetGroup('women', { sex: 'female' }))
  t.notOk(isInTargetGroup('women', { sex: 'prefer_not_to_say' }))
  t.ok(isInTargetGroup('disabled', { disability: 'yes' }))
  t.ok(isInTargetGroup('lgb', { sexual_orientation: 'bisexual' }))
  t.notOk(isInTargetGroup('lgb', { sexual_orientation: 'other' }))
  t.notOk(isInTargetGroup('women', null), 'no record is in no group')
})

t.test('reach: counts under 5 suppressed, others rounded to 5, shares from the rounded counts', async (t) => {
  const r = await report(`/v1/programmes/${reachProgramme}/reach`, ['diversity:report'])
  t.match(r, { programmeId: reachProgramme, threshold: 5, roundedTo: 5 })
  t.same(r.populations, {
    participants: { count: 10, suppressed: false }, // 8 people, E1 on two cohorts counted once
    nominated: { count: 15, suppressed: false }, // 13 people with any enrolment
    eligible: { count: 25, suppressed: false } // 23: not the ones below the range, left, PCSO or without a grade
  })
  const byGroup = Object.fromEntries(r.groups.map((g: { group: string }) => [g.group, g]))
  t.same(r.groups.map((g: { group: string }) => g.group), TARGET_GROUPS)
  t.same(byGroup.women, {
    group: 'women',
    targeted: true,
    participants: { count: 5, share: 0.5, suppressed: false }, // 7 → 5, of 10
    nominated: { count: 10, share: 0.6667, suppressed: false }, // 9 → 10, of 15
    eligible: { count: 10, share: 0.4, suppressed: false }, // 12 → 10, of 25
    shareDifference: 0.1
  })
  t.same(byGroup.minority_ethnic, {
    group: 'minority_ethnic',
    targeted: true,
    participants: suppressed, // 4, X1 among them
    nominated: { count: 5, share: 0.3333, suppressed: false }, // 6 → 5
    eligible: { count: 5, share: 0.2, suppressed: false }, // 7 → 5
    shareDifference: null
  })
  t.same(byGroup.disabled, { group: 'disabled', targeted: false, participants: suppressed, nominated: suppressed, eligible: suppressed, shareDifference: null }) // 1, 1, 4
  t.same(byGroup.lgb, { group: 'lgb', targeted: false, participants: suppressed, nominated: suppressed, eligible: suppressed, shareDifference: null }) // 0, 1, 2
})

t.test('reach: no number in the response is an exact small count', async (t) => {
  const r = await report(`/v1/programmes/${reachProgramme}/reach`, ['diversity:read'])
  const counts = [...Object.values(r.populations), ...r.groups.flatMap((g: Record<string, unknown>) => [g.participants, g.nominated, g.eligible])] as Array<{ count: number | null }>
  for (const { count } of counts) t.ok(count === null || (count >= 5 && count % 5 === 0), `count ${count}`)
})

t.test('reach: a programme with under 5 participants and nobody eligible withholds every figure', async (t) => {
  const small = await programme({ eligible_level_min: 90, target_groups: ['disabled'] })
  const run = await cohort(small, '2024-05-01', { status: 'completed' })
  for (const n of [1, 2, 3]) await enrol(run, at(n), 'completed')
  const r = await report(`/v1/programmes/${small}/reach`, ['diversity:report'])
  t.same(r.populations, { participants: { count: null, suppressed: true }, nominated: { count: null, suppressed: true }, eligible: { count: null, suppressed: true } })
  for (const g of r.groups) t.same([g.participants, g.nominated, g.eligible, g.shareDifference], [suppressed, suppressed, suppressed, null], g.group)
  t.same(r.groups.filter((g: { targeted: boolean }) => g.targeted).map((g: { group: string }) => g.group), ['disabled'])
})

t.test('scopes: reports need programmes:read, reach needs diversity:read or diversity:report', async (t) => {
  for (const url of [`/v1/cohorts/${cohortA}/report`, `/v1/programmes/${impact}/report`, `/v1/programmes/${impact}/rollout`]) {
    const refused = await get(url, ['diversity:report'])
    t.equal(refused.statusCode, 403, url)
    t.equal(refused.json().type, '/problems/forbidden')
    t.equal((await get(url, ['programmes:write'])).statusCode, 200, 'write implies read')
  }
  const reach = `/v1/programmes/${reachProgramme}/reach`
  t.equal((await get(reach, ['programmes:read'])).statusCode, 403, 'programmes:read alone does not show diversity data')
  t.equal((await get(reach, ['people:read'])).statusCode, 403)
  t.equal((await get(reach, ['diversity:read'])).statusCode, 200)
  t.equal((await get(reach, ['diversity:report'])).statusCode, 200)
  t.equal((await ctx.app.inject({ method: 'GET', url: reach })).statusCode, 401)
})

t.test('unknown ids are 404 problems; a malformed id is a 400', async (t) => {
  for (const [url, scopes] of [
    [`/v1/cohorts/${MISSING}/report`, READ],
    [`/v1/programmes/${MISSING}/report`, READ],
    [`/v1/programmes/${MISSING}/rollout`, READ],
    [`/v1/programmes/${MISSING}/reach`, ['diversity:report']]
  ] as const) {
    const res = await get(url, [...scopes])
    t.equal(res.statusCode, 404, url)
    t.equal(res.json().type, '/problems/not-found')
  }
  t.equal((await get('/v1/cohorts/not-a-uuid/report')).statusCode, 400)
})

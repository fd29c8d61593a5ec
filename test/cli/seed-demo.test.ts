import { sql } from 'kysely'
import t, { type Test } from 'tap'
import type { Db } from '../../src/db/database.js'
import { planDemo, seedDemo, type SeedDemoResult } from '../../src/cli/seed-demo.js'
import type { CohortPlan } from '../../src/cli/demo/enrolments.js'
import { demoProgrammes } from '../../src/cli/demo/programmes.js'
import { ENROLMENT_STATUSES } from '../../src/modules/programmes/reports.schemas.js'
import { buildTestApp } from '../helpers/app.js'
import { assessmentsBeforeAgain, checkAssessmentsDemo, checkAssessmentsDemoAgain } from './seed-demo/assessments.js'
import { checkDevelopmentPlansDemo, checkDevelopmentPlansDemoAgain, developmentPlansBeforeAgain } from './seed-demo/development-plans.js'
import { checkFeedbackDemo, checkFeedbackDemoAgain, feedbackBeforeAgain } from './seed-demo/feedback.js'
import { checkLearningLogsDemo, checkLearningLogsDemoAgain, learningLogsBeforeAgain } from './seed-demo/learning-logs.js'
import { checkRecommendationsDemo, checkRecommendationsDemoAgain, recommendationsBeforeAgain } from './seed-demo/recommendations.js'

// Small enough to seed three times per run; the shape is the same as at 3,000.
const PEOPLE = 300
// The whole demo (people, programmes, every module's step) is seeded three times here: the first
// database, the same again, and a second fresh database. This is the only test file that seeds it;
// each module's checks live in ./seed-demo/<module>.ts and run against the first database.
// About 100 s on a busy 2-core machine, most of it the two fresh seeds' programmes: room for a slow CI runner.
t.setTimeout(600_000)

const one = await buildTestApp({ RATE_LIMIT_PER_MINUTE: '1000000' })
const two = await buildTestApp()
t.teardown(async () => {
  await one.close()
  await two.close()
})

/** Seeds and says how long each part took (also in the TAP output, to watch the suite's cost). */
async function timedSeed(t: Test, db: Db, label: string): Promise<SeedDemoResult> {
  const started = performance.now()
  const result = await seedDemo(db, { people: PEOPLE })
  const modules = Object.entries(result.modules).map(([module, lines]) => `${module} ${lines.at(-1)?.replace(/^time /, '')}`)
  t.comment(`${label}: ${((performance.now() - started) / 1000).toFixed(1)} s (people ${result.timings.people.toFixed(1)} s, programmes ${result.timings.programmes.toFixed(1)} s, ${modules.join(', ')})`)
  return result
}

/** The demo cohorts' enrolments by status, as stored (what seedDemo reports as enrolmentStatuses). */
async function demoEnrolmentStatuses(db: Db, cohorts: CohortPlan[]) {
  const tally = Object.fromEntries(ENROLMENT_STATUSES.map((s) => [s, 0])) as SeedDemoResult['enrolmentStatuses']
  const rows = await db
    .selectFrom('enrolments as e')
    .innerJoin('cohorts as c', 'c.id', 'e.cohort_id')
    .select(['e.status', db.fn.countAll<number>().as('n')])
    .where('c.external_id', 'in', cohorts.map((c) => c.externalId))
    .groupBy('e.status')
    .execute()
  for (const r of rows) tally[r.status] = Number(r.n)
  return tally
}

const count = async (db: Db, query: string) => Number((await sql<{ n: number }>`${sql.raw(query)}`.execute(db)).rows[0].n)

/** Everything an integrator sees of the organisation, by externalId (database ids differ between databases). */
async function snapshot(db: Db) {
  const people = await db
    .selectFrom('people as p')
    .innerJoin('grades as g', 'g.id', 'p.grade_id')
    .innerJoin('org_units as u', 'u.id', 'p.org_unit_id')
    .leftJoin('people as m', 'm.id', 'p.line_manager_id')
    .leftJoin('diversity_records as d', 'd.person_id', 'p.id')
    .select([
      'p.external_id', 'p.given_name', 'p.family_name', 'p.preferred_name', 'p.email', 'p.staff_type', 'p.status', 'p.start_date',
      'p.leaving_date', 'g.external_id as grade', 'u.external_id as unit', 'm.external_id as manager', 'd.ethnicity', 'd.sex', 'd.religion_or_belief'
    ])
    .orderBy('p.external_id')
    .execute()
  const units = await db
    .selectFrom('org_units as u')
    .leftJoin('org_units as parent', 'parent.id', 'u.parent_id')
    .select(['u.external_id', 'u.name', 'u.kind', 'parent.external_id as parent'])
    .orderBy('u.external_id')
    .execute()
  const programmes = await db.selectFrom('programmes').select(['external_id', 'code', 'status', 'eligible_level_min', 'eligible_level_max']).orderBy('external_id').execute()
  const cohorts = await db.selectFrom('cohorts').select(['external_id', 'status', 'capacity', 'cost', 'starts_on']).orderBy('external_id').execute()
  const enrolments = await db
    .selectFrom('enrolments as e')
    .innerJoin('people as p', 'p.id', 'e.person_id')
    .innerJoin('cohorts as c', 'c.id', 'e.cohort_id')
    .leftJoin('evaluations as v', 'v.enrolment_id', 'e.id')
    .select([
      'e.external_id', 'c.external_id as cohort', 'p.external_id as person', 'e.status', 'e.attendance', 'e.nomination_source', 'e.outcome_reason',
      'v.relevance', 'v.trainer', 'v.length', 'v.confidence_to_apply', 'v.comments',
      sql<number>`(select count(*)::int from enrolment_transitions t where t.enrolment_id = e.id)`.as('moves')
    ])
    .orderBy('e.external_id')
    .execute()
  return { people, units, programmes, cohorts, enrolments }
}

let first: SeedDemoResult

t.test('the plan is a pure function of size and seed', async (t) => {
  t.same(planDemo(PEOPLE), planDemo(PEOPLE), 'same size and seed, same organisation')
  t.notSame(planDemo(PEOPLE, 1).people.map((p) => p.row.givenName), planDemo(PEOPLE, 2).people.map((p) => p.row.givenName), 'another seed, other people')
  t.throws(() => planDemo(0), RangeError)
})

t.test('a first seed creates the organisation through the import rules', async (t) => {
  first = await timedSeed(t, one.database.db, 'first seed')
  t.equal(first.people.created, PEOPLE)
  t.equal(first.people.failed, 0)
  t.equal(first.orgUnits.created, first.plan.orgUnits.length)
  t.equal(first.grades.created, first.plan.grades.length)
  t.ok(first.diversity.created > PEOPLE * 0.8, 'most people have a diversity record')
  t.ok(first.diversity.created < PEOPLE, 'some never returned the form')
  const db = one.database.db
  t.equal(await count(db, `select count(*) as n from audit_records where actor = 'seed-demo' and action = 'person.created'`), PEOPLE, 'one audit record per person')
  t.equal(await count(db, `select count(*) as n from events where actor = 'seed-demo' and type = 'person.created'`), PEOPLE, 'one event per person')
})

// ---- Each module's demo step, on the first database as the first seed left it ---------------------

t.test('assessments demo', (t) => checkAssessmentsDemo(t, one, first))
t.test('feedback demo', (t) => checkFeedbackDemo(t, one, first))
t.test('recommendations demo', (t) => checkRecommendationsDemo(t, one, first))
t.test('learning logs demo', (t) => checkLearningLogsDemo(t, one, first))
t.test('development plans demo', (t) => checkDevelopmentPlansDemo(t, one, first))

t.test('seeding again changes nothing', async (t) => {
  const db = one.database.db
  const audit = await count(db, 'select count(*) as n from audit_records')
  const events = await count(db, 'select count(*) as n from events')
  // Each module's own counts, taken before the run like the global ones.
  const before = {
    assessments: await assessmentsBeforeAgain(one),
    feedback: await feedbackBeforeAgain(one),
    recommendations: await recommendationsBeforeAgain(one),
    learningLogs: await learningLogsBeforeAgain(one),
    developmentPlans: await developmentPlansBeforeAgain(one)
  }
  const statuses = await demoEnrolmentStatuses(db, first.plan.cohorts)
  const again = await timedSeed(t, db, 'second seed, same database')
  t.same(again.people, { read: PEOPLE, created: 0, updated: 0, unchanged: PEOPLE, failed: 0 })
  t.same(again.orgUnits, { ...first.orgUnits, created: 0, unchanged: first.orgUnits.created })
  t.same(again.grades, { ...first.grades, created: 0, unchanged: first.grades.created })
  t.same(again.diversity, { created: 0, updated: 0, unchanged: first.diversity.created })
  t.equal(await count(db, 'select count(*) as n from audit_records'), audit, 'no audit records')
  t.equal(await count(db, 'select count(*) as n from events'), events, 'no events')
  t.equal(await count(db, 'select count(*) as n from people where version <> 1'), 0, 'no versions bumped')
  t.same(again.programmes, { ...first.programmes, created: 0, unchanged: first.programmes.created }, 'programmes unchanged')
  t.same(
    again.cohorts,
    { cohorts: { created: 0, unchanged: first.cohorts.cohorts.created }, sessions: 0, enrolments: { created: 0, unchanged: first.cohorts.enrolments.created }, evaluations: 0 },
    'cohorts and their enrolments left as they are'
  )
  t.same(again.enrolmentStatuses, statuses, 'the demo enrolments by status as the first seed left them')
  t.same(again.enrolmentStatuses, first.enrolmentStatuses, 'the tally the first seed reported')
  // The audit and event counts above already cover every module; these are each module's own words for it.
  await t.test('assessments: a second run changes nothing', (t) => checkAssessmentsDemoAgain(t, one, again, before.assessments))
  await t.test('feedback: a second run changes nothing', (t) => checkFeedbackDemoAgain(t, one, again, before.feedback))
  await t.test('recommendations: a second run changes nothing', (t) => checkRecommendationsDemoAgain(t, one, again, before.recommendations))
  await t.test('learning logs: a second run changes nothing', (t) => checkLearningLogsDemoAgain(t, one, again, before.learningLogs))
  await t.test('development plans: a second run changes nothing', (t) => checkDevelopmentPlansDemoAgain(t, one, again, before.developmentPlans))
})

t.test('two fresh databases get the same organisation', async (t) => {
  // Seeds every module too (seedDemo cannot stop after the programmes), but their steps are a small
  // part of a fresh seed next to the programmes (see the comment it prints); people and programmes are compared.
  await timedSeed(t, two.database.db, 'fresh second database')
  const [a, b] = [await snapshot(one.database.db), await snapshot(two.database.db)]
  t.equal(a.people.length, PEOPLE)
  t.ok(a.enrolments.length > 100, `enrolments compared too (${a.enrolments.length})`)
  t.same(b, a)
})

t.test('line managers form one tree with the Commissioner at the top', async (t) => {
  const db = one.database.db
  const roots = await db.selectFrom('people as p').innerJoin('grades as g', 'g.id', 'p.grade_id').select(['g.code']).where('p.line_manager_id', 'is', null).execute()
  t.same(roots, [{ code: 'COMM' }], 'only the Commissioner has no line manager')
  const cycles = await sql<{ start: string }>`
    with recursive up(start, id, depth) as (
      select id, line_manager_id, 1 from people
      union all
      select up.start, p.line_manager_id, up.depth + 1 from people p join up on p.id = up.id
      where up.id is not null and up.id <> up.start and up.depth < 100
    )
    select distinct start from up where id = start`.execute(db)
  t.same(cycles.rows, [], 'no chain comes back to its start')
  const reached = await count(
    db,
    `with recursive down(id) as (select id from people where line_manager_id is null
       union all select p.id from people p join down on p.line_manager_id = down.id)
     select count(*) as n from down`
  )
  t.equal(reached, PEOPLE, 'everyone is below the Commissioner')
  t.equal(
    await count(db, `select count(*) as n from people p join grades g on g.id = p.grade_id
      join people m on m.id = p.line_manager_id join grades mg on mg.id = m.grade_id where mg.level <= g.level`),
    0,
    'every line manager is senior to their report'
  )
  t.equal(await count(db, `select count(*) as n from people p join people m on m.id = p.line_manager_id where m.status <> 'active'`), 0, 'no one reports to a leaver')
})

t.test('every person has an org unit and a grade of their staff type', async (t) => {
  const db = one.database.db
  t.equal(await count(db, 'select count(*) as n from people where org_unit_id is null or grade_id is null'), 0)
  t.equal(await count(db, 'select count(*) as n from people p join grades g on g.id = p.grade_id where g.staff_type <> p.staff_type'), 0)
  t.equal(await count(db, `select count(*) as n from people p join org_units u on u.id = p.org_unit_id where u.kind = 'board'`), 0, 'boards hold no one')
  t.equal(await count(db, `select count(*) as n from org_units where kind = 'borough'`), 32, 'the 32 London boroughs')
  t.equal(await count(db, `select count(*) as n from people where status = 'left' and (leaving_date is null or leaving_date <= start_date)`), 0, 'leavers left after they started')
  const kinds = await db.selectFrom('people').select(['staff_type', sql<number>`count(*)::int`.as('n')]).groupBy('staff_type').execute()
  const officers = kinds.find((k) => k.staff_type === 'officer')?.n ?? 0
  t.ok(officers > PEOPLE * 0.5 && officers < PEOPLE * 0.85, `officers are most of the force (${officers})`)
  t.ok((kinds.find((k) => k.staff_type === 'staff')?.n ?? 0) > PEOPLE * 0.1, 'and police staff a good part of it')
})

t.test('diversity aggregates exist and the trail holds no answers', async (t) => {
  const res = await one.app.inject({ method: 'GET', url: '/v1/diversity/aggregates?characteristic=ethnicity&groupBy=none', headers: one.auth(['diversity:report']) })
  t.equal(res.statusCode, 200, 'the aggregate answers')
  const cells = res.json().cells as Array<{ value: string | null; count: number | null; suppressed: boolean }>
  const counted = cells.filter((c) => !c.suppressed)
  t.ok(counted.some((c) => c.value === 'W1' && c.count! > PEOPLE / 2), 'White British the largest group')
  t.ok(counted.some((c) => c.value === null), 'people without a record are counted as such')
  t.ok(cells.some((c) => c.value && !c.value.startsWith('W') && c.value !== 'NS'), 'minority ethnic groups are present')
  const byUnit = await one.app.inject({ method: 'GET', url: '/v1/diversity/aggregates?characteristic=sex&groupBy=orgUnit', headers: one.auth(['diversity:report']) })
  t.ok((byUnit.json().cells as Array<{ suppressed: boolean }>).some((c) => c.suppressed), 'small cells are suppressed')
  const db = one.database.db
  const leaks = await count(
    db,
    `select count(*) as n from audit_records where entity_type = 'diversity-record'
       and (coalesce(after::text, '') ~ '(ethnicity|sex|religion|W1|female)' or coalesce(before::text, '') ~ '(ethnicity|sex|religion)')`
  )
  t.equal(leaks, 0, 'audit records name only the person and version')
  t.equal(await count(db, `select count(*) as n from events where type like 'diversity-record.%' and data::text ~ '(ethnicity|religion|female)'`), 0, 'events likewise')
})

// ---- Programmes ---------------------------------------------------------------------------------

t.test('the programmes of the seeds are there, with their figures', async (t) => {
  t.same(first.programmes, { read: first.plan.programmes.length, created: first.plan.programmes.length, updated: 0, unchanged: 0, failed: 0 })
  const db = one.database.db
  const byCode = new Map((await db.selectFrom('programmes').selectAll().execute()).map((p) => [p.code, p]))
  t.match(byCode.get('IMPACT'), { pilot_size: 40, annual_target: 100, target_years: 4, status: 'active', eligible_staff_types: ['staff'] }, 'IMPACT: a pilot of 40, then 100 a year for 4 years')
  t.match(byCode.get('CONSULT'), { cost_per_event: 2400, cost_per_person: 200, default_capacity: 12, provider: 'Dialogue by Design', duration_days: 1 }, 'the consultation course: £2,400 an event, about £200 a person')
  t.match(byCode.get('PD-PROMO-MGR'), { eligible_level_min: 4, eligible_level_max: 7, selection_required: true, default_capacity: 12, min_participants: 10, target_groups: ['minority_ethnic', 'women'] })
  const promotingDifference = [...byCode.keys()].filter((c) => c.startsWith('PD-'))
  t.ok(promotingDifference.length >= 16 && promotingDifference.length <= 20, `about twenty Promoting Difference options (${promotingDifference.length})`)
  t.ok([...byCode.values()].every((p) => p.aim && p.key_features.length > 0), 'every programme has an aim and key features')
  t.ok(['LA-FLM', 'LA-CLP', 'LA-COACHING'].every((c) => byCode.has(c)), 'Leadership Academy products')

  const schedule = demoProgrammes().find((p) => p.row.code === 'CONSULT')!.cohorts.filter((c) => c.stream)
  t.ok(schedule.every((c, i) => i === 0 || (c.stream !== schedule[i - 1].stream && c.startsOn.slice(0, 7) !== schedule[i - 1].startsOn.slice(0, 7))), 'monthly runs, streams alternating')
  const firstSeven = schedule.filter((c) => c.startsOn >= '2004-09-01' && c.startsOn <= '2005-03-31')
  t.equal(firstSeven.length, 7, 'seven courses from September to March')
  const consult = first.plan.cohorts.filter((c) => c.programmeExternalId === 'PRG-CONSULT' && c.stream)
  t.ok(consult.every((c) => schedule.some((s) => s.externalId === c.externalId && s.stream === c.stream)), 'the demo runs follow the schedule')
  const costs = await db.selectFrom('cohorts').select('cost').where('external_id', 'in', consult.map((c) => c.externalId)).execute()
  t.ok(costs.every((c) => c.cost === 2400), 'each run costs £2,400')
  const sessions = await db
    .selectFrom('cohort_sessions as s')
    .innerJoin('cohorts as c', 'c.id', 's.cohort_id')
    .select(['s.title', 's.purpose', 's.method', 's.starts_at'])
    .where('c.external_id', '=', consult[0].externalId)
    .orderBy('s.starts_at')
    .execute()
  t.equal(sessions.length, 7, 'the one-day agenda')
  t.ok(sessions.filter((s) => s.purpose && s.method).length >= 4, 'working sessions have a purpose and a method')
  t.match(sessions[3], { title: 'Session 2: Planning consultation', method: /London Borough of Booting/ })
})

t.test('enrolments in every status, moved by the people the rules name', async (t) => {
  const statuses = first.enrolmentStatuses
  for (const status of ENROLMENT_STATUSES) t.ok(statuses[status] > 0, `${status}: ${statuses[status]}`)
  const db = one.database.db
  const attended = await db.selectFrom('enrolments').select(['attendance', sql<number>`count(*)::int`.as('n')]).where('status', '=', 'attended').groupBy('attendance').execute()
  t.ok(attended.some((a) => a.attendance === 'partial') && attended.some((a) => a.attendance === 'full'), 'attended partially and fully')
  t.equal(await count(db, `select count(*) as n from enrolments where status in ('attended', 'completed') and attendance = 'none'`), 0, 'attendance comes from the registers')
  t.equal(
    await count(db, `select count(*) as n from enrolment_transitions t join enrolments e on e.id = t.enrolment_id join people p on p.id = e.person_id
      where t.action = 'approve' and t.from_status = 'nominated' and t.actor <> 'person:' || p.line_manager_id`),
    0,
    'every first approval is the line manager’s'
  )
  t.equal(
    await count(db, `select count(*) as n from enrolment_transitions t join enrolments e on e.id = t.enrolment_id
      where t.action = 'nominate' and e.nomination_source = 'self' and t.actor <> 'person:' || e.person_id`),
    0,
    'self-nominations are made by the person'
  )
  t.equal(
    await count(db, `select count(*) as n from enrolments e where e.status <> (select t.to_status from enrolment_transitions t where t.enrolment_id = e.id order by t.id desc limit 1)`),
    0,
    'each enrolment’s history ends at its status'
  )
  t.equal(
    await count(db, `select count(*) as n from enrolments e join people p on p.id = e.person_id join grades g on g.id = p.grade_id
      join cohorts c on c.id = e.cohort_id join programmes pr on pr.id = c.programme_id
      where e.eligibility_override_reason is null and ((pr.eligible_level_min is not null and g.level < pr.eligible_level_min)
        or (pr.eligible_level_max is not null and g.level > pr.eligible_level_max)
        or (cardinality(pr.eligible_staff_types) > 0 and not p.staff_type = any(pr.eligible_staff_types)))`),
    0,
    'everyone is eligible, unless HR overrode it with a reason'
  )
  t.equal(
    await count(db, `select count(*) as n from enrolments a join enrolments b on a.person_id = b.person_id and a.id < b.id
      join cohorts ca on ca.id = a.cohort_id join cohorts cb on cb.id = b.cohort_id
      where ca.starts_on <= cb.ends_on and cb.starts_on <= ca.ends_on
        and a.status not in ('declined', 'not_selected', 'withdrawn', 'cancelled') and b.status not in ('declined', 'not_selected', 'withdrawn', 'cancelled')`),
    0,
    'nobody holds two cohorts whose dates overlap'
  )
  t.equal(
    await count(db, `select count(*) as n from cohorts c where c.capacity < (select count(*) from enrolments e where e.cohort_id = c.id and e.status in ('selected', 'attended', 'completed'))`),
    0,
    'no cohort over capacity'
  )
  t.ok((await count(db, `select count(*) as n from enrolment_transitions where actor = 'system:waitlist'`)) > 0, 'places freed went to the waitlist')
  t.equal(await count(db, `select count(*) as n from people p join enrolments e on e.person_id = p.id where p.status <> 'active'`), 0, 'nobody who has left is enrolled')
  t.equal(
    await count(db, `select count(*) as n from evaluations v join enrolments e on e.id = v.enrolment_id where e.status not in ('attended', 'completed')`),
    0,
    'only participants evaluate'
  )
  t.equal(await count(db, `select count(*) as n from events where type = 'enrolment.completed'`), statuses.completed, 'one completion event each')
  t.ok((await count(db, `select count(*) as n from audit_records where entity_type = 'enrolment'`)) > ENROLMENT_STATUSES.length * 10, 'and audit records')
})

/** The cohort report a completed consultation cohort should give, worked out from the plan. */
function expectedReport(cohort: CohortPlan) {
  const tally = Object.fromEntries(ENROLMENT_STATUSES.map((s) => [s, cohort.enrolments.filter((e) => e.expected === s).length])) as Record<string, number>
  const placesTaken = tally.selected + tally.attended + tally.no_show + tally.completed
  const participants = cohort.enrolments.filter((e) => e.expected === 'attended' || e.expected === 'completed')
  const evaluations = cohort.enrolments.flatMap((e) => (e.evaluation ? [e.evaluation] : []))
  const mean = (key: 'relevance' | 'trainer' | 'length' | 'confidenceToApply') =>
    Math.round((evaluations.reduce((sum, v) => sum + v[key], 0) * 100) / evaluations.length) / 100
  const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d
  return {
    status: 'completed',
    capacity: 12,
    enrolments: tally,
    placesTaken,
    fillRate: round(placesTaken / 12, 4),
    waitlist: 0,
    participants: participants.length,
    completions: tally.completed,
    completionRate: round(tally.completed / placesTaken, 4),
    noShows: tally.no_show,
    attendance: {
      full: participants.filter((e) => e.expectedAttendance === 'full').length,
      partial: participants.filter((e) => e.expectedAttendance === 'partial').length,
      none: 0
    },
    evaluations: { count: evaluations.length, means: { relevance: mean('relevance'), trainer: mean('trainer'), length: mean('length'), confidenceToApply: mean('confidenceToApply') } },
    cost: 2400,
    costSource: 'cohort',
    costPerParticipant: round(2400 / participants.length, 2),
    costPerCompletion: round(2400 / tally.completed, 2)
  }
}

t.test('the report of a completed consultation cohort shows sensible figures', async (t) => {
  const cohort = first.plan.cohorts.find((c) => c.programmeExternalId === 'PRG-CONSULT' && c.stage === 'completed' && c.stream !== null && c.enrolments.length >= 10)
  if (!cohort) throw new Error('no completed consultation run in the demo')
  const { id } = await one.database.db.selectFrom('cohorts').select('id').where('external_id', '=', cohort.externalId).executeTakeFirstOrThrow()
  const res = await one.app.inject({ method: 'GET', url: `/v1/cohorts/${id}/report`, headers: one.auth(['programmes:read']) })
  t.equal(res.statusCode, 200, res.body)
  const report = res.json()
  const expected = expectedReport(cohort)
  t.match(report, expected, `${cohort.title}: ${JSON.stringify({ ...expected, enrolments: undefined })}`)
  t.ok(report.fillRate > 0.5 && report.fillRate <= 1, `most places were taken (fill ${report.fillRate})`)
  t.ok(report.completionRate > 0.5, `most who had a place completed (${report.completionRate})`)
  t.ok(report.costPerParticipant >= 200 && report.costPerParticipant < 600, `about £200 a head, more when places go unused (£${report.costPerParticipant})`)
  t.ok(report.evaluations.means.relevance >= 4, 'participants found it highly relevant, as the pilot did')
  const total = Object.values(report.enrolments as Record<string, number>).reduce((a, b) => a + b, 0)
  t.equal(total, cohort.enrolments.length, 'every nomination is counted once')
})

import { sql } from 'kysely'
import t from 'tap'
import type { Db } from '../../src/db/database.js'
import { planDemo, seedDemo, type SeedDemoResult } from '../../src/cli/seed-demo.js'
import { buildTestApp } from '../helpers/app.js'

// Small enough to seed twice per run in a few seconds; the shape is the same as at 3,000.
const PEOPLE = 300

const one = await buildTestApp({ RATE_LIMIT_PER_MINUTE: '1000000' })
const two = await buildTestApp()
t.teardown(async () => {
  await one.close()
  await two.close()
})

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
  return { people, units }
}

let first: SeedDemoResult

t.test('the plan is a pure function of size and seed', async (t) => {
  t.same(planDemo(PEOPLE), planDemo(PEOPLE), 'same size and seed, same organisation')
  t.notSame(planDemo(PEOPLE, 1).people.map((p) => p.row.givenName), planDemo(PEOPLE, 2).people.map((p) => p.row.givenName), 'another seed, other people')
  t.throws(() => planDemo(0), RangeError)
})

t.test('a first seed creates the organisation through the import rules', async (t) => {
  first = await seedDemo(one.database.db, { people: PEOPLE })
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

t.test('seeding again changes nothing', async (t) => {
  const db = one.database.db
  const audit = await count(db, 'select count(*) as n from audit_records')
  const events = await count(db, 'select count(*) as n from events')
  const again = await seedDemo(db, { people: PEOPLE })
  t.same(again.people, { read: PEOPLE, created: 0, updated: 0, unchanged: PEOPLE, failed: 0 })
  t.same(again.orgUnits, { ...first.orgUnits, created: 0, unchanged: first.orgUnits.created })
  t.same(again.grades, { ...first.grades, created: 0, unchanged: first.grades.created })
  t.same(again.diversity, { created: 0, updated: 0, unchanged: first.diversity.created })
  t.equal(await count(db, 'select count(*) as n from audit_records'), audit, 'no audit records')
  t.equal(await count(db, 'select count(*) as n from events'), events, 'no events')
  t.equal(await count(db, 'select count(*) as n from people where version <> 1'), 0, 'no versions bumped')
})

t.test('two fresh databases get the same organisation', async (t) => {
  await seedDemo(two.database.db, { people: PEOPLE })
  const [a, b] = [await snapshot(one.database.db), await snapshot(two.database.db)]
  t.equal(a.people.length, PEOPLE)
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

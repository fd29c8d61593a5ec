/**
 * A deterministic organisation at a realistic scale, written into the real schema with set-based
 * SQL (`insert … select … from generate_series`), with the audit records and change-feed events
 * its creation would have written. Every id, name and date is a function of the row number, so
 * two runs at the same scale produce the same database.
 *
 *   npx tsx bench/generate.ts --scale 1 [--database-url postgres://…]   (default: DATABASE_URL)
 *
 * At scale 1: 537 org units, 18 grades, 50,000 people (a line-management tree of span 8, six
 * levels), 200 programmes, 2,000 cohorts, 40,000 enrolments. Modules that have a migration in
 * this tree get their part too (see `moduleParts`): 4,000 360° assessments (60,000 responses),
 * 10,000 recommendations with history, evidence, actions and panel reviews, 100,000 learning-log
 * entries with Zipf-distributed text and their trail.
 */
import { createHash } from 'node:crypto'
import { sql, type Kysely } from 'kysely'

export interface Scale {
  people: number
  teams: number
  programmes: number
  cohorts: number
  enrolments: number
}

export function scaleOf(factor: number): Scale {
  const n = (x: number) => Math.max(1, Math.round(x * factor))
  return { people: n(50_000), teams: n(480), programmes: n(200), cohorts: n(2_000), enrolments: n(40_000) }
}

export interface Generated {
  scale: Scale
  /** Row counts per table after generation (including audit_records and events). */
  counts: Record<string, number>
  seconds: number
}

const ACTOR = 'bench-generator'

/** Ids are md5 hashes of a prefix and the row number, so any part of the bench can name a row. */
export const personId = (i: number) => md5uuid(`person-${i}`)
export const orgUnitId = (n: number) => md5uuid(`ou-${n}`)
export const gradeId = (code: string) => md5uuid(`grade-${code}`)

export function md5uuid(text: string): string {
  const h = createHash('md5').update(text).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`
}
const uuidSql = (prefix: string, expr: string) => `md5('${prefix}' || (${expr}))::uuid`

/** Business groups (8), boroughs (6 each) and teams (`teams`, spread over the boroughs). Unit 1 is the service. */
export function orgLayout(scale: Scale) {
  const groups = 8
  const boroughs = groups * 6
  return { groups, boroughs, teams: scale.teams, firstBorough: 2 + groups, firstTeam: 2 + groups + boroughs, total: 1 + groups + boroughs + scale.teams }
}

const GIVEN = ['Amina', 'Ben', 'Chen', 'Dev', 'Ewa', 'Femi', 'Grace', 'Hugo', 'Isla', 'Jamal', 'Kate', 'Liam', 'Maya', 'Noah', 'Olu', 'Priya', 'Quinn', 'Ravi', 'Sara', 'Tom',
  'Uma', 'Vik', 'Wei', 'Xena', 'Yusuf', 'Zoe', 'Adam', 'Bella', 'Carl', 'Dina', 'Eli', 'Fay', 'Gus', 'Hana', 'Ivan', 'Jo', 'Kwame', 'Lena', 'Marek', 'Nia']
const FAMILY = ['Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Johnson', 'Davies', 'Patel', 'Robinson', 'Wright', 'Thompson', 'Evans', 'Walker', 'White', 'Roberts',
  'Green', 'Hall', 'Wood', 'Jackson', 'Clarke', 'Khan', 'Hughes', 'Edwards', 'Lewis', 'Turner', 'Hill', 'Moore', 'Cooper', 'Ward', 'Morris', 'King', 'Watson', 'Harris',
  'Baker', 'Young', 'Okafor', 'Nowak', 'Ahmed', 'Ali', 'Begum', 'Singh', 'Murphy', "O'Brien", 'Kelly', 'Shah', 'Chowdhury', 'Mensah', 'Campbell', 'Stewart']
const arr = (xs: string[]) => `array[${xs.map((x) => `'${x.replace(/'/g, "''")}'`).join(',')}]`

export const GRADES: Array<[code: string, name: string, staffType: string, level: number]> = [
  ['PC', 'Police Constable', 'officer', 10], ['PS', 'Police Sergeant', 'officer', 20], ['INSP', 'Inspector', 'officer', 30], ['CI', 'Chief Inspector', 'officer', 40],
  ['SUPT', 'Superintendent', 'officer', 50], ['CSUPT', 'Chief Superintendent', 'officer', 60], ['CMDR', 'Commander', 'officer', 70], ['DAC', 'Deputy Assistant Commissioner', 'officer', 80],
  ['AC', 'Assistant Commissioner', 'officer', 90], ['COMM', 'Commissioner', 'officer', 100], ['BAND_E', 'Band E', 'staff', 5], ['BAND_D', 'Band D', 'staff', 15],
  ['BAND_C', 'Band C', 'staff', 25], ['BAND_B', 'Band B', 'staff', 35], ['BAND_A', 'Band A', 'staff', 45], ['SCS', 'Senior Civil Staff', 'staff', 65],
  ['PCSO', 'Police Community Support Officer', 'pcso', 5], ['SC', 'Special Constable', 'special_constable', 5]
]

type Exec = (text: string) => Promise<void>

const personView = (p: string) => `jsonb_build_object('id', ${p}.id, 'externalId', ${p}.external_id, 'givenName', ${p}.given_name, 'familyName', ${p}.family_name,
  'preferredName', ${p}.preferred_name, 'email', ${p}.email, 'staffType', ${p}.staff_type, 'gradeId', ${p}.grade_id, 'orgUnitId', ${p}.org_unit_id,
  'lineManagerId', ${p}.line_manager_id, 'status', ${p}.status, 'startDate', ${p}.start_date, 'leavingDate', ${p}.leaving_date, 'version', ${p}.version,
  'createdAt', ${p}.created_at, 'updatedAt', ${p}.updated_at)`

/** Audit records and events for rows just created: `select` gives (entity_id, view jsonb, at) per row, in creation order. */
async function trail(exec: Exec, action: string, entityType: string, select: string) {
  await exec(`insert into audit_records (occurred_at, actor, action, entity_type, entity_id, before, after, request_id)
    select at, '${ACTOR}', '${action}', '${entityType}', entity_id, null, view, null from (${select}) s`)
  await exec(`with s as (${select}), c as (select last_sequence from event_counter where id = 1)
    insert into events (sequence, type, entity_type, entity_id, occurred_at, actor, request_id, data)
    select (select last_sequence from c) + row_number() over (order by at, entity_id), '${action}', '${entityType}', entity_id, at, '${ACTOR}', null, view from s`)
  await exec(`update event_counter set last_sequence = (select coalesce(max(sequence), 0) from events) where id = 1`)
}

export async function generate(db: Kysely<any>, factor: number, log: (line: string) => void = () => {}, options: { structureOnly?: boolean } = {}): Promise<Generated> {
  const started = Date.now()
  const scale = scaleOf(factor)
  const exec: Exec = async (text) => {
    await sql.raw(text).execute(db)
  }
  const step = async (name: string, work: () => Promise<void>) => {
    const t = Date.now()
    await work()
    log(`  ${name}: ${((Date.now() - t) / 1000).toFixed(1)} s`)
  }
  const existing = await sql<{ n: number }>`select count(*)::int as n from people`.execute(db)
  if (existing.rows[0].n > 0) throw new Error('the database already holds people: generate into an empty, migrated database')
  const T0 = `'2024-01-01T00:00:00Z'::timestamptz`
  const org = orgLayout(scale)

  await step('grades', async () => {
    await exec(`insert into grades (id, external_id, code, name, staff_type, level, created_at, updated_at)
      select ${uuidSql('grade-', 'g.code')}, 'G-' || g.code, g.code, g.name, g.staff_type, g.level, ${T0}, ${T0}
      from (values ${GRADES.map(([c, n, s, l]) => `('${c}', '${n}', '${s}', ${l})`).join(',')}) as g(code, name, staff_type, level)`)
    await trail(exec, 'grade.created', 'grade', `select id::text as entity_id, jsonb_build_object('id', id, 'externalId', external_id, 'code', code, 'name', name, 'staffType', staff_type, 'level', level, 'version', version) as view, created_at as at from grades`)
  })

  await step(`org units (${org.total})`, async () => {
    // 1 service; business groups 2..9; boroughs after them, 6 per group; teams spread over the boroughs.
    await exec(`insert into org_units (id, external_id, name, kind, parent_id, created_at, updated_at)
      select ${uuidSql('ou-', 'n')}, 'OU' || n,
        case when n = 1 then 'Metropolitan Police Service' when n < ${org.firstBorough} then 'Business Group ' || (n - 1)
             when n < ${org.firstTeam} then 'Borough ' || (n - ${org.firstBorough} + 1) else 'Team ' || (n - ${org.firstTeam} + 1) end,
        case when n = 1 then 'service' when n < ${org.firstBorough} then 'business_group' when n < ${org.firstTeam} then 'borough' else 'team' end,
        case when n = 1 then null
             when n < ${org.firstBorough} then ${uuidSql('ou-', '1')}
             when n < ${org.firstTeam} then ${uuidSql('ou-', `2 + (n - ${org.firstBorough}) / 6`)}
             else ${uuidSql('ou-', `${org.firstBorough} + (n - ${org.firstTeam}) % ${org.boroughs}`)} end,
        ${T0} + n * interval '1 millisecond', ${T0} + n * interval '1 millisecond'
      from generate_series(1, ${org.total}) n`)
    await trail(exec, 'org-unit.created', 'org-unit', `select id::text as entity_id, jsonb_build_object('id', id, 'externalId', external_id, 'name', name, 'kind', kind, 'parentId', parent_id, 'status', status, 'version', version) as view, created_at as at from org_units`)
  })

  if (options.structureOnly) return { scale, counts: {}, seconds: (Date.now() - started) / 1000 }

  await step(`people (${scale.people})`, async () => {
    // Person i reports to person (i - 2) / 8 + 1: a tree of span 8. Depth 0 is the commissioner,
    // 1–2 senior officers in the service and business groups, 3 borough commanders, deeper in teams.
    await exec(`insert into people (id, external_id, given_name, family_name, preferred_name, email, staff_type, grade_id, org_unit_id, line_manager_id,
        status, start_date, leaving_date, created_at, updated_at)
      select ${uuidSql('person-', 'i')}, 'P' || lpad(i::text, 7, '0'),
        (${arr(GIVEN)})[1 + (i * 7) % ${GIVEN.length}],
        (${arr(FAMILY)})[1 + (i * 13 + i / 97) % ${FAMILY.length}],
        case when i % 11 = 0 then (${arr(GIVEN)})[1 + (i * 3) % ${GIVEN.length}] end,
        'p' || i || '@met.example.org',
        st, ${uuidSql('grade-', 'grade')},
        ${uuidSql('ou-', 'unit')},
        case when i = 1 then null else ${uuidSql('person-', '(i - 2) / 8 + 1')} end,
        case when i % 25 = 0 then 'left' else 'active' end,
        date '2000-01-01' + (i * 37) % 8000,
        case when i % 25 = 0 then date '2023-01-01' + i % 500 end,
        ${T0} + i * interval '10 millisecond', ${T0} + i * interval '10 millisecond'
      from (
        select i, depth,
          case when depth <= 3 or i % 10 < 6 then 'officer' when i % 10 < 9 then 'staff' else 'pcso' end as st,
          case when depth = 0 then 'COMM' when depth = 1 then 'AC' when depth = 2 then 'CMDR' when depth = 3 then 'CSUPT'
               when depth <= 4 or i % 10 < 6 then (array['PC', 'PC', 'PC', 'PC', 'PS', 'PS', 'INSP', 'CI'])[1 + i % 8]
               when i % 10 < 9 then (array['BAND_E', 'BAND_D', 'BAND_D', 'BAND_C', 'BAND_B'])[1 + i % 5] else 'PCSO' end as grade,
          case when depth = 0 then 1 when depth <= 2 then 2 + i % ${org.groups} when depth = 3 then ${org.firstBorough} + i % ${org.boroughs}
               else ${org.firstTeam} + i % ${org.teams} end as unit
        from (select i, floor(log(8, greatest(1, (i - 1) * 7 + 1)))::int as depth from generate_series(1, ${scale.people}) i) d
      ) p`)
    await trail(exec, 'person.created', 'person', `select p.id::text as entity_id, ${personView('p')} as view, p.created_at as at from people p`)
  })

  await step(`programmes (${scale.programmes}), cohorts (${scale.cohorts})`, async () => {
    const kinds = ['workshop', 'course', 'coaching', 'mentoring', 'programme', 'e_learning', 'conference', 'qualification']
    await exec(`insert into programmes (id, external_id, code, title, kind, aim, provider, delivery, eligible_level_min, eligible_level_max, default_capacity, status, created_at, updated_at)
      select ${uuidSql('programme-', 'n')}, 'PRG' || n, 'PRG-' || lpad(n::text, 4, '0'),
        (array['Leadership', 'IMPACT', 'Promoting Difference', 'Coaching', 'Investigation', 'Custody', 'Public Order', 'Wellbeing'])[1 + n % 8] || ' programme ' || n,
        (${arr(kinds)})[1 + n % ${kinds.length}],
        'Develops skills for role ' || n, 'Leadership Academy', (array['classroom', 'online', 'blended'])[1 + n % 3],
        case when n % 4 = 0 then 10 end, case when n % 4 = 0 then 60 end, 20,
        case when n % 10 = 0 then 'retired' when n % 10 = 1 then 'pilot' else 'active' end,
        ${T0} + n * interval '1 second', ${T0} + n * interval '1 second'
      from generate_series(1, ${scale.programmes}) n`)
    await exec(`insert into cohorts (id, external_id, programme_id, title, starts_on, ends_on, capacity, status, created_at, updated_at)
      select ${uuidSql('cohort-', 'n')}, 'COH' || n, ${uuidSql('programme-', `1 + n % ${scale.programmes}`)}, 'Cohort ' || n,
        date '2022-01-03' + (n * 3) % 1400, date '2022-01-03' + (n * 3) % 1400 + 2, 24,
        (array['completed', 'completed', 'running', 'open', 'planned', 'closed'])[1 + n % 6],
        ${T0} + n * interval '1 second', ${T0} + n * interval '1 second'
      from generate_series(1, ${scale.cohorts}) n`)
    await trail(exec, 'programme.created', 'programme', `select id::text as entity_id, jsonb_build_object('id', id, 'code', code, 'title', title, 'kind', kind, 'status', status, 'version', version) as view, created_at as at from programmes`)
    await trail(exec, 'cohort.created', 'cohort', `select id::text as entity_id, jsonb_build_object('id', id, 'programmeId', programme_id, 'title', title, 'startsOn', starts_on, 'endsOn', ends_on, 'capacity', capacity, 'status', status, 'version', version) as view, created_at as at from cohorts`)
  })

  await step(`enrolments (${scale.enrolments})`, async () => {
    // Enrolment k goes to cohort 1 + k % cohorts and person 1 + (k * 7919) % people: 7919 is prime
    // and k < people, so no person is enrolled twice and a cohort gets ~20 people.
    const statuses = ['completed', 'completed', 'attended', 'selected', 'approved', 'nominated', 'waitlisted', 'withdrawn', 'no_show', 'declined']
    await exec(`insert into enrolments (id, external_id, cohort_id, person_id, status, nomination_source, nominated_by, waitlisted_at, attendance, created_at, updated_at)
      select ${uuidSql('enrolment-', 'k')}, 'ENR' || k, ${uuidSql('cohort-', `1 + k % ${scale.cohorts}`)}, ${uuidSql('person-', `1 + (k::bigint * 7919) % ${scale.people}`)},
        st, (array['self', 'line_manager', 'hr'])[1 + k % 3], '${ACTOR}', case when st = 'waitlisted' then ${T0} + k * interval '1 second' end,
        case when st in ('completed', 'attended') then 'full' else 'none' end,
        ${T0} + k * interval '1 second', ${T0} + k * interval '1 second'
      from (select k, (${arr(statuses)})[1 + k % ${statuses.length}] as st from generate_series(1, ${scale.enrolments}) k) e`)
    await exec(`insert into enrolment_transitions (enrolment_id, from_status, to_status, action, actor, occurred_at)
      select id, null, 'nominated', 'nominate', '${ACTOR}', created_at from enrolments`)
    await trail(exec, 'enrolment.nominated', 'enrolment', `select id::text as entity_id, jsonb_build_object('id', id, 'cohortId', cohort_id, 'personId', person_id, 'status', status, 'version', version) as view, created_at as at from enrolments`)
  })

  for (const part of await moduleParts(db)) await step(part.name, () => part.run(exec, scale, T0))

  await step('analyze', () => exec('analyze'))
  const counts: Record<string, number> = {}
  const present = new Set((await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema()`.execute(db)).rows.map((r) => r.name))
  for (const table of ['org_units', 'grades', 'people', 'programmes', 'cohorts', 'enrolments', 'feedback_assessments', 'feedback_responses',
    'recommendations', 'recommendation_status_history', 'recommendation_evidence', 'recommendation_actions', 'panel_reviews',
    'learning_log_entries', 'learning_log_trail', 'audit_records', 'events']) {
    if (!present.has(table)) continue
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(db)
    counts[table] = rows[0].n
  }
  return { scale, counts, seconds: (Date.now() - started) / 1000 }
}

interface ModulePart {
  name: string
  run(exec: Exec, scale: Scale, t0: string): Promise<void>
}

/** The parts for modules whose tables exist in this database (added as those modules land). */
async function moduleParts(db: Kysely<any>): Promise<ModulePart[]> {
  const { rows } = await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema()`.execute(db)
  const tables = new Set(rows.map((r) => r.name))
  const parts: ModulePart[] = []
  if (tables.has('feedback_responses') && tables.has('framework_elements')) parts.push(feedbackPart)
  if (tables.has('recommendation_status_history')) parts.push(recommendationsPart)
  if (tables.has('learning_log_entries')) parts.push(learningLogsPart)
  return parts
}

/** 360° rounds: one published framework of 8 competencies × 5 behaviours; per assessment 15 raters who all answered. */
export const FEEDBACK = { competencies: 8, behavioursEach: 5, raters: 15, assessments: 4_000 }
export const feedbackAssessmentId = (n: number) => md5uuid(`fa-${n}`)

const feedbackPart: ModulePart = {
  name: '360° assessments (feedback)',
  async run(exec, scale, T0) {
    const { competencies, behavioursEach, raters } = FEEDBACK
    const behaviours = competencies * behavioursEach
    const assessments = Math.max(1, Math.round(FEEDBACK.assessments * (scale.people / 50_000)))
    await exec(`insert into frameworks (id, code, version_number, name, kind, status, published_at, created_at, updated_at)
      values (${uuidSql('fw-', "'bench'")}, 'BENCH-360', 1, 'Leadership behaviours (benchmark)', 'competency', 'published', ${T0}, ${T0}, ${T0})`)
    await exec(`insert into framework_elements (id, framework_id, parent_id, lineage_id, kind, code, title, polarity, position, created_at, updated_at)
      select ${uuidSql('fwe-c', 'c')}, ${uuidSql('fw-', "'bench'")}, null, ${uuidSql('fwl-c', 'c')}, 'competency', 'C' || c, 'Competency ' || c, 'positive', c, ${T0}, ${T0}
      from generate_series(1, ${competencies}) c`)
    await exec(`insert into framework_elements (id, framework_id, parent_id, lineage_id, kind, code, title, polarity, position, created_at, updated_at)
      select ${uuidSql('fwe-b', 'b')}, ${uuidSql('fw-', "'bench'")}, ${uuidSql('fwe-c', `1 + (b - 1) / ${behavioursEach}`)}, ${uuidSql('fwl-b', 'b')}, 'behaviour', 'B' || b,
        'Behaviour ' || b, case when b % 10 = 0 then 'negative' else 'positive' end, 100 + b, ${T0}, ${T0}
      from generate_series(1, ${behaviours}) b`)
    await exec(`insert into feedback_assessments (id, external_id, subject_id, framework_id, element_ids, purpose, opens_at, closes_at, status, opened_at, closed_at, released_at, created_at, updated_at)
      select ${uuidSql('fa-', 'n')}, 'FA' || n, ${uuidSql('person-', `1 + (n * 37) % ${scale.people}`)}, ${uuidSql('fw-', "'bench'")}, '{}', 'development',
        ${T0} + n * interval '1 hour', ${T0} + n * interval '1 hour' + interval '21 days', 'released',
        ${T0} + n * interval '1 hour', ${T0} + n * interval '1 hour' + interval '21 days', ${T0} + n * interval '1 hour' + interval '22 days',
        ${T0} + n * interval '1 hour', ${T0} + n * interval '1 hour' + interval '22 days'
      from generate_series(1, ${assessments}) n`)
    // Rater 1 is the subject; 2 the line manager; 3–7 peers; 8–12 direct reports; 13–15 others (external).
    const relationship = `case when k = 1 then 'self' when k = 2 then 'line_manager' when k <= 7 then 'peer' when k <= 12 then 'direct_report' else 'other' end`
    await exec(`insert into feedback_invitations (id, assessment_id, relationship, person_id, external_name, external_email, token_hash, status, responded_on, created_at, updated_at)
      select ${uuidSql('fi-', "n || '-' || k")}, ${uuidSql('fa-', 'n')}, ${relationship},
        case when k = 1 then ${uuidSql('person-', `1 + (n * 37) % ${scale.people}`)} end,
        case when k > 1 then 'Rater ' || k end, case when k > 1 then 'rater' || n || '-' || k || '@example.org' end,
        md5('token-a-' || n || '-' || k) || md5('token-b-' || n || '-' || k), 'submitted', date '2024-02-01' + n % 300,
        ${T0} + n * interval '1 hour', ${T0} + n * interval '1 hour'
      from generate_series(1, ${assessments}) n, generate_series(1, ${raters}) k`)
    await exec(`insert into feedback_responses (id, assessment_id, rater_group, ratings, comments)
      select ${uuidSql('fr-', "n || '-' || k")}, ${uuidSql('fa-', 'n')}, ${relationship},
        (select jsonb_object_agg(${uuidSql('fwe-b', 'b')}::text, case when (n + k + b) % 13 = 0 then null else 1 + (n * 7 + k * 3 + b * b) % 5 end)
           from generate_series(1, ${behaviours}) b),
        case when k % 3 = 0 then jsonb_build_array(jsonb_build_object('elementId', null, 'text', 'Clear about priorities; could delegate more (' || k || ')')) else '[]'::jsonb end
      from generate_series(1, ${assessments}) n, generate_series(1, ${raters}) k`)
    await trail(exec, 'assessment.created', 'assessment', `select id::text as entity_id, jsonb_build_object('id', id, 'subjectId', subject_id, 'frameworkId', framework_id, 'status', status, 'version', version) as view, created_at as at from feedback_assessments`)
  }
}

/** Recommendations: ~40 sources, 12 themes, 10,000 recommendations at scale 1 (each with its status history, 0–3 evidence items, actions, some panel reviews). */
export const RECOMMENDATIONS = { sources: 40, themes: 12, recommendations: 10_000 }

const recommendationsPart: ModulePart = {
  name: 'recommendations',
  async run(exec, scale, T0) {
    const n = Math.max(1, Math.round(RECOMMENDATIONS.recommendations * (scale.people / 50_000)))
    const sources = Math.min(RECOMMENDATIONS.sources, n)
    const org = orgLayout(scale)
    await exec(`insert into recommendation_sources (id, external_id, code, title, kind, issuing_body, published_on, reference, created_at, updated_at)
      select ${uuidSql('rs-', 's')}, 'RS' || s, 'SRC-' || lpad(s::text, 3, '0'),
        (array['Inquiry into custody', 'HMICFRS inspection', 'Internal audit', 'Independent review', 'Professional standards review'])[1 + s % 5] || ' ' || s,
        (array['inquiry', 'inspection', 'audit', 'review', 'internal'])[1 + s % 5], 'Issuing body ' || (1 + s % 7), date '2015-01-01' + s * 90, 'REF-' || s,
        ${T0} + s * interval '1 minute', ${T0} + s * interval '1 minute'
      from generate_series(1, ${sources}) s`)
    await exec(`insert into recommendation_themes (id, code, title, created_at, updated_at)
      select ${uuidSql('rt-', 't')}, 'T' || t, (array['Leadership', 'Custody', 'Training', 'Culture', 'Vetting', 'Stop and search', 'Wellbeing', 'Supervision', 'Data', 'Victims', 'Public order', 'Diversity'])[1 + (t - 1) % 12],
        ${T0}, ${T0}
      from generate_series(1, ${RECOMMENDATIONS.themes}) t`)
    await exec(`insert into recommendations (id, external_id, source_id, number, number_order, title, body, directed_to, area, owner_org_unit_id, owner_person_id,
        priority, impact, target_date, next_review_date, status, closure_reason, status_changed_at, last_activity_at, created_at, updated_at)
      select ${uuidSql('rec-', 'k')}, 'REC' || k, ${uuidSql('rs-', `1 + k % ${sources}`)}, (1 + k / ${sources})::text || case when k % 17 = 0 then 'a' else '' end, 1 + k / ${sources},
        'Recommendation ' || k || ' on ' || (array['supervision of custody', 'vetting checks', 'training records', 'stop and search data', 'victim updates', 'leadership development'])[1 + k % 6],
        'The force should review and improve its arrangements (' || k || ').', 'Commissioner', (array['Custody', 'Training', 'Vetting', 'Frontline', 'Corporate'])[1 + k % 5],
        case when k % 23 = 0 then null else ${uuidSql('ou-', `${org.firstBorough} + k % ${org.boroughs}`)} end,
        case when k % 23 = 0 or k % 3 <> 0 then null else ${uuidSql('person-', `1 + (k::bigint * 31) % ${scale.people}`)} end,
        (array['high', 'medium', 'low'])[1 + k % 3], (array['high', 'medium', 'low'])[1 + k % 3 / 2],
        date '2025-01-01' + (k * 7) % 900, case when k % 4 = 0 then null else date '2025-06-01' + (k * 11) % 700 end,
        st, case when st = 'closed' then (array['superseded', 'not_applicable', 'other'])[1 + k % 3] end,
        ${T0} + k * interval '1 hour', ${T0} + k * interval '1 hour' + ((k * 13) % 600) * interval '1 day',
        ${T0} + k * interval '1 minute', ${T0} + k * interval '1 hour'
      from (select k, (array['not_started', 'in_progress', 'in_progress', 'partially_embedded', 'embedded', 'embedded', 'continuing_challenge', 'closed'])[1 + k % 8] as st
            from generate_series(1, ${n}) k) r`)
    await exec(`insert into recommendation_theme_links (recommendation_id, theme_id)
      select ${uuidSql('rec-', 'k')}, ${uuidSql('rt-', `1 + (k + j * 5) % ${RECOMMENDATIONS.themes}`)} from generate_series(1, ${n}) k, generate_series(0, 1) j where j = 0 or k % 3 = 0`)
    // The history walks a path to the final status: created not_started, then one transition per step.
    await exec(`insert into recommendation_status_history (recommendation_id, from_status, to_status, closure_reason, rationale, via, actor, occurred_at)
      select r.id, case when i > 1 then p.path[i - 1] end, p.path[i], case when p.path[i] = 'closed' then r.closure_reason end,
        case when i > 1 then 'Progress reviewed' end, case when i = 1 then 'create' else 'transition' end, '${ACTOR}',
        r.created_at + (i - 1) * ((r.status_changed_at - r.created_at) / greatest(1, array_length(p.path, 1) - 1))
      from recommendations r join (values ('not_started', '{not_started}'::text[]), ('in_progress', '{not_started,in_progress}'),
          ('partially_embedded', '{not_started,in_progress,partially_embedded}'), ('embedded', '{not_started,in_progress,partially_embedded,embedded}'),
          ('continuing_challenge', '{not_started,in_progress,partially_embedded,continuing_challenge}'), ('closed', '{not_started,in_progress,closed}')) as p(status, path)
        on p.status = r.status, generate_series(1, array_length(p.path, 1)) i
      order by r.created_at, r.id, i`)
    // Evidence: k % 4 items per recommendation; some withdrawn, some expired (so some embedded ones have no current evidence).
    await exec(`insert into recommendation_evidence (id, recommendation_id, kind, title, description, effective_on, expires_on, submitted_by, withdrawn_at, withdrawn_by, withdrawal_reason, created_at, updated_at)
      select ${uuidSql('rev-', "k || '-' || j")}, ${uuidSql('rec-', 'k')}, (array['document', 'data', 'narrative', 'link'])[1 + (k + j) % 4], 'Evidence ' || j || ' for ' || k, 'Submitted for review',
        date '2024-01-01' + (k * 3 + j * 40) % 600, case when (k + j) % 5 = 0 then date '2024-01-01' + (k * 3 + j * 40) % 600 + 180 end, '${ACTOR}',
        case when (k + j) % 11 = 0 then ${T0} + k * interval '1 hour' + interval '30 days' end, case when (k + j) % 11 = 0 then '${ACTOR}' end,
        case when (k + j) % 11 = 0 then 'Superseded by newer data' end,
        ${T0} + k * interval '1 hour', ${T0} + k * interval '1 hour'
      from generate_series(1, ${n}) k, generate_series(1, 3) j where j <= k % 4`)
    // Actions: one per two recommendations, linked to it (every fifth also to the next one).
    await exec(`insert into recommendation_actions (id, external_id, title, description, owner_org_unit_id, owner_person_id, due_on, status, completed_on, created_at, updated_at)
      select ${uuidSql('ra-', 'a')}, 'RA' || a, 'Action ' || a, 'Deliver the change', ${uuidSql('ou-', `${org.firstBorough} + a % ${org.boroughs}`)},
        case when a % 2 = 0 then ${uuidSql('person-', `1 + (a::bigint * 53) % ${scale.people}`)} end,
        date '2025-01-01' + (a * 5) % 800, st, case when st = 'done' then date '2025-01-01' + (a * 5) % 800 end,
        ${T0} + a * interval '2 hour', ${T0} + a * interval '2 hour'
      from (select a, (array['open', 'in_progress', 'done', 'done', 'cancelled'])[1 + a % 5] as st from generate_series(1, greatest(1, ${n} / 2)) a) x`)
    await exec(`insert into recommendation_action_links (action_id, recommendation_id)
      select ${uuidSql('ra-', 'a')}, ${uuidSql('rec-', 'least(2 * a + j, ' + n + ')')} from generate_series(1, greatest(1, ${n} / 2)) a, generate_series(0, 1) j
      where (j = 0 or a % 5 = 0) and 2 * a + j <= ${n}`)
    await exec(`insert into challenge_panels (id, code, name, created_at, updated_at)
      select ${uuidSql('cp-', 'p')}, 'PANEL-' || p, 'Challenge panel ' || p, ${T0}, ${T0} from generate_series(1, 3) p`)
    await exec(`insert into challenge_panel_members (id, panel_id, name, membership, organisation, role, joined_on, created_at, updated_at)
      select ${uuidSql('cpm-', "p || '-' || m")}, ${uuidSql('cp-', 'p')}, 'Member ' || m, case when m <= 2 then 'external' else 'internal' end,
        case when m <= 2 then 'Community group' end, case when m = 1 then 'chair' else 'member' end, date '2023-01-01', ${T0}, ${T0}
      from generate_series(1, 3) p, generate_series(1, 5) m`)
    // Panel reviews for every fifth recommendation past in_progress (recorded after its last transition; no status change).
    await exec(`insert into panel_reviews (id, panel_id, recommendation_id, reviewed_on, verdict, rationale, next_review_on, status_before, status_after, recorded_by, created_at)
      select ${uuidSql('pr-', 'r.external_id')}, ${uuidSql('cp-', '1 + (substr(r.external_id, 4)::int) % 3')}, r.id, (r.status_changed_at + interval '10 days')::date,
        case r.status when 'embedded' then 'embedded' when 'partially_embedded' then 'partially_embedded' else 'not_embedded' end,
        'Reviewed the evidence submitted', r.next_review_date, r.status, r.status, '${ACTOR}', r.status_changed_at + interval '10 days'
      from recommendations r where substr(r.external_id, 4)::int % 5 = 0 and r.status in ('partially_embedded', 'embedded', 'continuing_challenge')`)
    // Each applied verdict has its history row, as the API writes it (so the reviews read `applied: true`).
    await exec(`insert into recommendation_status_history (recommendation_id, from_status, to_status, rationale, via, panel_review_id, actor, occurred_at)
      select recommendation_id, status_before, status_after, 'panel verdict ' || verdict || ': ' || rationale, 'panel_review', id, '${ACTOR}', created_at
      from panel_reviews order by created_at, id`)
    await exec(`insert into panel_review_members (review_id, member_id)
      select pr.id, m.id from panel_reviews pr join challenge_panel_members m on m.panel_id = pr.panel_id and m.role = 'chair'`)
    await trail(exec, 'recommendation-source.created', 'recommendation-source', `select id::text as entity_id, jsonb_build_object('id', id, 'code', code, 'title', title, 'kind', kind, 'version', version) as view, created_at as at from recommendation_sources`)
    await trail(exec, 'theme.created', 'theme', `select id::text as entity_id, jsonb_build_object('id', id, 'code', code, 'title', title, 'version', version) as view, created_at as at from recommendation_themes`)
    await trail(exec, 'recommendation.created', 'recommendation', `select id::text as entity_id, jsonb_build_object('id', id, 'sourceId', source_id, 'number', number, 'title', title, 'status', 'not_started', 'version', version) as view, created_at as at from recommendations`)
    await trail(exec, 'recommendation.updated', 'recommendation', `select h.recommendation_id::text as entity_id, jsonb_build_object('id', h.recommendation_id, 'status', h.to_status, 'from', h.from_status) as view, h.occurred_at as at from recommendation_status_history h where h.via = 'transition'`)
    await trail(exec, 'evidence.submitted', 'evidence', `select id::text as entity_id, jsonb_build_object('id', id, 'recommendationId', recommendation_id, 'kind', kind, 'title', title, 'effectiveOn', effective_on, 'expiresOn', expires_on) as view, created_at as at from recommendation_evidence`)
    await trail(exec, 'recommendation-action.created', 'recommendation-action', `select id::text as entity_id, jsonb_build_object('id', id, 'title', title, 'status', status, 'dueOn', due_on, 'version', version) as view, created_at as at from recommendation_actions`)
    await trail(exec, 'panel-review.recorded', 'panel-review', `select id::text as entity_id, jsonb_build_object('id', id, 'panelId', panel_id, 'recommendationId', recommendation_id, 'verdict', verdict, 'reviewedOn', reviewed_on) as view, created_at as at from panel_reviews`)
  }
}

/**
 * The text of learning-log entries: a vocabulary of domain words (most frequent) and made-up
 * words (from syllables), drawn with a Zipf-like law (rank r with probability ∝ 1/r, by taking
 * ranks log-uniformly), so a search term's selectivity depends on its rank as in real text.
 */
export const LEARNING = { entries: 100_000, vocabulary: 3_000 }
const DOMAIN_WORDS = ['custody', 'officer', 'briefing', 'supervision', 'radio', 'vehicle', 'pursuit', 'detention', 'handover', 'welfare', 'search', 'warrant',
  'evidence', 'statement', 'victim', 'witness', 'suspect', 'patrol', 'response', 'control', 'training', 'sergeant', 'inspector', 'risk', 'assessment',
  'safeguarding', 'mental', 'health', 'ambulance', 'firearms', 'taser', 'bodycam', 'footage', 'disclosure', 'interview', 'cell', 'checks', 'injury',
  'communication', 'delay', 'escalation', 'policy', 'procedure', 'guidance', 'learning', 'debrief', 'incident', 'commander', 'tactical', 'strategic',
  'crowd', 'protest', 'event', 'stadium', 'traffic', 'collision', 'forensic', 'exhibit', 'property', 'storage', 'record', 'system', 'database', 'login',
  'vetting', 'complaint', 'tribunal', 'grievance', 'wellbeing', 'fatigue', 'shift', 'rota', 'staffing', 'equipment', 'uniform', 'station', 'borough']
const SYLLABLES = ['ka', 'lo', 'mi', 'ren', 'tas', 'vo', 'bri', 'del', 'fen', 'gar', 'hol', 'jun', 'kir', 'lum', 'mor', 'nes', 'pol', 'quin', 'ros', 'sul',
  'tor', 'umb', 'vel', 'wen', 'yar', 'zet', 'cal', 'dro', 'eph', 'fal']
export const learningWord = (rank: number): string => {
  if (rank <= DOMAIN_WORDS.length) return DOMAIN_WORDS[rank - 1]
  const i = rank - DOMAIN_WORDS.length
  const s = SYLLABLES.length
  return SYLLABLES[i % s] + SYLLABLES[Math.floor(i / s) % s] + SYLLABLES[Math.floor(i / (s * s)) % s] + 'x'
}
/** Search terms for the workloads: a common word (in ~15 % of entries) and a rare one (~0.1 %); the fixture counts their matches. */
export const LEARNING_TERMS = { common: learningWord(25), selective: learningWord(2_900) }

const learningLogsPart: ModulePart = {
  name: 'learning logs',
  async run(exec, scale, T0) {
    const n = Math.max(1, Math.round(LEARNING.entries * (scale.people / 50_000)))
    const org = orgLayout(scale)
    const V = LEARNING.vocabulary
    const vocab = arr(Array.from({ length: V }, (_, i) => learningWord(i + 1)))
    // A word for entry k, position j, field f: a hash of (k, j, f) → u in [0,1), rank = floor(V^u).
    // x = a linear hash mod a prime, then x² mod p to break the lattice (all in bigint range).
    const x = (f: number) => `((k::bigint * 2654435761 + j * 40503 + ${f} * 977) % 1000003)`
    const word = (f: number) => `v.w[least(${V}, floor(power(${V}::float8, ((${x(f)} * ${x(f)} + ${x(f)} * 7) % 1000003) / 1000003.0))::int)]`
    const words = (f: number, count: string) => `(select string_agg(${word(f)}, ' ' order by j) from generate_series(1, ${count}) j)`
    const stages = `array['origin', 'challenge', 'accountability', 'platform', 'delivery', 'review', 'closed']`
    await exec(`insert into learning_log_entries (id, external_id, reference, title, summary, notes, kind, source_kind, source_reference, event_date, org_unit_id, identified_by_id,
        identified_on, dissemination, tags, stage, stage_entered_at, challenge_decision, action_by_org_unit_id, challenged_at, owner_id, level, smt_lead_id,
        review_integrated, review_improvement_seen, reviewed_at, closure_kind, closure_reason, closed_at, created_at, updated_at)
      select ${uuidSql('lle-', 'k')}, 'LLE' || k, 'OL-' || (2016 + k % 11) || '-' || lpad((1 + k / 11)::text, 4, '0'),
        initcap(${words(1, '4 + k % 5')}), ${words(2, '20 + k % 25')}, case when k % 3 = 0 then ${words(3, '10 + k % 20')} end,
        case when k % 6 = 0 then 'notable_practice' else 'lesson_identified' end,
        (array['operational_debrief', 'employment_tribunal', 'health_and_safety', 'inspection', 'audit', 'scrutiny', 'complaint', 'high_profile_event', 'risk_assessment', 'peer_assessment', 'corporate_tasking', 'other'])[1 + k % 12],
        'SRC-' || (k % 997), date '2016-01-01' + (k * 7) % 3950, ${uuidSql('ou-', `${org.firstTeam} + k % ${org.teams}`)}, ${uuidSql('person-', `1 + (k::bigint * 17) % ${scale.people}`)},
        date '2016-01-01' + (k * 7) % 3950 + 3, (array['internal_unit', 'organisation', 'public'])[1 + k % 3],
        array[(array['custody', 'training', 'public-order', 'safeguarding', 'it', 'wellbeing'])[1 + k % 6]],
        (${stages})[s], ${T0} + k * interval '5 minute' + s * interval '3 day',
        case when s >= 2 then case when s = 7 and k % 5 = 0 then 'no_action' else 'action_required' end end,
        case when s >= 3 then ${uuidSql('ou-', `${org.firstBorough} + k % ${org.boroughs}`)} end,
        case when s >= 2 then ${T0} + k * interval '5 minute' + interval '3 day' end,
        case when s >= 3 then ${uuidSql('person-', `1 + (k::bigint * 29) % ${scale.people}`)} end,
        case when s >= 3 then (array['ocu', 'ocu', 'business_group', 'management_board', 'corporate'])[1 + k % 5] end,
        case when s >= 3 and k % 5 = 4 then ${uuidSql('person-', `1 + k % 9`)} end,
        case when s = 7 and k % 5 <> 0 then (array['fully', 'partly', 'not'])[1 + k % 3] end, case when s = 7 and k % 5 <> 0 then k % 2 = 0 end,
        case when s = 7 and k % 5 <> 0 then ${T0} + k * interval '5 minute' + interval '15 day' end,
        case when s = 7 then case when k % 5 = 0 then 'no_action' else 'reviewed' end end, case when s = 7 then 'Closed after review' end,
        case when s = 7 then ${T0} + k * interval '5 minute' + s * interval '3 day' end,
        ${T0} + k * interval '5 minute', ${T0} + k * interval '5 minute' + s * interval '3 day'
      from (select k, 1 + (k * 7) % 13 / 2 as s from generate_series(1, ${n}) k) x, (select ${vocab} as w) v`)
    await exec(`insert into learning_log_reference_counters (year, last_number)
      select substr(reference, 4, 4)::int, max(substr(reference, 9)::int) from learning_log_entries group by 1`)
    // Trail: created, then one move per stage reached (the entry's stage index s is recovered from its stage).
    await exec(`insert into learning_log_trail (entry_id, kind, from_stage, to_stage, actor, occurred_at)
      select e.id, case when i = 1 then 'created' else 'moved' end, case when i > 1 then (${stages})[i - 1] end, (${stages})[i], '${ACTOR}',
        e.created_at + (i - 1) * interval '3 day'
      from learning_log_entries e, generate_series(1, array_position(${stages}, e.stage)) i
      order by e.created_at, e.id, i`)
    await trail(exec, 'learning-log-entry.created', 'learning-log-entry', `select id::text as entity_id, jsonb_build_object('id', id, 'reference', reference, 'title', title, 'kind', kind, 'sourceKind', source_kind, 'orgUnitId', org_unit_id, 'stage', 'origin', 'version', 1) as view, created_at as at from learning_log_entries`)
    await trail(exec, 'learning-log-entry.moved', 'learning-log-entry', `select entry_id::text as entity_id, jsonb_build_object('id', entry_id, 'from', from_stage, 'to', to_stage) as view, occurred_at as at from learning_log_trail where kind = 'moved'`)
  }
}

// Run directly: generate into DATABASE_URL (migrated first).
if (import.meta.url === `file://${process.argv[1]}`) {
  const { createDatabase } = await import('../src/db/database.js')
  const { migrateToLatest } = await import('../src/db/migrator.js')
  const args = process.argv.slice(2)
  const flag = (name: string) => {
    const i = args.indexOf(name)
    return i >= 0 ? args[i + 1] : undefined
  }
  const url = flag('--database-url') ?? process.env.DATABASE_URL
  if (!url) throw new Error('pass --database-url or set DATABASE_URL')
  const database = createDatabase({ databaseUrl: url })
  const { error } = await migrateToLatest(database.db)
  if (error) throw error
  const result = await generate(database.db, Number(flag('--scale') ?? 1), console.log)
  console.log(JSON.stringify(result, null, 2))
  await database.close()
}

import pg from 'pg'
import type { Kysely } from 'kysely'
import { sql } from 'kysely'
import { FEEDBACK, feedbackAssessmentId, LEARNING_TERMS, orgLayout, orgUnitId, personId, type Scale } from './generate.js'
import type { LoadSpec } from './load.js'

/** What a workload needs to know about the generated data, read once before the load. */
export interface Fixture {
  scale: Scale
  /** Cursor (as the API encodes it) of the row before the last page of people by family name. */
  lastPageCursor: string
  events: number
  businessGroups: string[]
  gradeId: string
  teamId: string
  managerId: string
  extra: Record<string, unknown>
}

export async function readFixture(db: Kysely<any>, scale: Scale): Promise<Fixture> {
  const total = (await sql<{ n: number }>`select count(*)::int as n from people`.execute(db)).rows[0].n
  const { rows } = await sql<{ family_name: string; given_name: string; id: string }>`
    select family_name, given_name, id from people order by family_name, given_name, id offset ${total - 51} limit 1`.execute(db)
  const k = rows[0]
  const lastPageCursor = Buffer.from(JSON.stringify({ s: 'familyName', k: [k.family_name, k.given_name, k.id] })).toString('base64url')
  const events = (await sql<{ n: number }>`select last_sequence::int as n from event_counter`.execute(db)).rows[0].n
  const org = orgLayout(scale)
  const grade = (await sql<{ id: string }>`select id from grades where code = 'PC'`.execute(db)).rows[0].id
  const tables = new Set((await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema()`.execute(db)).rows.map((r) => r.name))
  const feedbackAssessments = tables.has('feedback_assessments')
    ? (await sql<{ n: number }>`select count(*)::int as n from feedback_assessments where external_id like 'FA%'`.execute(db)).rows[0].n
    : 0
  // Learning-log search terms: how many entries each matches (for the table's titles).
  const learning: Record<string, number> = {}
  if (tables.has('learning_log_entries')) {
    learning.entries = (await sql<{ n: number }>`select count(*)::int as n from learning_log_entries`.execute(db)).rows[0].n
    for (const [name, term] of Object.entries(LEARNING_TERMS)) {
      learning[name] = (await sql<{ n: number }>`select count(*)::int as n from learning_log_entries where search @@ websearch_to_tsquery('english', ${term})`.execute(db)).rows[0].n
    }
  }
  const recommendations = tables.has('recommendations') ? (await sql<{ n: number }>`select count(*)::int as n from recommendations`.execute(db)).rows[0].n : 0
  return {
    scale,
    lastPageCursor,
    events,
    businessGroups: Array.from({ length: org.groups }, (_, i) => orgUnitId(2 + i)),
    gradeId: grade,
    teamId: orgUnitId(org.firstTeam),
    managerId: personId(100),
    extra: { feedbackAssessments, learning, recommendations }
  }
}

export interface Workload {
  name: string
  /** What the issue calls it, for the table. */
  title: string
  /** Reads are held to ≥ 60 % of the reference, creates to ≥ 40 %. */
  kind: 'read' | 'write' | 'paging'
  api: LoadSpec
  reference: LoadSpec
}

/** A deterministic sequence 0, 1, 2 … spread over `n` values by a large prime stride. */
function spread(n: number) {
  let i = 0
  return () => (i++ * 7919) % n
}

export function workloads(f: Fixture, token: string, runId: string): Workload[] {
  const auth = { authorization: `Bearer ${token}` }
  const people = f.scale.people
  const list: Workload[] = []

  {
    const a = spread(people)
    const b = spread(people)
    list.push({
      name: 'person-read',
      title: 'Point read of a person',
      kind: 'read',
      api: { headers: auth, next: () => ({ path: `/v1/people/${personId(1 + a())}` }) },
      reference: { next: () => ({ path: `/people/${personId(1 + b())}` }) }
    })
  }
  {
    let a = 0
    let b = 0
    const groups = f.businessGroups
    list.push({
      name: 'people-subtree-page',
      title: 'Page of 50 active people in an org subtree, by name',
      kind: 'read',
      api: { headers: auth, next: () => ({ path: `/v1/people?orgUnitId=${groups[a++ % groups.length]}&includeDescendants=true&status=active&sort=familyName&limit=50` }) },
      reference: { next: () => ({ path: `/people?orgUnitId=${groups[b++ % groups.length]}&limit=50` }) }
    })
  }
  list.push({
    name: 'people-first-page',
    title: 'First page of 50 people by name',
    kind: 'read',
    api: { headers: auth, next: () => ({ path: '/v1/people?limit=50&sort=familyName' }) },
    reference: { next: () => ({ path: '/people?limit=50' }) }
  })
  list.push({
    name: 'people-last-page',
    title: `Last page of 50 people by name (keyset, row ${people - 50} on)`,
    kind: 'paging',
    api: { headers: auth, next: () => ({ path: `/v1/people?limit=50&sort=familyName&cursor=${f.lastPageCursor}` }) },
    reference: { next: () => ({ path: `/people?limit=50&cursor=${f.lastPageCursor}` }) }
  })
  {
    const a = spread(Math.max(1, f.events - 500))
    const b = spread(Math.max(1, f.events - 500))
    list.push({
      name: 'events-page-500',
      title: 'Change-feed page of 500 events',
      kind: 'read',
      api: { headers: auth, next: () => ({ path: `/v1/events?after=${a()}&limit=500` }) },
      reference: { next: () => ({ path: `/events?after=${b()}&limit=500` }) }
    })
  }
  const assessments = Number(f.extra.feedbackAssessments ?? 0)
  if (assessments > 0) {
    const a = spread(assessments)
    const b = spread(assessments)
    list.push({
      name: 'feedback-360-report',
      title: `360° report (${FEEDBACK.raters} raters × ${FEEDBACK.competencies * FEEDBACK.behavioursEach} behaviours)`,
      kind: 'read',
      api: { headers: auth, next: () => ({ path: `/v1/assessments/${feedbackAssessmentId(1 + a())}/report` }) },
      reference: { next: () => ({ path: `/assessments/${feedbackAssessmentId(1 + b())}/report` }) }
    })
  }
  const learning = (f.extra.learning ?? {}) as Record<string, number>
  if (learning.entries) {
    for (const which of ['selective', 'common'] as const) {
      const term = LEARNING_TERMS[which]
      list.push({
        name: `learning-search-${which}`,
        title: `Learning-log text search, ${which} term (“${term}”: ${learning[which]} of ${learning.entries} entries), first page by relevance`,
        kind: 'read',
        api: { headers: auth, next: () => ({ path: `/v1/learning-log-entries?q=${encodeURIComponent(term)}` }) },
        reference: { next: () => ({ path: `/learning-log-entries?q=${encodeURIComponent(term)}` }) }
      })
    }
  }
  if (Number(f.extra.recommendations ?? 0) > 0) {
    list.push({
      name: 'recommendations-exceptions',
      title: `Recommendations exception report (${f.extra.recommendations} recommendations, 100 items per kind)`,
      kind: 'read',
      api: { headers: auth, next: () => ({ path: '/v1/recommendations/exceptions' }) },
      reference: { next: () => ({ path: '/recommendations/exceptions' }) }
    })
  }
  {
    let a = 0
    let b = 0
    const body = (prefix: string, n: number) =>
      JSON.stringify({ externalId: `${prefix}-${runId}-${n}`, givenName: 'Bench', familyName: `Create${n}`, staffType: 'officer', gradeId: f.gradeId, orgUnitId: f.teamId, lineManagerId: f.managerId })
    list.push({
      name: 'person-create',
      title: 'Create a person (row + audit + event, one transaction)',
      kind: 'write',
      api: { method: 'POST', headers: auth, next: () => ({ path: '/v1/people', body: body('API', a++) }) },
      reference: { method: 'POST', next: () => ({ path: '/people', body: body('REF', b++) }) }
    })
  }
  return list
}

export { pg }

import t from 'tap'
import { loadContract, operations } from './lib/contract.js'
import { client, percentile, report, round, type Client } from './lib/http.js'
import { sleep, startLoad, tally, type Operation } from './lib/load.js'
import { startServer, token } from './lib/server.js'
import { enrol, ok, openCohort, orgUnit, person, unique } from './lib/seed.js'

/**
 * A bounded soak: mixed reads (every list operation of the contract that needs no parameters,
 * so new modules join in) and writes (people, org units, programmes, enrolment moves) from 16
 * closed loops. Zero errors; p50/p99 per kind; RSS at start and end within a stated bound.
 */
process.env.RESILIENCE_FILE = 'soak'
const SECONDS = Number(process.env.SOAK_SECONDS ?? 180)
const WORKERS = Number(process.env.SOAK_WORKERS ?? 16)
/** RSS may grow by at most this much over the soak (after warm-up), and end below the ceiling. */
const RSS_GROWTH_MB = 64
const RSS_CEILING_MB = 400

const server = await startServer()
t.teardown(() => server.stop())
const api = client(server.base, token())

// Data for the writes: a unit, people each worker patches, an open cohort with places to move through.
const unit = await orgUnit(api)
const people: Array<{ id: string; version: number }> = []
for (let i = 0; i < WORKERS * 2; i++) people.push(await person(api, { orgUnitId: unit.id }))
const cohort = await openCohort(api, 1000)

const doc = loadContract()
const lists = operations(doc).filter(
  (o) =>
    o.method === 'GET' &&
    !o.path.includes('{') &&
    o.path.startsWith('/v1/') &&
    !o.path.endsWith('/export') &&
    !(o.parameters ?? []).some((p) => p.required) &&
    (o.security ?? []).some((req) => Object.keys(req).includes('oauth2'))
)

const nextPerson = (i: number) => people[i % people.length]
const ops: Operation[] = [
  ...lists.map((o) => {
    const paged = (o.parameters ?? []).some((p) => p.name === 'limit')
    return { name: `read ${o.operationId}`, weight: (6 / lists.length) * 10, run: (api: Client) => api.get(paged ? `${o.path}?limit=20` : o.path) }
  }),
  { name: 'read person', weight: 10, run: (api, i) => api.get(`/v1/people/${nextPerson(i).id}`) },
  { name: 'read people page', weight: 10, run: (api) => api.get(`/v1/people?orgUnitId=${unit.id}&includeDescendants=true&limit=50`) },
  { name: 'create person', weight: 6, run: (api, i) => api.post('/v1/people', { body: { givenName: 'Soak', familyName: `Person ${i}`, staffType: 'staff', externalId: unique('SOAK'), orgUnitId: unit.id } }) },
  { name: 'create org unit', weight: 3, run: (api, i) => api.post('/v1/org-units', { body: { name: `Soak unit ${i}`, kind: 'team', parentId: unit.id } }) },
  {
    name: 'patch person (If-Match)',
    weight: 6,
    async run(api, i) {
      // Each worker owns its people, so If-Match never races here (races are proved elsewhere).
      const who = people[(i * 7919) % people.length]
      const res = await api.patch(`/v1/people/${who.id}`, { body: { preferredName: `P${i % 1000}` }, headers: { 'if-match': `"${who.version}"` } })
      if (res.status === 200) who.version = res.json().version
      else if (res.status === 412) who.version = (await api.get(`/v1/people/${who.id}`)).json().version
      return res
    }
  },
  {
    name: 'nominate and approve',
    weight: 2,
    async run(api) {
      const someone = await person(api, { orgUnitId: unit.id })
      const nominated = await api.post(`/v1/cohorts/${cohort.id}/enrolments`, { body: { personId: someone.id, source: 'hr' } })
      if (nominated.status !== 201) return nominated
      return api.post(`/v1/enrolments/${nominated.json().id}/transitions`, { body: { action: 'approve', reason: 'soak' } })
    }
  },
  { name: 'change feed page', weight: 3, run: (api) => api.get('/v1/events?limit=200') },
  { name: 'audit page', weight: 2, run: (api) => api.get('/v1/audit-records?limit=50') }
]

t.test(`soak: ${SECONDS} s of mixed reads and writes, ${WORKERS} loops`, async (t) => {
  // The same people can be patched concurrently by two loops (i mod n); a 412 there is the
  // contract working, so a patch gets one retry with the fresh version before it counts.
  await enrol(api, cohort.id, 'selected')
  const warm = startLoad(api, ops, WORKERS)
  // Warm-up: the heap and the pools grow to their working size before RSS is taken as the start.
  await sleep(Math.min(20_000, Math.max(10_000, SECONDS * 100)))
  await warm.stop()
  await sleep(1000)
  const rssStart = server.rssKb()!
  const load = startLoad(api, ops, WORKERS, { timeoutMs: 30_000 })
  const samples: number[] = [rssStart]
  const until = performance.now() + SECONDS * 1000
  while (performance.now() < until) {
    await sleep(5000)
    samples.push(server.rssKb() ?? 0)
  }
  const outcomes = await load.stop()
  await sleep(1000)
  const rssEnd = server.rssKb()!

  const errors = outcomes.filter((o) => o.status === null || o.status >= 400)
  const patch412 = errors.filter((o) => o.op === 'patch person (If-Match)' && o.status === 412).length
  const realErrors = errors.filter((o) => !(o.op === 'patch person (If-Match)' && o.status === 412))
  t.same(realErrors.slice(0, 10).map((o) => `${o.op}: ${o.status ?? o.error}`), [], `zero errors in ${outcomes.length} requests`)
  const latencies = outcomes.map((o) => o.ms)
  const writes = outcomes.filter((o) => /create|patch|nominate/.test(o.op)).map((o) => o.ms)
  const reads = outcomes.filter((o) => !/create|patch|nominate/.test(o.op)).map((o) => o.ms)
  // The kinds behind the tail: each operation's p99, slowest first.
  const byOp = new Map<string, number[]>()
  for (const o of outcomes) {
    const ms = byOp.get(o.op) ?? byOp.set(o.op, []).get(o.op)!
    ms.push(o.ms)
  }
  const slowest = [...byOp].map(([op, ms]) => ({ op, n: ms.length, p50: percentile(ms, 50), p99: percentile(ms, 99) })).sort((a, b) => b.p99 - a.p99).slice(0, 5)
  const growthMb = (rssEnd - rssStart) / 1024
  t.ok(growthMb <= RSS_GROWTH_MB, `RSS grew ${round(growthMb)} MB (start ${round(rssStart / 1024)} MB, end ${round(rssEnd / 1024)} MB; bound +${RSS_GROWTH_MB} MB)`)
  t.ok(rssEnd / 1024 <= RSS_CEILING_MB, `RSS ends under ${RSS_CEILING_MB} MB`)
  report('6 soak', {
    seconds: SECONDS,
    loops: WORKERS,
    'read operations in the mix': lists.length + 4,
    requests: outcomes.length,
    'requests/s': round(outcomes.length / SECONDS),
    statuses: tally(outcomes),
    'errors (excluding If-Match 412 between loops)': realErrors.length,
    'If-Match 412 between loops': patch412,
    'p50 / p99 ms (all)': `${round(percentile(latencies, 50))} / ${round(percentile(latencies, 99))}`,
    'p50 / p99 ms (reads)': `${round(percentile(reads, 50))} / ${round(percentile(reads, 99))}`,
    'p50 / p99 ms (writes)': `${round(percentile(writes, 50))} / ${round(percentile(writes, 99))}`,
    'slowest kinds, p50 / p99 ms': slowest.map((s) => `${s.op} (${s.n}): ${round(s.p50)} / ${round(s.p99)}`).join('; '),
    'RSS start / end / max MB': `${round(rssStart / 1024)} / ${round(rssEnd / 1024)} / ${round(Math.max(...samples) / 1024)}`,
    'RSS bound': `growth ≤ ${RSS_GROWTH_MB} MB and end ≤ ${RSS_CEILING_MB} MB`
  })
  void ok
})

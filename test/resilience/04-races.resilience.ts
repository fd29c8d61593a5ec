import t from 'tap'
import { client, percentile, report, round } from './lib/http.js'
import { startServer, token } from './lib/server.js'
import { enrol, ok, openCohort, person, unique } from './lib/seed.js'

process.env.RESILIENCE_FILE = 'races'
const server = await startServer()
t.teardown(() => server.stop())
const api = client(server.base, token())
const CONCURRENCY = 50
const figures: Record<string, unknown> = {}

t.test(`${CONCURRENCY} concurrent PATCHes with the same If-Match: exactly one 200, the rest 412`, async (t) => {
  const rounds = 3
  const latencies: number[] = []
  for (let round = 0; round < rounds; round++) {
    const someone = await person(api)
    const results = await Promise.all(
      Array.from({ length: CONCURRENCY }, (_, i) =>
        api.patch(`/v1/people/${someone.id}`, { body: { preferredName: `Racer ${i}` }, headers: { 'if-match': `"${someone.version}"` } })
      )
    )
    latencies.push(...results.map((r) => r.ms))
    const statuses = results.map((r) => r.status)
    t.equal(statuses.filter((s) => s === 200).length, 1, `round ${round}: one 200`)
    t.equal(statuses.filter((s) => s === 412).length, CONCURRENCY - 1, `round ${round}: ${CONCURRENCY - 1} × 412 (${[...new Set(statuses)].join(', ')})`)
    const winner = results.find((r) => r.status === 200)!.json()
    const now = await ok(api.get(`/v1/people/${someone.id}`))
    t.equal(now.version, someone.version + 1, 'one change, one version')
    t.equal(now.preferredName, winner.preferredName, 'the stored value is the winner’s')
    const audit = await ok(api.get(`/v1/audit-records?entityId=${someone.id}&action=person.updated`))
    t.equal(audit.data.length, 1, 'one audit record for the one change')
  }
  figures['If-Match race'] = `${rounds} rounds × ${CONCURRENCY}: 1 × 200 + ${CONCURRENCY - 1} × 412 each; p99 ${round(percentile(latencies, 99))} ms`
})

t.test(`${CONCURRENCY} concurrent POSTs with the same Idempotency-Key: one resource`, async (t) => {
  const rounds = 3
  const outcome: Record<string, number> = {}
  for (let round = 0; round < rounds; round++) {
    const name = unique('Idem unit')
    const key = unique('key')
    const results = await Promise.all(
      Array.from({ length: CONCURRENCY }, () => api.post('/v1/org-units', { body: { name, kind: 'team' }, headers: { 'idempotency-key': key } }))
    )
    for (const r of results) outcome[r.status] = (outcome[r.status] ?? 0) + 1
    const created = results.filter((r) => r.status === 201)
    t.ok(created.length >= 1, `round ${round}: at least one 201`)
    t.equal(new Set(created.map((r) => r.json().id)).size, 1, 'every 201 names the same unit')
    t.equal(created.filter((r) => r.headers.get('idempotent-replayed') !== 'true').length, 1, 'exactly one answer is original, the others replays')
    for (const r of results.filter((r) => r.status !== 201)) {
      t.equal(r.status, 409, 'the rest are told the first is still in flight')
      t.equal(r.json().type, '/problems/idempotency-key-in-flight')
      t.ok(Number(r.headers.get('retry-after')) > 0, 'with Retry-After')
    }
    const units = await ok(api.get(`/v1/org-units?q=${encodeURIComponent(name)}`))
    t.equal(units.data.length, 1, 'one unit exists')
    const again = await api.post('/v1/org-units', { body: { name, kind: 'team' }, headers: { 'idempotency-key': key } })
    t.equal(again.status, 201)
    t.equal(again.headers.get('idempotent-replayed'), 'true')
    t.equal(again.json().id, created[0].json().id, 'a later retry replays the same unit')
  }
  figures['Idempotency-Key race'] = `${rounds} rounds × ${CONCURRENCY}: one unit each; answers ${JSON.stringify(outcome)}`
})

t.test('withdrawals racing for waitlist places never exceed capacity', async (t) => {
  const rounds = 6
  let promotions = 0
  for (let round = 0; round < rounds; round++) {
    // Two places, both taken; one person waits; one approved person HR tries to select at the same time.
    const cohort = await openCohort(api, 2)
    const holders = [await enrol(api, cohort.id, 'selected'), await enrol(api, cohort.id, 'selected')]
    const waiting = await enrol(api, cohort.id, 'waitlisted')
    const approved = await enrol(api, cohort.id, 'approved')
    const results = await Promise.all([
      ...holders.map((h) => api.post(`/v1/enrolments/${h.id}/transitions`, { body: { action: 'withdraw', reason: 'race' } })),
      api.post(`/v1/enrolments/${approved.id}/transitions`, { body: { action: 'select' } })
    ])
    t.same(results.slice(0, 2).map((r) => r.status), [200, 200], 'both withdrawals succeed')
    t.ok([200, 409].includes(results[2].status), `the direct selection is taken or refused (${results[2].status})`)
    const all = await ok(api.get(`/v1/cohorts/${cohort.id}/enrolments?limit=500`))
    const taken = all.data.filter((e: { status: string }) => ['selected', 'attended', 'completed'].includes(e.status))
    t.ok(taken.length <= 2, `places taken ${taken.length} ≤ capacity 2`)
    const w = all.data.find((e: { id: string }) => e.id === waiting.id)
    t.equal(w.status, 'selected', 'the waitlisted person was promoted into a freed place')
    const history = await ok(api.get(`/v1/enrolments/${waiting.id}/transitions`))
    t.equal(history.data.filter((h: { toStatus: string }) => h.toStatus === 'selected').length, 1, 'promoted once, not twice')
    promotions++
  }

  // One place, many waiting, the holder and a selected latecomer withdrawing at once, repeatedly.
  const cohort = await openCohort(api, 1)
  const holder = await enrol(api, cohort.id, 'selected')
  const queue = []
  for (let i = 0; i < 4; i++) queue.push(await enrol(api, cohort.id, 'waitlisted'))
  const results = await Promise.all([
    api.post(`/v1/enrolments/${holder.id}/transitions`, { body: { action: 'withdraw', reason: 'race' } }),
    api.post(`/v1/enrolments/${queue[2].id}/transitions`, { body: { action: 'withdraw', reason: 'race' } }),
    api.post(`/v1/enrolments/${queue[3].id}/transitions`, { body: { action: 'select' } })
  ])
  t.equal(results[0].status, 200)
  const all = await ok(api.get(`/v1/cohorts/${cohort.id}/enrolments?limit=500`))
  const taken = all.data.filter((e: { status: string }) => e.status === 'selected')
  t.equal(taken.length, 1, 'exactly the one place is taken')
  figures['waitlist race'] = `${rounds} rounds of 2 withdrawals + 1 selection (capacity 2) and 1 round (capacity 1): capacity never exceeded, ${promotions} single promotions`
})

t.test('report', async () => {
  report('4 races', figures)
})

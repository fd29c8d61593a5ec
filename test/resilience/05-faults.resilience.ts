import { createConnection } from 'node:net'
import t from 'tap'
import { clusterFromEnv, startCluster, stopCluster, withClient } from './lib/cluster.js'
import { client, report, round, slowUpload } from './lib/http.js'
import { sleep, startLoad, tally, type Operation } from './lib/load.js'
import { startServer, token } from './lib/server.js'
import { ok, person, unique } from './lib/seed.js'

process.env.RESILIENCE_FILE = 'faults'
const cluster = clusterFromEnv()
const adminUrl = process.env.RESILIENCE_ADMIN_URL!
const figures: Record<string, unknown> = {}
const admin = token()

const mixed = (tag: string): Operation[] => [
  { name: 'list people', weight: 4, run: (api) => api.get('/v1/people?limit=20') },
  { name: 'read problems', weight: 1, run: (api) => api.get('/v1/org-units?limit=5') },
  { name: 'create unit', weight: 2, run: (api, i) => api.post('/v1/org-units', { body: { name: `${tag} ${i}`, kind: 'team' } }) }
]

t.test('database restart under load: 503 with Retry-After while it is down, recovery within 5 s, no API restart', async (t) => {
  const server = await startServer()
  t.teardown(() => server.stop())
  const api = client(server.base, admin)
  await person(api)
  const load = startLoad(api, mixed(unique('restart')), 8, { timeoutMs: 10_000 })
  await sleep(1500)

  const downAt = load.now()
  stopCluster(cluster, 'fast')
  const stoppedAt = load.now()
  // While it is down: readiness says so, quickly.
  const readiness: Array<{ status: number | null; ms: number }> = []
  while (load.now() - stoppedAt < 3000) {
    const began = performance.now()
    try {
      const res = await fetch(`${server.base}/health/ready`, { signal: AbortSignal.timeout(5000) })
      readiness.push({ status: res.status, ms: performance.now() - began })
      await res.text()
    } catch {
      readiness.push({ status: null, ms: performance.now() - began })
    }
    await sleep(200)
  }
  startCluster(cluster)
  const upAt = load.now()
  // Keep the load on until both a read and a write succeeded after the database returned, and a bit more.
  let recoveredAt: number | undefined
  const deadline = upAt + 15_000
  while (load.now() < deadline) {
    const after = load.outcomes.filter((o) => o.at >= upAt && o.status !== null && o.status < 300)
    if (after.some((o) => o.op === 'create unit') && after.some((o) => o.op === 'list people')) {
      recoveredAt = Math.max(...[after.find((o) => o.op === 'create unit')!, after.find((o) => o.op === 'list people')!].map((o) => o.done))
      break
    }
    await sleep(50)
  }
  await sleep(1500)
  const outcomes = await load.stop()

  t.equal(server.child.exitCode, null, 'the API process was not restarted (it is still the same process)')
  t.ok(recoveredAt !== undefined, 'requests succeed again after the database returns')
  const recovery = recoveredAt! - upAt
  t.ok(recovery <= 5000, `recovered ${round(recovery)} ms after the database accepted connections again (≤ 5000 ms)`)

  const during = outcomes.filter((o) => o.at >= stoppedAt && o.done <= upAt)
  const unavailable = outcomes.filter((o) => o.status === 503)
  t.ok(unavailable.length > 0, `requests during the outage got 503 (${unavailable.length})`)
  for (const o of unavailable) {
    if (o.type !== '/problems/service-unavailable' || !o.retryAfter) {
      t.fail(`a 503 without the problem type or Retry-After: ${JSON.stringify(o)}`)
      break
    }
  }
  const bad = outcomes.filter((o) => o.status === null || (o.status >= 500 && o.status !== 503) || (o.status >= 400 && o.status < 500))
  t.same(bad.slice(0, 5), [], 'no request hung, failed to connect, crashed or was refused otherwise')
  const slowest503 = Math.max(0, ...unavailable.map((o) => o.ms))
  t.ok(slowest503 < 5000, `503s come fast, not after hanging (slowest ${round(slowest503)} ms)`)

  const readyDown = readiness.filter((r) => r.status !== null)
  t.ok(readyDown.length > 0 && readyDown.every((r) => r.status === 503), `/health/ready answered 503 throughout the outage (${readiness.map((r) => r.status).join(' ')})`)
  const ready = await fetch(`${server.base}/health/ready`)
  t.equal(ready.status, 200, '/health/ready is 200 again')

  figures['database restart'] = {
    requests: outcomes.length,
    statuses: tally(outcomes),
    duringOutage: tally(during),
    'outage (stop → start) ms': round(upAt - downAt),
    'recovery after start ms': round(recovery),
    'slowest 503 ms': round(slowest503),
    'readiness during outage': `${readiness.filter((r) => r.status === 503).length}/${readiness.length} × 503, slowest ${round(Math.max(...readiness.map((r) => r.ms)))} ms`
  }
})

t.test('graceful shutdown under load: accepted requests complete, new connections are refused, exit 0', async (t) => {
  const server = await startServer()
  const api = client(server.base, admin)
  // Some people to page through, so reads take a moment.
  const rows = Array.from({ length: 2000 }, (_, i) => JSON.stringify({ externalId: unique(`SD${i}`), givenName: 'Shut', familyName: `Down ${i}`, staffType: 'staff' })).join('\n')
  await ok(api.post('/v1/people/import', { raw: { contentType: 'application/x-ndjson', data: rows } }), 200, 'seed import')

  const load = startLoad(api, [
    { name: 'page of 500 people', weight: 3, run: (api) => api.get('/v1/people?limit=500') },
    { name: 'create unit', weight: 2, run: (api, i) => api.post('/v1/org-units', { body: { name: `Shutdown ${i}`, kind: 'team' } }) }
  ], 8)
  // Slow uploads: accepted, and still arriving when the signal comes.
  let uploadsDone = 0
  const uploads = Array.from({ length: 3 }, (_, u) => slowImport(server.base, admin, u, 4000).finally(() => uploadsDone++))
  await sleep(800)
  const signalAt = load.now()
  const began = performance.now()
  server.child.kill('SIGTERM')
  // New connections are refused as soon as the server stops listening, while the uploads still drain.
  let fresh: 'refused' | 'accepted' = 'accepted'
  while (fresh === 'accepted' && performance.now() - began < 3000) {
    await sleep(25)
    fresh = await tryConnect(server.port)
  }
  const refusedAfter = performance.now() - began
  const uploadsDoneWhenRefused = uploadsDone
  const outcomes = await load.stop()
  const exit = await server.exited
  const drainMs = performance.now() - began
  const uploaded = await Promise.all(uploads)

  t.equal(fresh, 'refused', `a new connection after SIGTERM is refused (${round(refusedAfter)} ms after the signal)`)
  t.equal(uploadsDoneWhenRefused, 0, 'refused while accepted requests were still in flight')
  t.same(exit, { code: 0, signal: null }, 'the process exits 0')
  t.ok(drainMs < 30_000, `within the shutdown timeout (30 s): ${round(drainMs)} ms`)
  for (const [i, u] of uploaded.entries()) {
    t.equal(u.status, 200, `slow upload ${i}, in flight at SIGTERM, completed (${u.status} ${u.error ?? ''})`)
  }
  const accepted = outcomes.filter((o) => o.at < signalAt - 50)
  const failedAccepted = accepted.filter((o) => o.status === null || o.status >= 300)
  t.same(failedAccepted.slice(0, 5), [], `every request sent before SIGTERM completed (${accepted.length})`)
  const late = outcomes.filter((o) => o.at >= signalAt)
  const lateWrong = late.filter((o) => o.status !== null && o.status !== 503 && (o.status < 200 || o.status >= 300))
  t.same(lateWrong, [], 'requests sent after SIGTERM were completed, answered 503, or not accepted')

  // What the uploads wrote is there: they committed before the process went.
  const check = await startServer()
  t.teardown(() => check.stop())
  const people = await ok(client(check.base, admin).get(`/v1/people?externalId=${encodeURIComponent(uploaded[0].firstExternalId)}`))
  t.equal(people.data.length, 1, 'the upload in flight at SIGTERM was committed')
  figures['graceful shutdown'] = {
    'requests before SIGTERM (all completed)': accepted.length,
    'after SIGTERM': tally(late),
    'slow uploads in flight, completed': `${uploaded.filter((u) => u.status === 200).length}/${uploaded.length}`,
    'new connections refused after SIGTERM ms': round(refusedAfter),
    'SIGTERM → exit ms': round(drainMs),
    exit: exit.code
  }
})

t.test('kill -9 in the middle of an atomic import of 50,000 people: nothing of it is written, the job reads failed', async (t) => {
  const server = await startServer({ IMPORT_JOB_THRESHOLD_BYTES: '0' })
  const api = client(server.base, admin)
  const prefix = unique('K9')
  const lines = ['externalId,givenName,familyName,staffType']
  for (let i = 0; i < 50_000; i++) lines.push(`${prefix}-${i},Given${i},Family${i},officer`)
  const accepted = await api.post('/v1/people/import', { raw: { contentType: 'text/csv', data: lines.join('\n') + '\n' } })
  t.equal(accepted.status, 202, 'the import runs as a job')
  const job = accepted.json()
  let progress = { state: 'queued', rowsRead: 0 }
  const until = Date.now() + 60_000
  while (Date.now() < until) {
    progress = await ok(api.get(`/v1/imports/${job.id}`))
    if (progress.state === 'running' && progress.rowsRead >= 5000) break
    if (progress.state === 'succeeded' || progress.state === 'failed') break
    await sleep(50)
  }
  t.equal(progress.state, 'running', `the job is running (${progress.rowsRead} rows read) when the process is killed`)
  t.ok(progress.rowsRead < 50_000, 'part way through')
  server.child.kill('SIGKILL')
  const exit = await server.exited
  t.equal(exit.signal, 'SIGKILL')

  const written = await withClient(adminUrl, async (c) => {
    const people = await c.query(`select count(*)::int as n from people where external_id like $1`, [`${prefix}-%`])
    const audit = await c.query(`select count(*)::int as n from audit_records where entity_type = 'person' and after->>'externalId' like $1`, [`${prefix}-%`])
    const events = await c.query(`select count(*)::int as n from events where type = 'person.created' and data->>'externalId' like $1`, [`${prefix}-%`])
    return { people: people.rows[0].n, audit: audit.rows[0].n, events: events.rows[0].n }
  })
  t.same(written, { people: 0, audit: 0, events: 0 }, 'no person, audit record or event of the import exists')

  const began = performance.now()
  const again = await startServer({ IMPORT_JOB_THRESHOLD_BYTES: '0' })
  t.teardown(() => again.stop())
  const api2 = client(again.base, admin)
  let after = await ok(api2.get(`/v1/imports/${job.id}`))
  while (after.state === 'running' || after.state === 'queued') {
    if (performance.now() - began > 60_000) break
    await sleep(200)
    after = await ok(api2.get(`/v1/imports/${job.id}`))
  }
  const failedAfter = performance.now() - began
  t.equal(after.state, 'failed', 'the job reads failed, not running')
  // On PostgreSQL a job belongs to the replica running it until its 30 s lease lapses unrenewed.
  t.ok(failedAfter <= 45_000, `it reads failed within the job lease after the restart (${round(failedAfter)} ms)`)
  t.match(after.error ?? '', /interrupted|restart|nothing was written/i, `and says why: ${after.error}`)
  t.equal(after.rowsWritten, 0, 'rowsWritten is 0')
  figures['killed import'] = {
    'rows read when killed': progress.rowsRead,
    'rows written after restart': written,
    'job state after restart': after.state,
    'restart → job reads failed ms': round(failedAfter)
  }
})

t.test('report', async () => {
  report('5 faults', figures)
})

/** An import of 200 NDJSON rows sent in slices over `spreadMs`, so it is in flight for that long. */
async function slowImport(base: string, bearer: string, n: number, spreadMs: number) {
  const rows = Array.from({ length: 200 }, (_, i) => JSON.stringify({ externalId: `SLOW-${process.pid}-${n}-${i}`, givenName: 'Slow', familyName: `Upload ${i}`, staffType: 'staff' }) + '\n')
  const slices = Array.from({ length: 10 }, (_, s) => rows.slice(s * 20, (s + 1) * 20).join(''))
  const res = await slowUpload(base, '/v1/people/import', { token: bearer, contentType: 'application/x-ndjson', slices, spreadMs })
  return { status: res.status, error: res.status === 200 ? undefined : res.error ?? res.text.slice(0, 200), firstExternalId: `SLOW-${process.pid}-${n}-0` }
}

function tryConnect(port: number): Promise<'refused' | 'accepted'> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    socket.once('connect', () => {
      socket.destroy()
      resolve('accepted')
    })
    socket.once('error', () => resolve('refused'))
  })
}


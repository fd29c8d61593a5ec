import t from 'tap'
import { buildPeopleApp, csv, ndjson } from './factories.js'

const api = await buildPeopleApp()
t.teardown(() => api.close())

const N = 5000
const SPAN = 10
const COLUMNS = ['externalId', 'givenName', 'familyName', 'email', 'staffType', 'gradeCode', 'orgUnitExternalId', 'lineManagerExternalId', 'startDate']

/**
 * N people in a realistic shape: rank 0 is the chief, rank r reports to rank floor((r-1)/10)
 * (ten reports each, five levels). The file lists the most junior first, so every line manager
 * appears later in the file than their reports.
 */
function peopleCsv(): string {
  const rows: Array<Record<string, unknown>> = []
  for (let position = 0; position < N; position++) {
    const rank = N - 1 - position
    rows.push({
      externalId: `EMP${String(rank).padStart(5, '0')}`,
      givenName: ['Amara', 'Ben', 'Chen', 'Dev', 'Ewa', 'Femi'][rank % 6],
      familyName: `Surname${rank}`,
      email: `emp${rank}@met.example.org`,
      staffType: rank % 3 === 0 ? 'staff' : 'officer',
      gradeCode: rank % 3 === 0 ? 'BAND_D' : rank < 111 ? 'PS' : 'PC',
      orgUnitExternalId: `OU${rank % 20}`,
      lineManagerExternalId: rank === 0 ? null : `EMP${String(Math.floor((rank - 1) / SPAN)).padStart(5, '0')}`,
      startDate: `20${String(10 + (rank % 14)).padStart(2, '0')}-0${1 + (rank % 9)}-15`
    })
  }
  return csv(COLUMNS, rows)
}

/** Imports, following the job when the body is over the threshold (or the caller asks). */
async function importFile(body: string, headers: Record<string, string> = {}) {
  const res = await api.import('people', body, 'text/csv', '', { headers })
  if (res.statusCode === 200) return { result: res.json(), progress: [] as number[] }
  t.equal(res.statusCode, 202, res.body.slice(0, 500))
  const location = res.headers.location as string
  const progress: number[] = []
  for (;;) {
    const job = (await api.get(location)).json()
    progress.push(job.rowsRead)
    if (job.state === 'succeeded' || job.state === 'failed') return { result: job.result, progress, job }
    await new Promise((r) => setTimeout(r, 100))
  }
}

t.test(`${N} people from one CSV, managers after their reports, then the same file again`, async (t) => {
  await api.import('grades', ndjson([
    { externalId: 'g-pc', code: 'PC', name: 'Police Constable', staffType: 'officer', level: 10 },
    { externalId: 'g-ps', code: 'PS', name: 'Police Sergeant', staffType: 'officer', level: 20 },
    { externalId: 'g-d', code: 'BAND_D', name: 'Band D', staffType: 'staff', level: 10 }
  ]), 'application/x-ndjson')
  await api.import('org-units', ndjson(Array.from({ length: 20 }, (_, i) => ({ externalId: `OU${i}`, name: `Borough ${i}`, kind: 'borough' }))), 'application/x-ndjson')

  const body = peopleCsv()
  t.comment(`CSV body: ${(body.length / 1024).toFixed(0)} KiB`)

  // First as a job, watching its progress, as a script would.
  let started = Date.now()
  const first = await importFile(body, { prefer: 'respond-async' })
  const firstMs = Date.now() - started
  t.equal(first.job?.state, 'succeeded')
  t.same(first.result.counts, { read: N, created: N, updated: 0, unchanged: 0, failed: 0 })
  t.same(first.result.failures, [])
  t.ok(first.progress.every((n, i) => i === 0 || n >= first.progress[i - 1]), 'rowsRead never goes backwards')
  t.comment(`first import: ${firstMs} ms, ${Math.round(N / (firstMs / 1000))} rows/s`)

  const chief = (await api.get('/v1/people?externalId=EMP00000')).json().data[0]
  t.equal(chief.lineManagerId, null)
  const direct = (await api.get(`/v1/people/${chief.id}/reports?limit=500`)).json().data
  t.same(direct.map((p: { externalId: string }) => p.externalId).sort(), Array.from({ length: SPAN }, (_, i) => `EMP${String(i + 1).padStart(5, '0')}`))
  const junior = (await api.get('/v1/people?externalId=EMP04999')).json().data[0]
  const manager = (await api.get(`/v1/people?externalId=EMP00499`)).json().data[0]
  t.equal(junior.lineManagerId, manager.id, 'the first line of the file points at a manager 4,500 lines later')
  t.equal(junior.version, 1)
  const everyone = await api.all('/v1/people?limit=500')
  t.equal(everyone.length, N)
  t.equal(everyone.filter((p) => p.lineManagerId === null).length, 1, 'everyone but the chief has a manager')

  // Then the same file again, answered directly: nothing to do.
  const mark = await api.trailMark()
  started = Date.now()
  const second = await importFile(body)
  const secondMs = Date.now() - started
  t.same(second.result.counts, { read: N, created: 0, updated: 0, unchanged: N, failed: 0 })
  t.same(await api.trailMark(), mark, 'no audit records or events')
  t.comment(`re-import: ${secondMs} ms, ${Math.round(N / (secondMs / 1000))} rows/s`)
})

import t from 'tap'
import { buildPeopleApp, csv, ndjson, unique, type Call } from './factories.js'

// Files over 4 KiB run as jobs here, so both paths are exercised with small files.
const THRESHOLD = 4096
const api = await buildPeopleApp({ IMPORT_JOB_THRESHOLD_BYTES: String(THRESHOLD) })
t.teardown(() => api.close())

const row = (externalId: string, fields: Record<string, unknown> = {}) => ({ externalId, givenName: 'Jo', familyName: externalId, staffType: 'officer', ...fields })
const ASYNC = { prefer: 'respond-async' }

/** Imports and returns the result, following the job when the API answers 202. */
async function importResult(resource: string, body: string, type: string, call: Call = {}) {
  const res = await api.import(resource, body, type, '', call)
  if (res.statusCode === 200) return res.json()
  if (res.statusCode !== 202) throw new Error(`import → ${res.statusCode}: ${res.body}`)
  const job = await api.waitForJob(res.headers.location as string, 60_000, call)
  return job.result
}

t.test('Prefer: respond-async answers 202 with a Location to poll until the job succeeds', async (t) => {
  const p = unique('job')
  const res = await api.import('people', ndjson([row(`${p}-1`, { lineManagerExternalId: `${p}-2` }), row(`${p}-2`)]), 'application/x-ndjson', '', { headers: ASYNC })
  t.equal(res.statusCode, 202)
  const job = res.json()
  t.equal(res.headers.location, `/v1/imports/${job.id}`)
  t.match(job, { resource: 'people', format: 'ndjson', dryRun: false, atomic: true })
  t.ok(['queued', 'running', 'succeeded'].includes(job.state))
  t.notOk('principal' in job, 'the owner is not part of the response')

  const done = await api.waitForJob(res.headers.location as string)
  t.match(done, { state: 'succeeded', rowsRead: 2, rowsWritten: 2, rowsFailed: 0, error: null })
  t.ok(done.finishedAt)
  t.same(done.result.counts, { read: 2, created: 2, updated: 0, unchanged: 0, failed: 0 })
  t.match(done.result, { committed: true })
  const one = (await api.get(`/v1/people?externalId=${p}-1`)).json().data[0]
  const two = (await api.get(`/v1/people?externalId=${p}-2`)).json().data[0]
  t.equal(one.lineManagerId, two.id)
})

t.test('a body over the job threshold runs as a job without being asked', async (t) => {
  const p = unique('big')
  const body = ndjson(Array.from({ length: 80 }, (_, i) => row(`${p}-${i}`)))
  t.ok(body.length > THRESHOLD)
  const res = await api.import('people', body, 'application/x-ndjson')
  t.equal(res.statusCode, 202)
  const done = await api.waitForJob(res.headers.location as string)
  t.equal(done.state, 'succeeded')
  t.same(done.result.counts, { read: 80, created: 80, updated: 0, unchanged: 0, failed: 0 })
  t.equal(done.bytes, Buffer.byteLength(body))

  const small = await api.import('people', ndjson([row(`${p}-small`)]), 'application/x-ndjson')
  t.equal(small.statusCode, 200, 'a small body without Prefer is answered at once')
})

t.test('a job whose atomic import has a bad row fails, reports the rows and writes nothing', async (t) => {
  const p = unique('badjob')
  const res = await api.import('people', csv(['externalId', 'givenName', 'familyName', 'staffType', 'lineManagerExternalId'], [
    row(`${p}-1`),
    row(`${p}-2`, { lineManagerExternalId: `${p}-ghost` })
  ]), 'text/csv', '', { headers: ASYNC })
  t.equal(res.statusCode, 202)
  const done = await api.waitForJob(res.headers.location as string)
  t.equal(done.state, 'failed')
  t.equal(done.rowsWritten, 0)
  t.equal(done.rowsFailed, 1)
  t.match(done.result, { committed: false, counts: { read: 2, created: 1, failed: 1 }, failures: [{ line: 3, errors: [{ pointer: '/lineManagerExternalId' }] }] })
  t.same((await api.get(`/v1/people?externalId=${p}-1`)).json().data, [])
})

t.test('a dry-run job reports without writing', async (t) => {
  const p = unique('dryjob')
  const res = await api.import('people', ndjson([row(`${p}-1`)]), 'application/x-ndjson', 'dryRun=true', { headers: ASYNC })
  const done = await api.waitForJob(res.headers.location as string)
  t.match(done, { state: 'succeeded', dryRun: true, rowsWritten: 0, result: { committed: false, counts: { created: 1 } } })
  t.same((await api.get(`/v1/people?externalId=${p}-1`)).json().data, [])
})

t.test('a job is visible to the caller who started it and to administrators only', async (t) => {
  const owner = { scopes: ['people:write'], sub: 'hr-system' }
  const res = await api.import('people', ndjson([row(unique('own'))]), 'application/x-ndjson', '', { ...owner, headers: ASYNC })
  t.equal(res.statusCode, 202)
  const location = res.headers.location as string
  await api.waitForJob(location, 60_000, owner)
  t.equal((await api.get(location, owner)).statusCode, 200)
  t.equal((await api.get(location, { scopes: ['people:read'], sub: 'hr-system' })).statusCode, 200, 'the same subject with other scopes')
  const other = await api.get(location, { scopes: ['people:write'], sub: 'someone-else' })
  t.equal(other.statusCode, 404, 'another caller cannot tell the job exists')
  t.equal(other.json().type, '/problems/not-found')
  t.equal((await api.get(location, { scopes: ['admin'], sub: 'an-administrator' })).statusCode, 200)
  t.equal((await api.get('/v1/imports/00000000-0000-4000-8000-000000000000')).statusCode, 404)
  t.equal((await api.app.inject({ method: 'GET', url: location })).statusCode, 401)
})

t.test('people export as NDJSON by default and as CSV by Accept or ?format=csv', async (t) => {
  const p = unique('exp')
  await api.import('people', ndjson([row(`${p}-1`, { givenName: 'Zoë, "Zed"', email: `${p}@example.org` })]), 'application/x-ndjson')
  const nd = await api.get('/v1/people/export')
  t.equal(nd.statusCode, 200)
  t.match(nd.headers['content-type'], /application\/x-ndjson/)
  t.match(nd.headers['content-disposition'], /attachment; filename="people-\d{4}-\d{2}-\d{2}\.ndjson"/)
  const mine = nd.body.trim().split('\n').map((l) => JSON.parse(l)).find((r) => r.externalId === `${p}-1`)
  t.same(mine, {
    externalId: `${p}-1`, givenName: 'Zoë, "Zed"', familyName: `${p}-1`, preferredName: null, email: `${p}@example.org`, staffType: 'officer',
    gradeExternalId: null, gradeCode: null, orgUnitExternalId: null, lineManagerExternalId: null, status: 'active', startDate: null, leavingDate: null
  })

  for (const call of [{ headers: { accept: 'text/csv' } }, {}]) {
    const res = await api.get(`/v1/people/export${'headers' in call ? '' : '?format=csv'}`, call)
    t.equal(res.statusCode, 200)
    t.match(res.headers['content-type'], /text\/csv/)
    const [header] = res.body.split('\n')
    t.equal(header, 'externalId,givenName,familyName,preferredName,email,staffType,gradeExternalId,gradeCode,orgUnitExternalId,lineManagerExternalId,status,startDate,leavingDate')
    t.match(res.body, `"Zoë, ""Zed"""`, 'cells with commas and quotes are quoted')
  }
  t.equal((await api.get('/v1/people/export', { headers: { accept: 'application/xml' } })).statusCode, 406)
  t.equal((await api.get('/v1/people/export', { scopes: ['diversity:read'] })).statusCode, 403)
})

t.test('exporting then importing the export reports every row unchanged, in NDJSON and in CSV', async (t) => {
  const p = unique('rt')
  const grades = await importResult('grades', ndjson([
    { externalId: `${p}-g1`, code: `${p}-INSP`, name: 'Inspector', staffType: 'officer', level: 30 },
    { externalId: `${p}-g2`, code: `${p}-B`, name: 'Band B', staffType: 'staff', level: 30 }
  ]), 'application/x-ndjson')
  t.equal(grades.counts.created, 2)
  const units = await importResult('org-units', ndjson([
    { externalId: `${p}-team`, name: 'Team, "North"', kind: 'team', parentExternalId: `${p}-bg` },
    { externalId: `${p}-bg`, name: 'Specialist Operations', kind: 'business_group', status: 'closed' }
  ]), 'application/x-ndjson')
  t.equal(units.counts.created, 2)
  const people = await importResult('people', ndjson([
    row(`${p}-a`, { lineManagerExternalId: `${p}-b`, orgUnitExternalId: `${p}-team`, gradeExternalId: `${p}-g1`, startDate: '2015-06-01', preferredName: 'Al' }),
    row(`${p}-b`, { orgUnitExternalId: `${p}-bg`, gradeExternalId: `${p}-g2`, staffType: 'staff', status: 'left', leavingDate: '2023-12-31', email: `${p}.b@example.org` })
  ]), 'application/x-ndjson')
  t.equal(people.counts.created, 2)

  for (const resource of ['grades', 'org-units', 'people']) {
    for (const format of ['ndjson', 'csv']) {
      const exported = await api.get(`/v1/${resource}/export?format=${format}`)
      t.equal(exported.statusCode, 200)
      const mark = await api.trailMark()
      const result = await importResult(resource, exported.body, format === 'csv' ? 'text/csv' : 'application/x-ndjson')
      const rows = exported.body.trim().split('\n').length - (format === 'csv' ? 1 : 0)
      t.same(result.counts, { read: rows, created: 0, updated: 0, unchanged: rows, failed: 0 }, `${resource} as ${format}`)
      t.same(await api.trailMark(), mark, `${resource} as ${format}: no audit records or events`)
    }
  }
})

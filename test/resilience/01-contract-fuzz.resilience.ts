import fc from 'fast-check'
import t from 'tap'
import { HOSTILE_STRINGS, hostileValue, SchemaArbitraries, deepJson } from './lib/arbitraries.js'
import { ContractChecker, fillPath, isRaterOnly, loadContract, operations, type Op } from './lib/contract.js'
import { client, percentile, report, round, send, type Sent } from './lib/http.js'
import { startServer, token } from './lib/server.js'
import { enrol, ok, openCohort, orgUnit, grade, person } from './lib/seed.js'

/**
 * Contract fuzzing: for every operation of openapi/openapi.json (read now, so new modules'
 * operations are in), requests generated from its schemas — valid ones and hostile ones — must
 * never give a 5xx, and every answer must have a status the operation documents and a body valid
 * against the documented schema. FUZZ_SEED and FUZZ_RUNS (per operation) change the run.
 */
process.env.RESILIENCE_FILE = 'fuzz'
const SEED = Number(process.env.FUZZ_SEED ?? 20_250_917)
const RUNS = Number(process.env.FUZZ_RUNS ?? 20)
const doc = loadContract()
const checker = new ContractChecker(doc)
const arbs = new SchemaArbitraries(doc)
const ops = operations(doc)
const bearer = token()

const server = await startServer()
t.teardown(() => server.stop())
const api = client(server.base, bearer)

// Something to find: the list operations then hand out real ids for `{id}` parameters.
const unit = await orgUnit(api)
await grade(api)
const someone = await person(api, { orgUnitId: unit.id })
const cohort = await openCohort(api, 3)
await enrol(api, cohort.id, 'selected')
await ok(api.post(`/v1/cohorts/${cohort.id}/sessions`, { body: { title: 'Fuzz session', startsAt: '2031-03-04T09:00:00.000Z', endsAt: '2031-03-04T10:00:00.000Z' } }), 201, 'session')
void someone

/** Real ids, by the list path that returned them (`/v1/people` → ids for `/v1/people/{id}`). */
const harvested = new Map<string, string[]>()
async function idsFor(listPath: string): Promise<string[]> {
  if (harvested.has(listPath)) return harvested.get(listPath)!
  const found: string[] = []
  try {
    const res = await api.get(`${listPath}?limit=20`)
    if (res.status === 200) {
      const body = res.json()
      for (const item of Array.isArray(body?.data) ? body.data : []) if (typeof item?.id === 'string') found.push(item.id)
    }
  } catch {
    // nothing to harvest
  }
  harvested.set(listPath, found)
  return found
}

/** For each path parameter, the real ids the list before it gives (plus random UUIDs). */
async function paramPools(op: Op): Promise<Record<string, string[]>> {
  const pools: Record<string, string[]> = {}
  const segments = op.path.split('/')
  const filled: string[] = []
  for (const segment of segments) {
    const param = /^\{(.+)\}$/.exec(segment)?.[1]
    if (param) {
      const listPath = filled.join('/')
      pools[param] = listPath.includes('{') ? [] : await idsFor(listPath)
      filled.push(pools[param][0] ?? segment)
      continue
    }
    filled.push(segment)
  }
  return pools
}

interface FuzzRequest {
  kind: string
  path: string
  query: Record<string, unknown>
  body?: unknown
  raw?: { contentType: string; data: string }
  headers: Record<string, string>
}

const BAD_IDS = ['not-a-uuid', '00000000-0000-0000-0000-000000000000', "' OR 1=1 --", '..%2F..%2Fetc%2Fpasswd', 'x'.repeat(300), '%00', '１２３', '-1', '1e309']
const BAD_CURSORS = ['garbage', 'eyJpZCI6IjEifQ', Buffer.from(JSON.stringify({ k: ['x'], s: 'other' })).toString('base64url'), 'A'.repeat(1999), '%FF%FE', "' OR 1=1"]

/** encodeURIComponent, or for text it refuses (lone surrogates) the bytes Node would send. */
function encode(text: string): string {
  try {
    return encodeURIComponent(text)
  } catch {
    return [...Buffer.from(text)].map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('')
  }
}

function queryString(query: Record<string, unknown>): string {
  const parts: string[] = []
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue
    for (const item of Array.isArray(v) ? v : [v]) parts.push(`${encode(k)}=${encode(typeof item === 'string' ? item : JSON.stringify(item))}`)
  }
  return parts.length ? `?${parts.join('&')}` : ''
}

function requestArbitrary(op: Op, pools: Record<string, string[]>): fc.Arbitrary<FuzzRequest> {
  const pathParams = (op.parameters ?? []).filter((p) => p.in === 'path')
  const queryParams = (op.parameters ?? []).filter((p) => p.in === 'query')
  const validPath = fc.record(
    Object.fromEntries(pathParams.map((p) => [p.name, pools[p.name]?.length ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...pools[p.name]) }, { weight: 1, arbitrary: arbs.valid(p.schema) }) : arbs.valid(p.schema)]))
  )
  const validQuery = fc.record(Object.fromEntries(queryParams.map((p) => [p.name, arbs.valid(p.schema)])), { requiredKeys: queryParams.filter((p) => p.required).map((p) => p.name) })
  const content = op.requestBody?.content ?? {}
  const jsonSchema = content['application/json']?.schema as Record<string, unknown> | undefined
  const columns = /columns: ([^)]+?)(\)|$)/.exec((op as { description?: string }).description ?? '')?.[1]?.split(', ')
  const validBody: fc.Arbitrary<Pick<FuzzRequest, 'body' | 'raw'>> = content['text/csv']
    ? fc.oneof(
        csvBody(columns ?? ['externalId'], fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom(...HOSTILE_STRINGS.filter((s) => s.length < 1000)))),
        jsonSchema ? arbs.valid(jsonSchema).map((body) => ({ body })) : fc.constant({})
      )
    : jsonSchema
      ? arbs.valid(jsonSchema).map((body) => ({ body }))
      : content['application/x-www-form-urlencoded']
        ? arbs.valid(content['application/x-www-form-urlencoded'].schema as Record<string, unknown>).map((body) => ({ body }))
        : fc.constant({})
  const headers = fc.record(
    {
      'if-match': fc.oneof(fc.constant('"1"'), fc.constant('"2"'), fc.constant('*'), fc.constantFrom('"abc"', 'W/"1"', '"99999999999"', '', '"1", "2"', 'x'.repeat(500))),
      // Header values are Latin-1 on the wire; fetch cannot send others.
      'idempotency-key': fc.oneof(fc.uuid(), fc.constantFrom('', ' ', 'k'.repeat(300), '../../etc/passwd', "'; drop table idempotency_keys; --"))
    },
    { requiredKeys: [] }
  )
  const build = (path: Record<string, unknown>, query: Record<string, unknown>, body: Pick<FuzzRequest, 'body' | 'raw'>, h: Record<string, string>, kind: string): FuzzRequest => ({
    kind,
    path: op.path.replace(/\{([^}]+)\}/g, (_, name: string) => encode(String(path[name] ?? 'x'))),
    query,
    ...body,
    headers: h
  })

  const valid = fc.tuple(validPath, validQuery, validBody, headers).map(([p, q, b, h]) => build(p, q, b, h, 'valid'))
  const hostileBody = fc
    .tuple(validPath, validQuery, validBody, headers, hostileValue(), fc.nat(), fc.constantFrom('replace', 'add', 'remove', 'whole'))
    .map(([p, q, b, h, value, i, how]) => {
      if (b.raw) return build(p, q, { raw: { contentType: b.raw.contentType, data: b.raw.data + `\n${String(value).slice(0, 100_000)}` } }, h, 'hostile file')
      let body: unknown = b.body
      if (how === 'whole' || body === null || typeof body !== 'object' || Array.isArray(body)) body = value
      else {
        const copy = { ...(body as Record<string, unknown>) }
        const keys = Object.keys(copy)
        if (how === 'replace' && keys.length) copy[keys[i % keys.length]] = value
        else if (how === 'remove' && keys.length) delete copy[keys[i % keys.length]]
        else copy[`extra${i % 3}`] = value
        body = copy
      }
      return build(p, q, { body }, h, `hostile body (${how})`)
    })
  const hostileQuery = fc.tuple(validPath, validQuery, validBody, fc.nat(), fc.constantFrom(...HOSTILE_STRINGS.filter((s) => s.length < 20_000)), fc.constantFrom(...BAD_CURSORS)).map(([p, q, b, i, value, cursor]) => {
    const query = { ...q }
    const names = queryParams.map((qp) => qp.name)
    if (names.includes('cursor') && i % 2 === 0) query.cursor = cursor
    else if (names.length) query[names[i % names.length]] = value
    else query[`unknown${i % 3}`] = value
    if (names.includes('limit') && i % 5 === 0) query.limit = ['-1', '0', '501', '1e12', 'abc', '9'.repeat(40)][i % 6]
    return build(p, query, b, {}, 'hostile query')
  })
  const hostilePath = fc.tuple(validPath, validQuery, validBody, fc.constantFrom(...BAD_IDS), fc.nat()).map(([p, q, b, bad, i]) => {
    const names = pathParams.map((pp) => pp.name)
    const path = { ...p }
    if (names.length) path[names[i % names.length]] = bad
    return build(path, q, b, {}, 'hostile path')
  })
  const wrongMedia = fc.tuple(validPath, validQuery, fc.constantFrom('text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', 'application/x-www-form-urlencoded'), fc.constantFrom('{"a":', '<x/>', 'a=b&c', '\u0000\u0001', '[1,2', '{"a":1}')).map(([p, q, contentType, data]) =>
    build(p, q, { raw: { contentType, data } }, {}, 'wrong or broken media')
  )
  const variants: Array<fc.WeightedArbitrary<FuzzRequest>> = [
    { weight: 4, arbitrary: valid },
    { weight: 2, arbitrary: hostileQuery }
  ]
  if (op.requestBody) variants.push({ weight: 3, arbitrary: hostileBody })
  if (pathParams.length) variants.push({ weight: 1, arbitrary: hostilePath })
  if (['POST', 'PUT', 'PATCH'].includes(op.method) && op.requestBody) variants.push({ weight: 1, arbitrary: wrongMedia })
  return fc.oneof(...variants)
}

function csvBody(columns: string[], cell: fc.Arbitrary<string>): fc.Arbitrary<Pick<FuzzRequest, 'raw'>> {
  return fc.array(fc.array(cell, { minLength: columns.length, maxLength: columns.length }), { minLength: 0, maxLength: 5 }).map((rows) => ({
    raw: { contentType: 'text/csv', data: [columns.join(','), ...rows.map((r) => r.map((c) => `"${c.replace(/"/g, '""')}"`).join(','))].join('\n') + '\n' }
  }))
}

// Reads first, then writes, deletions last: the fuzzer's own deletions should not starve the rest.
const order = (op: Op) => ({ GET: 0, POST: 1, PUT: 1, PATCH: 1, DELETE: 2 })[op.method] ?? 1
const sorted = [...ops].sort((a, b) => order(a) - order(b))
const statuses: Record<string, number> = {}
const latencies: number[] = []
const failures: string[] = []
let requests = 0
const started = performance.now()

t.test(`contract fuzzing: ${ops.length} operations × ${RUNS} runs (seed ${SEED})`, async (t) => {
  for (const op of sorted) {
    const pools = await paramPools(op)
    const arbitrary = requestArbitrary(op, pools)
    const opFailures: string[] = []
    try {
      await fc.assert(
        fc.asyncProperty(arbitrary, async (req) => {
          const path = req.path + queryString(req.query)
          let res: Sent
          try {
            res = await send(server.base, op.method, path, {
              token: isRaterOnly(op) ? undefined : bearer,
              headers: { ...req.headers, ...(isRaterOnly(op) ? { 'x-rater-token': `pwr_${'A'.repeat(43)}` } : {}) },
              ...(req.raw ? { raw: req.raw } : req.body !== undefined ? { body: req.body } : {}),
              timeoutMs: 30_000
            })
          } catch (error) {
            throw new Error(`${op.method} ${path} (${req.kind}): no answer: ${(error as Error).message}`)
          }
          requests++
          latencies.push(res.ms)
          statuses[res.status] = (statuses[res.status] ?? 0) + 1
          if (res.status >= 500) throw new Error(`${op.method} ${op.path} (${req.kind}) → ${res.status}: ${res.text.slice(0, 300)}\n  request: ${describe(path, req)}`)
          const problems = checker.check({ method: op.method, route: op.path, status: res.status, contentType: res.headers.get('content-type') ?? undefined, body: res.text })
          if (problems.length) throw new Error(`${problems.join('\n')}\n  request: ${describe(path, req)}`)
        }),
        { seed: SEED, numRuns: RUNS, endOnFailure: true }
      )
    } catch (error) {
      const message = (error as Error).message.split('\n').filter((l) => !/^\s*(at |Hint|Shrunk|$)/.test(l)).slice(0, 4).join('\n')
      const cause = (error as { cause?: Error }).cause?.message ?? ''
      opFailures.push(`${cause}\n  ${message.slice(0, 1500)}`)
    }
    if (opFailures.length) failures.push(`${op.operationId} (${op.method} ${op.path}):\n${opFailures.join('\n')}`)
  }
  t.same(failures, [], `no 5xx, every status documented, every body valid (${requests} requests)`)
})

// The specific hostile shapes, once each on every operation with a JSON body: they must not need luck.
t.test('deep nesting, huge arrays and oversized bodies on every JSON operation', async (t) => {
  const wrong: string[] = []
  let sent = 0
  for (const op of ops.filter((o) => o.requestBody?.content?.['application/json'] && !o.requestBody.content['text/csv'])) {
    const pools = await paramPools(op)
    const path = fillPath(op.path, (name) => pools[name]?.[0] ?? '00000000-0000-4000-8000-000000000000')
    const schema = arbs.resolve(op.requestBody!.content!['application/json'].schema as Record<string, unknown>)
    const shapes: Array<[string, string]> = [
      ['a body nested 5,000 deep', deepJson(5000, 'object')],
      ['an array of 100,000', JSON.stringify(Array.from({ length: 100_000 }, () => 1))],
      ['a 2 MB string (over the body limit)', JSON.stringify({ name: 'x'.repeat(2_100_000) })]
    ]
    // Each field in turn holds a value nested 5,000 deep (fields typed `unknown` take any JSON).
    for (const name of Object.keys((schema.properties as Record<string, unknown>) ?? {})) shapes.push([`${name} nested 5,000 deep`, `{"${name}":${deepJson(5000, 'object')}}`])
    for (const [name, data] of shapes) {
      const res = await send(server.base, op.method, path, { token: isRaterOnly(op) ? undefined : bearer, raw: { contentType: 'application/json', data } })
      requests++
      sent++
      statuses[res.status] = (statuses[res.status] ?? 0) + 1
      const problems = res.status >= 500 ? [`${res.status}: ${res.text.slice(0, 200)}`] : checker.check({ method: op.method, route: op.path, status: res.status, contentType: res.headers.get('content-type') ?? undefined, body: res.text })
      if (problems.length) wrong.push(`${op.operationId} with ${name}: ${problems.join('; ')}`)
    }
  }
  t.same(wrong, [], `${sent} requests refused with documented 4xx problems`)
})

t.test('report', async () => {
  report('1 contract fuzzing', {
    operations: ops.length,
    'runs per operation': RUNS,
    seed: SEED,
    requests,
    statuses,
    '5xx': Object.entries(statuses).filter(([s]) => Number(s) >= 500).reduce((n, [, c]) => n + c, 0),
    'p50 / p99 ms': `${round(percentile(latencies, 50))} / ${round(percentile(latencies, 99))}`,
    seconds: round((performance.now() - started) / 1000)
  })
})

function describe(path: string, req: FuzzRequest) {
  const body = req.raw ? `${req.raw.contentType} ${JSON.stringify(req.raw.data.slice(0, 200))}` : req.body === undefined ? '' : JSON.stringify(req.body)?.slice(0, 300)
  return `${path.slice(0, 300)} ${JSON.stringify(req.headers)} ${body}`
}

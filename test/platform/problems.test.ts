import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { expectProblem } from './expect-problem.js'

const ctx = await buildTestApp()
t.teardown(() => ctx.close())

const writer = ctx.auth(['people:write'])
const post = (payload: unknown, headers: Record<string, string> = {}) =>
  ctx.app.inject({ method: 'POST', url: '/v1/org-units', headers: { ...writer, ...headers }, payload: payload as string })

async function countOrgUnits() {
  const { count } = await ctx.database.db.selectFrom('org_units').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow()
  return Number(count)
}

t.test('an unknown route is a 404 problem naming the method and path', async (t) => {
  const res = await ctx.app.inject({ method: 'GET', url: '/v1/no-such-things?x=1', headers: writer })
  const body = expectProblem(t, res, 404, 'not-found')
  t.equal(body.detail, 'no route GET /v1/no-such-things')
  t.equal(body.instance, '/v1/no-such-things?x=1')
  expectProblem(t, await ctx.app.inject({ method: 'GET', url: '/nowhere' }), 404, 'not-found')
})

t.test('a record that does not exist is a 404 problem', async (t) => {
  const id = randomUUID()
  const body = expectProblem(t, await ctx.app.inject({ method: 'GET', url: `/v1/org-units/${id}`, headers: writer }), 404, 'not-found')
  t.match(body.detail, id)
})

t.test('a body that is not valid JSON is 400 malformed-body', async (t) => {
  const res = await post('{"name": "Broken", "kind": ', { 'content-type': 'application/json' })
  const body = expectProblem(t, res, 400, 'malformed-body')
  t.notMatch(body.detail, /Unexpected|position|SyntaxError/, 'parser internals are not echoed')
})

t.test('an empty JSON body is 400 malformed-body', async (t) => {
  expectProblem(t, await post('', { 'content-type': 'application/json' }), 400, 'malformed-body')
})

t.test('a body over the size limit is 413 and nothing is written', async (t) => {
  const before = await countOrgUnits()
  const big = JSON.stringify({ name: 'Big', kind: 'team', externalId: 'x'.repeat(ctx.config.bodyLimit) })
  t.ok(Buffer.byteLength(big) > ctx.config.bodyLimit)
  expectProblem(t, await post(big, { 'content-type': 'application/json' }), 413, 'payload-too-large')
  t.equal(await countOrgUnits(), before)
})

t.test('a content type the endpoint does not take is 415', async (t) => {
  const cases: Array<[string, string]> = [
    ['text/plain', '{"name":"Plain","kind":"team"}'],
    ['application/xml', '<orgUnit name="Xml"/>'],
    ['application/x-www-form-urlencoded', 'name=Form&kind=team'],
    ['text/csv', 'name,kind\nCsv,team']
  ]
  const before = await countOrgUnits()
  for (const [type, payload] of cases) {
    const body = expectProblem(t, await post(payload, { 'content-type': type }), 415, 'unsupported-media-type')
    t.match(body.detail, /application\/json/, `${type}: says what to send`)
  }
  expectProblem(t, await ctx.app.inject({ method: 'POST', url: '/v1/org-units', headers: writer, payload: 'no type' }), 415, 'unsupported-media-type')
  t.equal(await countOrgUnits(), before, 'nothing was created')
})

t.test('JSON with a charset parameter is still JSON', async (t) => {
  const res = await post(JSON.stringify({ name: 'Charset', kind: 'team' }), { 'content-type': 'application/json; charset=utf-8' })
  t.equal(res.statusCode, 201)
})

t.test('schema validation lists every bad body field with its pointer', async (t) => {
  const res = await post({ name: '', kind: 'planet', parentId: 'not-a-uuid', status: 'gone', surplus: true })
  const body = expectProblem(t, res, 400, 'validation')
  t.ok(Array.isArray(body.errors))
  for (const e of body.errors ?? []) {
    t.equal(e.in, 'body')
    t.type(e.detail, 'string')
    t.match(e.pointer, /^\/[A-Za-z]+$/)
  }
  const pointers = new Set(body.errors?.map((e) => e.pointer))
  t.same([...pointers].sort(), ['/kind', '/name', '/parentId', '/status', '/surplus'])
  t.equal(body.errors?.find((e) => e.pointer === '/surplus')?.detail, 'is not a known field')
  t.match(body.errors?.find((e) => e.pointer === '/kind')?.detail, /must be one of .*team/)
})

t.test('missing required fields are each named', async (t) => {
  const body = expectProblem(t, await post({}), 400, 'validation')
  t.same(body.errors, [
    { in: 'body', pointer: '/name', detail: 'is required' },
    { in: 'body', pointer: '/kind', detail: 'is required' }
  ])
})

t.test('a body of the wrong JSON type is a validation problem at the root', async (t) => {
  const body = expectProblem(t, await post(JSON.stringify([{ name: 'A', kind: 'team' }]), { 'content-type': 'application/json' }), 400, 'validation')
  t.same(body.errors, [{ in: 'body', pointer: '', detail: 'must be object' }])
})

t.test('an unknown body field is refused, not silently dropped', async (t) => {
  const before = await countOrgUnits()
  const body = expectProblem(t, await post({ name: 'Sneaky', kind: 'team', version: 99 }), 400, 'validation')
  t.same(body.errors, [{ in: 'body', pointer: '/version', detail: 'is not a known field' }])
  t.equal(await countOrgUnits(), before)
})

t.test('bad query parameters are reported with in "query"', async (t) => {
  const res = await ctx.app.inject({ method: 'GET', url: '/v1/org-units?limit=abc&colour=red', headers: writer })
  const body = expectProblem(t, res, 400, 'validation')
  t.same(body.errors?.map((e) => [e.in, e.pointer]).sort(), [['query', '/colour'], ['query', '/limit']])
})

t.test('a query number too large to hold (1e309, Infinity, 400 digits) is a 400 at its pointer, not Infinity', async (t) => {
  // ajv coerces such text to ±Infinity and skips minimum/maximum, which only judge finite numbers.
  for (const value of ['1e309', 'Infinity', '-Infinity', '-1e309', '9'.repeat(400)]) {
    const body = expectProblem(t, await ctx.app.inject({ method: 'GET', url: `/v1/org-units?limit=${value}`, headers: writer }), 400, 'validation')
    t.same(body.errors, [{ in: 'query', pointer: '/limit', detail: 'must be a finite number' }], value)
  }
  const both = expectProblem(t, await ctx.app.inject({ method: 'GET', url: '/v1/events?after=Infinity&limit=0', headers: ctx.auth(['events:read']) }), 400, 'validation')
  t.same(both.errors?.map((e) => [e.in, e.pointer]).sort(), [['query', '/after'], ['query', '/limit']], 'reported with the other errors')
  const huge = expectProblem(t, await ctx.app.inject({ method: 'GET', url: '/v1/events?after=99999999999999999999', headers: ctx.auth(['events:read']) }), 400, 'validation')
  t.same(huge.errors?.map((e) => [e.in, e.pointer]), [['query', '/after']], 'a finite number past what a sequence holds')
  t.equal((await ctx.app.inject({ method: 'GET', url: '/v1/org-units?limit=1e2', headers: writer })).statusCode, 200, 'a finite number in exponent form is still a number')
})

t.test('a date in the year 0000, which the database cannot hold, is a 400 at its pointer and writes nothing', async (t) => {
  const admin = ctx.auth()
  const list = expectProblem(t, await ctx.app.inject({ method: 'GET', url: '/v1/cohorts?from=0000-12-31', headers: admin }), 400, 'validation')
  t.same(list.errors?.map((e) => [e.in, e.pointer]), [['query', '/from']])
  const people = async () => Number((await ctx.database.db.selectFrom('people').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)
  const before = await people()
  const person = { givenName: 'Year', familyName: 'Zero', staffType: 'officer' }
  const body = expectProblem(t, await ctx.app.inject({ method: 'POST', url: '/v1/people', headers: admin, payload: { ...person, startDate: '0000-02-29' } }), 400, 'validation')
  t.same([...new Set(body.errors?.map((e) => `${e.in} ${e.pointer}`))], ['body /startDate'], 'the field alone (a nullable date also says it is not null)')
  t.equal(await people(), before)
  const first = await ctx.app.inject({ method: 'POST', url: '/v1/people', headers: admin, payload: { ...person, startDate: '0001-01-01' } })
  t.equal(first.statusCode, 201, 'the year 0001 is a date like any other')
  t.equal(first.json().startDate, '0001-01-01')
})

t.test('a bad path parameter is reported with in "params"', async (t) => {
  const body = expectProblem(t, await ctx.app.inject({ method: 'GET', url: '/v1/org-units/42', headers: writer }), 400, 'validation')
  t.same(body.errors?.map((e) => [e.in, e.pointer]), [['params', '/id']])
})

t.test('a duplicate externalId is a 409 conflict that names no table or constraint', async (t) => {
  const first = await post({ externalId: 'OU-DUP', name: 'First', kind: 'team' })
  t.equal(first.statusCode, 201)
  const second = await post({ externalId: 'OU-DUP', name: 'Second', kind: 'team' })
  const body = expectProblem(t, second, 409, 'conflict')
  t.match(body.detail, /externalId/)
  t.notMatch(second.body, /org_units|constraint|duplicate key|_key\b|23505/i)
  const list = await ctx.app.inject({ method: 'GET', url: '/v1/org-units?externalId=OU-DUP', headers: writer })
  t.same(list.json().data.map((u: { name: string }) => u.name), ['First'])
})

t.test('a reference to a record that does not exist is 422 at its pointer', async (t) => {
  const body = expectProblem(t, await post({ name: 'Orphan', kind: 'team', parentId: randomUUID() }), 422, 'invalid-reference')
  t.same(body.errors?.map((e) => e.pointer), ['/parentId'])
})

t.test('a database fault is a 500 problem that leaks nothing', async (t) => {
  await sql`alter table grades rename to grades_hidden`.execute(ctx.database.db)
  t.teardown(() => sql`alter table grades_hidden rename to grades`.execute(ctx.database.db))
  const res = await ctx.app.inject({ method: 'GET', url: '/v1/grades', headers: writer })
  const body = expectProblem(t, res, 500, 'internal')
  t.equal(body.detail, 'an unexpected error occurred')
  t.notMatch(JSON.stringify({ ...body, instance: undefined }), /grades|relation|does not exist|42P01/)
})

t.test('every response carries a request id, problems included', async (t) => {
  const res = await ctx.app.inject({ method: 'GET', url: '/v1/org-units' })
  t.equal(res.statusCode, 401)
  t.match(String(res.headers['x-request-id']), /^[0-9a-f-]{36}$/)
})

t.test('JSON bodies are taken as sent: no coercion of types', async (t) => {
  const res = await ctx.app.inject({ method: 'POST', url: '/v1/org-units', headers: ctx.auth(), payload: { name: 12345, kind: 'team' } })
  t.equal(res.statusCode, 400, 'a number is not a name')
  t.match(res.json().errors, [{ in: 'body', pointer: '/name' }])
})

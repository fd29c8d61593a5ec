import { randomUUID } from 'node:crypto'
import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { expectProblem } from './expect-problem.js'

const ctx = await buildTestApp()
t.teardown(() => ctx.close())

const asCaller = (sub: string) => ctx.auth(['people:write', 'audit:read', 'events:read'], { sub })
const alice = asCaller('alice')

const createUnit = (payload: Record<string, unknown>, key?: string, headers = alice) =>
  ctx.app.inject({ method: 'POST', url: '/v1/org-units', headers: { ...headers, ...(key ? { 'idempotency-key': key } : {}) }, payload })

async function unitsNamed(name: string) {
  const res = await ctx.app.inject({ method: 'GET', url: `/v1/org-units?q=${encodeURIComponent(name)}&limit=500`, headers: alice })
  return (res.json().data as Array<{ id: string; name: string }>).filter((u) => u.name === name)
}

t.test('the same key with the same body replays the first response', async (t) => {
  const key = randomUUID()
  const body = { name: 'Replayed unit', kind: 'team' }
  const first = await createUnit(body, key)
  t.equal(first.statusCode, 201)
  t.notOk(first.headers['idempotent-replayed'], 'the first answer is not a replay')

  const second = await createUnit(body, key)
  t.equal(second.statusCode, 201)
  t.equal(second.headers['idempotent-replayed'], 'true')
  t.equal(second.body, first.body, 'same body, byte for byte')
  t.equal(second.headers.location, first.headers.location)
  t.equal(second.headers.etag, first.headers.etag)
  t.equal(second.headers['content-type'], first.headers['content-type'])

  const units = await unitsNamed('Replayed unit')
  t.equal(units.length, 1, 'only one org unit exists')
  t.equal(units[0].id, first.json().id)
  const audit = await ctx.app.inject({ method: 'GET', url: `/v1/audit-records?entityId=${units[0].id}`, headers: alice })
  t.equal(audit.json().data.length, 1, 'the replay wrote no second audit record')
})

t.test('a replay returns the first response even after the record changed', async (t) => {
  const key = randomUUID()
  const first = await createUnit({ name: 'Changes later', kind: 'team' }, key)
  const id = first.json().id
  const patch = await ctx.app.inject({ method: 'PATCH', url: `/v1/org-units/${id}`, headers: alice, payload: { name: 'Changed' } })
  t.equal(patch.statusCode, 200)
  const replay = await createUnit({ name: 'Changes later', kind: 'team' }, key)
  t.equal(replay.headers['idempotent-replayed'], 'true')
  t.match(replay.json(), { id, name: 'Changes later', version: 1 })
})

t.test('the same key with a different body is refused with 422 and creates nothing', async (t) => {
  const key = randomUUID()
  t.equal((await createUnit({ name: 'Original body', kind: 'team' }, key)).statusCode, 201)
  const res = await createUnit({ name: 'Different body', kind: 'team' }, key)
  expectProblem(t, res, 422, 'idempotency-key-reused')
  t.equal((await unitsNamed('Different body')).length, 0)
})

t.test('a key is bound to the operation it was first used on', async (t) => {
  const key = randomUUID()
  t.equal((await createUnit({ name: 'Bound to org units', kind: 'team' }, key)).statusCode, 201)
  const grade = await ctx.app.inject({
    method: 'POST',
    url: '/v1/grades',
    headers: { ...alice, 'idempotency-key': key },
    payload: { code: 'PC', name: 'Constable', staffType: 'officer', level: 10 }
  })
  expectProblem(t, grade, 422, 'idempotency-key-reused')
})

t.test('keys are scoped per caller: another subject with the same key makes a new record', async (t) => {
  const key = 'shared-key-1'
  const body = { name: 'Per caller', kind: 'team' }
  const a = await createUnit(body, key, asCaller('alice'))
  const b = await createUnit(body, key, asCaller('bob'))
  t.equal(a.statusCode, 201)
  t.equal(b.statusCode, 201)
  t.notOk(b.headers['idempotent-replayed'], "bob does not get alice's answer")
  t.not(b.json().id, a.json().id)
  t.equal((await unitsNamed('Per caller')).length, 2)
})

t.test('concurrent requests with one key create exactly one record', async (t) => {
  const key = randomUUID()
  const body = { name: 'Raced unit', kind: 'team' }
  const responses = await Promise.all(Array.from({ length: 5 }, () => createUnit(body, key)))
  const fresh = responses.filter((r) => r.statusCode === 201 && r.headers['idempotent-replayed'] !== 'true')
  const replays = responses.filter((r) => r.statusCode === 201 && r.headers['idempotent-replayed'] === 'true')
  const inFlight = responses.filter((r) => r.statusCode === 409)
  t.comment(`fresh ${fresh.length}, replays ${replays.length}, in flight ${inFlight.length}`)
  t.equal(fresh.length, 1, 'one request did the work')
  t.equal(fresh.length + replays.length + inFlight.length, 5, 'the others were replays or in-flight refusals')
  for (const r of replays) t.equal(r.body, fresh[0].body)
  for (const r of inFlight) {
    expectProblem(t, r, 409, 'idempotency-key-in-flight')
    t.equal(r.headers['retry-after'], '1')
  }
  t.equal((await unitsNamed('Raced unit')).length, 1)
})

t.test('a failed request releases its key, so a corrected retry with the same key goes through', async (t) => {
  const key = randomUUID()
  const missingParent = randomUUID()
  const failed = await createUnit({ name: 'Retry after 422', kind: 'team', parentId: missingParent }, key)
  expectProblem(t, failed, 422, 'invalid-reference')

  const again = await createUnit({ name: 'Retry after 422', kind: 'team', parentId: missingParent }, key)
  expectProblem(t, again, 422, 'invalid-reference')
  t.notOk(again.headers['idempotent-replayed'], 'a failure is not stored and replayed')

  const corrected = await createUnit({ name: 'Retry after 422', kind: 'team' }, key)
  t.equal(corrected.statusCode, 201)
  t.notOk(corrected.headers['idempotent-replayed'])
  const replay = await createUnit({ name: 'Retry after 422', kind: 'team' }, key)
  t.equal(replay.headers['idempotent-replayed'], 'true', 'the success is what sticks')
})

t.test('a conflict (409) also releases the key', async (t) => {
  const key = randomUUID()
  t.equal((await createUnit({ externalId: 'IDEM-DUP', name: 'Holder', kind: 'team' })).statusCode, 201)
  expectProblem(t, await createUnit({ externalId: 'IDEM-DUP', name: 'Clash', kind: 'team' }, key), 409, 'conflict')
  const retry = await createUnit({ externalId: 'IDEM-DUP-2', name: 'Clash', kind: 'team' }, key)
  t.equal(retry.statusCode, 201)
})

t.test('a request refused by validation never claims the key', async (t) => {
  const key = randomUUID()
  expectProblem(t, await createUnit({ name: '', kind: 'team' }, key), 400, 'validation')
  t.equal((await createUnit({ name: 'After 400', kind: 'team' }, key)).statusCode, 201)
})

t.test('a request refused for scope never claims the key', async (t) => {
  const key = randomUUID()
  const reader = ctx.auth(['people:read'], { sub: 'alice' })
  expectProblem(t, await createUnit({ name: 'After 403', kind: 'team' }, key, reader), 403, 'forbidden')
  t.equal((await createUnit({ name: 'After 403', kind: 'team' }, key)).statusCode, 201)
})

t.test('an Idempotency-Key that is not 1-255 visible ASCII characters is a 400 on the header', async (t) => {
  for (const key of ['has space', 'x'.repeat(256), 'caf\u00e9']) {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/v1/org-units',
      headers: { ...alice, 'idempotency-key': key },
      payload: { name: 'Bad key', kind: 'team' }
    })
    const body = expectProblem(t, res, 400, 'validation')
    t.same(body.errors, [{ in: 'headers', pointer: '/idempotency-key', detail: 'must be 1–255 visible ASCII characters' }])
  }
  t.equal((await unitsNamed('Bad key')).length, 0)
})

t.test('without a key, two identical POSTs make two records', async (t) => {
  await createUnit({ name: 'No key', kind: 'team' })
  await createUnit({ name: 'No key', kind: 'team' })
  t.equal((await unitsNamed('No key')).length, 2)
})

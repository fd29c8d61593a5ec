import { sql } from 'kysely'
import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { expectProblem } from './expect-problem.js'

const ctx = await buildTestApp()
t.teardown(() => ctx.close())

const WRITER = 'writer-7'
const writer = ctx.auth(['people:write'], { sub: WRITER })
const auditor = ctx.auth(['audit:read'])
const reader = ctx.auth(['events:read'])

type AuditRecord = { id: string; occurredAt: string; actor: string; clientId: string | null; action: string; entityType: string; entityId: string; before: any; after: any; requestId: string | null }
type Event = { sequence: number; type: string; entityType: string; entityId: string; occurredAt: string; actor: string; data: any }

async function auditOf(query: string): Promise<AuditRecord[]> {
  const res = await ctx.app.inject({ method: 'GET', url: `/v1/audit-records?${query}`, headers: auditor })
  if (res.statusCode !== 200) throw new Error(res.body)
  return res.json().data
}

async function events(query: string): Promise<{ data: Event[]; page: { nextCursor: string | null; lastSequence: number } }> {
  const res = await ctx.app.inject({ method: 'GET', url: `/v1/events?${query}`, headers: reader })
  if (res.statusCode !== 200) throw new Error(res.body)
  return res.json()
}

async function auditCount() {
  const row = await ctx.database.db.selectFrom('audit_records').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  return Number(row.n)
}

const createUnit = (payload: Record<string, unknown>, requestId?: string) =>
  ctx.app.inject({ method: 'POST', url: '/v1/org-units', headers: { ...writer, ...(requestId ? { 'x-request-id': requestId } : {}) }, payload })

t.test('audit trail', async (t) => {
  const created = await createUnit({ externalId: 'AUD-1', name: 'Audited', kind: 'team' }, 'req-create-1')
  t.equal(created.statusCode, 201)
  const unit = created.json()

  t.test('the request id a caller sends is echoed back', async (t) => {
    t.equal(created.headers['x-request-id'], 'req-create-1')
  })

  t.test('a create writes one audit record with actor, after and the request id', async (t) => {
    const records = await auditOf(`entityId=${unit.id}`)
    t.equal(records.length, 1)
    t.match(records[0], { action: 'org-unit.created', entityType: 'org-unit', entityId: unit.id, actor: WRITER, clientId: null, before: null, requestId: 'req-create-1' })
    t.same(records[0].after, unit, 'after is the record as the caller saw it')
    t.ok(Math.abs(Date.parse(records[0].occurredAt) - Date.now()) < 60_000)
  })

  t.test('an update writes before and after, newest record first', async (t) => {
    const res = await ctx.app.inject({ method: 'PATCH', url: `/v1/org-units/${unit.id}`, headers: { ...writer, 'x-request-id': 'req-update-1' }, payload: { name: 'Audited v2' } })
    t.equal(res.statusCode, 200)
    t.equal(res.headers['x-request-id'], 'req-update-1')
    const records = await auditOf(`entityId=${unit.id}`)
    t.same(records.map((r) => r.action), ['org-unit.updated', 'org-unit.created'])
    t.match(records[0], { actor: WRITER, requestId: 'req-update-1', before: { name: 'Audited', version: 1 }, after: { name: 'Audited v2', version: 2 } })
    t.same((await auditOf('requestId=req-update-1')).map((r) => r.entityId), [unit.id], 'filter by request id')
  })

  t.test('a request id that is not a plain token is replaced by a generated one', async (t) => {
    const res = await createUnit({ name: 'Odd request id', kind: 'team' }, 'has spaces and <html>')
    const generated = String(res.headers['x-request-id'])
    t.match(generated, /^[0-9a-f-]{36}$/)
    t.equal((await auditOf(`entityId=${res.json().id}`))[0].requestId, generated)
  })

  t.test('a change through an API client records the client', async (t) => {
    const made = await ctx.app.inject({ method: 'POST', url: '/v1/api-clients', headers: ctx.auth(['admin']), payload: { name: 'feed', scopes: ['people:write'] } })
    const { client, clientSecret } = made.json()
    const token = await ctx.app.inject({ method: 'POST', url: '/v1/auth/token', payload: { grant_type: 'client_credentials', client_id: client.id, client_secret: clientSecret } })
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/org-units', headers: { authorization: `Bearer ${token.json().access_token}` }, payload: { name: 'By client', kind: 'team' } })
    t.equal(res.statusCode, 201)
    t.match((await auditOf(`entityId=${res.json().id}`))[0], { actor: `client:${client.id}`, clientId: client.id })
  })

  t.test('reading the trail needs audit:read', async (t) => {
    const q = `/v1/audit-records?entityId=${unit.id}`
    expectProblem(t, await ctx.app.inject({ method: 'GET', url: q, headers: writer }), 403, 'forbidden')
    expectProblem(t, await ctx.app.inject({ method: 'GET', url: q, headers: reader }), 403, 'forbidden')
    expectProblem(t, await ctx.app.inject({ method: 'GET', url: q }), 401, 'unauthorized')
    t.equal((await ctx.app.inject({ method: 'GET', url: q, headers: ctx.auth(['admin']) })).statusCode, 200)
  })

  t.test('the API offers no way to change or delete audit records', async (t) => {
    const [record] = await auditOf(`entityId=${unit.id}`)
    const admin = ctx.auth(['admin'])
    for (const method of ['PATCH', 'PUT', 'DELETE'] as const) {
      const one = await ctx.app.inject({ method, url: `/v1/audit-records/${record.id}`, headers: admin, payload: method === 'DELETE' ? undefined : { actor: 'x' } })
      t.equal(one.statusCode, 404, `${method} one`)
      const all = await ctx.app.inject({ method, url: '/v1/audit-records', headers: admin, payload: method === 'DELETE' ? undefined : { actor: 'x' } })
      t.equal(all.statusCode, 404, `${method} all`)
    }
  })

  t.test('the database itself refuses UPDATE, DELETE and TRUNCATE on audit records', async (t) => {
    const before = await ctx.database.db.selectFrom('audit_records').selectAll().orderBy('id').execute()
    t.ok(before.length > 0)
    await t.rejects(sql`update audit_records set actor = 'someone-else'`.execute(ctx.database.db), /append-only/)
    await t.rejects(sql`delete from audit_records`.execute(ctx.database.db), /append-only/)
    await t.rejects(sql`truncate audit_records`.execute(ctx.database.db), /append-only/)
    const after = await ctx.database.db.selectFrom('audit_records').selectAll().orderBy('id').execute()
    t.same(after, before, 'every record is as it was')
  })
})

t.test('change feed', async (t) => {
  const start = (await events('after=0')).page.lastSequence
  const unit = (await createUnit({ name: 'Feed unit', kind: 'team' })).json()
  const person = await ctx.app.inject({ method: 'POST', url: '/v1/people', headers: writer, payload: { givenName: 'Ada', familyName: 'Feed', staffType: 'staff' } })
  t.equal(person.statusCode, 201)
  t.equal((await ctx.app.inject({ method: 'PATCH', url: `/v1/org-units/${unit.id}`, headers: writer, payload: { name: 'Feed unit v2' } })).statusCode, 200)

  t.test('after=<n> lists later changes in sequence order, one event per change', async (t) => {
    const feed = await events(`after=${start}`)
    t.same(feed.data.map((e) => e.type), ['org-unit.created', 'person.created', 'org-unit.updated'])
    t.same(feed.data.map((e) => e.sequence), [start + 1, start + 2, start + 3], 'consecutive, no gaps')
    t.match(feed.data[0], { entityType: 'org-unit', entityId: unit.id, actor: WRITER, data: { id: unit.id, name: 'Feed unit' } })
    t.match(feed.data[1], { entityType: 'person', entityId: person.json().id, data: { givenName: 'Ada' } })
    t.match(feed.data[2].data, { name: 'Feed unit v2', version: 2 })
    t.equal(feed.page.lastSequence, start + 3)
    t.equal(feed.page.nextCursor, null)
  })

  t.test('after=0 starts at the beginning', async (t) => {
    const all = await events('after=0')
    t.equal(all.data[0].sequence, 1)
    const sequences = all.data.map((e) => e.sequence)
    t.same(sequences, [...sequences].sort((a, b) => a - b))
  })

  t.test('type=org-unit.* filters by prefix', async (t) => {
    const feed = await events(`after=${start}&type=org-unit.*`)
    t.same(feed.data.map((e) => e.type), ['org-unit.created', 'org-unit.updated'])
  })

  t.test('type takes a comma-separated list of exact types', async (t) => {
    const feed = await events(`after=${start}&type=person.created,org-unit.updated`)
    t.same(feed.data.map((e) => e.type), ['person.created', 'org-unit.updated'])
  })

  t.test('LIKE wildcards in type are taken literally', async (t) => {
    t.same((await events(`after=0&type=${encodeURIComponent('%.*')}`)).data, [])
    t.same((await events('after=0&type=org_unit.*')).data, [])
  })

  t.test('after=<last sequence> returns only what is newer', async (t) => {
    const last = (await events(`after=${start}`)).page.lastSequence
    const empty = await events(`after=${last}`)
    t.same(empty.data, [])
    t.equal(empty.page.lastSequence, last, 'lastSequence stays put when nothing is new')
    const later = (await createUnit({ name: 'Later unit', kind: 'team' })).json()
    const fresh = await events(`after=${last}`)
    t.same(fresh.data.map((e) => [e.sequence, e.type, e.entityId]), [[last + 1, 'org-unit.created', later.id]])
  })

  t.test('limit pages the feed and nextCursor continues it', async (t) => {
    const first = await events(`after=${start}&limit=2`)
    t.equal(first.data.length, 2)
    t.equal(first.page.nextCursor, String(start + 2))
    const second = await events(`cursor=${first.page.nextCursor}&limit=2`)
    t.equal(second.data[0].sequence, start + 3)
  })

  t.test('reading the feed needs events:read', async (t) => {
    expectProblem(t, await ctx.app.inject({ method: 'GET', url: '/v1/events', headers: writer }), 403, 'forbidden')
    expectProblem(t, await ctx.app.inject({ method: 'GET', url: '/v1/events', headers: auditor }), 403, 'forbidden')
    expectProblem(t, await ctx.app.inject({ method: 'GET', url: '/v1/events?after=-1', headers: reader }), 400, 'validation')
  })
})

t.test('a refused request writes neither audit record nor event', async (t) => {
  t.equal((await createUnit({ externalId: 'ROLLBACK-1', name: 'Holder', kind: 'team' })).statusCode, 201)
  const audits = await auditCount()
  const last = (await events('after=0&limit=500')).page.lastSequence
  expectProblem(t, await createUnit({ externalId: 'ROLLBACK-1', name: 'Clash', kind: 'team' }, 'req-refused'), 409, 'conflict')
  t.equal(await auditCount(), audits)
  t.same(await auditOf('requestId=req-refused'), [])
  t.same((await events(`after=${last}`)).data, [])
  const next = (await createUnit({ name: 'After refusal', kind: 'team' })).json()
  t.same((await events(`after=${last}`)).data.map((e) => [e.sequence, e.entityId]), [[last + 1, next.id]], 'the refusal used no sequence number')
})

t.test('a fault after the change is written rolls back the change, its audit record and its event together', async (t) => {
  // Fail the event insert, the last write of the transaction, for one org unit only.
  await sql`create function fail_doomed_event() returns trigger language plpgsql as $$
    begin
      if new.data->>'name' = 'Doomed unit' then raise exception 'injected fault'; end if;
      return new;
    end $$`.execute(ctx.database.db)
  await sql`create trigger fail_doomed_event before insert on events for each row execute function fail_doomed_event()`.execute(ctx.database.db)
  t.teardown(async () => {
    await sql`drop trigger fail_doomed_event on events`.execute(ctx.database.db)
    await sql`drop function fail_doomed_event()`.execute(ctx.database.db)
  })
  const audits = await auditCount()
  const last = (await events('after=0&limit=500')).page.lastSequence
  const res = await createUnit({ externalId: 'DOOMED', name: 'Doomed unit', kind: 'team' }, 'req-doomed')
  const body = expectProblem(t, res, 500, 'internal')
  t.notMatch(JSON.stringify(body), /injected fault/)
  const units = await ctx.app.inject({ method: 'GET', url: '/v1/org-units?externalId=DOOMED', headers: writer })
  t.same(units.json().data, [], 'the org unit is gone')
  t.equal(await auditCount(), audits, 'no audit record')
  t.same((await events(`after=${last}`)).data, [], 'no event')
})

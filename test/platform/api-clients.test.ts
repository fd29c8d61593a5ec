import { randomUUID } from 'node:crypto'
import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { expectProblem } from './expect-problem.js'

const ctx = await buildTestApp()
t.teardown(() => ctx.close())

const admin = ctx.auth(['admin'])

async function createClient(name: string, scopes: string[]) {
  const res = await ctx.app.inject({ method: 'POST', url: '/v1/api-clients', headers: admin, payload: { name, scopes } })
  if (res.statusCode !== 201) throw new Error(`client not created: ${res.body}`)
  return res.json() as { client: { id: string; version: number; scopes: string[] }; clientSecret: string }
}

const tokenRequest = (payload: Record<string, string>, headers: Record<string, string> = {}) =>
  ctx.app.inject({
    method: 'POST',
    url: '/v1/auth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: new URLSearchParams(payload).toString()
  })

async function tokenFor(clientId: string, clientSecret: string, scope?: string) {
  const res = await tokenRequest({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, ...(scope ? { scope } : {}) })
  if (res.statusCode !== 200) throw new Error(`no token: ${res.body}`)
  return res.json().access_token as string
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
const listOrgUnits = (token: string) => ctx.app.inject({ method: 'GET', url: '/v1/org-units', headers: bearer(token) })

const reader = await createClient('HR reader', ['people:read', 'events:read'])

t.test('creating a client returns its secret once, with Location and no-store', async (t) => {
  const res = await ctx.app.inject({ method: 'POST', url: '/v1/api-clients', headers: admin, payload: { name: 'HR feed', description: 'nightly', scopes: ['people:write'] } })
  t.equal(res.statusCode, 201)
  const body = res.json()
  t.match(body.clientSecret, /^pws_[A-Za-z0-9_-]{40,}$/)
  t.equal(res.headers.location, `/v1/api-clients/${body.client.id}`)
  t.equal(res.headers.etag, '"1"')
  t.equal(res.headers['cache-control'], 'no-store')
  t.match(body.client, { name: 'HR feed', description: 'nightly', scopes: ['people:write'], status: 'active', version: 1 })
  t.same(Object.keys(body).sort(), ['client', 'clientSecret'])
})

t.test('only admin may create, list or read clients', async (t) => {
  const writer = ctx.auth(['people:write', 'audit:read', 'events:read'])
  expectProblem(t, await ctx.app.inject({ method: 'POST', url: '/v1/api-clients', headers: writer, payload: { name: 'x', scopes: ['people:read'] } }), 403, 'forbidden')
  expectProblem(t, await ctx.app.inject({ method: 'GET', url: '/v1/api-clients', headers: writer }), 403, 'forbidden')
  expectProblem(t, await ctx.app.inject({ method: 'GET', url: `/v1/api-clients/${reader.client.id}`, headers: writer }), 403, 'forbidden')
  expectProblem(t, await ctx.app.inject({ method: 'GET', url: '/v1/api-clients' }), 401, 'unauthorized')
})

t.test('list, get and the audit trail never show a secret or its hash', async (t) => {
  const list = await ctx.app.inject({ method: 'GET', url: '/v1/api-clients', headers: admin })
  const one = await ctx.app.inject({ method: 'GET', url: `/v1/api-clients/${reader.client.id}`, headers: admin })
  const audit = await ctx.app.inject({ method: 'GET', url: `/v1/audit-records?entityId=${reader.client.id}`, headers: admin })
  t.equal(list.statusCode, 200)
  t.equal(one.statusCode, 200)
  t.equal(audit.statusCode, 200)
  t.ok(list.json().data.some((c: { id: string }) => c.id === reader.client.id))
  t.equal(audit.json().data.length, 1, 'the creation was audited')
  for (const res of [list, one, audit]) {
    t.notMatch(res.body, reader.clientSecret)
    t.notMatch(res.body, /scrypt|secret_?hash|clientSecret|pws_/i)
  }
})

t.test('a token can be had with a form-encoded body', async (t) => {
  const res = await tokenRequest({ grant_type: 'client_credentials', client_id: reader.client.id, client_secret: reader.clientSecret })
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.match(body, { token_type: 'Bearer', expires_in: ctx.config.tokenTtlSeconds, scope: 'people:read events:read' })
  t.equal(res.headers['cache-control'], 'no-store')
  t.equal((await listOrgUnits(body.access_token)).statusCode, 200)
})

t.test('a token can be had with a JSON body', async (t) => {
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/v1/auth/token',
    payload: { grant_type: 'client_credentials', client_id: reader.client.id, client_secret: reader.clientSecret }
  })
  t.equal(res.statusCode, 200)
  t.equal((await listOrgUnits(res.json().access_token)).statusCode, 200)
})

t.test('a token can be had with HTTP Basic credentials', async (t) => {
  const basic = Buffer.from(`${reader.client.id}:${reader.clientSecret}`).toString('base64')
  const res = await tokenRequest({ grant_type: 'client_credentials' }, { authorization: `Basic ${basic}` })
  t.equal(res.statusCode, 200)
  t.equal((await listOrgUnits(res.json().access_token)).statusCode, 200)
})

t.test('a wrong secret and an unknown client get the same invalid_client answer', async (t) => {
  const wrong = await tokenRequest({ grant_type: 'client_credentials', client_id: reader.client.id, client_secret: 'pws_wrong' })
  const unknown = await tokenRequest({ grant_type: 'client_credentials', client_id: randomUUID(), client_secret: reader.clientSecret })
  const notAnId = await tokenRequest({ grant_type: 'client_credentials', client_id: 'nobody', client_secret: 'x' })
  const badBasic = await tokenRequest({ grant_type: 'client_credentials' }, { authorization: `Basic ${Buffer.from(`${reader.client.id}:nope`).toString('base64')}` })
  const answers = [wrong, unknown, notAnId, badBasic].map((res) => {
    const body = expectProblem(t, res, 401, 'invalid-client')
    t.equal(body.error, 'invalid_client')
    t.equal(res.headers['www-authenticate'], 'Basic realm="pathway"')
    return { ...body, instance: undefined }
  })
  for (const answer of answers.slice(1)) t.same(answer, answers[0], 'indistinguishable')
})

t.test('a token request without credentials is invalid_request', async (t) => {
  const res = await tokenRequest({ grant_type: 'client_credentials', client_id: reader.client.id })
  t.equal(expectProblem(t, res, 400, 'invalid-grant-request').error, 'invalid_request')
})

t.test('a grant other than client_credentials is refused', async (t) => {
  const res = await tokenRequest({ grant_type: 'password', client_id: reader.client.id, client_secret: reader.clientSecret })
  t.equal(res.statusCode, 400)
})

t.test('asking for a scope the client lacks is invalid_scope, and nothing is issued', async (t) => {
  const res = await tokenRequest({ grant_type: 'client_credentials', client_id: reader.client.id, client_secret: reader.clientSecret, scope: 'people:read people:write' })
  const body = expectProblem(t, res, 400, 'invalid-grant-request')
  t.equal(body.error, 'invalid_scope')
  t.match(body.detail, /people:write/)
  t.notOk(res.body.includes('access_token'))
})

t.test("a client token works where its scopes reach and is refused (403) where they don't", async (t) => {
  const token = await tokenFor(reader.client.id, reader.clientSecret)
  t.equal((await listOrgUnits(token)).statusCode, 200)
  t.equal((await ctx.app.inject({ method: 'GET', url: '/v1/events', headers: bearer(token) })).statusCode, 200)
  const write = await ctx.app.inject({ method: 'POST', url: '/v1/org-units', headers: bearer(token), payload: { name: 'X', kind: 'team' } })
  expectProblem(t, write, 403, 'forbidden')
})

t.test('a token for a subset of scopes carries only that subset', async (t) => {
  const token = await tokenFor(reader.client.id, reader.clientSecret, 'events:read')
  t.equal((await ctx.app.inject({ method: 'GET', url: '/v1/events', headers: bearer(token) })).statusCode, 200)
  expectProblem(t, await listOrgUnits(token), 403, 'forbidden')
})

t.test('a disabled client cannot get tokens and its existing tokens stop working at once', async (t) => {
  const c = await createClient('to disable', ['people:read'])
  const token = await tokenFor(c.client.id, c.clientSecret)
  t.equal((await listOrgUnits(token)).statusCode, 200, 'works (and is now cached)')

  const patch = await ctx.app.inject({ method: 'PATCH', url: `/v1/api-clients/${c.client.id}`, headers: { ...admin, 'if-match': '"1"' }, payload: { status: 'disabled' } })
  t.equal(patch.statusCode, 200)
  t.equal(patch.json().status, 'disabled')
  t.equal(patch.headers.etag, '"2"')

  const refused = await listOrgUnits(token)
  expectProblem(t, refused, 401, 'unauthorized')
  t.match(String(refused.headers['www-authenticate']), /error="invalid_token"/)
  const again = await tokenRequest({ grant_type: 'client_credentials', client_id: c.client.id, client_secret: c.clientSecret })
  t.equal(expectProblem(t, again, 401, 'invalid-client').error, 'invalid_client')

  const enable = await ctx.app.inject({ method: 'PATCH', url: `/v1/api-clients/${c.client.id}`, headers: admin, payload: { status: 'active' } })
  t.equal(enable.statusCode, 200)
  t.equal((await listOrgUnits(token)).statusCode, 200, 're-enabling restores the unrotated token')
})

t.test('rotating the secret refuses the old secret and older tokens; the new secret works', async (t) => {
  const c = await createClient('to rotate', ['people:read'])
  const oldToken = await tokenFor(c.client.id, c.clientSecret)
  t.equal((await listOrgUnits(oldToken)).statusCode, 200)

  const rotate = await ctx.app.inject({ method: 'POST', url: `/v1/api-clients/${c.client.id}/rotate-secret`, headers: admin })
  t.equal(rotate.statusCode, 200)
  const rotated = rotate.json()
  t.not(rotated.clientSecret, c.clientSecret)
  t.equal(rotated.client.version, 2)
  t.equal(rotate.headers['cache-control'], 'no-store')

  expectProblem(t, await listOrgUnits(oldToken), 401, 'unauthorized')
  const oldSecret = await tokenRequest({ grant_type: 'client_credentials', client_id: c.client.id, client_secret: c.clientSecret })
  expectProblem(t, oldSecret, 401, 'invalid-client')
  const newToken = await tokenFor(c.client.id, rotated.clientSecret)
  t.equal((await listOrgUnits(newToken)).statusCode, 200)
})

t.test('rotate-secret with a stale If-Match is refused and keeps the old secret', async (t) => {
  const c = await createClient('stale rotate', ['people:read'])
  const res = await ctx.app.inject({ method: 'POST', url: `/v1/api-clients/${c.client.id}/rotate-secret`, headers: { ...admin, 'if-match': '"7"' } })
  expectProblem(t, res, 412, 'precondition-failed')
  t.ok(await tokenFor(c.client.id, c.clientSecret), 'old secret still works')
})

t.test('unknown scopes are refused on create (422 naming each) and on update', async (t) => {
  const res = await ctx.app.inject({ method: 'POST', url: '/v1/api-clients', headers: admin, payload: { name: 'bad', scopes: ['people:read', 'root:everything', 'people:delete'] } })
  const body = expectProblem(t, res, 422, 'unprocessable')
  t.same(body.errors?.map((e) => e.pointer), ['/scopes/1', '/scopes/2'])
  const patch = await ctx.app.inject({ method: 'PATCH', url: `/v1/api-clients/${reader.client.id}`, headers: admin, payload: { scopes: ['superuser'] } })
  expectProblem(t, patch, 422, 'unprocessable')
  const list = await ctx.app.inject({ method: 'GET', url: '/v1/api-clients?limit=500', headers: admin })
  t.notOk(list.json().data.some((c: { name: string }) => c.name === 'bad'), 'nothing was created')
})

t.test('a malformed create is a validation problem listing each field', async (t) => {
  const res = await ctx.app.inject({ method: 'POST', url: '/v1/api-clients', headers: admin, payload: { name: '', scopes: [], secret: 'mine' } })
  const body = expectProblem(t, res, 400, 'validation')
  t.same(body.errors?.map((e) => e.pointer).sort(), ['/name', '/scopes', '/secret'])
})

t.test('PATCH with a stale If-Match is 412 and changes nothing', async (t) => {
  const c = await createClient('stale patch', ['people:read'])
  const first = await ctx.app.inject({ method: 'PATCH', url: `/v1/api-clients/${c.client.id}`, headers: { ...admin, 'if-match': '"1"' }, payload: { name: 'renamed' } })
  t.equal(first.statusCode, 200)
  const stale = await ctx.app.inject({ method: 'PATCH', url: `/v1/api-clients/${c.client.id}`, headers: { ...admin, 'if-match': '"1"' }, payload: { status: 'disabled' } })
  expectProblem(t, stale, 412, 'precondition-failed')
  t.equal(stale.headers.etag, '"2"', 'the 412 names the current version')
  const now = await ctx.app.inject({ method: 'GET', url: `/v1/api-clients/${c.client.id}`, headers: admin })
  t.match(now.json(), { name: 'renamed', status: 'active', version: 2 })
  t.ok(await tokenFor(c.client.id, c.clientSecret), 'still active')
})

t.test('a client that does not exist is 404 for get, patch and rotate', async (t) => {
  const id = randomUUID()
  expectProblem(t, await ctx.app.inject({ method: 'GET', url: `/v1/api-clients/${id}`, headers: admin }), 404, 'not-found')
  expectProblem(t, await ctx.app.inject({ method: 'PATCH', url: `/v1/api-clients/${id}`, headers: admin, payload: { name: 'x' } }), 404, 'not-found')
  expectProblem(t, await ctx.app.inject({ method: 'POST', url: `/v1/api-clients/${id}/rotate-secret`, headers: admin }), 404, 'not-found')
})

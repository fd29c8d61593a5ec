/**
 * End to end through a client generated from the committed contract (openapi/openapi.json →
 * `npm run sdk` → test/sdk/schema.d.ts) and openapi-fetch, against the app listening on a real
 * socket. If the contract and the implementation drift apart, this file stops type-checking or
 * these requests stop working.
 */
import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { sdkFor } from '../helpers/sdk.js'

const ctx = await buildTestApp()
t.teardown(() => ctx.close())
const { clientWith, anonymous } = await sdkFor(ctx)
const admin = clientWith(ctx.token(['admin'], { sub: 'sdk-e2e-admin' }))

t.test('health needs no token', async (t) => {
  const live = await anonymous.GET('/health/live')
  t.equal(live.response.status, 200)
  const ready = await anonymous.GET('/health/ready')
  t.equal(ready.response.status, 200)
  t.equal(ready.data?.schema, 'current')
})

t.test('a request without a token is a typed problem', async (t) => {
  const { data, error, response } = await anonymous.GET('/v1/people', { params: { query: {} } })
  t.equal(response.status, 401)
  t.equal(data, undefined)
  t.match(response.headers.get('content-type'), /application\/problem\+json/)
  t.match(response.headers.get('www-authenticate'), /^Bearer/)
  t.equal(error?.status, 401)
  t.match(error?.type, /\/problems\/unauthorized$/)
})

// Shared across the flow below: an HR system's client, then what it creates.
let hr: ReturnType<typeof clientWith>
let orgUnitId = ''
let gradeId = ''

t.test('an administrator creates an API client, which exchanges its secret for a token (form encoded)', async (t) => {
  const created = await admin.POST('/v1/api-clients', {
    body: { name: 'HR system (sdk e2e)', scopes: ['people:read', 'people:write', 'events:read'] }
  })
  t.equal(created.response.status, 201)
  const clientId = created.data!.client.id
  const clientSecret = created.data!.clientSecret
  t.ok(clientSecret.length >= 20, 'the secret is shown once')

  const token = await anonymous.POST('/v1/auth/token', {
    body: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: 'people:read people:write events:read' },
    bodySerializer: (body) => new URLSearchParams(body as Record<string, string>).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' }
  })
  t.equal(token.response.status, 200, JSON.stringify(token.error))
  t.equal(token.data?.token_type, 'Bearer')
  t.ok(token.data!.expires_in > 0)
  t.same(token.data!.scope.split(' ').sort(), ['events:read', 'people:read', 'people:write'])

  const wrong = await anonymous.POST('/v1/auth/token', {
    body: { grant_type: 'client_credentials', client_id: clientId, client_secret: 'not-the-secret' },
    bodySerializer: (body) => new URLSearchParams(body as Record<string, string>).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' }
  })
  t.equal(wrong.response.status, 401)
  t.match(wrong.error?.type, /\/problems\/invalid-client$/)

  hr = clientWith(token.data!.access_token)
})

t.test('the client creates an org unit, a grade and a person', async (t) => {
  const unit = await hr.POST('/v1/org-units', {
    body: { externalId: 'OU-SDK-1', name: 'Sdk Borough', kind: 'borough' },
    headers: { 'idempotency-key': 'sdk-e2e-org-unit-1' }
  })
  t.equal(unit.response.status, 201, JSON.stringify(unit.error))
  t.match(unit.response.headers.get('location'), new RegExp(`/v1/org-units/${unit.data!.id}$`))
  t.ok(unit.response.headers.get('etag'))
  orgUnitId = unit.data!.id

  // The same Idempotency-Key with the same body replays the first answer: no second unit.
  const replay = await hr.POST('/v1/org-units', {
    body: { externalId: 'OU-SDK-1', name: 'Sdk Borough', kind: 'borough' },
    headers: { 'idempotency-key': 'sdk-e2e-org-unit-1' }
  })
  t.equal(replay.response.status, 201)
  t.equal(replay.data?.id, orgUnitId)

  const grade = await hr.POST('/v1/grades', {
    body: { externalId: 'GR-SDK-PS', code: 'PS', name: 'Police Sergeant', staffType: 'officer', level: 2 }
  })
  t.equal(grade.response.status, 201, JSON.stringify(grade.error))
  gradeId = grade.data!.id

  const person = await hr.POST('/v1/people', {
    body: { externalId: 'P-SDK-0000', givenName: 'Ada', familyName: 'Manager', staffType: 'officer', gradeId, orgUnitId }
  })
  t.equal(person.response.status, 201, JSON.stringify(person.error))
  t.equal(person.data?.orgUnitId, orgUnitId)
  t.equal(person.data?.gradeId, gradeId)

  const read = await hr.GET('/v1/people/{id}', { params: { path: { id: person.data!.id } } })
  t.equal(read.response.status, 200)
  t.equal(read.data?.givenName, 'Ada')
  t.equal(read.response.headers.get('etag'), person.response.headers.get('etag'))
})

const IMPORTED = 25
const csv = [
  'externalId,givenName,familyName,email,staffType,gradeExternalId,orgUnitExternalId,lineManagerExternalId,status',
  ...Array.from({ length: IMPORTED }, (_, i) => {
    const n = String(i + 1).padStart(4, '0')
    return `P-SDK-${n},Person,Number ${n},person.${n}@example.org,officer,GR-SDK-PS,OU-SDK-1,P-SDK-0000,active`
  })
].join('\n') + '\n'

t.test('the client imports people from CSV; the same file again changes nothing', async (t) => {
  const first = await hr.POST('/v1/people/import', {
    params: { query: {} },
    body: csv,
    bodySerializer: (body) => body as string,
    headers: { 'content-type': 'text/csv' }
  })
  t.equal(first.response.status, 200, JSON.stringify(first.error))
  const result = first.data as { counts: { read: number; created: number; updated: number; unchanged: number; failed: number } }
  t.match(result.counts, { read: IMPORTED, created: IMPORTED, updated: 0, unchanged: 0, failed: 0 })

  const again = await hr.POST('/v1/people/import', {
    params: { query: {} },
    body: csv,
    bodySerializer: (body) => body as string,
    headers: { 'content-type': 'text/csv' }
  })
  t.equal(again.response.status, 200)
  t.match((again.data as typeof result).counts, { read: IMPORTED, created: 0, updated: 0, unchanged: IMPORTED, failed: 0 })
})

t.test('the client pages through people with the cursor until nextCursor is null', async (t) => {
  const seen: string[] = []
  let cursor: string | undefined
  let pages = 0
  for (;;) {
    const page = await hr.GET('/v1/people', { params: { query: { limit: 10, orgUnitId, ...(cursor ? { cursor } : {}) } } })
    t.equal(page.response.status, 200, JSON.stringify(page.error))
    pages++
    for (const person of page.data!.data) seen.push(person.externalId ?? person.id)
    const next = page.data!.page.nextCursor
    if (next === null) {
      t.notOk(page.response.headers.get('link'), 'no Link header on the last page')
      break
    }
    t.match(page.response.headers.get('link'), /rel="next"/)
    cursor = next
    if (pages > 10) throw new Error('pagination did not end')
  }
  t.equal(pages, 3)
  t.equal(seen.length, IMPORTED + 1)
  t.equal(new Set(seen).size, seen.length, 'no person appears twice')

  const reports = await hr.GET('/v1/people', { params: { query: { limit: 500, q: 'Number 0001' } } })
  t.equal(reports.response.status, 200)
  t.ok(reports.data!.data.some((p) => p.externalId === 'P-SDK-0001'))
})

t.test('the change feed shows what happened, in order', async (t) => {
  const types: string[] = []
  let after = 0
  for (;;) {
    const feed = await hr.GET('/v1/events', { params: { query: { after, limit: 20 } } })
    t.equal(feed.response.status, 200, JSON.stringify(feed.error))
    const sequences = feed.data!.data.map((e) => e.sequence)
    t.same(sequences, [...sequences].sort((a, b) => a - b), 'sequences increase')
    types.push(...feed.data!.data.map((e) => e.type))
    if (feed.data!.page.nextCursor === null) break
    after = feed.data!.page.lastSequence
  }
  t.ok(types.includes('api-client.created'))
  t.equal(types.filter((x) => x === 'org-unit.created').length, 1, 'the idempotent replay made no second unit')
  t.ok(types.includes('grade.created'))
  t.equal(types.filter((x) => x === 'person.created').length, IMPORTED + 1)

  const filtered = await hr.GET('/v1/events', { params: { query: { type: 'grade.created' } } })
  t.equal(filtered.response.status, 200)
  t.ok(filtered.data!.data.length >= 1)
  t.ok(filtered.data!.data.every((e) => e.type === 'grade.created'))
})

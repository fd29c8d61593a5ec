import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto'
import jwt from 'jsonwebtoken'
import t from 'tap'
import { fillPath, isPublic, isRaterOnly, loadContract, operations, requiredScopes, type Op } from './lib/contract.js'
import { client, report, send } from './lib/http.js'
import { startServer, SUITE_SECRET, token } from './lib/server.js'

process.env.RESILIENCE_FILE = 'auth'
const doc = loadContract()
const ops = operations(doc)
const figures: Record<string, unknown> = {}

/** What may be reached without a bearer token: health, the problem catalogue (docs), token issuance. */
const EXPECTED_PUBLIC = ['getLiveness', 'getReadiness', 'listProblemTypes', 'getProblemType', 'createToken'].sort()

const server = await startServer()
t.teardown(() => server.stop())

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
const now = () => Math.floor(Date.now() / 1000)
const claims = (extra: Record<string, unknown> = {}) => ({ sub: 'attacker', scope: 'admin', iss: 'pathway', aud: 'pathway-api', iat: now(), exp: now() + 600, ...extra })
const hs = (payload: object, secret = SUITE_SECRET, algorithm: jwt.Algorithm = 'HS256') => jwt.sign(payload, secret, { algorithm })
const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 })
const attackerPem = attacker.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()

function tamper(validToken: string) {
  const [header, , signature] = validToken.split('.')
  return `${header}.${b64(claims({ scope: 'admin', sub: 'escalated' }))}.${signature}`
}

/** Authorization headers that must never get past authentication on the HS256 server. */
const attacks: Array<[string, string]> = [
  ['alg none', `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`],
  ['alg None', `Bearer ${b64({ alg: 'None', typ: 'JWT' })}.${b64(claims())}.`],
  ['alg NONE with a signature', `Bearer ${b64({ alg: 'NONE', typ: 'JWT' })}.${b64(claims())}.${randomBytes(32).toString('base64url')}`],
  ['HS256, wrong key', `Bearer ${hs(claims(), 'another-secret-that-is-long-enough-for-hs256-xx')}`],
  ['HS512 (not an accepted algorithm)', `Bearer ${hs(claims(), SUITE_SECRET, 'HS512')}`],
  ['RS256 by an attacker’s key', `Bearer ${jwt.sign(claims(), attackerPem, { algorithm: 'RS256' })}`],
  ['expired', `Bearer ${hs(claims({ iat: now() - 7200, exp: now() - 120 }))}`],
  ['not yet valid', `Bearer ${hs(claims({ nbf: now() + 600 }))}`],
  ['wrong issuer', `Bearer ${hs(claims({ iss: 'someone-else' }))}`],
  ['wrong audience', `Bearer ${hs(claims({ aud: 'another-api' }))}`],
  ['no expiry', `Bearer ${hs({ sub: 'attacker', scope: 'admin', iss: 'pathway', aud: 'pathway-api' })}`],
  ['no subject', `Bearer ${hs({ scope: 'admin', iss: 'pathway', aud: 'pathway-api', exp: now() + 600 })}`],
  ['tampered payload', `Bearer ${tamper(token(['people:read'], { sub: 'reader' }))}`],
  ['garbage', 'Bearer garbage'],
  ['three garbage parts', 'Bearer a.b.c'],
  ['truncated', `Bearer ${token().slice(0, 40)}`],
  ['oversized (12 KB)', `Bearer ${'A'.repeat(6_000)}.${'B'.repeat(6_000)}.${'C'.repeat(100)}`],
  ['empty bearer', 'Bearer '],
  ['Basic scheme', `Basic ${Buffer.from('admin:admin').toString('base64')}`],
  ['token without a scheme', token()],
  ['JSON instead of a token', `Bearer {"sub":"admin"}`]
]

const samplePath = (op: Op) => fillPath(op.path, (name) => (name === 'slug' ? 'validation' : randomUUID()))

t.test('only health, the contract and docs, token issuance and the rater-token endpoints are public', async (t) => {
  const publicOps = ops.filter(isPublic).map((o) => o.operationId!).sort()
  t.same(publicOps, EXPECTED_PUBLIC, 'the operations with `security: []` are exactly the expected ones')
  const raterOps = ops.filter(isRaterOnly)
  for (const op of raterOps) {
    t.ok(op.tags?.includes('feedback') && op.path.startsWith('/v1/questionnaire'), `${op.operationId}: rater-token operations are the feedback questionnaire`)
  }
  for (const path of ['/openapi.json', '/docs']) {
    const res = await fetch(server.base + path, { redirect: 'manual' })
    t.ok(res.status === 200 || (res.status >= 300 && res.status < 400), `${path} is served without a token (${res.status})`)
    await res.text()
  }
  figures['public operations'] = `${publicOps.join(', ')}; rater-token: ${raterOps.map((o) => o.operationId).join(', ') || '(none yet)'}`
})

t.test('every other operation refuses a missing token and every forged one with 401', async (t) => {
  const guarded = ops.filter((o) => !isPublic(o) && !isRaterOnly(o))
  let refused = 0
  const wrong: string[] = []
  for (const op of guarded) {
    const path = samplePath(op)
    for (const [name, header] of [['no Authorization header', ''] as [string, string], ...attacks]) {
      const res = await send(server.base, op.method, path, { headers: header ? { authorization: header } : {}, ...(op.requestBody ? { body: {} } : {}) })
      const problem = res.status === 401 ? res.json() : undefined
      if (res.status !== 401 || problem?.type !== '/problems/unauthorized' || !/^Bearer realm="pathway"/.test(res.headers.get('www-authenticate') ?? '')) {
        wrong.push(`${op.method} ${op.path} with ${name}: ${res.status} ${res.text.slice(0, 150)}`)
      } else refused++
    }
  }
  t.same(wrong.slice(0, 20), [], `${refused} refusals, all 401 unauthorized with a Bearer challenge`)
  figures['401 refusals'] = `${refused} (${guarded.length} operations × ${attacks.length + 1} kinds: no token and ${attacks.map((a) => a[0]).join(', ')})`
})

t.test('a valid token without the operation’s scope is 403', async (t) => {
  const scoped = ops.filter((o) => !isPublic(o) && !isRaterOnly(o) && requiredScopes(o).every((req) => req.length > 0))
  const noScope = token([], { sub: 'no-scopes' })
  const wrong: string[] = []
  let forbidden = 0
  for (const op of scoped) {
    const res = await send(server.base, op.method, samplePath(op), { token: noScope, ...(op.requestBody ? { body: {} } : {}) })
    if (res.status !== 403 || res.json().type !== '/problems/forbidden' || !/insufficient_scope/.test(res.headers.get('www-authenticate') ?? '')) {
      wrong.push(`${op.method} ${op.path}: ${res.status} ${res.text.slice(0, 150)}`)
    } else forbidden++
  }
  t.same(wrong, [], `${forbidden} operations answer 403 insufficient_scope to a token without scopes`)
  // A token for another module's scope: read scopes do not reach other modules.
  const readers = ['people:read', 'programmes:read', 'audit:read', 'events:read']
  let crossForbidden = 0
  for (const scope of readers) {
    const tokenFor = token([scope], { sub: `only-${scope}` })
    for (const op of scoped) {
      // A read scope implies nothing else, so only a requirement of exactly that scope is met.
      if (requiredScopes(op).some((req) => req.every((s) => s === scope))) continue
      const res = await send(server.base, op.method, samplePath(op), { token: tokenFor, ...(op.requestBody ? { body: {} } : {}) })
      if (res.status !== 403) wrong.push(`${op.method} ${op.path} with only ${scope}: ${res.status}`)
      else crossForbidden++
    }
  }
  t.same(wrong, [], `${crossForbidden} refusals of a token holding only another scope`)
  figures['403 refusals'] = `${forbidden} operations without any scope; ${crossForbidden} with only another module’s read scope`
})

t.test('on a server that verifies RS256 with a public key, HS256 signed with that public key (algorithm confusion) is 401', async (t) => {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const publicPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString()
  const privatePem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  const rs = await startServer({ JWT_SECRET: '', JWT_PUBLIC_KEY: publicPem })
  t.teardown(() => rs.stop())
  const path = '/v1/people?limit=1'
  const good = jwt.sign(claims({ scope: 'people:read' }), privatePem, { algorithm: 'RS256' })
  t.equal((await client(rs.base, good).get(path)).status, 200, 'a genuine RS256 token is accepted')
  const forged: Array<[string, string]> = [
    ['HS256 keyed with the public key', jwt.sign(claims(), publicPem, { algorithm: 'HS256' })],
    ['HS256 keyed with the suite secret', hs(claims())],
    ['alg none', `${b64({ alg: 'none' })}.${b64(claims())}.`],
    ['RS256 by another key', jwt.sign(claims(), attackerPem, { algorithm: 'RS256' })],
    ['RS256 expired', jwt.sign(claims({ exp: now() - 120 }), privatePem, { algorithm: 'RS256' })]
  ]
  for (const [name, forgedToken] of forged) {
    const res = await client(rs.base, forgedToken).get(path)
    t.equal(res.status, 401, name)
  }
  figures['RS256 server'] = `genuine 200; ${forged.length} forgeries 401 (${forged.map((f) => f[0]).join(', ')})`
})

t.test('report', async () => {
  report('2 authentication', figures)
})

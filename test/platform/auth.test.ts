import { createHmac, generateKeyPairSync } from 'node:crypto'
import jwt from 'jsonwebtoken'
import t, { type Test } from 'tap'
import { buildTestApp, TEST_SECRET } from '../helpers/app.js'
import { expectProblem } from './expect-problem.js'

const ctx = await buildTestApp()
t.teardown(() => ctx.close())

const ISSUER = 'pathway'
const AUDIENCE = 'pathway-api'
const now = () => Math.floor(Date.now() / 1000)
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

/** A JWT built by hand, so the header can say anything (alg none, HS256 over a public key …). */
function handMade(header: Record<string, unknown>, payload: Record<string, unknown>, sign: (input: string) => string) {
  const input = `${b64(header)}.${b64(payload)}`
  return `${input}.${sign(input)}`
}

const validClaims = () => ({ sub: 'someone', scope: 'people:read', iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 600 })

const listOrgUnits = (authorization?: string) =>
  ctx.app.inject({ method: 'GET', url: '/v1/org-units', headers: authorization === undefined ? {} : { authorization } })

/** 401 unauthorized problem with a well-formed RFC 6750 challenge. */
function expectInvalidToken(t: Test, res: Awaited<ReturnType<typeof listOrgUnits>>) {
  const body = expectProblem(t, res, 401, 'unauthorized')
  const challenge = String(res.headers['www-authenticate'])
  t.match(challenge, /^Bearer realm="pathway", error="invalid_token"/, 'challenge names the realm and invalid_token')
  // RFC 6750 §3: error_description is a quoted-string that may not contain `"` or `\`.
  t.match(challenge, /^Bearer realm="pathway", error="invalid_token", error_description="[\x20\x21\x23-\x5b\x5d-\x7e]*"$/, 'challenge is well-formed')
  return body
}

t.test('a valid token reaches the operation (control for the refusals below)', async (t) => {
  const res = await listOrgUnits(`Bearer ${ctx.token(['people:read'])}`)
  t.equal(res.statusCode, 200)
})

t.test('a request without a token is refused with 401 and a Bearer challenge', async (t) => {
  const res = await listOrgUnits()
  const body = expectInvalidToken(t, res)
  t.equal(body.instance, '/v1/org-units')
})

t.test('an Authorization header that is not "Bearer <token>" is refused', async (t) => {
  for (const header of ['Token abc', 'Bearer', 'Bearer ', 'Bearer a b', `Basic ${Buffer.from('a:b').toString('base64')}`, 'Bearer tok"en']) {
    const res = await listOrgUnits(header)
    expectInvalidToken(t, res)
  }
})

t.test('a token that is not a JWT is refused', async (t) => {
  expectInvalidToken(t, await listOrgUnits('Bearer not.a.jwt'))
  expectInvalidToken(t, await listOrgUnits('Bearer abcdef'))
})

t.test('an expired token is refused and the reason says so', async (t) => {
  const token = jwt.sign({ ...validClaims(), iat: now() - 7200, exp: now() - 3600 }, TEST_SECRET, { algorithm: 'HS256' })
  const body = expectInvalidToken(t, await listOrgUnits(`Bearer ${token}`))
  t.match(body.detail, /expired/)
})

t.test('a token from another issuer is refused', async (t) => {
  const token = jwt.sign({ ...validClaims(), iss: 'someone-else' }, TEST_SECRET, { algorithm: 'HS256' })
  expectInvalidToken(t, await listOrgUnits(`Bearer ${token}`))
})

t.test('a token for another audience is refused', async (t) => {
  const token = jwt.sign({ ...validClaims(), aud: 'another-api' }, TEST_SECRET, { algorithm: 'HS256' })
  expectInvalidToken(t, await listOrgUnits(`Bearer ${token}`))
})

t.test('a token signed with another secret is refused', async (t) => {
  const token = jwt.sign(validClaims(), 'another-secret-that-is-also-long-enough-000', { algorithm: 'HS256' })
  expectInvalidToken(t, await listOrgUnits(`Bearer ${token}`))
})

t.test('a token whose payload was altered after signing is refused', async (t) => {
  const [header, , signature] = jwt.sign(validClaims(), TEST_SECRET, { algorithm: 'HS256' }).split('.')
  const forged = `${header}.${b64({ ...validClaims(), scope: 'admin' })}.${signature}`
  expectInvalidToken(t, await listOrgUnits(`Bearer ${forged}`))
})

t.test('an unsigned token (alg none) is refused', async (t) => {
  const token = handMade({ alg: 'none', typ: 'JWT' }, { ...validClaims(), scope: 'admin' }, () => '')
  expectInvalidToken(t, await listOrgUnits(`Bearer ${token}`))
  const upper = handMade({ alg: 'NONE', typ: 'JWT' }, { ...validClaims(), scope: 'admin' }, () => '')
  expectInvalidToken(t, await listOrgUnits(`Bearer ${upper}`))
})

t.test('a token signed with an algorithm that is not pinned (HS512) is refused', async (t) => {
  const token = jwt.sign(validClaims(), TEST_SECRET, { algorithm: 'HS512' })
  expectInvalidToken(t, await listOrgUnits(`Bearer ${token}`))
})

t.test('a token that never expires is refused', async (t) => {
  const { exp: _exp, ...claims } = validClaims()
  const token = jwt.sign(claims, TEST_SECRET, { algorithm: 'HS256' })
  t.notOk((jwt.decode(token) as jwt.JwtPayload).exp, 'the token really has no exp')
  const body = expectInvalidToken(t, await listOrgUnits(`Bearer ${token}`))
  t.match(body.detail, /expiry/)
})

t.test('a token without a subject is refused', async (t) => {
  const { sub: _sub, ...claims } = validClaims()
  const token = jwt.sign(claims, TEST_SECRET, { algorithm: 'HS256' })
  expectInvalidToken(t, await listOrgUnits(`Bearer ${token}`))
})

t.test('a token that is not valid yet is refused', async (t) => {
  const token = jwt.sign({ ...validClaims(), nbf: now() + 3600 }, TEST_SECRET, { algorithm: 'HS256' })
  expectInvalidToken(t, await listOrgUnits(`Bearer ${token}`))
})

t.test('a token lacking the scope gets 403 with an insufficient_scope challenge naming it', async (t) => {
  const res = await ctx.app.inject({ method: 'POST', url: '/v1/org-units', headers: ctx.auth(['people:read']), payload: { name: 'Refused', kind: 'team' } })
  const body = expectProblem(t, res, 403, 'forbidden')
  t.match(body.detail, /people:write/)
  t.equal(res.headers['www-authenticate'], 'Bearer realm="pathway", error="insufficient_scope", scope="people:write"')
  const list = await ctx.app.inject({ method: 'GET', url: '/v1/org-units?q=Refused', headers: ctx.auth(['people:read']) })
  t.same(list.json().data, [], 'nothing was created')
})

t.test('a token with no scopes at all is refused everywhere but still authenticates', async (t) => {
  const res = await listOrgUnits(`Bearer ${ctx.token([])}`)
  expectProblem(t, res, 403, 'forbidden')
})

t.test('admin implies every scope', async (t) => {
  const admin = ctx.auth(['admin'])
  t.equal((await ctx.app.inject({ method: 'GET', url: '/v1/org-units', headers: admin })).statusCode, 200, 'people:read')
  t.equal((await ctx.app.inject({ method: 'POST', url: '/v1/org-units', headers: admin, payload: { name: 'By admin', kind: 'team' } })).statusCode, 201, 'people:write')
  t.equal((await ctx.app.inject({ method: 'GET', url: '/v1/audit-records', headers: admin })).statusCode, 200, 'audit:read')
  t.equal((await ctx.app.inject({ method: 'GET', url: '/v1/events', headers: admin })).statusCode, 200, 'events:read')
  t.equal((await ctx.app.inject({ method: 'GET', url: '/v1/api-clients', headers: admin })).statusCode, 200, 'admin-only operation')
})

t.test('people:write implies people:read, but not the other way round', async (t) => {
  t.equal((await ctx.app.inject({ method: 'GET', url: '/v1/org-units', headers: ctx.auth(['people:write']) })).statusCode, 200)
  const res = await ctx.app.inject({ method: 'POST', url: '/v1/org-units', headers: ctx.auth(['people:read']), payload: { name: 'Nope', kind: 'team' } })
  t.equal(res.statusCode, 403)
})

t.test('one scope does not imply an unrelated one', async (t) => {
  expectProblem(t, await ctx.app.inject({ method: 'GET', url: '/v1/org-units', headers: ctx.auth(['audit:read']) }), 403, 'forbidden')
  expectProblem(t, await ctx.app.inject({ method: 'GET', url: '/v1/audit-records', headers: ctx.auth(['people:write']) }), 403, 'forbidden')
  // `audit:write` is not a scope anyone holds, but if it were it would not reach admin-only operations.
  expectProblem(t, await ctx.app.inject({ method: 'GET', url: '/v1/api-clients', headers: ctx.auth(['people:write', 'audit:read', 'events:read']) }), 403, 'forbidden')
})

t.test('scopes may also come as an scp array claim', async (t) => {
  const token = jwt.sign({ ...validClaims(), scope: undefined, scp: ['people:read'] }, TEST_SECRET, { algorithm: 'HS256' })
  t.equal((await listOrgUnits(`Bearer ${token}`)).statusCode, 200)
})

t.test('public operations ignore a bad token instead of refusing it', async (t) => {
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/v1/auth/token',
    headers: { authorization: 'Bearer not.a.jwt' },
    payload: { grant_type: 'client_credentials' }
  })
  // Reaches the handler, which asks for client credentials: not a 401 about the bearer token.
  expectProblem(t, res, 400, 'invalid-grant-request')
  const health = await ctx.app.inject({ method: 'GET', url: '/health/live', headers: { authorization: 'Bearer not.a.jwt' } })
  t.equal(health.statusCode, 200)
})

t.test('with only RS256 configured', async (t) => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' }
  })
  const rs = await buildTestApp({ JWT_SECRET: '', JWT_PUBLIC_KEY: publicKey, JWT_PRIVATE_KEY: privateKey, JWT_ALGORITHMS: 'RS256' })
  t.teardown(() => rs.close())
  const get = (token: string) => rs.app.inject({ method: 'GET', url: '/v1/org-units', headers: { authorization: `Bearer ${token}` } })

  t.test('an RS256 token signed with the private key is accepted', async (t) => {
    t.equal((await get(rs.token(['people:read']))).statusCode, 200)
    const direct = jwt.sign(validClaims(), privateKey, { algorithm: 'RS256' })
    t.equal((await get(direct)).statusCode, 200)
  })

  t.test('an HS256 token keyed with the public key (algorithm confusion) is refused', async (t) => {
    const token = handMade({ alg: 'HS256', typ: 'JWT' }, { ...validClaims(), scope: 'admin' }, (input) =>
      createHmac('sha256', publicKey).update(input).digest('base64url')
    )
    const res = await get(token)
    t.equal(res.statusCode, 401)
    t.match(String(res.headers['www-authenticate']), /error="invalid_token"/)
  })

  t.test('an HS256 token signed with the old shared secret is refused', async (t) => {
    const token = jwt.sign(validClaims(), TEST_SECRET, { algorithm: 'HS256' })
    t.equal((await get(token)).statusCode, 401)
  })

  t.test('an RS256 token signed by another key pair is refused', async (t) => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } })
    const token = jwt.sign(validClaims(), other.privateKey, { algorithm: 'RS256' })
    t.equal((await get(token)).statusCode, 401)
  })

  t.test('an alg none token is refused here too', async (t) => {
    const token = handMade({ alg: 'none' }, { ...validClaims(), scope: 'admin' }, () => '')
    t.equal((await get(token)).statusCode, 401)
  })
})

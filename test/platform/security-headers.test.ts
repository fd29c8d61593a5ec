import { IncomingMessage, ServerResponse } from 'node:http'
import { Socket } from 'node:net'
import t from 'tap'
import helmet from 'helmet'
import { computeSecurityHeaders, SECURITY_HEADER_OPTIONS, SECURITY_HEADERS } from '../../src/platform/security-headers.js'
import { buildTestApp } from '../helpers/app.js'
import { expectProblem } from './expect-problem.js'

const ctx = await buildTestApp()
t.teardown(() => ctx.close())

/** What helmet itself sets on a real Node response with the API's options, as a fresh middleware would per request. */
function fromHelmet(): Record<string, string> {
  const res = new ServerResponse(new IncomingMessage(new Socket()))
  res.setHeader('X-Powered-By', 'something')
  let called = false
  helmet(SECURITY_HEADER_OPTIONS)(res.req, res, () => {
    called = true
  })
  if (!called) throw new Error('helmet did not call next')
  return Object.fromEntries(Object.entries(res.getHeaders()).map(([name, value]) => [name, String(value)]))
}

const expected = fromHelmet()
const admin = ctx.auth(['admin'], { sub: 'headers-admin' })

/** The headers a response carries among those helmet sets (or removes), by name. */
function securityHeadersOf(headers: Record<string, unknown>) {
  return Object.fromEntries(Object.keys({ ...expected, 'x-powered-by': '' }).filter((name) => name in headers).map((name) => [name, String(headers[name])]))
}

t.test('helmet sets the headers the API documents', async (t) => {
  t.notOk('x-powered-by' in expected, 'helmet removes X-Powered-By')
  t.equal(expected['x-content-type-options'], 'nosniff')
  t.equal(expected['x-frame-options'], 'SAMEORIGIN')
  t.equal(expected['cross-origin-resource-policy'], 'same-origin')
  t.equal(expected['referrer-policy'], 'no-referrer')
  t.match(expected['strict-transport-security'], /^max-age=\d+/)
  t.match(expected['content-security-policy'], /^default-src 'self';/)
  t.match(expected['content-security-policy'], /;style-src 'self' 'unsafe-inline';/)
  t.match(expected['content-security-policy'], /;img-src 'self' data:;/)
  t.ok(Object.keys(expected).length >= 10, `${Object.keys(expected).length} headers`)
})

t.test('the headers computed once are exactly helmet\'s', async (t) => {
  t.same({ ...SECURITY_HEADERS }, expected)
  t.ok(Object.isFrozen(SECURITY_HEADERS), 'nothing can change them for later requests')
})

t.test('every kind of response carries exactly helmet\'s headers', async (t) => {
  const responses = {
    'a JSON list': await ctx.app.inject({ method: 'GET', url: '/v1/org-units', headers: admin }),
    'a 201 create': await ctx.app.inject({ method: 'POST', url: '/v1/org-units', headers: admin, payload: { name: 'Headers unit', kind: 'team' } }),
    'a HEAD': await ctx.app.inject({ method: 'HEAD', url: '/health/live' }),
    'a health answer': await ctx.app.inject({ method: 'GET', url: '/health/live' }),
    'a problem type page': await ctx.app.inject({ method: 'GET', url: '/problems/not-found' }),
    'the OpenAPI document': await ctx.app.inject({ method: 'GET', url: '/openapi.json' }),
    'a 401 problem': await ctx.app.inject({ method: 'GET', url: '/v1/org-units' }),
    'a 403 problem': await ctx.app.inject({ method: 'GET', url: '/v1/org-units', headers: ctx.auth(['feedback:read'], { sub: 'headers-reader' }) }),
    'a 404 from the router under /v1': await ctx.app.inject({ method: 'GET', url: '/v1/nothing-here', headers: admin }),
    'a 404 from the router at the root': await ctx.app.inject({ method: 'GET', url: '/nothing-here' }),
    'a 404 for an unrouted OPTIONS': await ctx.app.inject({ method: 'OPTIONS', url: '/v1/org-units', headers: { origin: 'https://elsewhere.example' } }),
    'a 400 validation problem': await ctx.app.inject({ method: 'POST', url: '/v1/org-units', headers: admin, payload: { name: 7 } }),
    'a 400 malformed JSON body': await ctx.app.inject({ method: 'POST', url: '/v1/org-units', headers: { ...admin, 'content-type': 'application/json' }, payload: '{"name":' }),
    'a 415 problem': await ctx.app.inject({ method: 'POST', url: '/v1/org-units', headers: { ...admin, 'content-type': 'text/plain' }, payload: 'x' }),
    // The router refuses these before any hook runs.
    'a 400 for a malformed URL': await ctx.app.inject({ method: 'GET', url: '/v1/org-units/%E0%A4%A' }),
    'a 400 for an over-long path parameter': await ctx.app.inject({ method: 'GET', url: `/v1/people/${'a'.repeat(600)}` })
  }
  t.equal(responses['a JSON list'].statusCode, 200)
  t.equal(responses['a 201 create'].statusCode, 201)
  t.equal(responses['a HEAD'].statusCode, 200)
  t.equal(responses['a problem type page'].statusCode, 200)
  t.equal(responses['the OpenAPI document'].statusCode, 200)
  expectProblem(t, responses['a 401 problem'], 401, 'unauthorized')
  t.equal(responses['a 403 problem'].statusCode, 403)
  expectProblem(t, responses['a 404 from the router under /v1'], 404, 'not-found')
  expectProblem(t, responses['a 404 from the router at the root'], 404, 'not-found')
  t.equal(responses['a 404 for an unrouted OPTIONS'].statusCode, 404)
  expectProblem(t, responses['a 400 validation problem'], 400, 'validation')
  expectProblem(t, responses['a 400 malformed JSON body'], 400, 'malformed-body')
  expectProblem(t, responses['a 415 problem'], 415, 'unsupported-media-type')
  expectProblem(t, responses['a 400 for a malformed URL'], 400, 'validation')
  expectProblem(t, responses['a 400 for an over-long path parameter'], 400, 'validation')
  for (const [what, res] of Object.entries(responses)) {
    t.same(securityHeadersOf(res.headers), expected, what)
  }
})

t.test('a refusal from a later onRequest hook carries them too', async (t) => {
  ctx.app.schemaCurrent = false
  t.teardown(() => {
    ctx.app.schemaCurrent = true
  })
  const res = await ctx.app.inject({ method: 'GET', url: '/v1/org-units', headers: admin })
  expectProblem(t, res, 503, 'service-unavailable')
  t.same(securityHeadersOf(res.headers), expected)
})

t.test('the docs page keeps its own CSP and helmet\'s other headers', async (t) => {
  const { 'content-security-policy': apiPolicy, ...others } = expected
  for (const url of ['/docs', '/docs/', '/docs/static/index.html']) {
    const res = await ctx.app.inject({ method: 'GET', url })
    t.ok([200, 302].includes(res.statusCode), `${url}: ${res.statusCode}`)
    const { 'content-security-policy': policy, ...rest } = securityHeadersOf(res.headers)
    t.same(rest, others, `${url}: helmet's other headers`)
    // @fastify/swagger-ui's static policy (it allows its validator badge), set after ours.
    t.not(policy, apiPolicy, `${url}: not the API's policy`)
    t.match(policy, /^default-src 'self';.*img-src 'self' data: validator\.swagger\.io;.*object-src 'none'/, `${url}: swagger-ui's policy`)
  }
})

t.test('options that depend on the request are refused at start-up', async (t) => {
  t.throws(() => computeSecurityHeaders({ contentSecurityPolicy: { directives: { scriptSrc: ["'self'", () => "'nonce-abc'"] } } }), /must not depend on the request/)
  t.throws(() => computeSecurityHeaders({ contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], 'bad;name': ["'self'"] } } }))
})

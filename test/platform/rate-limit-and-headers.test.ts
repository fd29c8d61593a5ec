import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { expectProblem } from './expect-problem.js'

// A tiny budget so the limit is reached quickly; each test uses its own token subject.
const ctx = await buildTestApp({ RATE_LIMIT_PER_MINUTE: '5' })
t.teardown(() => ctx.close())

const as = (sub: string, scopes = ['people:write']) => ctx.auth(scopes, { sub })

t.test('rate limit', async (t) => {
  t.test('the sixth request in a minute is 429 with Retry-After', async (t) => {
    const headers = as('rl-reader')
    for (let i = 1; i <= 5; i++) {
      const res = await ctx.app.inject({ method: 'GET', url: '/v1/org-units', headers })
      t.equal(res.statusCode, 200, `request ${i} passes`)
      t.equal(res.headers['x-ratelimit-limit'], '5')
      t.equal(res.headers['x-ratelimit-remaining'], String(5 - i))
    }
    const refused = await ctx.app.inject({ method: 'GET', url: '/v1/org-units', headers })
    const body = expectProblem(t, refused, 429, 'rate-limited')
    const retryAfter = Number(refused.headers['retry-after'])
    t.ok(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 60, `Retry-After is whole seconds within the window (${refused.headers['retry-after']})`)
    t.match(body.detail, /5 requests a minute/)
  })

  t.test('a refused write changes nothing', async (t) => {
    const headers = as('rl-writer')
    for (let i = 1; i <= 5; i++) {
      t.equal((await ctx.app.inject({ method: 'POST', url: '/v1/org-units', headers, payload: { name: `Limited ${i}`, kind: 'team' } })).statusCode, 201)
    }
    const sixth = await ctx.app.inject({ method: 'POST', url: '/v1/org-units', headers, payload: { name: 'Limited 6', kind: 'team' } })
    expectProblem(t, sixth, 429, 'rate-limited')
    const list = await ctx.app.inject({ method: 'GET', url: '/v1/org-units?q=Limited', headers: as('rl-checker') })
    t.equal(list.json().data.length, 5)
  })

  t.test('the budget is per client: another caller is unaffected', async (t) => {
    const exhausted = as('rl-noisy')
    for (let i = 0; i < 6; i++) await ctx.app.inject({ method: 'GET', url: '/v1/org-units', headers: exhausted })
    t.equal((await ctx.app.inject({ method: 'GET', url: '/v1/org-units', headers: exhausted })).statusCode, 429)
    t.equal((await ctx.app.inject({ method: 'GET', url: '/v1/org-units', headers: as('rl-quiet') })).statusCode, 200)
  })

  t.test('health probes are never rate limited', async (t) => {
    for (let i = 0; i < 8; i++) {
      t.equal((await ctx.app.inject({ method: 'GET', url: '/health/live' })).statusCode, 200)
      t.equal((await ctx.app.inject({ method: 'GET', url: '/health/ready' })).statusCode, 200)
    }
  })
})

t.test('security headers', async (t) => {
  const responses = {
    'a JSON answer': await ctx.app.inject({ method: 'GET', url: '/v1/org-units', headers: as('hdr-1') }),
    'a 401 problem': await ctx.app.inject({ method: 'GET', url: '/v1/org-units' }),
    'a 404 problem': await ctx.app.inject({ method: 'GET', url: '/v1/nothing-here', headers: as('hdr-2') }),
    'a health answer': await ctx.app.inject({ method: 'GET', url: '/health/live' })
  }
  for (const [what, res] of Object.entries(responses)) {
    t.test(what, async (t) => {
      t.equal(res.headers['x-content-type-options'], 'nosniff')
      t.equal(res.headers['x-frame-options'], 'SAMEORIGIN')
      t.match(String(res.headers['strict-transport-security']), /^max-age=\d+/)
      t.equal(res.headers['referrer-policy'], 'no-referrer')
      t.equal(res.headers['cross-origin-resource-policy'], 'same-origin')
      t.match(String(res.headers['content-security-policy']), /default-src 'self'/)
      t.notOk(res.headers['x-powered-by'], 'no x-powered-by')
      t.notOk(res.headers.server, 'no server banner')
    })
  }
})

t.test('no CORS: a cross-origin caller is granted nothing', async (t) => {
  const origin = 'https://elsewhere.example'
  const simple = await ctx.app.inject({ method: 'GET', url: '/v1/org-units', headers: { ...as('cors-1'), origin } })
  t.equal(simple.statusCode, 200)
  const preflight = await ctx.app.inject({
    method: 'OPTIONS',
    url: '/v1/org-units',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' }
  })
  t.notOk(preflight.statusCode >= 200 && preflight.statusCode < 300, `the preflight is not approved (${preflight.statusCode})`)
  for (const res of [simple, preflight]) {
    const granted = Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))
    t.same(granted, [], 'no access-control-* header')
  }
})

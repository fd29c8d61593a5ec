import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { expectProblem } from './expect-problem.js'

const ctx = await buildTestApp()
t.teardown(() => ctx.close())

const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'head', 'options', 'trace'] as const

t.test('/health/live answers 200 without a token', async (t) => {
  const res = await ctx.app.inject({ method: 'GET', url: '/health/live' })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { status: 'ok' })
})

t.test('/health/ready answers 200 naming the database and a current schema', async (t) => {
  const res = await ctx.app.inject({ method: 'GET', url: '/health/ready' })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { status: 'ok', database: ctx.database.kind, schema: 'current' })
})

t.test('/health/ready is 503 while a migration the build does not know is recorded', async (t) => {
  const table = 'kysely_migration'
  await ctx.database.db.insertInto(table as never).values({ name: '9999_from_the_future', timestamp: new Date().toISOString() } as never).execute()
  t.teardown(async () => {
    await ctx.database.db.deleteFrom(table as never).where('name' as never, '=', '9999_from_the_future' as never).execute()
    await ctx.app.inject({ method: 'GET', url: '/health/ready' })
  })
  const body = expectProblem(t, await ctx.app.inject({ method: 'GET', url: '/health/ready' }), 503, 'service-unavailable')
  t.match(body.detail, /9999_from_the_future/)
  const api = await ctx.app.inject({ method: 'GET', url: '/v1/org-units', headers: ctx.auth() })
  expectProblem(t, api, 503, 'service-unavailable')
})

t.test('/health/ready recovers once the schema is current again', async (t) => {
  t.equal((await ctx.app.inject({ method: 'GET', url: '/health/ready' })).statusCode, 200)
  t.equal((await ctx.app.inject({ method: 'GET', url: '/v1/org-units', headers: ctx.auth() })).statusCode, 200)
})

t.test('/openapi.json', async (t) => {
  const res = await ctx.app.inject({ method: 'GET', url: '/openapi.json' })
  t.equal(res.statusCode, 200)
  t.match(String(res.headers['content-type']), /^application\/json/)
  const doc = res.json()

  t.test('is an OpenAPI 3.1 document for this API', async (t) => {
    t.match(doc.openapi, /^3\.1\./)
    t.match(doc.info, { title: 'Pathway API', version: /^\d+\.\d+\.\d+$/ })
    t.ok(doc.components.securitySchemes.oauth2, 'declares the oauth2 scheme')
  })

  const operations: Array<{ method: string; path: string; op: any }> = []
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const method of METHODS) if (item[method]) operations.push({ method, path, op: item[method] })
  }

  t.test('documents the platform operations', async (t) => {
    const ids = new Set(operations.map((o) => o.op.operationId))
    for (const id of ['createToken', 'createApiClient', 'listApiClients', 'getApiClient', 'updateApiClient', 'rotateApiClientSecret', 'listAuditRecords', 'listEvents', 'getLiveness', 'getReadiness']) {
      t.ok(ids.has(id), id)
    }
    t.notOk(doc.paths['/openapi.json'], 'the document does not list itself')
  })

  t.test('every operation has a unique camelCase operationId, one declared tag and a summary', async (t) => {
    const declaredTags = new Set((doc.tags ?? []).map((tag: { name: string }) => tag.name))
    const seen = new Set<string>()
    t.ok(operations.length > 10)
    for (const { method, path, op } of operations) {
      const where = `${method.toUpperCase()} ${path}`
      t.match(op.operationId, /^[a-z][a-zA-Z0-9]+$/, `${where}: operationId`)
      t.notOk(seen.has(op.operationId), `${where}: operationId is unique`)
      seen.add(op.operationId)
      t.ok(Array.isArray(op.tags) && op.tags.length === 1 && declaredTags.has(op.tags[0]), `${where}: one declared tag`)
      t.ok(typeof op.summary === 'string' && op.summary.length > 0, `${where}: summary`)
    }
  })

  t.test('every operation says who may call it and documents its refusals as problems', async (t) => {
    for (const { method, path, op } of operations) {
      const where = `${method.toUpperCase()} ${path}`
      t.ok(Array.isArray(op.security), `${where}: security is declared`)
      const isPublic = op.security.length === 0
      // The rater questionnaire is reached with an invitation token alone (the raterToken scheme):
      // no bearer token, no scopes. A bad token is a 401; with no scope to lack there is no 403.
      const raterTokenOnly = !isPublic && op.security.every((requirement: Record<string, string[]>) => Object.keys(requirement).join() === 'raterToken')
      const expected = isPublic ? ['400', '429'] : raterTokenOnly ? ['400', '401', '429'] : ['400', '401', '403', '429']
      for (const status of expected) {
        t.ok(op.responses[status]?.content?.['application/problem+json'], `${where}: documents ${status} as a problem`)
      }
      if (raterTokenOnly) t.notOk(op.responses['403'], `${where}: documents no 403, which a rater token cannot get`)
      for (const requirement of op.security) {
        for (const scheme of Object.keys(requirement)) t.ok(doc.components.securitySchemes[scheme], `${where}: ${scheme} is a declared security scheme`)
        for (const scope of Object.values<string[]>(requirement).flat()) {
          t.ok(scope in doc.components.securitySchemes.oauth2.flows.clientCredentials.scopes, `${where}: ${scope} is a declared scope`)
        }
      }
    }
  })

  t.test('every $ref resolves to a component', async (t) => {
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? []
    t.ok(refs.length > 0)
    for (const ref of new Set(refs)) {
      const target = /"#\/components\/schemas\/([^"]+)"/.exec(ref)
      t.ok(target && doc.components.schemas[target[1]], `${ref} resolves`)
    }
  })
})

t.test('/docs serves the HTML reference', async (t) => {
  for (const url of ['/docs', '/docs/']) {
    const res = await ctx.app.inject({ method: 'GET', url })
    t.equal(res.statusCode, 200, url)
    t.match(String(res.headers['content-type']), /^text\/html/)
    t.match(res.body, /<html/i)
  }
})

import formbody from '@fastify/formbody'
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type, type Static } from 'typebox'
import { actorOf, inTransaction } from '../changes.js'
import { assertCurrentVersion, ifMatchVersion, withEtag } from '../concurrency.js'
import { defineProblem, notFound, Problem } from '../problems.js'
import { keysetPage, sendPage, type SortAllowList } from '../pagination.js'
import { DateTime, errors, IdParams, Nullable, PageQuery, pageOf, publicErrors, ref, Version } from '../schemas.js'
import { ADMIN, knownScopes, requireScopes } from '../scopes.js'
import { hashSecret, newClientSecret, verifySecret } from './secrets.js'
import { mintToken } from './tokens.js'

defineProblem('invalid-client', { status: 401, title: 'Invalid client', description: 'Unknown client, wrong secret, or a disabled client (OAuth error invalid_client).' })
defineProblem('invalid-grant-request', { status: 400, title: 'Invalid token request', description: 'The token request is malformed or asks for a grant or scope the client may not have (OAuth errors invalid_request, unsupported_grant_type, invalid_scope).' })

const ScopeName = Type.String({ pattern: '^[a-z][a-z-]*(:[a-z-]+)?$', maxLength: 64 })

export const ApiClient = Type.Object(
  {
    id: Type.String({ format: 'uuid', description: 'The client_id for the token endpoint' }),
    name: Type.String(),
    description: Nullable(Type.String()),
    scopes: Type.Array(Type.String()),
    status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
    secretRotatedAt: DateTime,
    version: Version,
    createdAt: DateTime,
    updatedAt: DateTime
  },
  { $id: 'ApiClient', additionalProperties: false }
)

export const ApiClientWithSecret = Type.Object(
  {
    client: ref(ApiClient),
    clientSecret: Type.String({ description: 'Shown once; store it now. Only a hash is kept.' })
  },
  { $id: 'ApiClientWithSecret', additionalProperties: false }
)

export const ApiClientCreate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
    scopes: Type.Array(ScopeName, { minItems: 1, maxItems: 50, uniqueItems: true })
  },
  { $id: 'ApiClientCreate', additionalProperties: false }
)

export const ApiClientUpdate = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    description: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
    scopes: Type.Optional(Type.Array(ScopeName, { minItems: 1, maxItems: 50, uniqueItems: true })),
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')], { description: 'disabled refuses the client’s tokens at once' }))
  },
  { $id: 'ApiClientUpdate', additionalProperties: false }
)

export const ApiClientPage = pageOf(ref(ApiClient), 'ApiClientPage')

export const TokenRequest = Type.Object(
  {
    grant_type: Type.String({ maxLength: 100, description: 'Must be client_credentials' }),
    client_id: Type.Optional(Type.String({ maxLength: 100 })),
    client_secret: Type.Optional(Type.String({ maxLength: 200 })),
    scope: Type.Optional(Type.String({ maxLength: 2000, description: 'Space-separated subset of the client’s scopes; all of them when absent' }))
  },
  { $id: 'TokenRequest', additionalProperties: false }
)

export const TokenResponse = Type.Object(
  {
    access_token: Type.String(),
    token_type: Type.Literal('Bearer'),
    expires_in: Type.Integer(),
    scope: Type.String()
  },
  { $id: 'TokenResponse', additionalProperties: false }
)

type ClientRow = {
  id: string
  name: string
  description: string | null
  scopes: string[]
  status: 'active' | 'disabled'
  secret_rotated_at: Date | string
  version: number
  created_at: Date | string
  updated_at: Date | string
}

const toApiClient = (r: ClientRow): Static<typeof ApiClient> => ({
  id: r.id,
  name: r.name,
  description: r.description,
  scopes: r.scopes,
  status: r.status,
  secretRotatedAt: new Date(r.secret_rotated_at).toISOString(),
  version: r.version,
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString()
})

function assertKnownScopes(scopes: string[]) {
  const unknown = scopes.filter((s) => !knownScopes().has(s))
  if (unknown.length) {
    throw new Problem(422, 'unprocessable', `unknown scopes: ${unknown.join(', ')}`, {
      errors: unknown.map((s) => ({ in: 'body', pointer: `/scopes/${scopes.indexOf(s)}`, detail: `${s} is not a scope` }))
    })
  }
}

const sorts: SortAllowList<ClientRow> = {
  createdAt: { columns: ['created_at', 'id'], direction: 'asc', key: (r) => [r.created_at, r.id] },
  name: { columns: ['name', 'id'], direction: 'asc', key: (r) => [r.name, r.id] }
}

const tokenProblem = (status: number, error: string, detail: string) =>
  new Problem(status, status === 401 ? 'invalid-client' : 'invalid-grant-request', detail, {
    extensions: { error },
    headers: status === 401 ? { 'www-authenticate': 'Basic realm="pathway"' } : {}
  })

/** RFC 6749 token requests are form-encoded; only this endpoint accepts that besides JSON. */
const tokenRoute: FastifyPluginAsyncTypebox = async (scope) => {
  await scope.register(formbody, { bodyLimit: 16_384 })
  const app = scope.withTypeProvider<TypeBoxTypeProvider>()
  app.post(
    '/auth/token',
    {
      config: { rateLimit: { max: 30, timeWindow: 60_000 } },
      schema: {
        operationId: 'createToken',
        tags: ['auth'],
        summary: 'Obtain an access token (OAuth 2.0 client credentials)',
        description:
          'Form-encoded (RFC 6749) or JSON. Credentials in the body or as HTTP Basic. Errors are problem details that also carry the OAuth `error` code.',
        security: [],
        body: {
          content: {
            'application/x-www-form-urlencoded': { schema: ref(TokenRequest) },
            'application/json': { schema: ref(TokenRequest) }
          }
        } as unknown as typeof TokenRequest,
        response: { 200: ref(TokenResponse), ...publicErrors(401) }
      }
    },
    async (request, reply) => {
      let clientId = request.body.client_id
      let clientSecret = request.body.client_secret
      const basic = /^Basic\s+(.+)$/i.exec(request.headers.authorization ?? '')
      if (basic) {
        const decoded = Buffer.from(basic[1], 'base64').toString('utf8')
        const colon = decoded.indexOf(':')
        if (colon < 0) throw tokenProblem(400, 'invalid_request', 'Basic credentials must be client_id:client_secret')
        clientId = decodeURIComponent(decoded.slice(0, colon))
        clientSecret = decodeURIComponent(decoded.slice(colon + 1))
      }
      if (request.body.grant_type !== 'client_credentials') {
        throw tokenProblem(400, 'unsupported_grant_type', 'only grant_type=client_credentials is supported')
      }
      if (!clientId || !clientSecret) throw tokenProblem(400, 'invalid_request', 'client_id and client_secret are required')
      const client = /^[0-9a-f-]{36}$/i.test(clientId)
        ? await app.db.selectFrom('api_clients').selectAll().where('id', '=', clientId).executeTakeFirst()
        : undefined
      // Same answer and similar work for an unknown client as for a wrong secret.
      const ok = client ? await verifySecret(clientSecret, client.secret_hash) : await verifySecret(clientSecret, DUMMY_HASH).then(() => false)
      if (!client || !ok || client.status !== 'active') throw tokenProblem(401, 'invalid_client', 'the client is unknown, disabled, or the secret is wrong')
      const requested = request.body.scope ? request.body.scope.split(/\s+/).filter(Boolean) : client.scopes
      const excess = requested.filter((s) => !client.scopes.includes(s))
      if (excess.length) throw tokenProblem(400, 'invalid_scope', `the client may not have: ${excess.join(' ')}`)
      const ttl = app.config.tokenTtlSeconds
      const token = mintToken(app.config.jwt, {
        subject: `client:${client.id}`,
        clientId: client.id,
        clientGeneration: new Date(client.secret_rotated_at).getTime(),
        scopes: requested,
        ttlSeconds: ttl
      })
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache')
      return { access_token: token, token_type: 'Bearer' as const, expires_in: ttl, scope: requested.join(' ') }
    }
  )
}

export const apiClientRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(tokenRoute)

  app.post(
    '/api-clients',
    {
      schema: {
        operationId: 'createApiClient',
        tags: ['auth'],
        summary: 'Register an API client (an HR system or a script)',
        security: requireScopes(ADMIN),
        body: ref(ApiClientCreate),
        response: { 201: ref(ApiClientWithSecret), ...errors(409, 422) }
      }
    },
    async (request, reply) => {
      assertKnownScopes(request.body.scopes)
      const secret = newClientSecret()
      const secretHash = await hashSecret(secret)
      const client = await inTransaction(app.db, actorOf(request), async (changes) => {
        const row = await changes.trx
          .insertInto('api_clients')
          .values({ name: request.body.name, description: request.body.description ?? null, scopes: request.body.scopes, secret_hash: secretHash })
          .returningAll()
          .executeTakeFirstOrThrow()
        const client = toApiClient(row)
        changes.record({ action: 'api-client.created', entityType: 'api-client', entityId: row.id, after: client })
        return client
      })
      reply.code(201).header('location', `/v1/api-clients/${client.id}`).header('etag', `"${client.version}"`).header('cache-control', 'no-store')
      return { client, clientSecret: secret }
    }
  )

  app.get(
    '/api-clients',
    {
      schema: {
        operationId: 'listApiClients',
        tags: ['auth'],
        summary: 'List API clients',
        security: requireScopes(ADMIN),
        querystring: Type.Object(
          {
            ...PageQuery,
            status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])),
            sort: Type.Optional(Type.Union([Type.Literal('createdAt'), Type.Literal('name')], { default: 'createdAt' }))
          },
          { additionalProperties: false }
        ),
        response: { 200: ref(ApiClientPage), ...errors() }
      }
    },
    async (request, reply) => {
      let query = app.db.selectFrom('api_clients').select(['id', 'name', 'description', 'scopes', 'status', 'secret_rotated_at', 'version', 'created_at', 'updated_at'])
      if (request.query.status) query = query.where('status', '=', request.query.status)
      const page = await keysetPage(query, sorts, request.query, 'createdAt')
      return sendPage(request, reply, page.rows.map(toApiClient), page.nextCursor)
    }
  )

  app.get(
    '/api-clients/:id',
    {
      schema: {
        operationId: 'getApiClient',
        tags: ['auth'],
        summary: 'Get an API client',
        security: requireScopes(ADMIN),
        params: IdParams,
        response: { 200: ref(ApiClient), ...errors(404) }
      }
    },
    async (request, reply) => {
      const row = await app.db.selectFrom('api_clients').selectAll().where('id', '=', request.params.id).executeTakeFirst()
      if (!row) throw notFound('API client', request.params.id)
      return withEtag(reply, toApiClient(row))
    }
  )

  app.patch(
    '/api-clients/:id',
    {
      schema: {
        operationId: 'updateApiClient',
        tags: ['auth'],
        summary: 'Rename, change scopes, disable or re-enable an API client',
        security: requireScopes(ADMIN),
        params: IdParams,
        body: ref(ApiClientUpdate),
        response: { 200: ref(ApiClient), ...errors(404, 412, 422) }
      }
    },
    async (request, reply) => {
      if (request.body.scopes) assertKnownScopes(request.body.scopes)
      const expected = ifMatchVersion(request)
      const client = await inTransaction(app.db, actorOf(request), async (changes) => {
        const current = await changes.trx.selectFrom('api_clients').selectAll().where('id', '=', request.params.id).forUpdate().executeTakeFirst()
        if (!current) throw notFound('API client', request.params.id)
        assertCurrentVersion(expected, current.version)
        const { name, description, scopes, status } = request.body
        const row = await changes.trx
          .updateTable('api_clients')
          .set({
            ...(name !== undefined ? { name } : {}),
            ...(description !== undefined ? { description } : {}),
            ...(scopes !== undefined ? { scopes } : {}),
            ...(status !== undefined ? { status } : {}),
            version: current.version + 1,
            updated_at: new Date()
          })
          .where('id', '=', current.id)
          .returningAll()
          .executeTakeFirstOrThrow()
        const before = toApiClient(current)
        const after = toApiClient(row)
        const action = status && status !== current.status ? (status === 'disabled' ? 'api-client.disabled' : 'api-client.enabled') : 'api-client.updated'
        changes.record({ action, entityType: 'api-client', entityId: row.id, before, after })
        return after
      })
      app.forgetClient(client.id)
      return withEtag(reply, client)
    }
  )

  app.post(
    '/api-clients/:id/rotate-secret',
    {
      schema: {
        operationId: 'rotateApiClientSecret',
        tags: ['auth'],
        summary: 'Issue a new secret; the old secret and every token issued with it stop working',
        security: requireScopes(ADMIN),
        params: IdParams,
        response: { 200: ref(ApiClientWithSecret), ...errors(404, 412) }
      }
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request)
      const secret = newClientSecret()
      const secretHash = await hashSecret(secret)
      const client = await inTransaction(app.db, actorOf(request), async (changes) => {
        const current = await changes.trx.selectFrom('api_clients').selectAll().where('id', '=', request.params.id).forUpdate().executeTakeFirst()
        if (!current) throw notFound('API client', request.params.id)
        assertCurrentVersion(expected, current.version)
        const rotatedAt = new Date()
        const row = await changes.trx
          .updateTable('api_clients')
          .set({ secret_hash: secretHash, secret_rotated_at: rotatedAt, version: current.version + 1, updated_at: new Date() })
          .where('id', '=', current.id)
          .returningAll()
          .executeTakeFirstOrThrow()
        const after = toApiClient(row)
        changes.record({ action: 'api-client.secret-rotated', entityType: 'api-client', entityId: row.id, before: toApiClient(current), after })
        return after
      })
      app.forgetClient(client.id)
      reply.header('etag', `"${client.version}"`).header('cache-control', 'no-store')
      return { client, clientSecret: secret }
    }
  )
}

const DUMMY_HASH = await hashSecret('not-a-real-secret')

export const authSchemas = [ApiClient, ApiClientWithSecret, ApiClientCreate, ApiClientUpdate, ApiClientPage, TokenRequest, TokenResponse]

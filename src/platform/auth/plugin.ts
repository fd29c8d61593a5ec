import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Db } from '../../db/database.js'
import type { JwtConfig } from '../../config.js'
import { Problem } from '../problems.js'
import { grants } from '../scopes.js'
import { TokenError, verifyToken, type Principal } from './tokens.js'

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null
  }
}

const REALM = 'Bearer realm="pathway"'

function unauthorized(description: string) {
  // RFC 6750 §3: error_description is a quoted-string that may not hold `"` or `\`; an unescaped
  // quote would end it early and leave a challenge clients cannot parse.
  const quotable = description.replace(/["\\]/g, "'")
  return new Problem(401, 'unauthorized', description, {
    headers: { 'www-authenticate': `${REALM}, error="invalid_token", error_description="${quotable}"` }
  })
}

/** The principal a handler acts for; routes are only reached with one unless declared public. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized('a bearer token is required')
  return request.principal
}

interface ClientState {
  status: string
  rotatedAt: number
  checkedAt: number
}

/**
 * A token from client credentials stays valid only while its client is active and was issued
 * after the client's last secret rotation. Looked up per request, cached for a few seconds.
 */
function clientChecker(db: Db) {
  const cache = new Map<string, ClientState>()
  const TTL_MS = 5000
  return {
    forget(clientId: string) {
      cache.delete(clientId)
    },
    async allows(principal: Principal): Promise<boolean> {
      if (!principal.clientId) return true
      let state = cache.get(principal.clientId)
      if (!state || Date.now() - state.checkedAt > TTL_MS) {
        const row = /^[0-9a-f-]{36}$/i.test(principal.clientId)
          ? await db.selectFrom('api_clients').select(['status', 'secret_rotated_at']).where('id', '=', principal.clientId).executeTakeFirst()
          : undefined
        state = row
          ? { status: row.status, rotatedAt: new Date(row.secret_rotated_at).getTime(), checkedAt: Date.now() }
          : { status: 'missing', rotatedAt: 0, checkedAt: Date.now() }
        cache.set(principal.clientId, state)
      }
      return state.status === 'active' && principal.clientGeneration === state.rotatedAt
    }
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    forgetClient(clientId: string): void
  }
}

/** The OpenAPI security scheme of the 360° rater endpoints: an invitation token in a header, no JWT. */
export const RATER_TOKEN_SCHEME = 'raterToken'
export const RATER_TOKEN_HEADER = 'x-rater-token'

function isRaterTokenOnly(security: Array<Record<string, string[]>> | undefined): boolean {
  return Array.isArray(security) && security.length > 0 && security.every((req) => Object.keys(req).length === 1 && RATER_TOKEN_SCHEME in req)
}

/**
 * Every route's OpenAPI `security` is also its access rule: `[]` is public, otherwise the token
 * must carry all scopes of one requirement. A route that declares nothing needs `admin`, so a
 * forgotten declaration fails closed. A route declaring only the `raterToken` scheme skips the
 * JWT and must check the rater token itself.
 */
export const authPlugin = fp(async function auth(app: FastifyInstance, options: { jwt: JwtConfig; db: Db }) {
  const clients = clientChecker(options.db)
  app.decorate('forgetClient', (clientId: string) => clients.forget(clientId))
  app.decorateRequest('principal', null)

  app.addHook('onRequest', async (request) => {
    const url = request.routeOptions.url
    if (!url || !url.startsWith('/v1/')) return
    const security = request.routeOptions.schema?.security as Array<Record<string, string[]>> | undefined
    const isPublic = Array.isArray(security) && security.length === 0
    // A route whose security names the rater-token scheme (and only it) is reached with that
    // token alone: its handler checks the token. Any Authorization header is ignored there, so
    // no principal (and no person) is ever associated with what a rater sends.
    if (isRaterTokenOnly(security)) return

    const header = request.headers.authorization
    if (!header) {
      if (isPublic) return
      throw unauthorized('a bearer token is required')
    }
    const match = /^Bearer\s+([A-Za-z0-9\-_.~+/]+=*)$/i.exec(header)
    if (!match) {
      if (isPublic) return
      throw unauthorized('the Authorization header must be "Bearer <token>"')
    }
    let principal: Principal
    try {
      principal = verifyToken(options.jwt, match[1])
    } catch (error) {
      if (isPublic) return
      throw unauthorized(error instanceof TokenError ? error.message : 'the token is invalid')
    }
    if (!(await clients.allows(principal))) {
      if (isPublic) return
      throw unauthorized('the API client is disabled or its secret was rotated after this token was issued')
    }
    request.principal = principal
    if (isPublic) return

    const requirements = security ?? [{ oauth2: ['admin'] }]
    const satisfied = requirements.some((req) => Object.values(req).every((needed) => needed.every((s) => grants(principal.scopes, s))))
    if (!satisfied) {
      const needed = requirements.map((req) => Object.values(req).flat().join(' ')).join(' or ')
      throw new Problem(403, 'forbidden', `this operation needs scope ${needed}`, {
        headers: { 'www-authenticate': `${REALM}, error="insufficient_scope", scope="${needed}"` }
      })
    }
  })
})

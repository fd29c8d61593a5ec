import { randomUUID } from 'node:crypto'
import jwt from 'jsonwebtoken'
import type { JwtConfig } from '../../config.js'

export interface Principal {
  /** `sub` of the token: a person's id, an administrator's name, or `client:<id>` for an API client. */
  subject: string
  /** The API client that obtained the token, when it came from client credentials. */
  clientId: string | null
  scopes: ReadonlySet<string>
  /** Set when the token acts for a person (relationship checks: own plan, direct reports). */
  personId: string | null
  /** For client tokens: the client's secret generation when issued; a rotation makes it stale. */
  clientGeneration: number | null
}

export interface MintOptions {
  subject: string
  scopes: string[]
  ttlSeconds: number
  clientId?: string
  clientGeneration?: number
  personId?: string
}

export class TokenError extends Error {}

export function mintToken(config: JwtConfig, options: MintOptions): string {
  if (!config.signKey) throw new TokenError('this installation only verifies tokens; no signing key is configured')
  const claims: Record<string, unknown> = { scope: options.scopes.join(' ') }
  if (options.clientId) claims.client_id = options.clientId
  if (options.clientGeneration !== undefined) claims.client_gen = options.clientGeneration
  if (options.personId) claims.person_id = options.personId
  return jwt.sign(claims, config.signKey, {
    algorithm: config.algorithms[0],
    expiresIn: options.ttlSeconds,
    issuer: config.issuer,
    audience: config.audience,
    subject: options.subject,
    jwtid: randomUUID()
  })
}

/** Verifies signature (pinned algorithms only), expiry, issuer and audience; refuses tokens that never expire. */
export function verifyToken(config: JwtConfig, token: string): Principal {
  let payload: jwt.JwtPayload | string
  try {
    payload = jwt.verify(token, config.verifyKey, {
      algorithms: config.algorithms,
      issuer: config.issuer,
      audience: config.audience,
      clockTolerance: 30
    })
  } catch (error) {
    const reason =
      error instanceof jwt.TokenExpiredError ? 'the token has expired'
      : error instanceof jwt.NotBeforeError ? 'the token is not valid yet'
      : 'the token is invalid'
    throw new TokenError(reason)
  }
  if (typeof payload === 'string' || typeof payload.exp !== 'number') throw new TokenError('the token has no expiry')
  if (typeof payload.sub !== 'string' || payload.sub === '') throw new TokenError('the token has no subject')
  const raw = payload.scope ?? payload.scp ?? ''
  const scopes = new Set(Array.isArray(raw) ? raw.map(String) : String(raw).split(/\s+/).filter(Boolean))
  return {
    subject: payload.sub,
    clientId: typeof payload.client_id === 'string' ? payload.client_id : null,
    scopes,
    personId: typeof payload.person_id === 'string' ? payload.person_id : null,
    clientGeneration: typeof payload.client_gen === 'number' ? payload.client_gen : null
  }
}

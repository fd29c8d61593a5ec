import { createPublicKey, createSecretKey, randomUUID, type KeyObject } from 'node:crypto'
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

/**
 * The verification key as a KeyObject, made once: given a string, jsonwebtoken tries
 * `createPublicKey` on it (which throws for a shared secret) and then `createSecretKey`, on every
 * request; that was a fifth of the CPU of a point read.
 */
const verifyKeys = new Map<string, KeyObject>()
function verifyKeyOf(config: JwtConfig): KeyObject {
  let key = verifyKeys.get(config.verifyKey)
  if (!key) {
    const symmetric = config.algorithms.every((a) => a.startsWith('HS'))
    key = symmetric ? createSecretKey(Buffer.from(config.verifyKey)) : createPublicKey(config.verifyKey)
    if (verifyKeys.size > 16) verifyKeys.clear()
    verifyKeys.set(config.verifyKey, key)
  }
  return key
}

/**
 * Tokens already verified, by their exact text: an integration sends the same token for an hour,
 * and checking its signature again on every request was a twentieth of a point read's CPU. Only
 * successful verifications are kept, with their expiry, which is checked again on every use
 * (with the same 30 s tolerance); the API-client status check still runs on every request.
 * Bounded: the oldest entries go first.
 */
const VERIFIED_MAX = 10_000
const CLOCK_TOLERANCE_S = 30
const verified = new Map<string, { config: JwtConfig; exp: number; principal: Principal }>()

/** Verifies signature (pinned algorithms only), expiry, issuer and audience; refuses tokens that never expire. */
export function verifyToken(config: JwtConfig, token: string): Principal {
  const known = verified.get(token)
  if (known && known.config === config) {
    if (Date.now() / 1000 <= known.exp + CLOCK_TOLERANCE_S) return known.principal
    verified.delete(token)
  }
  const principal = verifySignature(config, token)
  if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value!)
  verified.set(token, principal)
  return principal.principal
}

function verifySignature(config: JwtConfig, token: string): { config: JwtConfig; exp: number; principal: Principal } {
  let payload: jwt.JwtPayload | string
  try {
    payload = jwt.verify(token, verifyKeyOf(config), {
      algorithms: config.algorithms,
      issuer: config.issuer,
      audience: config.audience,
      clockTolerance: CLOCK_TOLERANCE_S
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
  const principal: Principal = {
    subject: payload.sub,
    clientId: typeof payload.client_id === 'string' ? payload.client_id : null,
    scopes,
    personId: typeof payload.person_id === 'string' ? payload.person_id : null,
    clientGeneration: typeof payload.client_gen === 'number' ? payload.client_gen : null
  }
  return { config, exp: payload.exp, principal }
}

import { createHash, randomBytes } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { RATER_TOKEN_HEADER } from '../../platform/auth/plugin.js'
import { defineProblem, Problem } from '../../platform/problems.js'

/** 32 random bytes (256 bits): guessing one is not a plan, however many guesses the rate limit allows. */
const TOKEN_BYTES = 32
const PREFIX = 'pwr_'
const SHAPE = /^pwr_[A-Za-z0-9_-]{43}$/

defineProblem('rater-token-invalid', {
  status: 401,
  title: 'Rater token not accepted',
  description:
    'The X-Rater-Token header is missing, or the token is unknown, already used, withdrawn, reissued, expired, or its assessment no longer takes answers. Every one of these gets this same answer, so nothing tells whether a token exists.'
})

/** A new rater token: returned once to the caller that invites; only its hash is kept. */
export function newRaterToken(): { token: string; hash: string } {
  const token = PREFIX + randomBytes(TOKEN_BYTES).toString('base64url')
  return { token, hash: hashRaterToken(token) }
}

/** SHA-256 is enough for a 256-bit random secret: there is no dictionary to search. */
export function hashRaterToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex')
}

/** The one answer to any token that does not open a questionnaire. */
export function raterTokenRefused(): Problem {
  return new Problem(401, 'rater-token-invalid', 'the rater token is not valid', {
    headers: { 'www-authenticate': 'RaterToken realm="pathway"' }
  })
}

/** The hash of the header's token, or the refusal when there is none worth looking up. */
export function raterTokenHashOf(request: FastifyRequest): string {
  const raw = request.headers[RATER_TOKEN_HEADER]
  const token = typeof raw === 'string' ? raw.trim() : ''
  if (!SHAPE.test(token)) throw raterTokenRefused()
  return hashRaterToken(token)
}

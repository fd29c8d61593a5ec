import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import helmet, { type HelmetOptions } from 'helmet'

/** The options the API has always given helmet. */
export const SECURITY_HEADER_OPTIONS: HelmetOptions = {
  // A headless API serves JSON; only the docs page needs scripts and styles of its own.
  contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], imgSrc: ["'self'", 'data:'], scriptSrc: ["'self'"], styleSrc: ["'self'", "'unsafe-inline'"] } },
  crossOriginResourcePolicy: { policy: 'same-origin' }
}

/**
 * Runs helmet's middleware once against a stand-in response and returns the headers it set
 * (names lower-cased, as fastify keeps them). Throws if helmet refuses the options, or if they
 * vary per response (a CSP directive given as a function, such as a nonce; anything reading the
 * request): such headers cannot be computed once.
 */
export function computeSecurityHeaders(options: HelmetOptions = SECURITY_HEADER_OPTIONS): Record<string, string> {
  const csp = options.contentSecurityPolicy
  const directives = typeof csp === 'object' && csp.directives ? Object.values(csp.directives) : []
  // A directive given as a function is evaluated per response (a nonce): not a constant.
  if (directives.some((value) => Array.isArray(value) && value.some((v) => typeof v === 'function'))) {
    throw new Error('security headers must not depend on the request (a CSP directive is a function)')
  }
  const headers: Record<string, string> = {}
  const request = new Proxy({} as IncomingMessage, {
    get: (_target, key) => {
      throw new Error(`security headers must not depend on the request (helmet read request.${String(key)})`)
    }
  })
  const response = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value)
      return response
    },
    // helmet removes X-Powered-By, which fastify never sets.
    removeHeader(name: string) {
      delete headers[name.toLowerCase()]
    }
  } as unknown as ServerResponse
  let failure: unknown
  let finished = false
  helmet(options)(request, response, (error?: unknown) => {
    failure = error
    finished = true
  })
  if (failure) throw failure
  if (!finished) throw new Error('helmet did not finish synchronously')
  return headers
}

/**
 * helmet rebuilt and re-serialised every header on every request (about 6% of a request's CPU);
 * they are the same for every response, so they are computed once, at start-up.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze(computeSecurityHeaders())

/** Sets the security headers on a reply: an onRequest hook, and the router's own refusals, which run no hook. */
export function setSecurityHeaders(_request: FastifyRequest, reply: FastifyReply, done?: HookHandlerDoneFunction) {
  reply.headers(SECURITY_HEADERS)
  done?.()
}

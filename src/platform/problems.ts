import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'

/** One entry per kind of problem; `type` in a response is `/problems/<slug>`. */
export interface ProblemKind {
  status: number
  title: string
  description: string
}

const catalogue = new Map<string, ProblemKind>()

/** Modules register their own kinds of problem, so the catalogue and the docs stay complete. */
export function defineProblem(slug: string, kind: ProblemKind): string {
  catalogue.set(slug, kind)
  return slug
}

export function problemCatalogue(): ReadonlyMap<string, ProblemKind> {
  return catalogue
}

export const problemTypeUri = (slug: string) => `/problems/${slug}`

defineProblem('validation', { status: 400, title: 'Invalid request', description: 'The request did not match the schema; `errors` lists each invalid field with a JSON pointer.' })
defineProblem('malformed-body', { status: 400, title: 'Malformed body', description: 'The body could not be parsed in the declared content type.' })
defineProblem('invalid-cursor', { status: 400, title: 'Invalid cursor', description: 'The pagination cursor is not one this API issued for this list and sort.' })
defineProblem('unauthorized', { status: 401, title: 'Authentication required', description: 'No bearer token, or the token is invalid, expired, or for another issuer or audience.' })
defineProblem('forbidden', { status: 403, title: 'Insufficient scope', description: 'The token lacks a scope or relationship the operation needs.' })
defineProblem('not-found', { status: 404, title: 'Not found', description: 'No such resource, or no such route.' })
defineProblem('method-not-allowed', { status: 405, title: 'Method not allowed', description: 'The resource does not support this method.' })
defineProblem('conflict', { status: 409, title: 'Conflict', description: 'The change conflicts with existing data, for example a duplicate externalId.' })
defineProblem('still-referenced', { status: 409, title: 'Still referenced', description: 'The record is referenced by others and cannot be deleted.' })
defineProblem('precondition-failed', { status: 412, title: 'Precondition failed', description: 'If-Match named a version that is no longer current; fetch the resource again.' })
defineProblem('payload-too-large', { status: 413, title: 'Payload too large', description: 'The body exceeds the size limit for this endpoint.' })
defineProblem('unsupported-media-type', { status: 415, title: 'Unsupported media type', description: 'The Content-Type is not one this endpoint accepts.' })
defineProblem('not-acceptable', { status: 406, title: 'Not acceptable', description: 'None of the media types in Accept can be produced.' })
defineProblem('unprocessable', { status: 422, title: 'Unprocessable', description: 'The request is well-formed but breaks a rule; `detail` names it.' })
defineProblem('invalid-reference', { status: 422, title: 'Invalid reference', description: 'A referenced record does not exist.' })
defineProblem('rate-limited', { status: 429, title: 'Too many requests', description: 'The client exceeded its request rate; retry after the number of seconds in Retry-After.' })
defineProblem('service-unavailable', { status: 503, title: 'Service unavailable', description: 'The service is starting, shutting down, or its database schema is not the one it knows.' })
defineProblem('internal', { status: 500, title: 'Internal error', description: 'An unexpected fault; the request id in the log identifies it.' })

export interface FieldError {
  /** Where the field is: body, query, params or headers. */
  in: string
  /** JSON pointer to the field within that part of the request (RFC 6901). */
  pointer: string
  detail: string
}

export class Problem extends Error {
  readonly status: number
  readonly slug: string
  readonly detail?: string
  readonly errors?: FieldError[]
  readonly extensions: Record<string, unknown>
  readonly headers: Record<string, string>

  constructor(
    status: number,
    slug: string,
    detail?: string,
    options: { errors?: FieldError[]; extensions?: Record<string, unknown>; headers?: Record<string, string> } = {}
  ) {
    super(detail ?? slug)
    this.name = 'Problem'
    this.status = status
    this.slug = slug
    this.detail = detail
    this.errors = options.errors
    this.extensions = options.extensions ?? {}
    this.headers = options.headers ?? {}
  }

  body(instance: string) {
    return {
      type: problemTypeUri(this.slug),
      title: catalogue.get(this.slug)?.title ?? this.slug,
      status: this.status,
      ...(this.detail ? { detail: this.detail } : {}),
      instance,
      ...(this.errors ? { errors: this.errors } : {}),
      ...this.extensions
    }
  }
}

export const notFound = (what: string, id?: string) => new Problem(404, 'not-found', id ? `${what} ${id} does not exist` : `${what} does not exist`)

interface PgError {
  code: string
  message: string
  constraint?: string
  detail?: string
  hint?: string
}

function isPgError(error: unknown): error is PgError {
  return typeof error === 'object' && error !== null && typeof (error as PgError).code === 'string' && /^[0-9A-Z]{5}$/.test((error as PgError).code)
}

/** Constraint names are internal; modules map them to what a caller can act on. */
const constraintMessages = new Map<string, string>()
export function describeConstraint(name: string, message: string) {
  constraintMessages.set(name, message)
}

/** Database refusals are the caller's fault (bad or conflicting data), never a 500. */
const UNAVAILABLE = /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|57P0[1-3]|08[0-9A-Z]{3}|53300)$/
const UNAVAILABLE_MESSAGE = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connect ECONNREFUSED/

/** The database being down or restarting is not the caller's fault, nor a bug: 503, retry soon. */
function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string' && UNAVAILABLE.test(code)) return true
  const message = (error as { message?: unknown }).message
  return typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message)
}

export function problemFromDatabase(error: unknown): Problem | undefined {
  if (isDatabaseUnavailable(error)) {
    return new Problem(503, 'service-unavailable', 'the database is unavailable; retry shortly', { headers: { 'retry-after': '2' } })
  }
  if (!isPgError(error)) return undefined
  const known = error.constraint ? constraintMessages.get(error.constraint) : undefined
  switch (error.code) {
    case '23505':
      return new Problem(409, 'conflict', known ?? 'a record with the same unique value already exists')
    case '23503':
      return /update or delete/.test(error.message)
        ? new Problem(409, 'still-referenced', known ?? 'the record is still referenced by other records')
        : new Problem(422, 'invalid-reference', known ?? 'a referenced record does not exist')
    case '23514':
    case '23502':
    case '22001':
    case '22003':
    case '22007':
    case '22008':
      return new Problem(422, 'unprocessable', known ?? 'a value is not allowed for this field')
    case '22P02':
      return new Problem(400, 'validation', 'a value has the wrong format')
    case '22021':
    case '22P05':
      // A NUL character (\u0000) or one the database's encoding cannot hold: valid JSON, not storable text.
      return new Problem(422, 'unprocessable', known ?? 'a value holds a character that cannot be stored (such as NUL, \\u0000)')
    case '40001':
    case '40P01':
      return new Problem(409, 'conflict', 'the change collided with a concurrent one; retry', { headers: { 'retry-after': '1' } })
    case 'P0001':
      if (error.hint === 'pathway:append-only') return new Problem(409, 'conflict', 'audit records cannot be changed')
      return undefined
    default:
      return undefined
  }
}

function locationOf(error: FastifyError): string {
  const context = (error as { validationContext?: string }).validationContext ?? 'body'
  // FieldError.in documents `query` (the OpenAPI name), fastify says `querystring`.
  return context === 'querystring' ? 'query' : context
}

interface SchemaError {
  keyword: string
  instancePath: string
  message?: string
  params: unknown
}

/** Schema errors (ajv or TypeBox, same shape) as one FieldError per field and message. */
export function fieldErrors(errors: readonly SchemaError[], where: string): FieldError[] {
  const seen = new Set<string>()
  const result: FieldError[] = []
  for (const v of errors) {
    let pointer = v.instancePath || ''
    let detail = v.message ?? 'is invalid'
    const params = (v.params ?? {}) as Record<string, unknown>
    if (v.keyword === 'required' && (typeof params.missingProperty === 'string' || Array.isArray(params.requiredProperties))) {
      const missing = typeof params.missingProperty === 'string' ? [params.missingProperty] : (params.requiredProperties as string[])
      for (const m of missing) push(`${pointer}/${m}`, 'is required')
      continue
    } else if (v.keyword === 'additionalProperties' && (typeof params.additionalProperty === 'string' || Array.isArray(params.additionalProperties))) {
      const extra = typeof params.additionalProperty === 'string' ? [params.additionalProperty] : (params.additionalProperties as string[])
      for (const m of extra) push(`${pointer}/${m}`, 'is not a known field')
      continue
    } else if (v.keyword === 'enum' && Array.isArray(params.allowedValues)) {
      detail = `must be one of ${params.allowedValues.join(', ')}`
    } else if (v.keyword === 'const' && 'allowedValue' in params) {
      // A union of literals fails once per branch: gather them into one "must be one of" line.
      const merged = result.find((e) => e.pointer === pointer && e.detail.startsWith('must be one of '))
      if (merged) {
        merged.detail += `, ${String(params.allowedValue)}`
        continue
      }
      detail = `must be one of ${String(params.allowedValue)}`
    } else if (v.keyword === 'anyOf' || v.keyword === 'oneOf' || v.keyword === 'if') {
      // The branch errors already say what is wrong with the field.
      continue
    }
    push(pointer, detail)
  }
  return result

  function push(pointer: string, detail: string) {
    const key = `${pointer}\u0000${detail}`
    if (seen.has(key)) return
    seen.add(key)
    result.push({ in: where, pointer, detail })
  }
}

function validationProblem(error: FastifyError): Problem {
  const errors = fieldErrors(error.validation ?? [], locationOf(error))
  const summary = errors.map((e) => `${e.in}${e.pointer} ${e.detail}`).join('; ')
  return new Problem(400, 'validation', summary || 'the request is invalid', { errors })
}

export function toProblem(error: unknown): Problem {
  if (error instanceof Problem) return error
  const fastifyError = error as FastifyError
  if (fastifyError?.validation) return validationProblem(fastifyError)
  const fromDb = problemFromDatabase(error)
  if (fromDb) return fromDb
  switch (fastifyError?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new Problem(413, 'payload-too-large', 'the body exceeds the size limit for this endpoint')
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new Problem(415, 'unsupported-media-type', 'send application/json' )
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new Problem(400, 'malformed-body', fastifyError.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ? 'the JSON body is empty' : 'the body is not valid JSON')
  }
  if (fastifyError instanceof SyntaxError || (fastifyError?.statusCode === 400 && /JSON/i.test(fastifyError.message))) {
    return new Problem(400, 'malformed-body', 'the body is not valid JSON')
  }
  const status = fastifyError?.statusCode
  if (status === 413) return new Problem(413, 'payload-too-large', 'the body exceeds the size limit for this endpoint')
  if (status === 415) return new Problem(415, 'unsupported-media-type', fastifyError.message)
  if (status === 429) return new Problem(429, 'rate-limited', 'too many requests')
  if (status && status >= 400 && status < 500) return new Problem(status, status === 404 ? 'not-found' : 'malformed-body', fastifyError.message)
  return new Problem(500, 'internal', 'an unexpected error occurred')
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: Problem) {
  for (const [name, value] of Object.entries(problem.headers)) reply.header(name, value)
  return reply
    .code(problem.status)
    .type('application/problem+json')
    .serializer((payload: unknown) => JSON.stringify(payload))
    .send(problem.body(request.url))
}

/**
 * The router's own refusals (a path segment over the router's length limit, a malformed percent
 * escape) happen before any route or hook: as problems, like everything else, not fastify's JSON.
 */
export function frameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  reply.header('x-request-id', request.id)
  const detail = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'a path parameter is too long' : 'the URL is malformed'
  return sendProblem(request, reply, new Problem(400, 'validation', detail, { errors: [{ in: 'params', pointer: '', detail }] }))
}

export const problemsPlugin = fp(async function problems(app: FastifyInstance) {
  // While the server drains for shutdown, requests still arriving on open keep-alive connections
  // are refused as a problem (fastify's own 503 is not one), so callers retry elsewhere.
  let closing = false
  app.addHook('preClose', async () => {
    closing = true
  })
  app.addHook('onRequest', async () => {
    if (closing) throw new Problem(503, 'service-unavailable', 'the server is shutting down; retry', { headers: { 'retry-after': '1', connection: 'close' } })
  })
  app.setErrorHandler((error, request, reply) => {
    const problem = toProblem(error)
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed')
    else request.log.info({ problem: problem.slug, status: problem.status }, 'request refused')
    return sendProblem(request, reply, problem)
  })
  app.setNotFoundHandler((request, reply) =>
    sendProblem(request, reply, new Problem(404, 'not-found', `no route ${request.method} ${request.url.split('?')[0]}`))
  )
})

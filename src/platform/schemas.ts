import { Type, type Static, type TSchema, type TUnsafe } from 'typebox'

/** A reference to a named component that keeps its static type (a bare Type.Ref loses it). */
export function ref<T extends TSchema & { $id?: string }>(schema: T) {
  if (!schema.$id) throw new Error('ref() needs a schema with $id')
  return Type.Unsafe<Static<T>>(Type.Ref(schema.$id))
}

export const Uuid = Type.String({ format: 'uuid', description: 'A UUID' })
export const ExternalId = Type.String({ minLength: 1, maxLength: 200, description: 'The identifier the feeding HR system uses; unique per resource' })
export const DateOnly = Type.String({ format: 'date', description: 'A date, YYYY-MM-DD' })
export const DateTime = Type.String({ format: 'date-time', description: 'A UTC timestamp, ISO 8601' })
export const Version = Type.Integer({ minimum: 1, description: 'Increases by one on every change; also sent as the ETag' })

/**
 * `T` or null. A plain scalar (string, number, integer, boolean, no enum or reference) becomes a
 * type list, `type: ['string', 'null']`; anything else `anyOf: [T, null]`. Same meaning and same
 * SDK types, but fast-json-stringify serialises an `anyOf` by running a validator on every value
 * to pick the branch, and a type list by a `typeof` check: a page of 50 people has 350 of them.
 */
export function Nullable<T extends TSchema>(schema: T): TUnsafe<Static<T> | null> {
  const s = schema as unknown as Record<string, unknown>
  const scalar = typeof s.type === 'string' && ['string', 'number', 'integer', 'boolean'].includes(s.type)
  if (scalar && !('enum' in s) && !('const' in s) && !('$id' in s) && !('$ref' in s)) {
    return Type.Unsafe<Static<T> | null>({ ...s, type: [s.type, 'null'] })
  }
  return Type.Unsafe<Static<T> | null>(Type.Union([schema, Type.Null()]))
}

export const FieldError = Type.Object(
  {
    in: Type.String({ description: 'body, query, params, headers, or row (imports)' }),
    pointer: Type.String({ description: 'JSON pointer (RFC 6901) to the field' }),
    detail: Type.String()
  },
  { $id: 'FieldError', additionalProperties: false }
)

export const Problem = Type.Object(
  {
    type: Type.String({ description: 'Identifies the kind of problem: /problems/<slug>' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(ref(FieldError)))
  },
  { $id: 'Problem', description: 'An RFC 9457 problem detail', additionalProperties: true }
)

export const PageInfo = Type.Object(
  { nextCursor: Nullable(Type.String({ description: 'Pass as `cursor` for the next page; null on the last page' })) },
  { $id: 'PageInfo', additionalProperties: false }
)

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'Items per page (1–500)' })),
  cursor: Type.Optional(Type.String({ maxLength: 2000, description: 'Opaque cursor from page.nextCursor' }))
}

export const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false })

export function pageOf<T extends TSchema>(item: T, id: string) {
  return Type.Object({ data: Type.Array(item), page: ref(PageInfo) }, { $id: id, additionalProperties: false })
}

export const commonSchemas = [FieldError, Problem, PageInfo]

const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ref(Problem) } }
})

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request (validation)',
  401: 'Missing or invalid bearer token',
  403: 'The token lacks the required scope',
  404: 'Not found',
  406: 'Not acceptable',
  409: 'Conflict with current state',
  412: 'If-Match is stale',
  413: 'Body too large',
  415: 'Unsupported media type',
  422: 'Breaks a rule',
  429: 'Rate limited',
  500: 'An unexpected fault (a bug); the request id in the log identifies it',
  503: 'The database is unavailable, or the service is starting or shutting down; retry after Retry-After seconds'
}

/** The documented response for an error status: a problem document. */
export const problemResponseFor = (status: number) => problemResponse(ERROR_DESCRIPTIONS[status] ?? 'Error')

/** The error responses an operation documents; every authenticated operation can give 400/401/403/429. */
export function errors(...statuses: number[]) {
  const all = new Set([400, 401, 403, 429, ...statuses])
  return Object.fromEntries([...all].sort().map((s) => [s, problemResponse(ERROR_DESCRIPTIONS[s] ?? 'Error')]))
}

export function publicErrors(...statuses: number[]) {
  const all = new Set([400, 429, ...statuses])
  return Object.fromEntries([...all].sort().map((s) => [s, problemResponse(ERROR_DESCRIPTIONS[s] ?? 'Error')]))
}

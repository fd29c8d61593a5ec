import { randomUUID } from 'node:crypto'
import Fastify, { type FastifyServerOptions } from 'fastify'
import { AjvCompiler } from '@fastify/ajv-compiler'
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler'
import rateLimit from '@fastify/rate-limit'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Config } from './config.js'
import type { DatabaseHandle, DatabaseKind, Db } from './db/database.js'
import { auditRoutes, auditSchemas } from './platform/audit/routes.js'
import { authPlugin } from './platform/auth/plugin.js'
import { apiClientRoutes, authSchemas } from './platform/auth/routes.js'
import { importJobRoutes } from './platform/bulk/routes.js'
import { bulkPlugin } from './platform/bulk/plugin.js'
import { eventRoutes, eventSchemas } from './platform/events/routes.js'
import { healthRoutes, healthSchemas } from './platform/health/routes.js'
import { idempotencyPlugin } from './platform/idempotency.js'
import { openapiPlugin } from './platform/openapi.js'
import { problemTypeRoutes, problemTypeSchemas } from './platform/problem-types.js'
import { sharedRateLimitStore, type SharedStoreHandle } from './platform/rate-limit-store.js'
import { setSecurityHeaders } from './platform/security-headers.js'
import { frameworkError, Problem, problemsPlugin } from './platform/problems.js'
import { commonSchemas } from './platform/schemas.js'
import { assessmentsModule } from './modules/assessments/routes.js'
import { developmentPlansModule } from './modules/development-plans/routes.js'
import { feedbackModule } from './modules/feedback/routes.js'
import { learningLogsModule } from './modules/learning-logs/routes.js'
import { peopleModule } from './modules/people/routes.js'
import { programmesModule } from './modules/programmes/routes.js'
import { recommendationsModule } from './modules/recommendations/routes.js'

declare module 'fastify' {
  interface FastifyInstance {
    db: Db
    databaseKind: DatabaseKind
    config: Config
    /** False while the database holds a schema this build does not know (or migrations are pending). */
    schemaCurrent: boolean
    /** The rate-limit counters shared with other replicas (PostgreSQL), or null when counted in memory. */
    sharedRateLimits: SharedStoreHandle | null
  }
}

export interface AppDependencies {
  config: Config
  database: DatabaseHandle
  logger?: FastifyServerOptions['logger']
  schemaCurrent?: boolean
}

export const API_VERSION = '1.0.0'

const REQUEST_ID = /^[\w.:-]{1,128}$/

const ajvPool = AjvCompiler()

/**
 * Query strings, path parameters and headers arrive as text and are coerced to their schema's
 * types; JSON bodies already carry types and are taken as sent, so `null` stays null and "5"
 * is not a number.
 */
function validatorPerPart(externalSchemas: unknown, options: { customOptions?: Record<string, unknown> }) {
  const build = ajvPool as unknown as (schemas: unknown, opts: unknown) => (route: { httpPart?: string }) => unknown
  const coercing = build(externalSchemas, options)
  const exact = build(externalSchemas, { ...options, customOptions: { ...options.customOptions, coerceTypes: false } })
  return (route: { httpPart?: string }) =>
    lazily(() => (route.httpPart === 'body' ? (exact(route) as CompiledFunction) : finiteNumbersOnly(coercing(route) as CompiledFunction)))
}

type FormatDefinition = { validate: (value: string) => boolean; compare?: (a: string, b: string) => number | undefined }

/**
 * RFC 3339 allows the year 0000, PostgreSQL has none: such a date reached the database and came
 * back as a 422 that the list endpoints filtering by date do not document. A date or date-time is
 * valid from the year 0001, so the year 0000 is a 400 at its pointer, before anything is read or written.
 */
function datesFromYearOne(ajv: { formats: Record<string, unknown>; addFormat(name: string, format: FormatDefinition): unknown }) {
  for (const name of ['date', 'date-time']) {
    const format = ajv.formats[name] as FormatDefinition
    ajv.addFormat(name, { ...format, validate: (value: string) => !value.startsWith('0000') && format.validate(value) })
  }
}

type SchemaError = { instancePath: string; schemaPath: string; keyword: string; params: Record<string, unknown>; message: string }

/**
 * ajv coerces text such as "1e309", "Infinity" or 400 nines to ±Infinity and then skips
 * `minimum`/`maximum`, which apply to finite numbers only: a bounded query parameter would reach
 * the handler as Infinity (and fail there as a 500). No parameter takes a non-finite number, so
 * after coercion one is a validation error like any other.
 */
function finiteNumbersOnly(validate: CompiledFunction): CompiledFunction {
  let errors: unknown = null
  const run = ((data: unknown) => {
    const valid = validate(data)
    const infinite = nonFinite(data, '')
    errors = infinite.length ? [...((validate.errors as SchemaError[] | null | undefined) ?? []), ...infinite] : validate.errors
    return valid && infinite.length === 0
  }) as CompiledFunction
  Object.defineProperty(run, 'errors', { get: () => errors })
  return run
}

function nonFinite(value: unknown, path: string): SchemaError[] {
  if (typeof value === 'number') {
    return Number.isFinite(value) ? [] : [{ instancePath: path, schemaPath: '#/type', keyword: 'type', params: { type: 'number' }, message: 'must be a finite number' }]
  }
  if (typeof value !== 'object' || value === null) return []
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value)
  return entries.flatMap(([key, v]) => nonFinite(v, `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`))
}

type CompiledFunction = ((data: unknown) => unknown) & { errors?: unknown }

/**
 * Validators and serializers are compiled when a route first uses them, not at start: compiling
 * every route's schemas (each response status of each operation) took most of the start-up
 * time, and a process serves few of its routes in its first seconds.
 */
function lazily(compile: () => CompiledFunction): CompiledFunction {
  let compiled: CompiledFunction | undefined
  const run = ((data: unknown) => (compiled ??= compile())(data)) as CompiledFunction
  // fastify reads a failed validation's `errors` off the function it called.
  Object.defineProperty(run, 'errors', { get: () => compiled?.errors })
  return run
}

const serializerPool = SerializerSelector()
function lazySerializers(externalSchemas: unknown, options: unknown) {
  const build = (serializerPool as unknown as (schemas: unknown, opts: unknown) => (route: unknown) => CompiledFunction)(externalSchemas, options)
  return (route: unknown) => lazily(() => build(route))
}

export async function buildApp(deps: AppDependencies) {
  const { config, database } = deps
  const app = Fastify({
    logger: deps.logger ?? false,
    bodyLimit: config.bodyLimit,
    genReqId: (req) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID()
    },
    ajv: { customOptions: { allErrors: true, removeAdditional: false, coerceTypes: 'array', useDefaults: true }, onCreate: datesFromYearOne },
    schemaController: { compilersFactory: { buildValidator: validatorPerPart as never, buildSerializer: lazySerializers as never } },
    routerOptions: { ignoreTrailingSlash: true },
    // Behind a proxy (docker-compose.yml), the caller's address comes from X-Forwarded-For.
    trustProxy: config.trustProxy as unknown as boolean, // a hop count is valid at run time (proxy-addr)
    // Draining requests get a 503 problem from problemsPlugin instead of fastify's plain JSON.
    return503OnClosing: false,
    frameworkErrors: (error, request, reply) => {
      setSecurityHeaders(request, reply)
      return frameworkError(error, request, reply)
    }
  }).withTypeProvider<TypeBoxTypeProvider>()

  app.decorate('db', database.db)
  app.decorate('databaseKind', database.kind)
  app.decorate('config', config)
  // An accessor, not a value: /health/ready updates the flag from an encapsulated child instance,
  // where assigning a plain value would only shadow it and the gate below would never see it.
  let schemaCurrent = deps.schemaCurrent ?? true
  app.decorate('schemaCurrent', {
    getter: () => schemaCurrent,
    setter: (value: boolean) => {
      schemaCurrent = value
    }
  })

  // First, so that refusals from the hooks below carry the security headers too.
  app.addHook('onRequest', setSecurityHeaders)
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id)
  })
  app.addHook('onRequest', async (request) => {
    if (!app.schemaCurrent && request.url.startsWith('/v1/')) {
      throw new Problem(503, 'service-unavailable', 'the database schema is not the one this build knows; see /health/ready')
    }
  })

  await app.register(problemsPlugin)
  // Operations take JSON only (the token endpoint adds form encoding for itself); fastify's
  // default text/plain parser would let any string through to schema validation as a 400.
  app.removeContentTypeParser('text/plain')
  for (const schema of [...commonSchemas, ...authSchemas, ...auditSchemas, ...eventSchemas, ...healthSchemas, ...problemTypeSchemas]) app.addSchema(schema)
  await app.register(openapiPlugin, { version: API_VERSION })
  await app.register(authPlugin, { jwt: config.jwt, db: database.db })
  // On PostgreSQL the counters are shared by every replica (see rate-limit-store.ts); the
  // embedded database is one process, so its counters stay in memory.
  const sharedLimits = database.kind === 'postgres' && config.rateLimitStore === 'database' ? sharedRateLimitStore(database.db, app.log) : undefined
  app.decorate('sharedRateLimits', sharedLimits ?? null)
  if (sharedLimits) app.addHook('onClose', async () => sharedLimits.close())
  await app.register(rateLimit, {
    ...(sharedLimits ? { store: sharedLimits.Store as never } : {}),
    global: true,
    hook: 'preHandler',
    max: config.rateLimitPerMinute,
    timeWindow: 60_000,
    keyGenerator: (request) => request.principal?.subject ?? `ip:${request.ip}`,
    errorResponseBuilder: (_request, context) =>
      new Problem(429, 'rate-limited', `more than ${context.max} requests a minute; retry in ${Math.ceil(context.ttl / 1000)} s`, {
        headers: { 'retry-after': String(Math.ceil(context.ttl / 1000)) }
      })
  })
  await app.register(idempotencyPlugin, { db: database.db })
  await app.register(bulkPlugin, { db: database.db })

  await app.register(healthRoutes)
  await app.register(problemTypeRoutes)
  await app.register(
    async (v1) => {
      await v1.register(apiClientRoutes)
      await v1.register(auditRoutes)
      await v1.register(eventRoutes)
      await v1.register(importJobRoutes)
      await v1.register(peopleModule)
      await v1.register(programmesModule)
      await v1.register(assessmentsModule)
      await v1.register(feedbackModule)
      await v1.register(developmentPlansModule)
      await v1.register(recommendationsModule)
      await v1.register(learningLogsModule)
    },
    { prefix: '/v1' }
  )
  return app
}

export type App = Awaited<ReturnType<typeof buildApp>>

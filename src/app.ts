import { randomUUID } from 'node:crypto'
import Fastify, { type FastifyServerOptions } from 'fastify'
import { AjvCompiler } from '@fastify/ajv-compiler'
import helmet from '@fastify/helmet'
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
import { Problem, problemsPlugin } from './platform/problems.js'
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
  return (route: { httpPart?: string }) => (route.httpPart === 'body' ? exact(route) : coercing(route))
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
    ajv: { customOptions: { allErrors: true, removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
    schemaController: { compilersFactory: { buildValidator: validatorPerPart as never } },
    routerOptions: { ignoreTrailingSlash: true },
    return503OnClosing: true
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

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id)
  })
  app.addHook('onRequest', async (request) => {
    if (!app.schemaCurrent && request.url.startsWith('/v1/')) {
      throw new Problem(503, 'service-unavailable', 'the database schema is not the one this build knows; see /health/ready')
    }
  })

  await app.register(problemsPlugin)
  await app.register(helmet, {
    // A headless API serves JSON; only the docs page needs scripts and styles of its own.
    contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], imgSrc: ["'self'", 'data:'], scriptSrc: ["'self'"], styleSrc: ["'self'", "'unsafe-inline'"] } },
    crossOriginResourcePolicy: { policy: 'same-origin' }
  })
  // Operations take JSON only (the token endpoint adds form encoding for itself); fastify's
  // default text/plain parser would let any string through to schema validation as a 400.
  app.removeContentTypeParser('text/plain')
  for (const schema of [...commonSchemas, ...authSchemas, ...auditSchemas, ...eventSchemas, ...healthSchemas, ...problemTypeSchemas]) app.addSchema(schema)
  await app.register(openapiPlugin, { version: API_VERSION })
  await app.register(authPlugin, { jwt: config.jwt, db: database.db })
  await app.register(rateLimit, {
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

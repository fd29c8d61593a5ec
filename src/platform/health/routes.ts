import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { sql } from 'kysely'
import { Type } from 'typebox'
import { schemaStatus } from '../../db/migrator.js'
import { Problem } from '../problems.js'
import { publicErrors, ref } from '../schemas.js'

export const Health = Type.Object(
  { status: Type.Literal('ok'), database: Type.Optional(Type.String()), schema: Type.Optional(Type.String()) },
  { $id: 'Health', additionalProperties: false }
)

// Probes come from the orchestrator, often from the same address as anonymous traffic; sharing
// that address's rate budget would let a flood of other requests fail the probes and get the
// instance restarted.
const probeConfig = { rateLimit: false } as const

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/health/live',
    {
      config: probeConfig,
      schema: {
        operationId: 'getLiveness',
        tags: ['health'],
        summary: 'Liveness: the process is up',
        security: [],
        response: { 200: ref(Health), ...publicErrors() }
      }
    },
    async () => ({ status: 'ok' as const })
  )

  app.get(
    '/health/ready',
    {
      config: probeConfig,
      schema: {
        operationId: 'getReadiness',
        tags: ['health'],
        summary: 'Readiness: the database answers and its schema is the one this build knows',
        security: [],
        response: { 200: ref(Health), ...publicErrors(503) }
      }
    },
    async () => {
      try {
        await sql`select 1`.execute(app.db)
      } catch {
        throw new Problem(503, 'service-unavailable', 'the database does not answer')
      }
      const status = await schemaStatus(app.db)
      app.schemaCurrent = status.current
      if (!status.current) {
        const detail = status.unknown.length
          ? `the database has migrations this build does not know: ${status.unknown.join(', ')}`
          : `migrations pending: ${status.pending.join(', ')}`
        throw new Problem(503, 'service-unavailable', detail)
      }
      return { status: 'ok' as const, database: app.databaseKind, schema: 'current' }
    }
  )
}

export const healthSchemas = [Health]

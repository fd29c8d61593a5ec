import { Readable } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { stringify } from 'csv-stringify'
import { Type } from 'typebox'
import { neutraliseCell } from '../../platform/bulk/csv-cells.js'
import { Problem } from '../../platform/problems.js'
import { errors } from '../../platform/schemas.js'
import { requireScopes } from '../../platform/scopes.js'
import { exportPages, EXPORT_COLUMNS, objectiveLines } from './export.repository.js'
import { Period, PlanStatus } from './plans.schemas.js'
import { tags } from './plans.routes.js'
import { DEVELOPMENT_PLANS_READ } from './scopes.js'

const ExportQuery = Type.Object(
  {
    format: Type.Optional(Type.Union([Type.Literal('ndjson'), Type.Literal('csv')], { description: 'Overrides Accept' })),
    period: Type.Optional(Period),
    status: Type.Optional(Type.Array(PlanStatus, { maxItems: 5 }))
  },
  { additionalProperties: false }
)

export const exportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/development-plans/export',
    {
      schema: {
        operationId: 'exportDevelopmentPlans',
        tags,
        summary: 'Export development plans as NDJSON or CSV',
        description:
          'Streams every plan (filter by `period` and `status`), oldest first. NDJSON: one plan per line, as `GET /v1/development-plans/{id}` gives it (objectives, activities, enrolment status now) plus the owner’s `ownerExternalId`. ' +
          `CSV: one row per objective (a plan without objectives gives one row with the objective columns empty); columns: ${EXPORT_COLUMNS.join(', ')}. Choose with \`Accept\` (text/csv, application/x-ndjson) or \`format\`.`,
        security: requireScopes(DEVELOPMENT_PLANS_READ),
        querystring: ExportQuery,
        response: {
          200: { description: 'The plans, streamed', content: { 'application/x-ndjson': { schema: Type.String() }, 'text/csv': { schema: Type.String() } } },
          ...errors(406)
        } as never
      }
    },
    async (request, reply) => {
      const accept = String(request.headers.accept ?? '*/*')
      const chosen = request.query.format ?? (/text\/csv/.test(accept) ? 'csv' : /ndjson|jsonl|\*\/\*|application\/\*|^$/.test(accept) ? 'ndjson' : undefined)
      if (!chosen) throw new Problem(406, 'not-acceptable', 'export is available as text/csv or application/x-ndjson')
      const filters = { period: request.query.period, status: request.query.status as string[] | undefined }
      const stamp = new Date().toISOString().slice(0, 10)
      reply.header('content-disposition', `attachment; filename="development-plans-${stamp}.${chosen}"`)
      if (chosen === 'csv') {
        reply.type('text/csv; charset=utf-8')
        // Titles and success measures are free text: neutralised so a spreadsheet does not run them as formulas.
        const csv = stringify({ header: true, columns: EXPORT_COLUMNS, cast: { string: neutraliseCell } })
        Readable.from((async function* () {
          for await (const plans of exportPages(app.db, filters)) for (const plan of plans) yield* objectiveLines(plan)
        })()).pipe(csv)
        return reply.send(csv)
      }
      reply.type('application/x-ndjson')
      return reply.send(Readable.from((async function* () {
        for await (const plans of exportPages(app.db, filters)) for (const plan of plans) yield JSON.stringify(plan) + '\n'
      })()))
    }
  )
}

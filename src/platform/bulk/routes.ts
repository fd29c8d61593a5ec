import { Readable } from 'node:stream'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { stringify } from 'csv-stringify'
import { Type, type Static, type TSchema } from 'typebox'
import { Compile } from 'typebox/compile'
import { Value } from 'typebox/value'
import { principalOf } from '../auth/plugin.js'
import { actorOf } from '../changes.js'
import { defineProblem, notFound, Problem } from '../problems.js'
import { errors, IdParams, ref } from '../schemas.js'
import { ADMIN, grants, requireScopes, signedIn } from '../scopes.js'
import { neutraliseCell } from './csv-cells.js'
import { formatOf, readRows } from './readers.js'
import { runImport } from './runner.js'
import { ExportQuery, ImportJob, ImportQuery, ImportResult } from './schemas.js'
import type { AnyImportSpec } from './spec.js'

defineProblem('import-rejected', {
  status: 422,
  title: 'Import rejected',
  description: 'An atomic import had failed rows, so nothing was written; `failures` lists every failed row with its line number and field errors.'
})

const IMPORT_TYPES = ['text/csv', 'application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/json']

function wantsJob(request: FastifyRequest, threshold: number, forced?: boolean): boolean {
  if (forced) return true
  if (/respond-async/i.test(String(request.headers.prefer ?? ''))) return true
  const length = Number(request.headers['content-length'])
  return !Number.isFinite(length) || length > threshold
}

/** A fastify validator for a flat query string: converts strings to the schema's types, applies defaults, checks. */
function queryValidator(schema: TSchema) {
  const check = Compile(schema)
  const validate = (data: unknown) => {
    const value = Value.Default(schema, Value.Convert(schema, Value.Clone(data ?? {})))
    if (check.Check(value)) return { value }
    validate.errors = [...check.Errors(value)]
    return false
  }
  validate.errors = [] as unknown[]
  return validate
}

/**
 * The upload, read only when the importer asks for it and refused past the limit. A generator,
 * not a piped Transform: a pipe starts flowing at once, and a 413 raised before the importer is
 * listening (it may still be waiting for a database connection) would be an unhandled error.
 */
function fromStream(request: FastifyRequest, limit: number): Readable {
  const source = request.body as Readable
  return Readable.from(
    (async function* () {
      let total = 0
      for await (const chunk of source) {
        total += (chunk as Buffer).length
        if (total > limit) throw new Problem(413, 'payload-too-large', `the file exceeds ${limit} bytes`)
        yield chunk as Buffer
      }
    })(),
    { objectMode: false }
  )
}

/** Gives a module `POST /<resource>/import` and `GET /<resource>/export` for its spec. */
export function importExportRoutes(app: FastifyInstance, spec: AnyImportSpec) {
  app.register(async (scope) => {
    // The body is read as a stream by the importer, never buffered by a parser.
    scope.removeContentTypeParser(['application/json'])
    scope.addContentTypeParser(IMPORT_TYPES, (_request, payload, done) => done(null, payload))
    // Any other type reaches the handler too, which refuses it (415) naming the types it takes.
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload))

    const typed = scope.withTypeProvider<import('@fastify/type-provider-typebox').TypeBoxTypeProvider>()
    typed.post(
      `/${spec.resource}/import`,
      {
        config: { idempotent: false },
        // Bodies are streams: rows are validated one by one against the row schema. A custom
        // compiler replaces the default for every part, so the query string is compiled here too
        // (returning nothing for it would skip validation and leave `atomic=false` a truthy string).
        validatorCompiler: ({ schema, httpPart }) => (httpPart === 'body' ? () => true : queryValidator(schema as TSchema)) as never,
        schema: {
          operationId: `import${spec.operationName}`,
          tags: [spec.tag],
          summary: `Import ${spec.resource} (upsert by externalId)`,
          description: `Upserts rows by externalId from CSV (columns: ${spec.columns.join(', ')}), NDJSON or a JSON array. Atomic by default; \`dryRun=true\` reports without writing. Files over the job threshold (or with \`Prefer: respond-async\`) answer 202 with a Location to poll.`,
          security: requireScopes(spec.writeScope),
          querystring: ImportQuery,
          body: {
            content: {
              'text/csv': { schema: Type.String({ description: `Header row then one record per line; columns: ${spec.columns.join(', ')}` }) },
              'application/x-ndjson': { schema: Type.String({ description: 'One JSON object per line, each a row' }) },
              'application/json': { schema: Type.Array(ref(spec.rowSchema)) }
            }
          } as never,
          response: {
            200: ref(ImportResult),
            202: ref(ImportJob),
            ...errors(413, 415, 422)
          }
        }
      },
      async (request, reply) => {
        const format = formatOf(request.headers['content-type'])
        if (!format) throw new Problem(415, 'unsupported-media-type', 'send text/csv, application/x-ndjson or application/json')
        const query = request.query as Static<typeof ImportQuery>
        const options = { format, dryRun: query.dryRun ?? false, atomic: query.atomic ?? true, actor: actorOf(request) }
        const limit = app.config.importBodyLimit
        if (wantsJob(request, app.config.importJobThreshold, query.async)) {
          const job = await app.importJobs.start(spec, request.body as Readable, { ...options, limit })
          reply.code(202).header('location', `/v1/imports/${job.id}`)
          return publicJob(job)
        }
        const result = await runImport(app.db, spec, readRows(fromStream(request, limit), format, spec.columns), options)
        if (result.atomic && !result.dryRun && result.counts.failed > 0) {
          throw new Problem(422, 'import-rejected', `${result.counts.failed} of ${result.counts.read} rows failed; nothing was written`, {
            extensions: { counts: result.counts, failures: result.failures }
          })
        }
        return result
      }
    )

    typed.get(
      `/${spec.resource}/export`,
      {
        schema: {
          operationId: `export${spec.operationName}`,
          tags: [spec.tag],
          summary: `Export ${spec.resource} as NDJSON or CSV`,
          description: 'Streams every record in the import row format, so an export can be edited and imported back. Choose with `Accept` (text/csv, application/x-ndjson) or `format`.',
          security: requireScopes(spec.readScope),
          querystring: ExportQuery,
          response: {
            200: {
              description: 'The records, streamed',
              content: { 'application/x-ndjson': { schema: Type.String() }, 'text/csv': { schema: Type.String() } }
            },
            ...errors(406)
          } as never
        }
      },
      async (request, reply) => sendExport(app, spec, request, reply, (request.query as Static<typeof ExportQuery>).format)
    )
  })
}

function sendExport(app: FastifyInstance, spec: AnyImportSpec, request: FastifyRequest, reply: FastifyReply, format?: 'ndjson' | 'csv') {
  const accept = String(request.headers.accept ?? '*/*')
  const chosen = format ?? (/text\/csv/.test(accept) ? 'csv' : /ndjson|jsonl|\*\/\*|application\/\*|^$/.test(accept) ? 'ndjson' : undefined)
  if (!chosen) throw new Problem(406, 'not-acceptable', 'export is available as text/csv or application/x-ndjson')

  async function* records() {
    let after: string | null = null
    for (;;) {
      const page = await spec.exportPage(app.db, after, 1000)
      for (const row of page.rows) yield row
      if (!page.last) return
      after = page.last
    }
  }
  const stamp = new Date().toISOString().slice(0, 10)
  reply.header('content-disposition', `attachment; filename="${spec.resource}-${stamp}.${chosen === 'csv' ? 'csv' : 'ndjson'}"`)
  if (chosen === 'csv') {
    reply.type('text/csv; charset=utf-8')
    const csv = stringify({
      header: true,
      columns: spec.columns,
      cast: { boolean: (v) => (v ? 'true' : 'false'), string: neutraliseCell }
    })
    Readable.from(records()).pipe(csv)
    return reply.send(csv)
  }
  reply.type('application/x-ndjson')
  return reply.send(Readable.from((async function* () {
    for await (const row of records()) yield JSON.stringify(row) + '\n'
  })()))
}

function publicJob(job: Awaited<ReturnType<FastifyInstance['importJobs']['get']>> & object) {
  const { principal: _principal, ...rest } = job
  return rest
}

/** `GET /imports/{id}`: a job is visible to whoever started it, and to administrators. */
export const importJobRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/imports/:id',
    {
      schema: {
        operationId: 'getImportJob',
        tags: ['imports'],
        summary: 'Get an import job and its progress',
        description: 'Poll until `state` is succeeded or failed. `rowsRead`, `rowsWritten` and `rowsFailed` move while it runs; `result` holds the full report at the end.',
        security: signedIn(),
        params: IdParams,
        response: { 200: ref(ImportJob), ...errors(404) }
      }
    },
    async (request) => {
      const principal = principalOf(request)
      const job = await app.importJobs.get(request.params.id)
      if (!job || (job.principal !== principal.subject && !grants(principal.scopes, ADMIN))) throw notFound('import job', request.params.id)
      return publicJob(job)
    }
  )
}

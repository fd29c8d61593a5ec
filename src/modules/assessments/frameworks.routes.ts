import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { actorOf, inTransaction } from '../../platform/changes.js'
import { etagOf, ifMatchVersion, withEtag } from '../../platform/concurrency.js'
import { sendPage } from '../../platform/pagination.js'
import { Problem } from '../../platform/problems.js'
import { errors, IdParams, ref } from '../../platform/schemas.js'
import { requireScopes } from '../../platform/scopes.js'
import { toElement } from './elements.repository.js'
import {
  createFramework,
  createNextVersion,
  deleteFramework,
  frameworkElements,
  frameworkView,
  listFrameworks,
  toFramework,
  transitionFramework,
  updateFramework
} from './frameworks.repository.js'
import {
  Framework,
  FrameworkCreate,
  FrameworkDocument,
  FrameworkExportQuery,
  FrameworkListQuery,
  FrameworkPage,
  FrameworkTransition,
  FrameworkTree,
  FrameworkUpdate,
  FrameworkVersionCreate
} from './frameworks.schemas.js'
import { childrenOf } from './frameworks.tree.js'
import { documentToCsv, exportDocument, importDocument, normaliseCsv, normaliseJson, type FrameworkDocumentValue } from './frameworks.transfer.js'
import { ASSESSMENTS_READ, ASSESSMENTS_WRITE } from './scopes.js'

const tags = ['assessments']

export const frameworksRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/frameworks',
    {
      schema: {
        operationId: 'listFrameworks',
        tags,
        summary: 'List framework versions',
        description:
          'Every version of every framework. Filter by `code`, `kind` and `status`; `latestPublished=true` keeps only the newest published version of each code (`?code=MET-VALUES&latestPublished=true` is the version in use).',
        security: requireScopes(ASSESSMENTS_READ),
        querystring: FrameworkListQuery,
        response: { 200: ref(FrameworkPage), ...errors() }
      }
    },
    async (request, reply) => {
      const page = await listFrameworks(app.db, request.query)
      return sendPage(request, reply, page.rows.map(toFramework), page.nextCursor)
    }
  )

  app.post(
    '/frameworks',
    {
      schema: {
        operationId: 'createFramework',
        tags,
        summary: 'Create a framework (version 1, a draft)',
        description: 'A code already in use is a 409: its later versions come from `POST /v1/frameworks/{id}/versions`.',
        security: requireScopes(ASSESSMENTS_WRITE),
        body: ref(FrameworkCreate),
        response: { 201: ref(Framework), ...errors(409, 422) }
      }
    },
    async (request, reply) => {
      const framework = await inTransaction(app.db, actorOf(request), (changes) => createFramework(changes, request.body))
      reply.code(201).header('location', `/v1/frameworks/${framework.id}`)
      return withEtag(reply, framework)
    }
  )

  app.get(
    '/frameworks/:id',
    {
      schema: {
        operationId: 'getFramework',
        tags,
        summary: 'Get a framework version',
        security: requireScopes(ASSESSMENTS_READ),
        params: IdParams,
        response: { 200: ref(Framework), ...errors(404) }
      }
    },
    async (request, reply) => withEtag(reply, await frameworkView(app.db, request.params.id))
  )

  app.get(
    '/frameworks/:id/tree',
    {
      schema: {
        operationId: 'getFrameworkTree',
        tags,
        summary: 'Get a framework version with its whole element tree',
        description: 'The elements nested under their parents, siblings in order, with ids and lineage ids. The ETag is the framework’s.',
        security: requireScopes(ASSESSMENTS_READ),
        params: IdParams,
        response: { 200: ref(FrameworkTree), ...errors(404) }
      }
    },
    async (request, reply) => {
      const framework = await frameworkView(app.db, request.params.id)
      const children = childrenOf(await frameworkElements(app.db, framework.id))
      type Node = Record<string, unknown> & { children: Node[] }
      const nodesUnder = (parent: string | null): Node[] =>
        (children.get(parent) ?? []).map((e) => {
          const { id, lineageId, kind, code, title, description, polarity, version } = toElement(e)
          return { id, lineageId, kind, code, title, description, polarity, version, children: nodesUnder(e.id) }
        })
      reply.header('etag', etagOf(framework.version))
      return { framework, elements: nodesUnder(null) } as never
    }
  )

  app.patch(
    '/frameworks/:id',
    {
      schema: {
        operationId: 'updateFramework',
        tags,
        summary: 'Change a draft framework',
        description: 'JSON merge patch of name, kind and description. A published or retired version is frozen (409 `framework-frozen`).',
        security: requireScopes(ASSESSMENTS_WRITE),
        params: IdParams,
        body: ref(FrameworkUpdate),
        response: { 200: ref(Framework), ...errors(404, 409, 412, 422) }
      }
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request)
      const framework = await inTransaction(app.db, actorOf(request), (changes) => updateFramework(changes, request.params.id, request.body, expected))
      return withEtag(reply, framework)
    }
  )

  app.delete(
    '/frameworks/:id',
    {
      schema: {
        operationId: 'deleteFramework',
        tags,
        summary: 'Delete a draft framework version with its elements',
        description: 'Only a draft (409 `framework-frozen` otherwise: retire a published version instead); refused with 409 `still-referenced` while a programme links one of its elements or another version was copied from it.',
        security: requireScopes(ASSESSMENTS_WRITE),
        params: IdParams,
        response: { 204: { description: 'Deleted', type: 'null' }, ...errors(404, 409, 412) }
      }
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request)
      await inTransaction(app.db, actorOf(request), (changes) => deleteFramework(changes, request.params.id, expected))
      return reply.code(204).send(null)
    }
  )

  app.post(
    '/frameworks/:id/transitions',
    {
      schema: {
        operationId: 'transitionFramework',
        tags,
        summary: 'Publish or retire a framework version',
        description:
          'draft → published freezes the version, after checking the tree (409 `framework-unsound`, with `errors` pointing at each element at fault); published → retired. Anything else is 409 `illegal-transition`. Recorded as the event `framework.<status>`.',
        security: requireScopes(ASSESSMENTS_WRITE),
        params: IdParams,
        body: ref(FrameworkTransition),
        response: { 200: ref(Framework), ...errors(404, 409, 412) }
      }
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request)
      const { to, reason } = request.body
      const framework = await inTransaction(app.db, actorOf(request), (changes) =>
        transitionFramework(changes, request.params.id, to as 'published' | 'retired', reason ?? null, expected)
      )
      return withEtag(reply, framework)
    }
  )

  app.post(
    '/frameworks/:id/versions',
    {
      schema: {
        operationId: 'createFrameworkVersion',
        tags,
        summary: 'Create the next version of a framework, as a draft copied from this one',
        description:
          'The new draft takes the next version number of the code and a copy of every element, each with the lineage id of the element it was copied from. The versions then live side by side.',
        security: requireScopes(ASSESSMENTS_WRITE),
        params: IdParams,
        body: ref(FrameworkVersionCreate),
        response: { 201: ref(Framework), ...errors(404, 409, 422) }
      }
    },
    async (request, reply) => {
      const framework = await inTransaction(app.db, actorOf(request), (changes) => createNextVersion(changes, request.params.id, request.body))
      reply.code(201).header('location', `/v1/frameworks/${framework.id}`)
      return withEtag(reply, framework)
    }
  )

  app.get(
    '/frameworks/:id/export',
    {
      schema: {
        operationId: 'exportFramework',
        tags,
        summary: 'Export a framework version as JSON or CSV',
        description:
          'JSON: the `FrameworkDocument` (a nested tree). CSV: a `framework` record, then one `element` record per element in tree order with its `parentCode`; cells starting with = + - @ or \' are prefixed with \' (formula injection), which the import takes off again. Either imports back as the same framework.',
        security: requireScopes(ASSESSMENTS_READ),
        params: IdParams,
        querystring: FrameworkExportQuery,
        response: {
          200: {
            description: 'The framework',
            content: { 'application/json': { schema: ref(FrameworkDocument) }, 'text/csv': { schema: Type.String() } }
          },
          ...errors(404, 406)
        } as never
      }
    },
    async (request, reply) => {
      const accept = String(request.headers.accept ?? '*/*')
      const format = request.query.format ?? (/text\/csv/.test(accept) ? 'csv' : /json|\*\/\*|^$/.test(accept) ? 'json' : undefined)
      if (!format) throw new Problem(406, 'not-acceptable', 'a framework is exported as application/json or text/csv')
      const document = await exportDocument(app.db, request.params.id)
      const name = `${document.code}-v${document.versionNumber}`.replace(/[^A-Za-z0-9_.-]/g, '_')
      reply.header('content-disposition', `attachment; filename="${name}.${format}"`)
      if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(documentToCsv(document))
      return reply.type('application/json; charset=utf-8').send(document)
    }
  )

  // The import takes CSV as text; JSON goes through the ordinary parser and schema.
  await app.register(async (scope) => {
    scope.addContentTypeParser('text/csv', { parseAs: 'string' }, (_request, body, done) => done(null, body))
    scope.post(
      '/frameworks/import',
      {
        schema: {
          operationId: 'importFramework',
          tags,
          summary: 'Import a whole framework as a new draft, from JSON or CSV',
          description:
            'The format of `GET /v1/frameworks/{id}/export`. Nothing is written unless the whole file is good: JSON errors point into the document (400 `validation`, 422 `framework-invalid`); CSV errors are listed by line (422 `import-rejected`). Without `versionNumber` the draft is the next version of its code; with one that exists, 409. Publish it with the transitions operation.',
          security: requireScopes(ASSESSMENTS_WRITE),
          body: {
            content: {
              'application/json': { schema: ref(FrameworkDocument) },
              'text/csv': { schema: Type.String({ description: `Columns: record, code, parentCode, kind, title, description, polarity, versionNumber` }) }
            }
          } as never,
          response: { 201: ref(Framework), ...errors(409, 415, 422) }
        }
      },
      async (request, reply) => {
        const type = String(request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase()
        const document =
          type === 'text/csv' ? await normaliseCsv(request.body as string)
          : type === 'application/json' ? normaliseJson(request.body as FrameworkDocumentValue)
          : undefined
        if (!document) throw new Problem(415, 'unsupported-media-type', 'send application/json or text/csv')
        const framework = await inTransaction(app.db, actorOf(request), (changes) => importDocument(changes, document, type === 'text/csv' ? 'csv' : 'json'))
        reply.code(201).header('location', `/v1/frameworks/${framework.id}`)
        return withEtag(reply, framework)
      }
    )
  })
}

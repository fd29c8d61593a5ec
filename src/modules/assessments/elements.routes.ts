import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { actorOf, inTransaction } from '../../platform/changes.js'
import { ifMatchVersion, withEtag } from '../../platform/concurrency.js'
import { sendPage } from '../../platform/pagination.js'
import { errors, IdParams, ref } from '../../platform/schemas.js'
import { requireScopes } from '../../platform/scopes.js'
import { createElement, deleteElement, findElement, listElements, toElement, updateElement } from './elements.repository.js'
import { FrameworkElement, FrameworkElementCreate, FrameworkElementListQuery, FrameworkElementPage, FrameworkElementUpdate } from './frameworks.schemas.js'
import { ASSESSMENTS_READ, ASSESSMENTS_WRITE } from './scopes.js'

const tags = ['assessments']
const frozenNote = 'Only while the framework is a draft: a published or retired version is frozen (409 `framework-frozen`).'

export const elementsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/frameworks/:id/elements',
    {
      schema: {
        operationId: 'listFrameworkElements',
        tags,
        summary: 'List the elements of a framework version',
        description: 'Flat, filtered by kind, polarity, parent, top level or lineage. The whole tree in one response: `GET /v1/frameworks/{id}/tree`.',
        security: requireScopes(ASSESSMENTS_READ),
        params: IdParams,
        querystring: FrameworkElementListQuery,
        response: { 200: ref(FrameworkElementPage), ...errors(404) }
      }
    },
    async (request, reply) => {
      const page = await listElements(app.db, request.params.id, request.query)
      return sendPage(request, reply, page.rows.map(toElement), page.nextCursor)
    }
  )

  app.post(
    '/frameworks/:id/elements',
    {
      schema: {
        operationId: 'createFrameworkElement',
        tags,
        summary: 'Add an element to a draft framework',
        description: `Under \`parentId\` (or at the top level), at \`position\` among its siblings (default last); the siblings after it move down one. Its lineage id is its own id. ${frozenNote}`,
        security: requireScopes(ASSESSMENTS_WRITE),
        params: IdParams,
        body: ref(FrameworkElementCreate),
        response: { 201: ref(FrameworkElement), ...errors(404, 409, 422) }
      }
    },
    async (request, reply) => {
      const element = await inTransaction(app.db, actorOf(request), (changes) => createElement(changes, request.params.id, request.body))
      reply.code(201).header('location', `/v1/framework-elements/${element.id}`)
      return withEtag(reply, element)
    }
  )

  app.get(
    '/framework-elements/:id',
    {
      schema: {
        operationId: 'getFrameworkElement',
        tags,
        summary: 'Get a framework element',
        security: requireScopes(ASSESSMENTS_READ),
        params: IdParams,
        response: { 200: ref(FrameworkElement), ...errors(404) }
      }
    },
    async (request, reply) => withEtag(reply, toElement(await findElement(app.db, request.params.id)))
  )

  app.patch(
    '/framework-elements/:id',
    {
      schema: {
        operationId: 'updateFrameworkElement',
        tags,
        summary: 'Change, move or reorder an element of a draft framework',
        description: `JSON merge patch. \`parentId\` moves the element with its subtree (under itself or its own descendants: 422 \`hierarchy-cycle\`); \`position\` reorders it among its siblings. ${frozenNote}`,
        security: requireScopes(ASSESSMENTS_WRITE),
        params: IdParams,
        body: ref(FrameworkElementUpdate),
        response: { 200: ref(FrameworkElement), ...errors(404, 409, 412, 422) }
      }
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request)
      const element = await inTransaction(app.db, actorOf(request), (changes) => updateElement(changes, request.params.id, request.body, expected))
      return withEtag(reply, element)
    }
  )

  app.delete(
    '/framework-elements/:id',
    {
      schema: {
        operationId: 'deleteFrameworkElement',
        tags,
        summary: 'Delete an element of a draft framework, with everything below it',
        description: `Its later siblings move up one. Refused with 409 \`still-referenced\` while a programme links it or an element below it. ${frozenNote}`,
        security: requireScopes(ASSESSMENTS_WRITE),
        params: IdParams,
        response: { 204: { description: 'Deleted', type: 'null' }, ...errors(404, 409, 412) }
      }
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request)
      await inTransaction(app.db, actorOf(request), (changes) => deleteElement(changes, request.params.id, expected))
      return reply.code(204).send(null)
    }
  )
}

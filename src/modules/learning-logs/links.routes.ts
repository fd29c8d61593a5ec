import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { actorOf, inTransaction } from '../../platform/changes.js'
import { sendPage } from '../../platform/pagination.js'
import { errors, IdParams, ref } from '../../platform/schemas.js'
import { requireScopes } from '../../platform/scopes.js'
import { findEntry } from './entries.repository.js'
import { createLink, deleteLink, listLinks, toLink } from './links.repository.js'
import { LearningLogLink, LearningLogLinkCreate, LearningLogLinkPage, LinkDeleteQuery, LinkListQuery, LinkParams } from './links.schemas.js'
import { LEARNING_READ, LEARNING_WRITE } from './scopes.js'

const tags = ['learning-logs']

export const linksRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/learning-log-entries/:id/links',
    {
      schema: {
        operationId: 'listLearningLogLinks',
        tags,
        summary: 'List an entry’s links to recommendations, programmes, cohorts and other entries',
        security: requireScopes(LEARNING_READ),
        params: IdParams,
        querystring: LinkListQuery,
        response: { 200: ref(LearningLogLinkPage), ...errors(404) }
      }
    },
    async (request, reply) => {
      const entry = await findEntry(app.db, request.params.id)
      const page = await listLinks(app.db, entry.id, request.query)
      return sendPage(request, reply, page.rows.map(toLink), page.nextCursor)
    }
  )

  app.post(
    '/learning-log-entries/:id/links',
    {
      schema: {
        operationId: 'createLearningLogLink',
        tags,
        summary: 'Link an entry to a recommendation, programme, cohort or another entry',
        description:
          'Name exactly one target. duplicate_of points at an entry; produced_by and addressed_by at a recommendation, programme or cohort; related at any. The same link twice is a 409 conflict; a target that does not exist a 422. Kept in the trail and published as `learning-log-entry.linked`.',
        security: requireScopes(LEARNING_WRITE),
        params: IdParams,
        body: ref(LearningLogLinkCreate),
        response: { 201: ref(LearningLogLink), ...errors(404, 409, 422) }
      }
    },
    async (request, reply) => {
      const link = await inTransaction(app.db, actorOf(request), (changes) => createLink(changes, request.params.id, request.body))
      reply.code(201).header('location', `/v1/learning-log-entries/${request.params.id}/links`)
      return toLink(link)
    }
  )

  app.delete(
    '/learning-log-entries/:id/links/:linkId',
    {
      schema: {
        operationId: 'deleteLearningLogLink',
        tags,
        summary: 'Remove a link (the trail keeps it, as unlinked)',
        security: requireScopes(LEARNING_WRITE),
        params: LinkParams,
        querystring: LinkDeleteQuery,
        response: { 204: { description: 'Removed', type: 'null' }, ...errors(404) }
      }
    },
    async (request, reply) => {
      await inTransaction(app.db, actorOf(request), (changes) => deleteLink(changes, request.params.id, request.params.linkId, request.query.reason ?? null))
      return reply.code(204).send(null)
    }
  )
}

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { actorOf, inTransaction } from '../../platform/changes.js'
import { ifMatchVersion, withEtag } from '../../platform/concurrency.js'
import { errors, IdParams, ref } from '../../platform/schemas.js'
import { requireScopes } from '../../platform/scopes.js'
import { aggregateDiversity, deleteDiversityRecord, findDiversityRecord, putDiversityRecord } from './diversity.repository.js'
import { DiversityAggregate, DiversityAggregateQuery, DiversityRecord, DiversityRecordInput } from './schemas.js'
import { DIVERSITY_READ, DIVERSITY_REPORT, DIVERSITY_WRITE } from './scopes.js'

const tags = ['people']

export const diversityRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/people/:id/diversity-record',
    {
      schema: {
        operationId: 'getDiversityRecord',
        tags,
        summary: 'Get a person’s diversity monitoring record',
        description: 'Special category data: needs `diversity:read`. Never part of a person response, the audit trail or the change feed.',
        security: requireScopes(DIVERSITY_READ),
        params: IdParams,
        response: { 200: ref(DiversityRecord), ...errors(404) }
      }
    },
    async (request, reply) => withEtag(reply, await findDiversityRecord(app.db, request.params.id))
  )

  app.put(
    '/people/:id/diversity-record',
    {
      schema: {
        operationId: 'putDiversityRecord',
        tags,
        summary: 'Record or replace a person’s diversity monitoring answers',
        description: 'The whole record: a field left out is cleared. Every answer may be `prefer_not_to_say`.',
        security: requireScopes(DIVERSITY_WRITE),
        params: IdParams,
        body: ref(DiversityRecordInput),
        response: { 200: ref(DiversityRecord), 201: ref(DiversityRecord), ...errors(404, 412) }
      }
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request)
      const { view, outcome } = await inTransaction(app.db, actorOf(request), (changes) =>
        putDiversityRecord(changes, request.params.id, request.body, expected)
      )
      if (outcome === 'created') reply.code(201).header('location', `/v1/people/${request.params.id}/diversity-record`)
      return withEtag(reply, view)
    }
  )

  app.delete(
    '/people/:id/diversity-record',
    {
      schema: {
        operationId: 'deleteDiversityRecord',
        tags,
        summary: 'Erase a person’s diversity monitoring record',
        security: requireScopes(DIVERSITY_WRITE),
        params: IdParams,
        response: { 204: { description: 'Erased', type: 'null' }, ...errors(404, 412) }
      }
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request)
      await inTransaction(app.db, actorOf(request), (changes) => deleteDiversityRecord(changes, request.params.id, expected))
      return reply.code(204).send(null)
    }
  )

  app.get(
    '/diversity/aggregates',
    {
      schema: {
        operationId: 'getDiversityAggregate',
        tags,
        summary: 'Count people by a monitored characteristic, by org unit and/or grade',
        description: 'Cells under 5 people are suppressed (count null). No totals are given, so suppressed cells cannot be derived.',
        security: [...requireScopes(DIVERSITY_READ), ...requireScopes(DIVERSITY_REPORT)],
        querystring: DiversityAggregateQuery,
        response: { 200: ref(DiversityAggregate), ...errors() }
      }
    },
    async (request) => aggregateDiversity(app.db, request.query)
  )
}

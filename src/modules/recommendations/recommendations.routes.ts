import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { importExportRoutes } from '../../platform/bulk/routes.js'
import { actorOf, inTransaction } from '../../platform/changes.js'
import { ifMatchVersion, withEtag } from '../../platform/concurrency.js'
import { sendPage } from '../../platform/pagination.js'
import { errors, IdParams, ref } from '../../platform/schemas.js'
import { requireScopes } from '../../platform/scopes.js'
import { listHistory, toHistoryEntry } from './history.repository.js'
import { sweepOverdue } from './overdue.service.js'
import { recommendationImport } from './recommendations.imports.js'
import { createRecommendation, findRecommendation, listRecommendations, updateRecommendation, viewOf, viewsOf } from './recommendations.repository.js'
import {
  HistoryListQuery,
  Recommendation,
  RecommendationCreate,
  RecommendationListQuery,
  RecommendationPage,
  RecommendationTransition,
  RecommendationUpdate,
  StatusHistoryPage
} from './recommendations.schemas.js'
import { exceptionsReport, statusReport } from './reports.repository.js'
import { ExceptionsQuery, ExceptionsReport, OverdueSweep, OverdueSweepRequest, StatusReport, StatusReportQuery } from './reports.schemas.js'
import { RECOMMENDATIONS_WRITE } from './scopes.js'
import { readers } from './sources.routes.js'
import { transitionRecommendation } from './status-moves.js'

const tags = ['recommendations']
const writers = requireScopes(RECOMMENDATIONS_WRITE)

export const recommendationsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/recommendations',
    {
      schema: {
        operationId: 'listRecommendations',
        tags,
        summary: 'List recommendations',
        description:
          'Filters: sourceId, themeId, status (repeatable), owner (ownerOrgUnitId with includeDescendants, ownerPersonId, unowned), area, directedTo, overdue, dueBefore, reviewDueBefore, externalId, number, and `q` (full-text search, English stemming).',
        security: readers,
        querystring: RecommendationListQuery,
        response: { 200: ref(RecommendationPage), ...errors() }
      }
    },
    async (request, reply) => {
      const page = await listRecommendations(app.db, request.query)
      return sendPage(request, reply, await viewsOf(app.db, page.rows), page.nextCursor)
    }
  )
  app.post(
    '/recommendations',
    {
      schema: {
        operationId: 'createRecommendation',
        tags,
        summary: 'Record a recommendation of a source',
        description: 'Starts not_started unless `status` says otherwise; `embedded` is refused (409 embedding-requires-panel-review). The starting status is the first history entry.',
        security: writers,
        body: ref(RecommendationCreate),
        response: { 201: ref(Recommendation), ...errors(409, 422) }
      }
    },
    async (request, reply) => {
      const recommendation = await inTransaction(app.db, actorOf(request), (changes) => createRecommendation(changes, request.body))
      reply.code(201).header('location', `/v1/recommendations/${recommendation.id}`)
      return withEtag(reply, recommendation)
    }
  )
  app.get(
    '/recommendations/exceptions',
    {
      schema: {
        operationId: 'getRecommendationExceptions',
        tags,
        summary: 'Exceptions: embedded without current evidence, overdue actions, reviews due or overdue, no owner, no movement',
        security: readers,
        querystring: ExceptionsQuery,
        response: { 200: ref(ExceptionsReport), ...errors() }
      }
    },
    async (request) => exceptionsReport(app.db, request.query)
  )
  app.get(
    '/recommendations/status-report',
    {
      schema: {
        operationId: 'getRecommendationStatusReport',
        tags,
        summary: 'Status counts by source, theme, area or owner org unit',
        security: readers,
        querystring: StatusReportQuery,
        response: { 200: ref(StatusReport), ...errors() }
      }
    },
    async (request) => statusReport(app.db, request.query)
  )
  app.post(
    '/recommendations/overdue-sweeps',
    {
      schema: {
        operationId: 'sweepOverdueRecommendationItems',
        tags,
        summary: 'Report newly overdue actions and reviews on the change feed (for a scheduler)',
        description:
          'Emits `recommendation-action.overdue` for each open or in-progress action due before asOf, and `recommendation.review-overdue` for each recommendation (not closed) whose next review date is before asOf, once per item and due date: running it again reports only what became overdue since. Call it daily from a scheduler.',
        security: writers,
        body: ref(OverdueSweepRequest),
        response: { 200: ref(OverdueSweep), ...errors(422) }
      }
    },
    async (request) => inTransaction(app.db, actorOf(request), (changes) => sweepOverdue(changes, request.body.asOf))
  )
  app.get(
    '/recommendations/:id',
    { schema: { operationId: 'getRecommendation', tags, summary: 'Get a recommendation', security: readers, params: IdParams, response: { 200: ref(Recommendation), ...errors(404) } } },
    async (request, reply) => withEtag(reply, await viewOf(app.db, await findRecommendation(app.db, request.params.id)))
  )
  app.patch(
    '/recommendations/:id',
    {
      schema: {
        operationId: 'updateRecommendation',
        tags,
        summary: 'Change a recommendation',
        description: 'JSON merge patch; `themeIds` replaces the set. The status changes only through transitions (409 status-via-transitions) and embedded only through a panel review (409 embedding-requires-panel-review).',
        security: writers,
        params: IdParams,
        body: ref(RecommendationUpdate),
        response: { 200: ref(Recommendation), ...errors(404, 409, 412, 422) }
      }
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request)
      return withEtag(reply, await inTransaction(app.db, actorOf(request), (changes) => updateRecommendation(changes, request.params.id, request.body, expected)))
    }
  )
  app.post(
    '/recommendations/:id/transitions',
    {
      schema: {
        operationId: 'transitionRecommendation',
        tags,
        summary: 'Move a recommendation to another status (never to embedded)',
        description:
          'The moves are in RecommendationTransition. `to: embedded` is a 409 embedding-requires-panel-review; any other move the table does not allow is a 409 illegal-transition. Writes a history entry, an audit record and the event `recommendation.<status>`.',
        security: writers,
        params: IdParams,
        body: ref(RecommendationTransition),
        response: { 200: ref(Recommendation), ...errors(404, 409, 412, 422) }
      }
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request)
      return withEtag(reply, await inTransaction(app.db, actorOf(request), (changes) => transitionRecommendation(changes, request.params.id, request.body, expected)))
    }
  )
  app.get(
    '/recommendations/:id/history',
    {
      schema: {
        operationId: 'listRecommendationHistory',
        tags,
        summary: 'A recommendation’s status history, oldest first',
        security: readers,
        params: IdParams,
        querystring: HistoryListQuery,
        response: { 200: ref(StatusHistoryPage), ...errors(404) }
      }
    },
    async (request, reply) => {
      await findRecommendation(app.db, request.params.id)
      const page = await listHistory(app.db, request.params.id, request.query)
      return sendPage(request, reply, page.rows.map(toHistoryEntry), page.nextCursor)
    }
  )

  importExportRoutes(app, recommendationImport)
}

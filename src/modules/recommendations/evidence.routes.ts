import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { actorOf, inTransaction } from '../../platform/changes.js'
import { ifMatchVersion, withEtag } from '../../platform/concurrency.js'
import { sendPage } from '../../platform/pagination.js'
import { errors, IdParams, PageQuery, ref } from '../../platform/schemas.js'
import { requireScopes } from '../../platform/scopes.js'
import { actionViews, createAction, findAction, listActions, transitionAction, updateAction } from './actions.repository.js'
import {
  RecommendationAction,
  RecommendationActionCreate,
  RecommendationActionListQuery,
  RecommendationActionPage,
  RecommendationActionTransition,
  RecommendationActionUpdate
} from './actions.schemas.js'
import { createEvidence, findEvidence, listEvidence, toEvidence, withdrawEvidence } from './evidence.repository.js'
import { Evidence, EvidenceCreate, EvidenceListQuery, EvidencePage, EvidenceWithdrawal } from './evidence.schemas.js'
import { findRecommendation } from './recommendations.repository.js'
import { RECOMMENDATIONS_WRITE } from './scopes.js'
import { readers } from './sources.routes.js'

const tags = ['recommendations']
const writers = requireScopes(RECOMMENDATIONS_WRITE)

/** Evidence and actions: the work that moves a recommendation towards embedded. */
export const evidenceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/recommendations/:id/evidence',
    {
      schema: {
        operationId: 'listRecommendationEvidence',
        tags,
        summary: 'List a recommendation’s evidence (withdrawn items included unless asked otherwise)',
        security: readers,
        params: IdParams,
        querystring: EvidenceListQuery,
        response: { 200: ref(EvidencePage), ...errors(404) }
      }
    },
    async (request, reply) => {
      await findRecommendation(app.db, request.params.id)
      const page = await listEvidence(app.db, request.params.id, request.query)
      return sendPage(request, reply, page.rows.map((r) => toEvidence(r)), page.nextCursor)
    }
  )
  app.post(
    '/recommendations/:id/evidence',
    {
      schema: {
        operationId: 'createRecommendationEvidence',
        tags,
        summary: 'Submit evidence for a recommendation',
        description: 'Refused for a closed recommendation (409 recommendation-closed). Evidence is never deleted: withdraw it with a reason.',
        security: writers,
        params: IdParams,
        body: ref(EvidenceCreate),
        response: { 201: ref(Evidence), ...errors(404, 409, 422) }
      }
    },
    async (request, reply) => {
      const evidence = await inTransaction(app.db, actorOf(request), (changes) => createEvidence(changes, request.params.id, request.body))
      reply.code(201).header('location', `/v1/evidence/${evidence.id}`)
      return withEtag(reply, evidence)
    }
  )
  app.get(
    '/evidence/:id',
    { schema: { operationId: 'getEvidence', tags, summary: 'Get an evidence item', security: readers, params: IdParams, response: { 200: ref(Evidence), ...errors(404) } } },
    async (request, reply) => withEtag(reply, toEvidence(await findEvidence(app.db, request.params.id)))
  )
  app.post(
    '/evidence/:id/withdrawal',
    {
      schema: {
        operationId: 'withdrawEvidence',
        tags,
        summary: 'Withdraw an evidence item, with a reason (it is kept, no longer current)',
        description: 'Final: a second withdrawal is a 409 evidence-withdrawn. If-Match honoured. A recommendation embedded on this evidence alone shows up among the exceptions.',
        security: writers,
        params: IdParams,
        body: ref(EvidenceWithdrawal),
        response: { 200: ref(Evidence), ...errors(404, 409, 412) }
      }
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request)
      return withEtag(reply, await inTransaction(app.db, actorOf(request), (changes) => withdrawEvidence(changes, request.params.id, request.body.reason, expected)))
    }
  )

  app.get(
    '/recommendation-actions',
    {
      schema: {
        operationId: 'listRecommendationActions',
        tags,
        summary: 'List actions',
        description: 'Filters: recommendationId, status, overdue, ownerPersonId, ownerOrgUnitId, dueBefore.',
        security: readers,
        querystring: RecommendationActionListQuery,
        response: { 200: ref(RecommendationActionPage), ...errors() }
      }
    },
    async (request, reply) => {
      const page = await listActions(app.db, request.query)
      return sendPage(request, reply, await actionViews(app.db, page.rows), page.nextCursor)
    }
  )
  app.get(
    '/recommendations/:id/actions',
    {
      schema: {
        operationId: 'listActionsOfRecommendation',
        tags,
        summary: 'The actions linked to a recommendation',
        security: readers,
        params: IdParams,
        querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }),
        response: { 200: ref(RecommendationActionPage), ...errors(404) }
      }
    },
    async (request, reply) => {
      await findRecommendation(app.db, request.params.id)
      const page = await listActions(app.db, { ...request.query, recommendationId: request.params.id })
      return sendPage(request, reply, await actionViews(app.db, page.rows), page.nextCursor)
    }
  )
  app.post(
    '/recommendation-actions',
    {
      schema: {
        operationId: 'createRecommendationAction',
        tags,
        summary: 'Create an action for one or more recommendations',
        security: writers,
        body: ref(RecommendationActionCreate),
        response: { 201: ref(RecommendationAction), ...errors(409, 422) }
      }
    },
    async (request, reply) => {
      const action = await inTransaction(app.db, actorOf(request), (changes) => createAction(changes, request.body))
      reply.code(201).header('location', `/v1/recommendation-actions/${action.id}`)
      return withEtag(reply, action)
    }
  )
  app.get(
    '/recommendation-actions/:id',
    { schema: { operationId: 'getRecommendationAction', tags, summary: 'Get an action', security: readers, params: IdParams, response: { 200: ref(RecommendationAction), ...errors(404) } } },
    async (request, reply) => withEtag(reply, await findAction(app.db, request.params.id))
  )
  app.patch(
    '/recommendation-actions/:id',
    {
      schema: {
        operationId: 'updateRecommendationAction',
        tags,
        summary: 'Change an action (owner, due date, linked recommendations …)',
        security: writers,
        params: IdParams,
        body: ref(RecommendationActionUpdate),
        response: { 200: ref(RecommendationAction), ...errors(404, 409, 412, 422) }
      }
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request)
      return withEtag(reply, await inTransaction(app.db, actorOf(request), (changes) => updateAction(changes, request.params.id, request.body, expected)))
    }
  )
  app.post(
    '/recommendation-actions/:id/transitions',
    {
      schema: {
        operationId: 'transitionRecommendationAction',
        tags,
        summary: 'Move an action: open ⇄ in_progress → done, or cancelled',
        description: 'done and cancelled are final (409 illegal-transition). Recorded as the event `recommendation-action.<status>`.',
        security: writers,
        params: IdParams,
        body: ref(RecommendationActionTransition),
        response: { 200: ref(RecommendationAction), ...errors(404, 409, 412, 422) }
      }
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request)
      return withEtag(reply, await inTransaction(app.db, actorOf(request), (changes) => transitionAction(changes, request.params.id, request.body, expected)))
    }
  )
}

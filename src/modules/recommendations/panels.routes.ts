import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { actorOf, inTransaction } from '../../platform/changes.js'
import { ifMatchVersion, withEtag } from '../../platform/concurrency.js'
import { sendPage } from '../../platform/pagination.js'
import { errors, IdParams, ref } from '../../platform/schemas.js'
import { requireScopes } from '../../platform/scopes.js'
import { findReview, listReviews, recordPanelReview, reviewViews } from './panel-reviews.service.js'
import { addMember, createPanel, findMember, findPanel, listMembers, listPanels, toMember, toPanel, updateMember, updatePanel } from './panels.repository.js'
import {
  ChallengePanel,
  ChallengePanelCreate,
  ChallengePanelPage,
  ChallengePanelUpdate,
  MemberParams,
  PanelListQuery,
  PanelMember,
  PanelMemberCreate,
  PanelMemberListQuery,
  PanelMemberPage,
  PanelMemberUpdate,
  PanelReview,
  PanelReviewCreate,
  PanelReviewPage
} from './panels.schemas.js'
import { findRecommendation } from './recommendations.repository.js'
import { PANEL_REVIEW, RECOMMENDATIONS_WRITE } from './scopes.js'
import { readers } from './sources.routes.js'

const tags = ['recommendations']
const writers = requireScopes(RECOMMENDATIONS_WRITE)

export const panelsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/challenge-panels',
    { schema: { operationId: 'listChallengePanels', tags, summary: 'List challenge panels', security: readers, querystring: PanelListQuery, response: { 200: ref(ChallengePanelPage), ...errors() } } },
    async (request, reply) => {
      const page = await listPanels(app.db, request.query)
      return sendPage(request, reply, page.rows.map(toPanel), page.nextCursor)
    }
  )
  app.post(
    '/challenge-panels',
    {
      schema: { operationId: 'createChallengePanel', tags, summary: 'Set up a challenge panel', security: writers, body: ref(ChallengePanelCreate), response: { 201: ref(ChallengePanel), ...errors(409, 422) } }
    },
    async (request, reply) => {
      const panel = await inTransaction(app.db, actorOf(request), (changes) => createPanel(changes, request.body))
      reply.code(201).header('location', `/v1/challenge-panels/${panel.id}`)
      return withEtag(reply, panel)
    }
  )
  app.get(
    '/challenge-panels/:id',
    { schema: { operationId: 'getChallengePanel', tags, summary: 'Get a challenge panel', security: readers, params: IdParams, response: { 200: ref(ChallengePanel), ...errors(404) } } },
    async (request, reply) => withEtag(reply, toPanel(await findPanel(app.db, request.params.id)))
  )
  app.patch(
    '/challenge-panels/:id',
    {
      schema: {
        operationId: 'updateChallengePanel',
        tags,
        summary: 'Change a challenge panel (dissolve it with status dissolved)',
        security: writers,
        params: IdParams,
        body: ref(ChallengePanelUpdate),
        response: { 200: ref(ChallengePanel), ...errors(404, 409, 412, 422) }
      }
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request)
      return withEtag(reply, await inTransaction(app.db, actorOf(request), (changes) => updatePanel(changes, request.params.id, request.body, expected)))
    }
  )
  app.get(
    '/challenge-panels/:id/members',
    {
      schema: {
        operationId: 'listPanelMembers',
        tags,
        summary: 'The members of a panel, past and present',
        security: readers,
        params: IdParams,
        querystring: PanelMemberListQuery,
        response: { 200: ref(PanelMemberPage), ...errors(404) }
      }
    },
    async (request, reply) => {
      const page = await listMembers(app.db, request.params.id, request.query)
      return sendPage(request, reply, page.rows.map(toMember), page.nextCursor)
    }
  )
  app.post(
    '/challenge-panels/:id/members',
    {
      schema: {
        operationId: 'addPanelMember',
        tags,
        summary: 'Add a member (internal, or external with their organisation)',
        security: writers,
        params: IdParams,
        body: ref(PanelMemberCreate),
        response: { 201: ref(PanelMember), ...errors(404, 422) }
      }
    },
    async (request, reply) => {
      const member = await inTransaction(app.db, actorOf(request), (changes) => addMember(changes, request.params.id, request.body))
      reply.code(201).header('location', `/v1/challenge-panels/${request.params.id}/members/${member.id}`)
      return withEtag(reply, member)
    }
  )
  app.get(
    '/challenge-panels/:id/members/:memberId',
    { schema: { operationId: 'getPanelMember', tags, summary: 'Get a member of a panel', security: readers, params: MemberParams, response: { 200: ref(PanelMember), ...errors(404) } } },
    async (request, reply) => withEtag(reply, toMember(await findMember(app.db, request.params.id, request.params.memberId)))
  )
  app.patch(
    '/challenge-panels/:id/members/:memberId',
    {
      schema: {
        operationId: 'updatePanelMember',
        tags,
        summary: 'Change a member (e.g. leftOn when they stand down)',
        security: writers,
        params: MemberParams,
        body: ref(PanelMemberUpdate),
        response: { 200: ref(PanelMember), ...errors(404, 412, 422) }
      }
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request)
      return withEtag(
        reply,
        await inTransaction(app.db, actorOf(request), (changes) => updateMember(changes, request.params.id, request.params.memberId, request.body, expected))
      )
    }
  )
  app.get(
    '/challenge-panels/:id/reviews',
    {
      schema: { operationId: 'listChallengePanelReviews', tags, summary: 'The reviews a panel made', security: readers, params: IdParams, querystring: PanelListQuery, response: { 200: ref(PanelReviewPage), ...errors(404) } }
    },
    async (request, reply) => {
      await findPanel(app.db, request.params.id)
      const page = await listReviews(app.db, { panelId: request.params.id }, request.query)
      return sendPage(request, reply, await reviewViews(app.db, page.rows), page.nextCursor)
    }
  )

  app.get(
    '/recommendations/:id/panel-reviews',
    {
      schema: {
        operationId: 'listRecommendationPanelReviews',
        tags,
        summary: 'The panel reviews of a recommendation, oldest first',
        security: readers,
        params: IdParams,
        querystring: PanelListQuery,
        response: { 200: ref(PanelReviewPage), ...errors(404) }
      }
    },
    async (request, reply) => {
      await findRecommendation(app.db, request.params.id)
      const page = await listReviews(app.db, { recommendationId: request.params.id }, request.query)
      return sendPage(request, reply, await reviewViews(app.db, page.rows), page.nextCursor)
    }
  )
  app.post(
    '/recommendations/:id/panel-reviews',
    {
      schema: {
        operationId: 'createPanelReview',
        tags,
        summary: 'Record a challenge panel’s review and verdict (the only route to embedded)',
        description:
          'Needs panel:review. Members present must be members of the panel on the review date (422 not-a-panel-member); evidence considered must be the recommendation’s (422 evidence-not-of-recommendation). The verdict moves the status: embedded → embedded, only if at least one evidence item considered was current on the review date (else 409 embedding-requires-current-evidence, nothing recorded); partially_embedded → partially_embedded; not_embedded → continuing_challenge; insufficient_evidence → unchanged, but embedded falls back to partially_embedded. The next review date becomes the recommendation’s. Writes a history entry (even when the status stays), the event `panel-review.recorded` and, when the status moves, `recommendation.<status>`. A review dated before the latest review on file (a late write-up) is recorded with `applied: false` and changes neither the status nor the next review date (no history entry); on the same date the later-recorded review applies.',
        security: requireScopes(PANEL_REVIEW),
        params: IdParams,
        body: ref(PanelReviewCreate),
        response: { 201: ref(PanelReview), ...errors(404, 409, 422) }
      }
    },
    async (request, reply) => {
      const { review } = await inTransaction(app.db, actorOf(request), (changes) => recordPanelReview(changes, request.params.id, request.body))
      reply.code(201).header('location', `/v1/panel-reviews/${review.id}`)
      return review
    }
  )
  app.get(
    '/panel-reviews/:id',
    { schema: { operationId: 'getPanelReview', tags, summary: 'Get a panel review', security: readers, params: IdParams, response: { 200: ref(PanelReview), ...errors(404) } } },
    async (request) => findReview(app.db, request.params.id)
  )
}

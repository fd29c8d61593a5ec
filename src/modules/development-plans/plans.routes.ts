import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { principalOf } from '../../platform/auth/plugin.js'
import { actorOf, inTransaction } from '../../platform/changes.js'
import { ifMatchVersion, withEtag } from '../../platform/concurrency.js'
import { sendPage } from '../../platform/pagination.js'
import { errors, IdParams, PageQuery, ref } from '../../platform/schemas.js'
import { requireScopes } from '../../platform/scopes.js'
import { Type } from 'typebox'
import { assertMayRead, planCallerOf, readOwner } from './access.js'
import { Plan, PlanCreate, PlanListQuery, PlanPage, PlanTransitionPage, PlanTransitionRequest, PlanUpdate } from './plans.schemas.js'
import { findPlanRow, listPlans, listPlanTransitions, planView, planViews, toPlanTransition } from './plans.repository.js'
import { createPlan, transitionPlan, updatePlan } from './plans.service.js'
import { DEVELOPMENT_PLANS_OWN, DEVELOPMENT_PLANS_READ, DEVELOPMENT_PLANS_WRITE } from './scopes.js'

export const tags = ['development-plans']
export const readOrOwn = [...requireScopes(DEVELOPMENT_PLANS_READ), ...requireScopes(DEVELOPMENT_PLANS_OWN)]
export const writeOrOwn = [...requireScopes(DEVELOPMENT_PLANS_WRITE), ...requireScopes(DEVELOPMENT_PLANS_OWN)]

export const plansRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/development-plans',
    {
      schema: {
        operationId: 'createDevelopmentPlan',
        tags,
        summary: 'Start a development plan (a draft)',
        description:
          'By the owner (a token acting for them with `development-plans:own`) or HR (`development-plans:write`). With `templateId` the template’s objectives and activities are copied in. ' +
          'One live plan per person, period and template: a second is refused with 409 `plan-duplicate` naming the first.',
        security: writeOrOwn,
        body: ref(PlanCreate),
        response: { 201: ref(Plan), ...errors(409, 422) }
      }
    },
    async (request, reply) => {
      const caller = planCallerOf(principalOf(request))
      const row = await inTransaction(app.db, actorOf(request), (changes) => createPlan(changes, caller, request.body))
      reply.code(201).header('location', `/v1/development-plans/${row.id}`)
      return withEtag(reply, await planView(app.db, row.id))
    }
  )

  app.get(
    '/development-plans',
    {
      schema: {
        operationId: 'listDevelopmentPlans',
        tags,
        summary: 'List development plans',
        description:
          'With `development-plans:read`, any plan. With `development-plans:own`, only the caller’s own plans and their direct reports’ (per the people data now), whatever the filters. ' +
          'A manager’s lists: `directReportsOf=<their id>` (their reports’ plans) and `awaitingAgreementBy=<their id>` (submitted plans awaiting their agreement).',
        security: readOrOwn,
        querystring: PlanListQuery,
        response: { 200: ref(PlanPage), ...errors() }
      }
    },
    async (request, reply) => {
      const page = await listPlans(app.db, planCallerOf(principalOf(request)), request.query)
      return sendPage(request, reply, await planViews(app.db, page.rows), page.nextCursor)
    }
  )

  app.get(
    '/development-plans/:id',
    {
      schema: {
        operationId: 'getDevelopmentPlan',
        tags,
        summary: 'Get a development plan with its objectives and activities',
        description: 'Readable with `development-plans:read`, by the owner, and by the owner’s line manager (per the people data now); to anyone else it does not exist (404).',
        security: readOrOwn,
        params: IdParams,
        response: { 200: ref(Plan), ...errors(404) }
      }
    },
    async (request, reply) => {
      const row = await findPlanRow(app.db, request.params.id)
      assertMayRead(planCallerOf(principalOf(request)), await readOwner(app.db, row.owner_id), 'development plan', row.id)
      return withEtag(reply, (await planViews(app.db, [row]))[0])
    }
  )

  app.patch(
    '/development-plans/:id',
    {
      schema: {
        operationId: 'updateDevelopmentPlan',
        tags,
        summary: 'Change a draft plan’s title or externalId',
        description: 'The owner or HR, while the plan is a draft (else 409 `plan-not-editable`). If-Match is honoured.',
        security: writeOrOwn,
        params: IdParams,
        body: ref(PlanUpdate),
        response: { 200: ref(Plan), ...errors(404, 409, 412) }
      }
    },
    async (request, reply) => {
      const caller = planCallerOf(principalOf(request))
      const expected = ifMatchVersion(request)
      await inTransaction(app.db, actorOf(request), (changes) => updatePlan(changes, caller, request.params.id, request.body, expected))
      return withEtag(reply, await planView(app.db, request.params.id))
    }
  )

  app.post(
    '/development-plans/:id/transitions',
    {
      schema: {
        operationId: 'transitionDevelopmentPlan',
        tags,
        summary: 'Submit, return, agree, complete, reopen or lapse a plan',
        description: [
          '`submit` (draft → submitted; needs an objective, else 409 `plan-empty`): the owner or HR.',
          '`agree` (submitted → agreed, recording who and when) and `return` (submitted → draft, with a `comment`): the owner’s line manager per the people data at the time of the request, or HR; never the owner themselves (403).',
          '`complete` (agreed → completed): the owner, their line manager or HR. `reopen` (agreed, completed or lapsed → draft, with a `comment`; the agreement is cleared and must be given again) and `lapse` (draft, submitted or agreed → lapsed, with a `comment`): the line manager or HR.',
          'A move not open from the current status is a 409 `illegal-transition`. Every move is kept in the history, audited and published as `development-plan.<submitted|returned|agreed|completed|reopened|lapsed>`. If-Match is honoured.'
        ].join('\n\n'),
        security: writeOrOwn,
        params: IdParams,
        body: ref(PlanTransitionRequest),
        response: { 200: ref(Plan), ...errors(404, 409, 412) }
      }
    },
    async (request, reply) => {
      const caller = planCallerOf(principalOf(request))
      const expected = ifMatchVersion(request)
      await inTransaction(app.db, actorOf(request), (changes) => transitionPlan(changes, caller, request.params.id, request.body, expected))
      return withEtag(reply, await planView(app.db, request.params.id))
    }
  )

  app.get(
    '/development-plans/:id/transitions',
    {
      schema: {
        operationId: 'listDevelopmentPlanTransitions',
        tags,
        summary: 'List a plan’s history',
        description: 'Every status change, oldest first: from, to, action, who, when and the comment. Readable by whoever may read the plan.',
        security: readOrOwn,
        params: IdParams,
        querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }),
        response: { 200: ref(PlanTransitionPage), ...errors(404) }
      }
    },
    async (request, reply) => {
      const row = await findPlanRow(app.db, request.params.id)
      assertMayRead(planCallerOf(principalOf(request)), await readOwner(app.db, row.owner_id), 'development plan', row.id)
      const page = await listPlanTransitions(app.db, row.id, request.query)
      return sendPage(request, reply, page.rows.map(toPlanTransition), page.nextCursor)
    }
  )
}

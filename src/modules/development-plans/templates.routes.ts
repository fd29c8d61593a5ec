import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { principalOf } from '../../platform/auth/plugin.js'
import { actorOf, inTransaction } from '../../platform/changes.js'
import { ifMatchVersion, withEtag } from '../../platform/concurrency.js'
import { sendPage } from '../../platform/pagination.js'
import { errors, IdParams, ref } from '../../platform/schemas.js'
import { requireScopes } from '../../platform/scopes.js'
import { planCallerOf } from './access.js'
import { readOrOwn, tags } from './plans.routes.js'
import { DEVELOPMENT_PLANS_WRITE } from './scopes.js'
import { applyTemplate } from './templates.apply.js'
import { createTemplate, findTemplate, listTemplates, templateViews, updateTemplate } from './templates.repository.js'
import { Template, TemplateApplyRequest, TemplateApplyResult, TemplateCreate, TemplateListQuery, TemplatePage, TemplateUpdate } from './templates.schemas.js'

export const templatesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/development-plan-templates',
    {
      schema: {
        operationId: 'listDevelopmentPlanTemplates',
        tags,
        summary: 'List plan templates',
        description: 'Templates are organisation-wide: anyone who may hold a plan may read them.',
        security: readOrOwn,
        querystring: TemplateListQuery,
        response: { 200: ref(TemplatePage), ...errors() }
      }
    },
    async (request, reply) => {
      const page = await listTemplates(app.db, request.query)
      return sendPage(request, reply, await templateViews(app.db, page.rows), page.nextCursor)
    }
  )

  app.post(
    '/development-plan-templates',
    {
      schema: {
        operationId: 'createDevelopmentPlanTemplate',
        tags,
        summary: 'Create a plan template',
        description: 'Objectives in order, each with framework elements and activities; programme activities name their programme.',
        security: requireScopes(DEVELOPMENT_PLANS_WRITE),
        body: ref(TemplateCreate),
        response: { 201: ref(Template), ...errors(409, 422) }
      }
    },
    async (request, reply) => {
      const view = await inTransaction(app.db, actorOf(request), (changes) => createTemplate(changes, request.body))
      reply.code(201).header('location', `/v1/development-plan-templates/${view.id}`)
      return withEtag(reply, view)
    }
  )

  app.get(
    '/development-plan-templates/:id',
    {
      schema: {
        operationId: 'getDevelopmentPlanTemplate',
        tags,
        summary: 'Get a plan template',
        security: readOrOwn,
        params: IdParams,
        response: { 200: ref(Template), ...errors(404) }
      }
    },
    async (request, reply) => withEtag(reply, (await templateViews(app.db, [await findTemplate(app.db, request.params.id)]))[0])
  )

  app.patch(
    '/development-plan-templates/:id',
    {
      schema: {
        operationId: 'updateDevelopmentPlanTemplate',
        tags,
        summary: 'Change a plan template, or retire it',
        description: 'JSON merge patch; `objectives` replaces the whole list. Plans made from it earlier keep what they copied. If-Match is honoured.',
        security: requireScopes(DEVELOPMENT_PLANS_WRITE),
        params: IdParams,
        body: ref(TemplateUpdate),
        response: { 200: ref(Template), ...errors(404, 409, 412, 422) }
      }
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request)
      return withEtag(reply, await inTransaction(app.db, actorOf(request), (changes) => updateTemplate(changes, request.params.id, request.body, expected)))
    }
  )

  app.post(
    '/development-plan-templates/:id/apply',
    {
      schema: {
        operationId: 'applyDevelopmentPlanTemplate',
        tags,
        summary: 'Make a plan from the template for every participant of a cohort',
        description:
          'One draft plan per participant (enrolment selected, attended or completed; people who have left are skipped) for the period (default: the PDR year in which the cohort starts), with the template’s objectives and activities; ' +
          'a programme activity for the cohort’s own programme follows the participant’s enrolment on the cohort. Atomic (all plans or none) and idempotent: participants who already have a live plan from this template for the period are counted as `existing` and left as they are. ' +
          'Each plan is published as `development-plan.created`, and the whole as `development-plan-template.applied`. A retired template is refused (409 `template-retired`).',
        security: requireScopes(DEVELOPMENT_PLANS_WRITE),
        params: IdParams,
        body: ref(TemplateApplyRequest),
        response: { 200: ref(TemplateApplyResult), ...errors(404, 409, 422) }
      }
    },
    async (request) => {
      const caller = planCallerOf(principalOf(request))
      return inTransaction(app.db, actorOf(request), (changes) => applyTemplate(changes, caller, request.params.id, request.body))
    }
  )
}

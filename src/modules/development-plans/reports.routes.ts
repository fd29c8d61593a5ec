import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { sendPage } from '../../platform/pagination.js'
import { errors, ref } from '../../platform/schemas.js'
import { requireScopes } from '../../platform/scopes.js'
import { tags } from './plans.routes.js'
import { activityUptake, overdueObjectives, statusByOrgUnit, UPTAKE_RULE } from './reports.repository.js'
import { ActivityUptake, OverdueObjectivePage, OverdueQuery, ReportQuery, StatusByOrgUnit } from './reports.schemas.js'
import { DEVELOPMENT_PLANS_READ } from './scopes.js'

export const reportsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/development-plan-reports/status-by-org-unit',
    {
      schema: {
        operationId: 'getDevelopmentPlanStatusByOrgUnit',
        tags,
        summary: 'Plans by status per org unit',
        description: 'Counts of plans in each status, per the org unit their owner is in now, with totals. Filter by `period` and org unit (with its sub-units).',
        security: requireScopes(DEVELOPMENT_PLANS_READ),
        querystring: ReportQuery,
        response: { 200: ref(StatusByOrgUnit), ...errors(422) }
      }
    },
    async (request) => statusByOrgUnit(app.db, request.query)
  )

  app.get(
    '/development-plan-reports/overdue-objectives',
    {
      schema: {
        operationId: 'listOverdueDevelopmentObjectives',
        tags,
        summary: 'Overdue objectives',
        description: 'Objectives not started or in progress whose due date is before `asOf` (default today), in plans that are draft, submitted or agreed; oldest due first.',
        security: requireScopes(DEVELOPMENT_PLANS_READ),
        querystring: OverdueQuery,
        response: { 200: ref(OverdueObjectivePage), ...errors(422) }
      }
    },
    async (request, reply) => {
      const page = await overdueObjectives(app.db, request.query)
      return sendPage(request, reply, page.data, page.nextCursor)
    }
  )

  app.get(
    '/development-plan-reports/activity-uptake',
    {
      schema: {
        operationId: 'getDevelopmentActivityUptake',
        tags,
        summary: 'Share of agreed plans with at least one activity started',
        description: `${UPTAKE_RULE} Per the owner’s org unit now, with totals.`,
        security: requireScopes(DEVELOPMENT_PLANS_READ),
        querystring: ReportQuery,
        response: { 200: ref(ActivityUptake), ...errors(422) }
      }
    },
    async (request) => activityUptake(app.db, request.query)
  )
}

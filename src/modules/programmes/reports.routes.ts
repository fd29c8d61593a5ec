import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errors, IdParams, ref } from '../../platform/schemas.js'
import { requireScopes } from '../../platform/scopes.js'
import { DIVERSITY_READ, DIVERSITY_REPORT } from '../people/scopes.js'
import { programmeReach } from './reach.repository.js'
import { cohortReport, programmeReport, readSnapshot } from './reports.repository.js'
import { CohortReport, ProgrammeReach, ProgrammeReport, ProgrammeRollout, RolloutQuery } from './reports.schemas.js'
import { programmeRollout } from './rollout.repository.js'
import { PROGRAMMES_READ } from './scopes.js'

const tags = ['programmes']

export const reportsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/cohorts/:id/report',
    {
      schema: {
        operationId: 'getCohortReport',
        tags,
        summary: 'Report on a cohort: fill, waitlist, completion, attendance, evaluation and cost',
        description:
          'Fill rate = (selected + attended + no_show + completed) / capacity. Completion rate = completed / (selected + attended + no_show + completed). ' +
          'Participants = attended + completed. Cost = the cohort’s own cost, else the programme’s cost per event. Rates are fractions to 4 decimals, null when there is nothing to divide by. ' +
          'Evaluation comments are not part of the report.',
        security: requireScopes(PROGRAMMES_READ),
        params: IdParams,
        response: { 200: ref(CohortReport), ...errors(404) }
      }
    },
    async (request) => readSnapshot(app.db, (db) => cohortReport(db, request.params.id))
  )

  app.get(
    '/programmes/:id/report',
    {
      schema: {
        operationId: 'getProgrammeReport',
        tags,
        summary: 'Report on a programme: its cohorts’ figures in aggregate, with a line per cohort',
        description:
          'The cohort report’s figures summed over every cohort, except capacity, places taken and fill, which leave cancelled cohorts out. ' +
          'Evaluation means are pooled over all evaluations (each evaluation weighs the same). Cost spent covers cohorts that ran; cost per participant and per completion divide it ' +
          'by participants and completions, and are compared with the programme’s planned cost per person.',
        security: requireScopes(PROGRAMMES_READ),
        params: IdParams,
        response: { 200: ref(ProgrammeReport), ...errors(404) }
      }
    },
    async (request) => readSnapshot(app.db, (db) => programmeReport(db, request.params.id))
  )

  app.get(
    '/programmes/:id/rollout',
    {
      schema: {
        operationId: 'getProgrammeRollout',
        tags,
        summary: 'Progress of a programme per year against its annual target',
        description:
          'Per year (UK financial year by default, or calendar year), the people who attended or completed a cohort starting that year (each once), completions, cohorts run and cost spent, ' +
          'against the pilot size in the pilot year (the year before the rollout starts) and the annual target in each of the target years; ' +
          'cumulatively, people reached since the rollout started against annual target × target years.',
        security: requireScopes(PROGRAMMES_READ),
        params: IdParams,
        querystring: RolloutQuery,
        response: { 200: ref(ProgrammeRollout), ...errors(404) }
      }
    },
    async (request) => readSnapshot(app.db, (db) => programmeRollout(db, request.params.id, request.query))
  )

  app.get(
    '/programmes/:id/reach',
    {
      schema: {
        operationId: 'getProgrammeReach',
        tags,
        summary: 'Reach of a programme into each target group, compared with those eligible',
        description:
          'Built from diversity monitoring data, so it needs `diversity:read` or `diversity:report`. Every count under 5 is suppressed (count and share null), every other one rounded to the nearest 5, ' +
          'and shares are computed from the rounded counts. Population sizes are suppressed and rounded in the same way, and no complement (“not in the group”, “not known”) or total across groups is given, ' +
          'so a suppressed cell cannot be derived from the others.',
        security: [...requireScopes(DIVERSITY_READ), ...requireScopes(DIVERSITY_REPORT)],
        params: IdParams,
        response: { 200: ref(ProgrammeReach), ...errors(404) }
      }
    },
    async (request) => readSnapshot(app.db, (db) => programmeReach(db, request.params.id))
  )
}

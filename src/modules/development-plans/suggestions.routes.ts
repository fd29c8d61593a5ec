import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { principalOf } from '../../platform/auth/plugin.js'
import { errors, IdParams, ref } from '../../platform/schemas.js'
import { planCallerOf } from './access.js'
import { readOrOwn, tags } from './plans.routes.js'
import { GAP_RULE, suggestionsFor } from './suggestions.service.js'
import { Suggestions, SuggestionsQuery } from './suggestions.schemas.js'

export const suggestionsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/assessments/:id/suggestions',
    {
      schema: {
        operationId: 'listAssessmentSuggestions',
        tags,
        summary: 'Programmes that cover the largest gaps of a released 360° report',
        description:
          `For the subject of a released report: the largest gaps and the programmes that cover them, ranked. Rule: ${GAP_RULE} ` +
          'Readable by the subject, their line manager (per the people data now) and `development-plans:read`; to others the assessment does not exist (404). The report’s figures (means, needs, scores) are given only to its subject and to `assessments:read` (as for the report itself); the line manager and `development-plans:read` get the same gaps, areas and programmes in the same order with those fields null (`figures: false`). A report not yet released is a 409 `gaps-report-not-released`.',
        security: readOrOwn,
        params: IdParams,
        querystring: SuggestionsQuery,
        response: { 200: ref(Suggestions), ...errors(404, 409) }
      }
    },
    async (request) => suggestionsFor(app.db, planCallerOf(principalOf(request)), request.params.id, request.query.top ?? 5)
  )
}

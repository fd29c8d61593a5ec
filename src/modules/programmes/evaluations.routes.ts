import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { principalOf } from '../../platform/auth/plugin.js'
import { actorOf, inTransaction } from '../../platform/changes.js'
import { ifMatchVersion, withEtag } from '../../platform/concurrency.js'
import { sendPage } from '../../platform/pagination.js'
import { errors, IdParams, ref } from '../../platform/schemas.js'
import { requireScopes } from '../../platform/scopes.js'
import { callerOf } from './enrolments.access.js'
import { createEvaluation, findEvaluation, listCohortEvaluations, toEvaluation, updateEvaluation } from './evaluations.repository.js'
import { Evaluation, EvaluationCreate, EvaluationListQuery, EvaluationPage, EvaluationUpdate } from './evaluations.schemas.js'
import { PROGRAMMES_NOMINATE, PROGRAMMES_READ, PROGRAMMES_WRITE } from './scopes.js'

const tags = ['programmes']
const byParticipantOrHr = [...requireScopes(PROGRAMMES_WRITE), ...requireScopes(PROGRAMMES_NOMINATE)]
const who = 'The participant (`programmes:nominate`, token acting for them) or HR on their behalf (`programmes:write`).'

export const evaluationsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/enrolments/:id/evaluation',
    {
      schema: {
        operationId: 'createEvaluation',
        tags,
        summary: 'Evaluate the cohort of an enrolment',
        description: `${who} One evaluation per enrolment (a second is a 409 \`evaluation-exists\`: amend it with PATCH), and only once the enrolment is attended or completed (409 \`evaluation-requires-attendance\`).`,
        security: byParticipantOrHr,
        params: IdParams,
        body: ref(EvaluationCreate),
        response: { 201: ref(Evaluation), ...errors(404, 409) }
      }
    },
    async (request, reply) => {
      const caller = callerOf(principalOf(request))
      const view = await inTransaction(app.db, actorOf(request), (changes) => createEvaluation(changes, caller, request.params.id, request.body))
      reply.code(201).header('location', `/v1/enrolments/${request.params.id}/evaluation`)
      return withEtag(reply, view)
    }
  )

  app.get(
    '/enrolments/:id/evaluation',
    {
      schema: {
        operationId: 'getEvaluation',
        tags,
        summary: 'Get the evaluation of an enrolment',
        description: 'Readable with `programmes:read`, or by the participant (`programmes:nominate`).',
        security: [...requireScopes(PROGRAMMES_READ), ...requireScopes(PROGRAMMES_NOMINATE)],
        params: IdParams,
        response: { 200: ref(Evaluation), ...errors(404) }
      }
    },
    async (request, reply) => withEtag(reply, toEvaluation(await findEvaluation(app.db, callerOf(principalOf(request)), request.params.id)))
  )

  app.patch(
    '/enrolments/:id/evaluation',
    {
      schema: {
        operationId: 'updateEvaluation',
        tags,
        summary: 'Amend the evaluation of an enrolment',
        description: `${who} JSON merge patch; send If-Match with the ETag read (a stale one is a 412).`,
        security: byParticipantOrHr,
        params: IdParams,
        body: ref(EvaluationUpdate),
        response: { 200: ref(Evaluation), ...errors(404, 412) }
      }
    },
    async (request, reply) => {
      const caller = callerOf(principalOf(request))
      const expected = ifMatchVersion(request)
      const view = await inTransaction(app.db, actorOf(request), (changes) => updateEvaluation(changes, caller, request.params.id, request.body, expected))
      return withEtag(reply, view)
    }
  )

  app.get(
    '/cohorts/:id/evaluations',
    {
      schema: {
        operationId: 'listCohortEvaluations',
        tags,
        summary: 'List the evaluations of a cohort',
        description: 'In the order they were submitted.',
        security: requireScopes(PROGRAMMES_READ),
        params: IdParams,
        querystring: EvaluationListQuery,
        response: { 200: ref(EvaluationPage), ...errors(404) }
      }
    },
    async (request, reply) => {
      const page = await listCohortEvaluations(app.db, request.params.id, request.query)
      return sendPage(request, reply, page.rows.map(toEvaluation), page.nextCursor)
    }
  )
}

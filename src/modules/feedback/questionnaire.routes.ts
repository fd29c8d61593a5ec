import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { Problem } from '../../platform/problems.js'
import { publicErrors, ref } from '../../platform/schemas.js'
import { raterToken } from '../../platform/scopes.js'
import { Questionnaire, QuestionnaireAnswers, QuestionnaireDecline, QuestionnaireReceipt } from './questionnaire.schemas.js'
import { declineInvitation, getQuestionnaire, saveDraft, submitAnswers } from './questionnaire.service.js'
import { raterTokenHashOf } from './tokens.js'

const tags = ['feedback']
const tokenNote =
  ' Needs only the rater’s token in the `X-Rater-Token` header (no bearer token). An unknown, used, withdrawn, reissued or expired token, or one whose assessment no longer takes answers, always gets the same `401 rater-token-invalid`. ' +
  'Rate limited per client address across guesses (429 `rate-limited`).'

export const questionnaireRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Per address, never per token: a guesser changes the token with every try. Each route keeps its
  // own count; with 256-bit tokens even the sum of all four is no help to a guesser.
  const config = {
    idempotent: false,
    rateLimit: {
      max: app.config.raterRateLimitPerMinute,
      timeWindow: 60_000,
      keyGenerator: (request: FastifyRequest) => `rater:${request.ip}`,
      errorResponseBuilder: (_request: FastifyRequest, context: { max: number; ttl: number }) =>
        new Problem(429, 'rate-limited', `more than ${context.max} questionnaire requests a minute from this address; retry in ${Math.ceil(context.ttl / 1000)} s`, {
          headers: { 'retry-after': String(Math.ceil(context.ttl / 1000)) }
        })
    }
  }
  const errors = publicErrors(401, 409)

  app.get(
    '/questionnaire',
    {
      config,
      schema: {
        operationId: 'getQuestionnaire',
        tags,
        summary: 'The questionnaire a rater’s token opens',
        description:
          'Whom the feedback is about, the behaviours to rate (with the competencies and values above them), the scale, and the rater’s own draft if they saved one. Before the window opens: 409 `questionnaire-not-open`.' + tokenNote,
        security: raterToken(),
        response: { 200: ref(Questionnaire), ...errors }
      }
    },
    async (request) => getQuestionnaire(app.db, raterTokenHashOf(request))
  )

  app.put(
    '/questionnaire/draft',
    {
      config,
      schema: {
        operationId: 'saveQuestionnaireDraft',
        tags,
        summary: 'Save a rater’s draft',
        description: 'Replaces the draft; any subset of the behaviours. Values are checked against the scale (422). The token stays usable.' + tokenNote,
        security: raterToken(),
        body: ref(QuestionnaireAnswers),
        response: { 200: ref(QuestionnaireReceipt), ...publicErrors(401, 409, 422) }
      }
    },
    async (request) => saveDraft(app.db, request.id, raterTokenHashOf(request), request.body)
  )

  app.post(
    '/questionnaire/submission',
    {
      config,
      schema: {
        operationId: 'submitQuestionnaire',
        tags,
        summary: 'Submit a rater’s answers (once)',
        description:
          'Every behaviour needs an answer: a value of the scale, or null for not observed when the scale allows it (422 otherwise). The answers are stored with the assessment and the rater’s group only — not the invitation, the rater or the time — and the draft is deleted; the invitation records that it was submitted. The token is then used up: any further use gets 401.' +
          tokenNote,
        security: raterToken(),
        body: ref(QuestionnaireAnswers),
        response: { 200: ref(QuestionnaireReceipt), ...publicErrors(401, 409, 422) }
      }
    },
    async (request) => submitAnswers(app.db, request.id, raterTokenHashOf(request), request.body, request.log)
  )

  app.post(
    '/questionnaire/declination',
    {
      config,
      schema: {
        operationId: 'declineQuestionnaire',
        tags,
        summary: 'Decline to give feedback, with a reason',
        description: 'The invitation becomes declined (HR sees the reason on it) and the draft is deleted; the token is used up.' + tokenNote,
        security: raterToken(),
        body: ref(QuestionnaireDecline),
        response: { 200: ref(QuestionnaireReceipt), ...errors }
      }
    },
    async (request) => declineInvitation(app.db, request.id, raterTokenHashOf(request), request.body.reason)
  )
}

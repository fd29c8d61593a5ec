import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { assessmentsRoutes } from './assessments.routes.js'
import { assessmentsSchemas } from './assessments.schemas.js'
import { cohortAssessmentsSchemas } from './cohort-assessments.schemas.js'
import { invitationsRoutes } from './invitations.routes.js'
import { invitationsSchemas } from './invitations.schemas.js'
import { questionnaireRoutes } from './questionnaire.routes.js'
import { questionnaireSchemas } from './questionnaire.schemas.js'
import { reportSchemas } from './report.schemas.js'

/**
 * The feedback module: 360° assessments (tag `assessments`), rater invitations and the
 * questionnaire a rater reaches with only their token (tag `feedback`), and the anonymous report.
 */
export const feedbackModule: FastifyPluginAsyncTypebox = async (app) => {
  for (const schema of [...assessmentsSchemas, ...invitationsSchemas, ...questionnaireSchemas, ...reportSchemas, ...cohortAssessmentsSchemas]) app.addSchema(schema)
  await app.register(assessmentsRoutes)
  await app.register(invitationsRoutes)
  await app.register(questionnaireRoutes)
}

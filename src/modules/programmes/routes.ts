import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { cohortsRoutes } from './cohorts.routes.js'
import { cohortsSchemas } from './cohorts.schemas.js'
import { enrolmentsRoutes } from './enrolments.routes.js'
import { enrolmentsSchemas } from './enrolments.schemas.js'
import { evaluationsRoutes } from './evaluations.routes.js'
import { evaluationsSchemas } from './evaluations.schemas.js'
import { programmesRoutes } from './programmes.routes.js'
import { programmesSchemas } from './programmes.schemas.js'
import { reportsRoutes } from './reports.routes.js'
import { reportsSchemas } from './reports.schemas.js'

/** The programmes module: programmes, cohorts and sessions, enrolments, evaluations, reports. */
export const programmesModule: FastifyPluginAsyncTypebox = async (app) => {
  for (const schema of [...programmesSchemas, ...cohortsSchemas, ...enrolmentsSchemas, ...evaluationsSchemas, ...reportsSchemas]) app.addSchema(schema)
  await app.register(programmesRoutes)
  await app.register(cohortsRoutes)
  await app.register(enrolmentsRoutes)
  await app.register(evaluationsRoutes)
  await app.register(reportsRoutes)
}

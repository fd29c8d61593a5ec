import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { elementsRoutes } from './elements.routes.js'
import { frameworksRoutes } from './frameworks.routes.js'
import { frameworksSchemas } from './frameworks.schemas.js'
import { instrumentsRoutes } from './instruments.routes.js'
import { instrumentsSchemas } from './instruments.schemas.js'
import { resultsRoutes } from './results.routes.js'
import { resultsSchemas } from './results.schemas.js'

/** The assessments module: frameworks and their elements, psychometric instruments and results. */
export const assessmentsModule: FastifyPluginAsyncTypebox = async (app) => {
  for (const schema of [...frameworksSchemas, ...instrumentsSchemas, ...resultsSchemas]) app.addSchema(schema)
  await app.register(frameworksRoutes)
  await app.register(elementsRoutes)
  await app.register(instrumentsRoutes)
  await app.register(resultsRoutes)
}

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { actionsSchemas } from './actions.schemas.js'
import { evidenceRoutes } from './evidence.routes.js'
import { evidenceSchemas } from './evidence.schemas.js'
import { indicatorsRoutes } from './indicators.routes.js'
import { indicatorsSchemas } from './indicators.schemas.js'
import { panelsRoutes } from './panels.routes.js'
import { panelsSchemas } from './panels.schemas.js'
import { recommendationsRoutes } from './recommendations.routes.js'
import { recommendationsSchemas } from './recommendations.schemas.js'
import { reportsSchemas } from './reports.schemas.js'
import { sourcesRoutes } from './sources.routes.js'
import { sourcesSchemas } from './sources.schemas.js'

/**
 * The recommendations module: sources, themes, recommendations and their status history,
 * evidence, actions, challenge panels and reviews, indicators, reports.
 */
export const recommendationsModule: FastifyPluginAsyncTypebox = async (app) => {
  for (const schema of [...sourcesSchemas, ...recommendationsSchemas, ...evidenceSchemas, ...actionsSchemas, ...panelsSchemas, ...indicatorsSchemas, ...reportsSchemas]) {
    app.addSchema(schema)
  }
  await app.register(sourcesRoutes)
  await app.register(recommendationsRoutes)
  await app.register(evidenceRoutes)
  await app.register(panelsRoutes)
  await app.register(indicatorsRoutes)
}

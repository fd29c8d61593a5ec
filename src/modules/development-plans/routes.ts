import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { activitiesRoutes } from './activities.routes.js'
import { contentSchemas } from './content.schemas.js'
import { exportRoutes } from './export.routes.js'
import { objectivesRoutes } from './objectives.routes.js'
import { plansRoutes } from './plans.routes.js'
import { plansSchemas } from './plans.schemas.js'
import { reportsRoutes } from './reports.routes.js'
import { reportsSchemas } from './reports.schemas.js'
import { suggestionsRoutes } from './suggestions.routes.js'
import { suggestionsSchemas } from './suggestions.schemas.js'
import { templatesRoutes } from './templates.routes.js'
import { templatesSchemas } from './templates.schemas.js'

/** The development-plans module: plans, objectives, activities, templates, suggestions, reports, export. */
export const developmentPlansModule: FastifyPluginAsyncTypebox = async (app) => {
  for (const schema of [...contentSchemas, ...plansSchemas, ...templatesSchemas, ...suggestionsSchemas, ...reportsSchemas]) app.addSchema(schema)
  await app.register(exportRoutes)
  await app.register(plansRoutes)
  await app.register(objectivesRoutes)
  await app.register(activitiesRoutes)
  await app.register(templatesRoutes)
  await app.register(suggestionsRoutes)
  await app.register(reportsRoutes)
}

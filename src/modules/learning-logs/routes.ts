import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { entriesRoutes } from './entries.routes.js'
import { entriesSchemas } from './entries.schemas.js'
import { linksRoutes } from './links.routes.js'
import { linksSchemas } from './links.schemas.js'
import { reportsRoutes } from './reports.routes.js'
import { reportsSchemas } from './reports.schemas.js'
import { stagesRoutes } from './stages.routes.js'
import { stagesSchemas } from './stages.schemas.js'

/** The learning-logs module: entries through the six stages of the organisational learning model, their trail, links, search and reports. */
export const learningLogsModule: FastifyPluginAsyncTypebox = async (app) => {
  for (const schema of [...entriesSchemas, ...stagesSchemas, ...linksSchemas, ...reportsSchemas]) app.addSchema(schema)
  await app.register(entriesRoutes)
  await app.register(stagesRoutes)
  await app.register(linksRoutes)
  await app.register(reportsRoutes)
}

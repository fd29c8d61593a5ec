import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { importExportRoutes } from '../../platform/bulk/routes.js'
import { diversityRoutes } from './diversity.routes.js'
import { gradeRoutes } from './grades.routes.js'
import { gradeImport, orgUnitImport, personImport } from './imports.js'
import { orgUnitRoutes } from './org-units.routes.js'
import { personRoutes } from './people.routes.js'
import { peopleSchemas } from './schemas.js'

/** The people module: org units, grades, people, diversity monitoring, and their bulk files. */
export const peopleModule: FastifyPluginAsyncTypebox = async (app) => {
  for (const schema of peopleSchemas) app.addSchema(schema)
  await app.register(orgUnitRoutes)
  await app.register(gradeRoutes)
  await app.register(personRoutes)
  await app.register(diversityRoutes)
  for (const spec of [orgUnitImport, gradeImport, personImport]) importExportRoutes(app, spec)
}

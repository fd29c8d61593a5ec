import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Db } from '../../db/database.js'
import { ImportJobs } from './jobs.js'
import { bulkSchemas } from './schemas.js'

declare module 'fastify' {
  interface FastifyInstance {
    importJobs: ImportJobs
  }
}

export const bulkPlugin = fp(async function bulk(app: FastifyInstance, options: { db: Db }) {
  for (const schema of bulkSchemas) app.addSchema(schema)
  // On PostgreSQL replicas share the jobs table (leases and heartbeats); PGlite is one process.
  const jobs = new ImportJobs(options.db, join(app.config.dataDir, 'imports'), app.log, app.databaseKind === 'postgres')
  app.decorate('importJobs', jobs)
  // On shutdown a running import is stopped and rolled back; the job says it was interrupted.
  app.addHook('onClose', async () => jobs.settle(true))
})

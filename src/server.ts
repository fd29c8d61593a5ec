import pino from 'pino'
import { ConfigError, loadConfig } from './config.js'
import { createDatabase, databaseOptions } from './db/database.js'
import { migrateToLatest, schemaStatus } from './db/migrator.js'

const REDACT = ['req.headers.authorization', 'req.headers.cookie', 'req.headers["idempotency-key"]', 'req.headers["x-rater-token"]']

async function main() {
  let config
  try {
    config = loadConfig()
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`pathway: configuration error: ${error.message}`)
      process.exit(78)
    }
    throw error
  }
  const logger = pino({ level: config.logLevel, redact: REDACT })
  const database = createDatabase(databaseOptions(config))
  logger.info({ database: database.kind, dataDir: database.kind === 'pglite' ? config.dataDir : undefined }, 'opening database')

  // The application's modules load while the database opens (PGlite compiles its WebAssembly
  // then): on a small machine the two together took most of the start-up time.
  const appModule = import('./app.js')
  appModule.catch(() => {})

  // A database with migrations this build does not know is left alone: serve health only, not ready.
  let status = await schemaStatus(database.db)
  if (status.unknown.length > 0) {
    logger.error({ unknown: status.unknown }, 'the database schema is newer than this build; refusing to serve the API')
  } else if (status.pending.length > 0) {
    // Only when something is pending: the migrator's lock and bookkeeping cost a second on PGlite.
    const { error, results } = await migrateToLatest(database.db)
    for (const r of results ?? []) logger.info({ migration: r.migrationName, status: r.status }, 'migration')
    if (error) {
      logger.fatal({ err: error }, 'migration failed')
      await database.close()
      process.exit(1)
    }
    status = await schemaStatus(database.db)
  }

  if (database.kind === 'postgres') {
    const { auditProtectionWarning } = await import('./platform/audit/role-check.js')
    const warning = await auditProtectionWarning(database.db).catch(() => undefined)
    if (warning) logger.warn(warning)
  }

  const { buildApp } = await appModule
  const app = await buildApp({ config, database, logger: { level: config.logLevel, redact: REDACT }, schemaCurrent: status.current })

  if (status.current) {
    await app.importJobs.recoverInterrupted()
    app.importJobs.startSweeping()
  }

  let closing = false
  const shutdown = async (signal: string) => {
    if (closing) return
    closing = true
    app.log.info({ signal }, 'shutting down: no new connections, finishing in-flight requests')
    const force = setTimeout(() => {
      app.log.error('shutdown took longer than 30 s; exiting')
      process.exit(1)
    }, 30_000)
    force.unref()
    // app.close() stops accepting and waits for open connections; a keep-alive connection whose
    // request finishes during the drain would otherwise stay open until its 72 s idle timeout.
    const reap = setInterval(() => app.server.closeIdleConnections(), 100)
    reap.unref()
    try {
      await app.close()
      clearInterval(reap)
      await database.close()
      process.exit(0)
    } catch (error) {
      app.log.error({ err: error }, 'error during shutdown')
      process.exit(1)
    }
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))

  await app.listen({ port: config.port, host: config.host })
  if (config.jwt.generatedSecret) {
    app.log.info(
      `first start: a signing secret was generated in ${config.dataDir}/jwt-secret (mode 0600). ` +
        'Mint an administrator token with: npm run token -- --scopes admin --sub <your-name>'
    )
  }
}

main().catch((error) => {
  console.error('pathway: failed to start', error)
  process.exit(1)
})

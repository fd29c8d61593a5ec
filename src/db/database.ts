import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import type { Config } from '../config.js'
import { SerialisedPGliteDialect } from './serialised-pglite.js'
import type { Database } from './types.js'

export type Db = Kysely<Database>
export type DatabaseKind = 'pglite' | 'postgres'

// One decision for both engines: counts (int8) and money (numeric) as JS numbers, dates as 'YYYY-MM-DD'.
const INT8 = 20
const NUMERIC = 1700
const DATE = 1082
const parseDate = (value: string) => value
pg.types.setTypeParser(INT8, (v) => Number(v))
pg.types.setTypeParser(NUMERIC, (v) => Number(v))
pg.types.setTypeParser(DATE, parseDate)

export interface DatabaseHandle {
  db: Db
  kind: DatabaseKind
  close(): Promise<void>
}

export interface DatabaseOptions {
  databaseUrl?: string
  /** Folder for the embedded database; 'memory://' keeps it in memory (tests). */
  pgliteDir?: string
  maxConnections?: number
}

export function databaseOptions(config: Config): DatabaseOptions {
  return config.databaseUrl ? { databaseUrl: config.databaseUrl, maxConnections: config.databasePoolSize } : { pgliteDir: join(config.dataDir, 'pgdata') }
}

export async function createPGlite(dir: string) {
  const { PGlite } = await import('@electric-sql/pglite')
  if (!dir.startsWith('memory://')) mkdirSync(dir, { recursive: true })
  return PGlite.create(dir, { parsers: { [INT8]: Number, [NUMERIC]: Number, [DATE]: parseDate } })
}

/**
 * Kysely calls `client.query(text, values)` without a callback, and node-postgres answers that
 * with `new Promise(…).catch(…)`. Under load that form kept each query's rows alive past the
 * young-generation collections (measured: 2–4 MB surviving each scavenge instead of 0.1 MB, a
 * scavenge 5× slower, a quarter of the API's CPU on a page of 50 people). The same query with a
 * callback, wrapped in one plain promise, lets the rows die young. The stack of a failure is
 * recaptured here, as node-postgres does, so it leads back to the caller.
 */
function answerByCallback(client: pg.PoolClient) {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown
  client.query = ((text: unknown, values?: unknown, callback?: unknown) => {
    if (typeof text !== 'string' || typeof values === 'function' || callback !== undefined) return query(text, values, callback)
    return new Promise((resolve, reject) =>
      query(text, values, (error: Error | null, result: unknown) => {
        if (!error) return resolve(result)
        Error.captureStackTrace(error)
        reject(error)
      })
    )
  }) as typeof client.query
}

/**
 * Session settings of every PostgreSQL connection, sent when it opens (a `options=` in
 * DATABASE_URL replaces them). JIT off: the API's statements are short, and the planner's
 * estimate for a recursive subtree query (hundreds of times too many rows) put it over the JIT
 * threshold, so a 0.1 ms page of people in an org unit spent 90 ms compiling itself.
 */
export const POSTGRES_SESSION_OPTIONS = '-c jit=off'

/** A node-postgres pool as the API uses it (the benchmark's reference uses the same settings). */
export const postgresPoolConfig = (connectionString: string, max: number): pg.PoolConfig => ({ connectionString, max, options: POSTGRES_SESSION_OPTIONS })

export function createDatabase(options: DatabaseOptions): DatabaseHandle {
  if (options.databaseUrl) {
    const pool = new pg.Pool(postgresPoolConfig(options.databaseUrl, options.maxConnections ?? 10))
    // A restart or failover of the database ends every connection with an 'error' event; unheard,
    // node-postgres rethrows it and the process dies. The query that was using the connection
    // fails on its own (a 503), and the pool drops the broken client, so listening is enough.
    pool.on('error', () => {})
    pool.on('connect', (client) => {
      client.on('error', () => {})
      answerByCallback(client)
    })
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
    return { db, kind: 'postgres', close: () => db.destroy() }
  }
  const dir = options.pgliteDir ?? 'memory://'
  const db = new Kysely<Database>({ dialect: new SerialisedPGliteDialect({ pglite: () => createPGlite(dir) }) })
  return { db, kind: 'pglite', close: () => db.destroy() }
}

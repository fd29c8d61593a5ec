import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { buildApp, type App } from '../../src/app.js'
import { loadConfig, type Config } from '../../src/config.js'
import { createDatabase, type DatabaseHandle } from '../../src/db/database.js'
import { migrateToLatest } from '../../src/db/migrator.js'
import { mintToken } from '../../src/platform/auth/tokens.js'

export const TEST_SECRET = 'test-secret-that-is-long-enough-for-hs256-000'

export interface TestContext {
  app: App
  config: Config
  database: DatabaseHandle
  /** A bearer token with these scopes (admin when none are given). */
  token(scopes?: string[], options?: { sub?: string; personId?: string; ttlSeconds?: number }): string
  /** Authorization header object for `app.inject`. */
  auth(scopes?: string[], options?: { sub?: string; personId?: string }): { authorization: string }
  close(): Promise<void>
}

/**
 * One app on a fresh, migrated database per test file: in-memory PGlite by default, or a new
 * database on the PostgreSQL server named by DATABASE_URL (dropped again at the end).
 */
export async function buildTestApp(env: Record<string, string> = {}): Promise<TestContext> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pathway-test-'))
  const serverUrl = process.env.DATABASE_URL
  let databaseUrl: string | undefined
  let dropDatabase = async () => {}
  if (serverUrl) {
    const name = `pathway_test_${randomUUID().replace(/-/g, '')}`
    const admin = new pg.Client({ connectionString: serverUrl })
    await admin.connect()
    await admin.query(`create database ${name}`)
    await admin.end()
    const url = new URL(serverUrl)
    url.pathname = `/${name}`
    databaseUrl = url.toString()
    dropDatabase = async () => {
      const client = new pg.Client({ connectionString: serverUrl })
      await client.connect()
      await client.query(`drop database if exists ${name} with (force)`)
      await client.end()
    }
  }
  const config = loadConfig({
    JWT_SECRET: TEST_SECRET,
    PATHWAY_DATA_DIR: dataDir,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...env
  })
  const database = createDatabase(databaseUrl ? { databaseUrl } : { pgliteDir: 'memory://' })
  const { error } = await migrateToLatest(database.db)
  if (error) throw error
  const app = await buildApp({ config, database })
  await app.ready()

  const token = (scopes: string[] = ['admin'], options: { sub?: string; personId?: string; ttlSeconds?: number } = {}) =>
    mintToken(config.jwt, { subject: options.sub ?? 'test-admin', scopes, ttlSeconds: options.ttlSeconds ?? 600, personId: options.personId })

  return {
    app,
    config,
    database,
    token,
    auth: (scopes, options) => ({ authorization: `Bearer ${token(scopes, options)}` }),
    async close() {
      await app.close()
      await database.close()
      await dropDatabase()
      rmSync(dataDir, { recursive: true, force: true })
    }
  }
}

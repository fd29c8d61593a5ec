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
import { ContractChecker, type OpenApiDocument } from './contract.js'

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
  const contract = checkResponsesAgainstContract(app)
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
      const unclaimed = contract.unclaimed()
      await app.close()
      await database.close()
      await dropDatabase()
      rmSync(dataDir, { recursive: true, force: true })
      if (unclaimed.length) throw new ContractViolation(unclaimed)
    }
  }
}

export class ContractViolation extends Error {
  constructor(readonly violations: string[]) {
    super(`the response breaks the contract (app.swagger()):\n- ${violations.join('\n- ')}`)
    this.name = 'ContractViolation'
  }
}

/**
 * Every response the test app sends is checked against the contract the app itself generates
 * (`app.swagger()`, so it is the current code's): a documented status, a documented media type,
 * and a body valid against the documented schema. A violation fails the request that caused it:
 * `app.inject` throws; responses to real connections (end-to-end tests) fail `close()`.
 */
function checkResponsesAgainstContract(app: App) {
  let checker: ContractChecker | undefined
  const violations = new Map<string, string[]>()

  app.addHook('onSend', async (request, reply, payload) => {
    const route = request.routeOptions.url
    if (!route || request.method === 'HEAD' || request.method === 'OPTIONS') return payload
    checker ??= new ContractChecker(app.swagger() as unknown as OpenApiDocument)
    const body =
      typeof payload === 'string' ? payload
      : Buffer.isBuffer(payload) ? payload.toString('utf8')
      : payload === null || payload === undefined ? ''
      : undefined // a stream: status and media type are checked, the body is not read
    const found = checker.check({
      method: request.method,
      route,
      status: reply.statusCode,
      contentType: reply.getHeader('content-type') as string | undefined,
      body
    })
    if (found.length) violations.set(request.id, found)
    return payload
  })

  const inject = app.inject.bind(app) as (...args: unknown[]) => unknown
  ;(app as unknown as { inject: unknown }).inject = (...args: unknown[]) => {
    // The chainable form (no options) and the callback form are passed through unchecked.
    if (args.length !== 1 || typeof args[0] !== 'object' || args[0] === null) return inject(...args)
    return (inject(args[0]) as Promise<{ headers: Record<string, unknown> }>).then((res) => {
      const id = String(res.headers['x-request-id'] ?? '')
      const found = violations.get(id)
      if (found) {
        violations.delete(id)
        throw new ContractViolation(found)
      }
      return res
    })
  }

  return {
    unclaimed: () => {
      const all = [...violations.values()].flat()
      violations.clear()
      return all
    }
  }
}

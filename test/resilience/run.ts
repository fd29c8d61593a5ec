/**
 * `npm run test:resilience`: starts a private PostgreSQL cluster, migrates a database as the
 * owner, creates the least-privilege role the API serves as, runs the tap files in
 * test/resilience/ one after another (they stop and start the cluster, so never in parallel),
 * and prints the figures they measured.
 *
 *   npm run test:resilience                         # everything (about 8 minutes)
 *   npm run test:resilience -- test/resilience/04-races.resilience.ts   # some files
 *
 * Environment: FUZZ_SEED, FUZZ_RUNS (contract fuzzing), SOAK_SECONDS (soak), PG_BIN (PostgreSQL
 * binaries), RESILIENCE_KEEP=1 (keep the cluster and the logs for a look afterwards).
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { createDatabase } from '../../src/db/database.js'
import { migrateToLatest } from '../../src/db/migrator.js'
import { appRoleStatements, createCluster, freePortFrom, removeCluster, superuserUrl, withClient } from './lib/cluster.js'

const DATABASE = 'pathway_resilience'
const reporter = process.env.RESILIENCE_REPORTER ?? (process.stdout.isTTY ? 'base' : 'terse')
const APP_ROLE = 'pathway_app'
const started = Date.now()

const files =
  process.argv.slice(2).length > 0
    ? process.argv.slice(2)
    : readdirSync('test/resilience')
        .filter((f) => f.endsWith('.resilience.ts'))
        .sort()
        .map((f) => join('test/resilience', f))

const out = process.env.RESILIENCE_OUT ?? mkdtempSync('/tmp/pathway-resilience-out-')
const port = await freePortFrom(Number(process.env.RESILIENCE_PG_PORT ?? 55460), Number(process.env.RESILIENCE_PG_PORT ?? 55460) + 9)
console.log(`# resilience: PostgreSQL cluster on 127.0.0.1:${port}; logs and figures in ${out}`)
const cluster = await createCluster(port)
let status = 1
let tap: ReturnType<typeof spawn> | undefined
// Bounded from outside (CI's timeout sends SIGTERM): stop the tests, then remove the cluster.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    console.error(`# resilience: ${signal}: stopping the tests and removing the cluster`)
    tap?.kill('SIGTERM')
    setTimeout(() => {
      removeCluster(cluster)
      if (!process.env.RESILIENCE_KEEP) rmSync(out, { recursive: true, force: true })
      process.exit(1)
    }, 3000)
  })
}
try {
  const admin = superuserUrl(cluster)
  await withClient(admin, (c) => c.query(`create database ${DATABASE}`))
  // Migrations run as the owner (here the superuser); the API serves as a role that owns nothing.
  const owner = createDatabase({ databaseUrl: superuserUrl(cluster, DATABASE) })
  const { error } = await migrateToLatest(owner.db)
  await owner.close()
  if (error) throw error
  const appPassword = `app-${cluster.password}`
  await withClient(superuserUrl(cluster, DATABASE), async (c) => {
    for (const statement of appRoleStatements(APP_ROLE, appPassword, DATABASE, 'postgres')) await c.query(statement)
  })
  const env = {
    ...process.env,
    RESILIENCE_CLUSTER: JSON.stringify(cluster),
    RESILIENCE_ADMIN_URL: superuserUrl(cluster, DATABASE),
    RESILIENCE_DATABASE_URL: `postgres://${APP_ROLE}:${appPassword}@127.0.0.1:${port}/${DATABASE}`,
    RESILIENCE_OUT: out,
    RESILIENCE_SERVER_PORT_FROM: process.env.RESILIENCE_SERVER_PORT_FROM ?? '55461'
  }
  status = await new Promise<number>((resolve) => {
    tap = spawn(
      process.execPath,
      ['node_modules/.bin/tap', '--jobs=1', '--disable-coverage', '--allow-empty-coverage', '--timeout=900', `--reporter=${reporter}`, ...files],
      { env, stdio: 'inherit' }
    )
    tap.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)))
  })
  // The parts that do not stop the database run on the embedded one too (RESILIENCE_PGLITE=0 skips).
  const onPglite = files.filter((f) => /0[34]-/.test(f))
  if (process.env.RESILIENCE_PGLITE !== '0' && onPglite.length) {
    console.log(`# resilience: ${onPglite.join(', ')} again on the embedded database (PGlite)`)
    const pgliteStatus = await new Promise<number>((resolve) => {
      tap = spawn(process.execPath, ['node_modules/.bin/tap', '--jobs=1', '--disable-coverage', '--allow-empty-coverage', '--timeout=900', `--reporter=${reporter}`, ...onPglite], {
        env: { ...env, RESILIENCE_ENGINE: 'pglite' },
        stdio: 'inherit'
      })
      tap.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)))
    })
    status = status || pgliteStatus
  }
} catch (error) {
  console.error('resilience: setup failed', error)
} finally {
  printSummary()
  if (process.env.RESILIENCE_KEEP) {
    console.log(`# kept: cluster in ${cluster.dir} (port ${port}, superuser password ${cluster.password}), logs in ${out}`)
  } else {
    removeCluster(cluster)
    rmSync(out, { recursive: true, force: true })
  }
}
console.log(`# resilience: ${status === 0 ? 'passed' : 'FAILED'} in ${Math.round((Date.now() - started) / 1000)} s`)
process.exit(status)

function printSummary() {
  const figures = readdirSync(out)
    .filter((f) => f.startsWith('figures-') && f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(out, f), 'utf8')) as { name: string; figures: Record<string, unknown> })
  console.log('\n==================================================================')
  console.log('=== resilience summary')
  console.log('==================================================================')
  for (const { name, figures: values } of figures) {
    console.log(`${name}`)
    for (const [key, value] of Object.entries(values)) console.log(`  ${key.padEnd(34)} ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
  }
}

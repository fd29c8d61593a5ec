/**
 * `npm run bench` — Pathway at the scale of a 50,000-person organisation.
 *
 *   npm run bench -- [--db postgres|pglite] [--scale 1] [--duration 10] [--warmup 3] [--connections 32]
 *                    [--import-500k] [--skip-import] [--skip-startup] [--only person-read,events-page-500]
 *
 * PostgreSQL: uses the server in DATABASE_URL (a superuser URL: databases are created and dropped)
 * or starts a private cluster (postgres 15 binaries, run as the postgres user) and stops it after.
 * Writes bench/results/<db>-<timestamp>.json and .md, and bench/results/latest-<db>.{json,md}.
 */
import { execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { loadConfig } from '../src/config.js'
import { createDatabase } from '../src/db/database.js'
import { migrateToLatest } from '../src/db/migrator.js'
import { mintToken } from '../src/platform/auth/tokens.js'
import { adminQuery as adminStatement, startCluster, withDatabase, type Cluster } from './cluster.js'
import { generate, type Generated } from './generate.js'
import { copyPglite, copyPostgres, measureImport, writeImportFiles, type ImportMeasurement } from './imports.js'
import { measure, probe, type LoadResult } from './load.js'
import { JWT_SECRET, ROOT, startApi, startReference, type Server } from './servers.js'
import { readFixture, workloads, type Workload } from './workloads.js'
import { formatMarkdown } from './report.js'

const args = process.argv.slice(2)
const flag = (name: string, fallback?: string) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 && args[i + 1] && !args[i + 1].startsWith('--') ? args[i + 1] : fallback
}
const has = (name: string) => args.includes(`--${name}`)

const options = {
  db: (flag('db', 'postgres') as 'postgres' | 'pglite'),
  scale: Number(flag('scale', '1')),
  duration: Number(flag('duration', '10')),
  warmup: Number(flag('warmup', '3')),
  connections: Number(flag('connections', '32')),
  import500k: has('import-500k'),
  skipImport: has('skip-import'),
  skipStartup: has('skip-startup'),
  skipLoad: has('skip-load'),
  only: flag('only')?.split(',')
}
if (!['postgres', 'pglite'].includes(options.db)) throw new Error('--db is postgres or pglite')

const log = (line: string) => console.log(line)
const work = mkdtempSync(join(tmpdir(), 'pathway-bench-'))
const runId = new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)
const jwt = loadConfig({ JWT_SECRET, PATHWAY_DATA_DIR: work }).jwt
const token = mintToken(jwt, { subject: 'bench', scopes: ['admin'], ttlSeconds: 6 * 3600 })

let cluster: Cluster | undefined
const servers: Server[] = []
const cleanup = async () => {
  for (const s of servers) await s.stop().catch(() => {})
  cluster?.stop()
  rmSync(work, { recursive: true, force: true })
}
process.on('SIGINT', () => void cleanup().then(() => process.exit(130)))

/** Databases this run created on a server it did not start (dropped at the end). */
const createdDatabases: string[] = []

/** Databases on the PostgreSQL server: created from scratch or from a template. */
async function adminQuery(serverUrl: string, text: string) {
  const created = /^create database (\w+)/.exec(text)
  if (created) createdDatabases.push(created[1])
  await adminStatement(serverUrl, text)
}

interface Row {
  name: string
  title: string
  kind: Workload['kind']
  api: LoadResult
  reference: LoadResult
  ratio: number
  target: string
  met: boolean | null
}

async function main() {
  const started = Date.now()
  const machine = { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, loadBefore: loadavg().map((x) => +x.toFixed(2)) }
  log(`Pathway benchmark: ${options.db}, scale ${options.scale}, ${options.duration} s per workload after ${options.warmup} s warm-up, ${options.connections} connections`)
  log(`machine: ${machine.cpus} × ${machine.cpu}, node ${machine.node}, load average ${machine.loadBefore.join(' ')}`)

  // The API runs compiled, as the Docker image runs it (see startApi).
  log('building the API (npm run build)…')
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] })

  let serverUrl: string | undefined
  if (options.db === 'postgres') {
    serverUrl = process.env.DATABASE_URL
    if (!serverUrl) {
      log('starting a private PostgreSQL 15 cluster…')
      cluster = await startCluster()
      serverUrl = cluster.url
    }
  }
  const pgVersion = serverUrl ? await (async () => {
    const c = new pg.Client({ connectionString: serverUrl })
    await c.connect()
    const v = (await c.query('show server_version')).rows[0].server_version as string
    await c.end()
    return v
  })() : 'PGlite'

  // ---- The data --------------------------------------------------------------------------------
  const mainDb = `pathway_bench_${runId.toLowerCase()}`
  const dataDir = join(work, 'data')
  let databaseUrl: string | undefined
  if (serverUrl) {
    await adminQuery(serverUrl, `create database ${mainDb}`)
    databaseUrl = withDatabase(serverUrl, mainDb)
  }
  log(`generating the organisation (scale ${options.scale})…`)
  const database = createDatabase(databaseUrl ? { databaseUrl } : { pgliteDir: join(dataDir, 'pgdata') })
  const migrated = await migrateToLatest(database.db)
  if (migrated.error) throw migrated.error
  const generated: Generated = await generate(database.db, options.scale, log)
  log(`  ${Object.entries(generated.counts).map(([k, v]) => `${k} ${v}`).join(', ')} in ${generated.seconds.toFixed(1)} s`)
  const fixture = await readFixture(database.db, generated.scale)
  await database.close()
  const loads = workloads(fixture, token, runId).filter((w) => !options.only || options.only.includes(w.name))

  // ---- Load: API against the reference, workload by workload ------------------------------------
  const rows: Row[] = []
  let constant: { reference: LoadResult; api: LoadResult } | undefined
  let apiMemory: { rssMb: number; hwmMb: number } | undefined
  let deep: { first: LoadResult; last: LoadResult } | undefined
  const load = { warmup: options.warmup, duration: options.duration, connections: options.connections }
  /** The API's first page against its last page, alternated (first, last, last, first). */
  const measureDeepPaging = async (api: Server) => {
    const first = loads.find((w) => w.name === 'people-first-page')
    const last = loads.find((w) => w.name === 'people-last-page')
    if (!first || !last) return undefined
    const half = { ...load, duration: Math.max(1, Math.round(load.duration / 2)) }
    const a1 = await measure(api.url, first.api, half, api.pid)
    const b1 = await measure(api.url, last.api, half, api.pid)
    const b2 = await measure(api.url, last.api, { ...half, warmup: 0 }, api.pid)
    const a2 = await measure(api.url, first.api, { ...half, warmup: 0 }, api.pid)
    const r = { first: combine(a1, a2), last: combine(b1, b2) }
    log(`  deep paging (API, alternated): first page ${r.first.rps.toFixed(0)} req/s, last page ${r.last.rps.toFixed(0)} req/s`)
    return r
  }
  if (!options.skipLoad) {
    const results = new Map<string, { api?: LoadResult; reference?: LoadResult }>()
    const runSide = async (server: Server, side: 'api' | 'reference', w: Workload, part = load) => {
      const spec = side === 'api' ? w.api : w.reference
      const check = await probe(server.url, spec)
      if (check.status >= 300) throw new Error(`${w.name} (${side}) answered ${check.status}: ${check.body.slice(0, 500)}`)
      const r = await measure(server.url, spec, part, server.pid)
      log(`  ${w.name.padEnd(22)} ${side.padEnd(9)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms  errors ${r.errors}  cpu ${r.cpuUsPerRequest?.toFixed(0) ?? '?'} µs/req  ${r.bytesPerRequest.toFixed(0)} B/req`)
      const known = results.get(w.name)?.[side]
      results.set(w.name, { ...results.get(w.name), [side]: known ? combine(known, r) : r })
    }
    // Back to back in A-B-B-A order, half the time each, so a change of machine load during the
    // pair weighs on both sides alike (other people's work shares this machine).
    const half = { ...load, duration: Math.max(1, Math.round(load.duration / 2)) }
    const pair = async (reference: Server, api: Server, w: Workload) => {
      await runSide(reference, 'reference', w, half)
      await runSide(api, 'api', w, half)
      await runSide(api, 'api', w, { ...half, warmup: 0 })
      await runSide(reference, 'reference', w, { ...half, warmup: 0 })
    }
    const constantSpec = { next: () => ({ path: '/const' }) }
    const liveSpec = { next: () => ({ path: '/health/live' }) }
    if (options.db === 'postgres') {
      // Both up at once; each workload runs on the reference and then on the API, back to back,
      // so both see the same machine load.
      const reference = await startReference({ databaseUrl })
      servers.push(reference)
      const api = await startApi({ databaseUrl, dataDir })
      servers.push(api)
      constant = { reference: await measure(reference.url, constantSpec, load, reference.pid), api: await measure(api.url, liveSpec, load, api.pid) }
      log(`  constant route: bare fastify ${constant.reference.rps.toFixed(0)} req/s, API /health/live ${constant.api.rps.toFixed(0)} req/s`)
      for (const w of loads) await pair(reference, api, w)
      deep = await measureDeepPaging(api)
      apiMemory = api.memory()
      await api.stop()
      await reference.stop()
    } else {
      // One process at a time opens the embedded database: the reference first, then the API.
      const reference = await startReference({ pgliteDir: join(dataDir, 'pgdata') })
      servers.push(reference)
      const constantRef = await measure(reference.url, constantSpec, load, reference.pid)
      for (const w of loads) await runSide(reference, 'reference', w)
      await reference.stop()
      const api = await startApi({ dataDir })
      servers.push(api)
      constant = { reference: constantRef, api: await measure(api.url, liveSpec, load, api.pid) }
      log(`  constant route: bare fastify ${constant.reference.rps.toFixed(0)} req/s, API /health/live ${constant.api.rps.toFixed(0)} req/s`)
      for (const w of loads) await runSide(api, 'api', w)
      deep = await measureDeepPaging(api)
      apiMemory = api.memory()
      await api.stop()
    }
    for (const w of loads) {
      const r = results.get(w.name)!
      const ratio = r.api!.rps / r.reference!.rps
      const target = w.kind === 'write' ? 0.4 : 0.6
      rows.push({ name: w.name, title: w.title, kind: w.kind, api: r.api!, reference: r.reference!, ratio, target: `≥ ${target * 100}% of bare pool`, met: ratio >= target })
    }
  }
  const deepPaging = deep ? { firstRps: deep.first.rps, lastRps: deep.last.rps, ratio: deep.last.rps / deep.first.rps, met: Math.abs(1 - deep.last.rps / deep.first.rps) <= 0.2 } : undefined

  // ---- Import ------------------------------------------------------------------------------------
  const imports: Array<ImportMeasurement & { copySeconds: number; copyAllSeconds: number; ratio: number }> = []
  if (!options.skipImport) {
    log('import: preparing files and a base database (grades and org units, no people)…')
    const baseDb = `pathway_bench_base_${runId.toLowerCase()}`
    const baseDir = join(work, 'base')
    const baseDatabase = serverUrl
      ? (await adminQuery(serverUrl, `create database ${baseDb}`), createDatabase({ databaseUrl: withDatabase(serverUrl, baseDb) }))
      : createDatabase({ pgliteDir: join(baseDir, 'pgdata') })
    const m = await migrateToLatest(baseDatabase.db)
    if (m.error) throw m.error
    await generate(baseDatabase.db, 1, () => {}, { structureOnly: true })
    await baseDatabase.close()
    let copies = 0
    const fresh = async (): Promise<{ databaseUrl?: string; dataDir: string }> => {
      const n = ++copies
      const dir = join(work, `import-${n}`)
      mkdirSync(dir, { recursive: true })
      if (serverUrl) {
        await adminQuery(serverUrl, `create database ${baseDb}_${n} template ${baseDb}`)
        return { databaseUrl: withDatabase(serverUrl, `${baseDb}_${n}`), dataDir: dir }
      }
      cpSync(join(baseDir, 'pgdata'), join(dir, 'pgdata'), { recursive: true })
      return { dataDir: dir }
    }
    for (const people of options.import500k ? [50_000, 500_000] : [50_000]) {
      const files = await writeImportFiles(work, people)
      const target = await fresh()
      const copied = target.databaseUrl ? copyPostgres(target.databaseUrl, files) : await copyPglite(join(target.dataDir, 'pgdata'), files)
      log(`  COPY of ${people} people: ${copied.people.toFixed(2)} s; with their audit records and events: ${copied.allWrites.toFixed(2)} s`)
      for (const format of people > 50_000 ? (['csv'] as const) : (['csv', 'ndjson'] as const)) {
        const r = await measureImport(files, format, token, fresh, log)
        imports.push({ ...r, copySeconds: copied.people, copyAllSeconds: copied.allWrites, ratio: r.first.seconds / copied.people })
      }
    }
  }

  // ---- Startup -----------------------------------------------------------------------------------
  let startup: { firstStartMs: number; existingMs: number[]; existingLargeMs?: number[]; existingTsxMs: number[]; database: string } | undefined
  if (!options.skipStartup) {
    log('startup on the embedded database…')
    const dir = join(work, 'startup')
    const firstApi = await startApi({ dataDir: dir })
    await firstApi.stop()
    const existingMs: number[] = []
    for (let i = 0; i < 3; i++) {
      const s = await startApi({ dataDir: dir })
      existingMs.push(s.readyMs)
      await s.stop()
    }
    let existingLargeMs: number[] | undefined
    if (options.db === 'pglite') {
      existingLargeMs = []
      for (let i = 0; i < 2; i++) {
        const s = await startApi({ dataDir })
        existingLargeMs.push(s.readyMs)
        await s.stop()
      }
    }
    // For the record: the development form (`npm start`, TypeScript compiled on load).
    const existingTsxMs: number[] = []
    for (let i = 0; i < 3; i++) {
      const s = await startApi({ dataDir: dir, form: 'tsx' })
      existingTsxMs.push(s.readyMs)
      await s.stop()
    }
    startup = { firstStartMs: firstApi.readyMs, existingMs, existingLargeMs, existingTsxMs, database: 'PGlite' }
    log(`  first start ${firstApi.readyMs} ms; existing ${existingMs.join(', ')} ms${existingLargeMs ? `; existing with the generated data ${existingLargeMs.join(', ')} ms` : ''}; npm start (tsx) ${existingTsxMs.join(', ')} ms`)
  }

  const result = {
    runId,
    date: new Date().toISOString(),
    options,
    database: options.db === 'postgres' ? `PostgreSQL ${pgVersion}` : 'PGlite (embedded)',
    machine: { ...machine, loadAfter: loadavg().map((x) => +x.toFixed(2)) },
    generated,
    constant,
    workloads: rows,
    deepPaging,
    imports,
    apiMemoryAfterLoad: apiMemory,
    startup,
    seconds: Math.round((Date.now() - started) / 1000)
  }
  const out = join(ROOT, 'bench', 'results')
  mkdirSync(out, { recursive: true })
  const markdown = formatMarkdown(result)
  for (const name of [`${options.db}-${runId}`, `latest-${options.db}`]) {
    writeFileSync(join(out, `${name}.json`), JSON.stringify(result, null, 2) + '\n')
    writeFileSync(join(out, `${name}.md`), markdown)
  }
  log('')
  log(markdown)
  if (serverUrl && !cluster) {
    // Leave the caller's server as it was.
    for (const name of createdDatabases.reverse()) await adminQuery(serverUrl, `drop database if exists ${name} with (force)`).catch(() => {})
  }
}

export type BenchResult = Parameters<typeof formatMarkdown>[0]

/** Two runs of one workload as one: requests over time, latencies weighted by requests. */
function combine(a: LoadResult, b: LoadResult): LoadResult {
  const requests = a.requests + b.requests
  const seconds = a.seconds + b.seconds
  const w = (x: number, y: number) => Math.round((x * a.requests + y * b.requests) / Math.max(1, requests))
  const cpu = a.cpuUsPerRequest !== undefined && b.cpuUsPerRequest !== undefined ? { cpuUsPerRequest: (a.cpuUsPerRequest * a.requests + b.cpuUsPerRequest * b.requests) / Math.max(1, requests) } : {}
  const bytesPerRequest = (a.bytesPerRequest * a.requests + b.bytesPerRequest * b.requests) / Math.max(1, requests)
  return { rps: requests / seconds, p50: w(a.p50, b.p50), p99: Math.max(a.p99, b.p99), errors: a.errors + b.errors, requests, seconds, bytesPerRequest, ...cpu }
}

try {
  await main()
} finally {
  await cleanup()
}

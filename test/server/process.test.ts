import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { createDatabase } from '../../src/db/database.js'
import { sql } from 'kysely'

// The real process: start on a fresh embedded database, mint a token with the CLI, shut down cleanly.
const dataDir = mkdtempSync(join(tmpdir(), 'pathway-process-'))
t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })

interface Server {
  child: ChildProcess
  base: string
  output: () => string
  exited: Promise<number | null>
}

async function start(): Promise<Server> {
  const port = await freePort()
  const env = { ...process.env, PATHWAY_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', DATABASE_URL: '' }
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout!.on('data', (d) => (output += d))
  child.stderr!.on('data', (d) => (output += d))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const base = `http://127.0.0.1:${port}`
  for (let i = 0; i < 240; i++) {
    try {
      const res = await fetch(`${base}/health/live`)
      if (res.ok) break
    } catch {
      await new Promise((r) => setTimeout(r, 250))
    }
  }
  return { child, base, output: () => output, exited }
}

const mint = () =>
  execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/token.ts', '--scopes', 'admin', '--sub', 'process-test', '--ttl', '10m'], {
    env: { ...process.env, PATHWAY_DATA_DIR: dataDir, DATABASE_URL: '' }
  })
    .toString()
    .trim()

t.test('first start migrates, says once how to mint a token, and serves with a CLI token', async (t) => {
  const server = await start()
  t.equal((await fetch(`${server.base}/health/ready`)).status, 200)
  t.match(server.output(), /npm run token -- --scopes admin/)
  const token = mint()
  const created = await fetch(`${server.base}/v1/org-units`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Metropolitan Police Service', kind: 'service', externalId: 'MPS' })
  })
  t.equal(created.status, 201)
  t.notMatch(server.output(), token, 'the token never appears in the log')

  // SIGTERM with a request in flight: it completes, then the process exits 0.
  const inFlight = fetch(`${server.base}/v1/org-units?limit=500`, { headers: { authorization: `Bearer ${token}` } })
  await new Promise((r) => setTimeout(r, 5))
  server.child.kill('SIGTERM')
  const res = await inFlight
  t.equal(res.status, 200)
  t.equal(await server.exited, 0)
  t.match(server.output(), /shutting down/)
})

t.test('a restart keeps the data and the secret, and does not repeat the first-start message', async (t) => {
  const server = await start()
  const token = mint()
  const res = await fetch(`${server.base}/v1/org-units?externalId=MPS`, { headers: { authorization: `Bearer ${token}` } })
  t.equal(((await res.json()) as { data: unknown[] }).data.length, 1)
  t.notMatch(server.output(), /first start/)
  server.child.kill('SIGINT')
  t.equal(await server.exited, 0)
})

t.test('a database with a migration this build does not know is not ready and refuses the API', async (t) => {
  const database = createDatabase({ pgliteDir: join(dataDir, 'pgdata') })
  await sql`insert into kysely_migration (name, timestamp) values ('9999_from_the_future', '2099-01-01')`.execute(database.db)
  await database.close()
  const server = await start()
  const ready = await fetch(`${server.base}/health/ready`)
  t.equal(ready.status, 503)
  t.match(((await ready.json()) as { detail: string }).detail, /9999_from_the_future/)
  const api = await fetch(`${server.base}/v1/org-units`, { headers: { authorization: `Bearer ${mint()}` } })
  t.equal(api.status, 503)
  server.child.kill('SIGTERM')
  t.equal(await server.exited, 0)
})

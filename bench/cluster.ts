import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createConnection } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'

/**
 * A private PostgreSQL 15 cluster for one benchmark run, on loopback, started as the postgres
 * user (as .ci/run does) and thrown away at the end. Durability is off: the numbers measure the
 * API and the queries, not the disk of whatever machine runs the benchmark.
 */
export interface Cluster {
  url: string
  port: number
  dir: string
  stop(): void
}

const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin'

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(false)
    })
    socket.once('error', () => resolve(true))
  })
}

export async function startCluster(ports: [number, number] = [55471, 55479]): Promise<Cluster> {
  if (!existsSync(join(PG_BIN, 'initdb'))) throw new Error(`${PG_BIN}/initdb not found: install postgresql-15 or pass DATABASE_URL`)
  let port = ports[0]
  while (!(await portFree(port))) {
    if (++port > ports[1]) throw new Error(`no free port in ${ports[0]}-${ports[1]}`)
  }
  const work = mkdtempSync(join(tmpdir(), 'pathway-bench-pg-'))
  chmodSync(work, 0o711)
  const dir = join(work, 'pg')
  mkdirSync(dir, { mode: 0o700 })
  writeFileSync(join(dir, 'pwfile'), 'bench\n')
  const asPostgres = (args: string[], stdio: 'ignore' | 'inherit' = 'ignore') => {
    const r = spawnSync('runuser', ['-u', 'postgres', '--', ...args], { cwd: dir, stdio })
    if (r.status !== 0) throw new Error(`${args[0]} failed (${r.status})`)
  }
  execFileSync('chown', ['-R', 'postgres:', dir])
  asPostgres([join(PG_BIN, 'initdb'), '-D', join(dir, 'data'), '-U', 'postgres', `--pwfile=${join(dir, 'pwfile')}`,
    '--auth-local=trust', '--auth-host=scram-sha-256', '--encoding=UTF8', '--locale=C.UTF-8'])
  rmSync(join(dir, 'pwfile'))
  const options = [
    `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir}`,
    '-c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off',
    '-c shared_buffers=512MB -c work_mem=16MB -c maintenance_work_mem=256MB -c max_wal_size=4GB -c log_checkpoints=off'
  ].join(' ')
  asPostgres([join(PG_BIN, 'pg_ctl'), '-D', join(dir, 'data'), '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start', '-o', options])
  let stopped = false
  const stop = () => {
    if (stopped) return
    stopped = true
    try {
      asPostgres([join(PG_BIN, 'pg_ctl'), '-D', join(dir, 'data'), '-m', 'immediate', '-w', 'stop'])
    } finally {
      rmSync(work, { recursive: true, force: true })
    }
  }
  return { url: `postgres://postgres:bench@127.0.0.1:${port}/postgres`, port, dir, stop }
}

/** The same server, another database. */
export function withDatabase(url: string, name: string): string {
  const u = new URL(url)
  u.pathname = `/${name}`
  return u.toString()
}

/** One statement on the server as its superuser (create or drop a database), on a connection of its own. */
export async function adminQuery(serverUrl: string, text: string) {
  const client = new pg.Client({ connectionString: serverUrl })
  await client.connect()
  try {
    await client.query(text)
  } finally {
    await client.end()
  }
}

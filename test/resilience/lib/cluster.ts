import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createConnection } from 'node:net'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import pg from 'pg'

/**
 * A private PostgreSQL cluster on loopback that the suite may stop and start (the database-restart
 * point needs that, so it cannot be a shared server). As root, everything runs as user postgres,
 * like .ci/run does; otherwise as the current user.
 */
export interface ClusterInfo {
  bin: string
  dir: string
  data: string
  port: number
  password: string
  /** A user name to run pg_ctl as (root cannot run PostgreSQL), or empty. */
  runAs: string
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0

function pgCommand(info: Pick<ClusterInfo, 'bin' | 'runAs' | 'dir'>, tool: string, args: string[]) {
  const command = join(info.bin, tool)
  return info.runAs ? { file: 'runuser', args: ['-u', info.runAs, '--', command, ...args] } : { file: command, args }
}

function run(info: Pick<ClusterInfo, 'bin' | 'runAs' | 'dir'>, tool: string, args: string[], timeoutMs = 60_000) {
  const { file, args: all } = pgCommand(info, tool, args)
  const result = spawnSync(file, all, { cwd: info.dir, encoding: 'utf8', timeout: timeoutMs })
  if (result.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed (${result.status}): ${result.stderr || result.stdout}`)
  return result.stdout
}

export const portInUse = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })

export async function freePortFrom(first: number, last: number): Promise<number> {
  for (let port = first; port <= last; port++) if (!(await portInUse(port))) return port
  throw new Error(`no free port in ${first}-${last}`)
}

export function findPgBin(): string {
  const explicit = process.env.PG_BIN
  if (explicit) return explicit
  for (const version of ['15', '16', '17', '14']) {
    const bin = `/usr/lib/postgresql/${version}/bin`
    if (existsSync(join(bin, 'initdb'))) return bin
  }
  try {
    return execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim()
  } catch {
    throw new Error('PostgreSQL binaries not found: set PG_BIN (the folder holding initdb and pg_ctl)')
  }
}

export async function createCluster(port: number): Promise<ClusterInfo> {
  const bin = findPgBin()
  const runAs = isRoot() ? 'postgres' : ''
  if (runAs) {
    const known = spawnSync('id', [runAs])
    if (known.status !== 0) execFileSync('useradd', ['-r', '-M', '-d', '/nonexistent', '-s', '/usr/sbin/nologin', runAs])
  }
  const dir = mkdtempSync('/tmp/pathway-resilience-pg-')
  chmodSync(dir, 0o700)
  const password = randomBytes(16).toString('hex')
  writeFileSync(join(dir, 'pwfile'), password + '\n')
  if (runAs) {
    const uid = Number(execFileSync('id', ['-u', runAs], { encoding: 'utf8' }).trim())
    const gid = Number(execFileSync('id', ['-g', runAs], { encoding: 'utf8' }).trim())
    chownSync(dir, uid, gid)
    chownSync(join(dir, 'pwfile'), uid, gid)
  }
  const info: ClusterInfo = { bin, dir, data: join(dir, 'data'), port, password, runAs }
  run(info, 'initdb', ['-D', info.data, '-U', 'postgres', `--pwfile=${join(dir, 'pwfile')}`, '--auth-local=trust', '--auth-host=scram-sha-256', '--encoding=UTF8', '--locale=C.UTF-8'], 120_000)
  rmSync(join(dir, 'pwfile'))
  startCluster(info)
  return info
}

export function startCluster(info: ClusterInfo) {
  run(info, 'pg_ctl', [
    '-D', info.data, '-l', join(info.dir, 'server.log'), '-w', '-t', '60', 'start',
    '-o', `-c listen_addresses=127.0.0.1 -p ${info.port} -k ${info.dir} -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c log_checkpoints=off`
  ])
}

/** Stops the cluster: `fast` disconnects every client at once, as a restart or failover would. */
export function stopCluster(info: ClusterInfo, mode: 'fast' | 'immediate' = 'fast') {
  run(info, 'pg_ctl', ['-D', info.data, '-m', mode, '-w', '-t', '60', 'stop'])
}

export function removeCluster(info: ClusterInfo) {
  try {
    stopCluster(info)
  } catch {
    // already stopped
  }
  rmSync(info.dir, { recursive: true, force: true })
}

export const superuserUrl = (info: Pick<ClusterInfo, 'port' | 'password'>, database = 'postgres') =>
  `postgres://postgres:${info.password}@127.0.0.1:${info.port}/${database}`

/** The cluster as the suite's files see it, passed in the environment by the runner. */
export function clusterFromEnv(): ClusterInfo {
  const raw = process.env.RESILIENCE_CLUSTER
  if (!raw) throw new Error('RESILIENCE_CLUSTER is not set: run the suite with `npm run test:resilience`')
  return JSON.parse(raw) as ClusterInfo
}

export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

/**
 * The least-privilege role the API serves as (the README documents the same statements): every
 * table readable and writable except the audit trail, which it may only read and append to. The
 * tables belong to the role that ran the migrations, so this role cannot alter or disable the
 * audit trail's triggers either.
 */
export function appRoleStatements(role: string, password: string, database: string, owner: string): string[] {
  return [
    `create role ${role} login password '${password}'`,
    `grant connect, temporary on database ${database} to ${role}`,
    `grant usage on schema public to ${role}`,
    `grant select, insert, update, delete on all tables in schema public to ${role}`,
    `grant usage, select, update on all sequences in schema public to ${role}`,
    `revoke update, delete, truncate on audit_records from ${role}`,
    `alter default privileges for role ${owner} in schema public grant select, insert, update, delete on tables to ${role}`,
    `alter default privileges for role ${owner} in schema public grant usage, select, update on sequences to ${role}`
  ]
}

export function ensureDir(dir: string) {
  mkdirSync(dir, { recursive: true })
  return dir
}

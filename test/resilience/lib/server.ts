import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePortFrom } from './cluster.js'
import { mintToken } from '../../../src/platform/auth/tokens.js'
import { loadConfig } from '../../../src/config.js'

export const SUITE_SECRET = process.env.RESILIENCE_JWT_SECRET ?? 'resilience-suite-secret-long-enough-for-hs256-0000'

export interface ServerProcess {
  child: ChildProcess
  base: string
  port: number
  pid: number
  /** Everything the process wrote, for diagnosis. */
  output(): string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** SIGTERM and wait for the exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  rssKb(): number | undefined
}

let portCursor = Number(process.env.RESILIENCE_SERVER_PORT_FROM ?? 0)

// Servers die with the test that started them, however it ends.
const children = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL')
})
process.once('SIGTERM', () => process.exit(1))

/** The environment every server of the suite gets; a test adds to it. */
export function serverEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    // RESILIENCE_ENGINE=pglite: the embedded database in the server's own data folder.
    DATABASE_URL: process.env.RESILIENCE_ENGINE === 'pglite' ? '' : (process.env.RESILIENCE_DATABASE_URL ?? ''),
    JWT_SECRET: SUITE_SECRET,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    // The suite drives far more than 1,200 requests a minute as one caller; rate limits are proved separately.
    RATE_LIMIT_PER_MINUTE: '1000000',
    ...extra
  }
}

/** Starts `node --import tsx src/server.ts` on a free loopback port and waits until it is live. */
export async function startServer(extra: Record<string, string> = {}, options: { waitReady?: boolean; keepDataDir?: string } = {}): Promise<ServerProcess> {
  const port = portCursor ? await freePortFrom(portCursor, portCursor + 200) : await freePortFrom(56000, 56999)
  if (portCursor) portCursor = port + 1
  const dataDir = options.keepDataDir ?? mkdtempSync(join(tmpdir(), 'pathway-resilience-data-'))
  const env: Record<string, string> = { ...(process.env as Record<string, string>), PATHWAY_DATA_DIR: dataDir, PORT: String(port), ...serverEnv(extra) }
  for (const key of Object.keys(env)) if (key.startsWith('TAP') || key.startsWith('NODE_OPTIONS')) delete env[key]
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(child)
  child.on('exit', () => children.delete(child))
  let output = ''
  const log = process.env.RESILIENCE_OUT ? createWriteStream(join(process.env.RESILIENCE_OUT, `server-${port}-${child.pid}.log`)) : undefined
  const keep = (d: Buffer) => {
    output += d
    if (output.length > 2_000_000) output = output.slice(-1_000_000)
    log?.write(d)
  }
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      log?.end()
      if (!options.keepDataDir) rmSync(dataDir, { recursive: true, force: true })
      resolve({ code, signal })
    })
  )
  const base = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 60_000
  let exit: { code: number | null } | undefined
  void exited.then((e) => (exit = e))
  for (;;) {
    if (exit) throw new Error(`the server exited (${exit.code}) before it was live:\n${output}`)
    try {
      const res = await fetch(`${base}/health/${options.waitReady === false ? 'live' : 'ready'}`)
      if (res.ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`the server was not ready within 60 s:\n${output}`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  return {
    child,
    base,
    port,
    pid: child.pid!,
    output: () => output,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      return exited
    },
    rssKb: () => rssKb(child.pid!)
  }
}

/** Resident memory of a process, from /proc (Linux). */
export function rssKb(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const match = /VmRSS:\s+(\d+)\s+kB/.exec(status)
    return match ? Number(match[1]) : undefined
  } catch {
    return undefined
  }
}

const config = () => loadConfig({ JWT_SECRET: SUITE_SECRET, DATABASE_URL: 'postgres://unused/x' })

/** A token the suite's servers accept. */
export function token(scopes: string[] = ['admin'], options: { sub?: string; personId?: string; ttlSeconds?: number } = {}) {
  return mintToken(config().jwt, { subject: options.sub ?? 'resilience-suite', scopes, ttlSeconds: options.ttlSeconds ?? 3600, personId: options.personId })
}

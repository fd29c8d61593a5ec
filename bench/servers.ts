import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))
export const JWT_SECRET = 'bench-secret-that-is-long-enough-for-hs256-0000'

export interface Server {
  name: string
  url: string
  pid: number
  child: ChildProcess
  /** Milliseconds from spawn until the server answered its readiness probe. */
  readyMs: number
  stop(): Promise<void>
  /** Resident set size now and its high-water mark since the process started, in MB. */
  memory(): { rssMb: number; hwmMb: number }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
    s.once('error', reject)
  })
}

export function memoryOf(pid: number): { rssMb: number; hwmMb: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0)
    return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 }
  } catch {
    return { rssMb: 0, hwmMb: 0 }
  }
}

async function waitReady(url: string, child: ChildProcess, timeoutMs: number, output: () => string) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}) before it was ready:\n${output()}`)
    try {
      const res = await fetch(url)
      if (res.ok) return
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server not ready after ${timeoutMs} ms:\n${output()}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

export async function startProcess(name: string, args: string[], env: Record<string, string>, probe: string, port: number, timeoutMs = 180_000): Promise<Server> {
  const started = Date.now()
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000)
  }
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  const url = `http://127.0.0.1:${port}`
  await waitReady(url + probe, child, timeoutMs, () => output)
  const readyMs = Date.now() - started
  return {
    name,
    url,
    pid: child.pid!,
    child,
    readyMs,
    memory: () => memoryOf(child.pid!),
    async stop() {
      if (child.exitCode !== null) return
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
      await exited
      clearTimeout(timer)
    }
  }
}

export interface ApiOptions {
  databaseUrl?: string
  dataDir: string
  extraEnv?: Record<string, string>
  nodeArgs?: string[]
}

/**
 * How the API runs: `dist` as the Docker image runs it (`node dist/src/server.js`, compiled by
 * `npm run build`, which the benchmark runs first); `tsx` as `npm start` runs it in development
 * (TypeScript compiled on load: ~0.7 s more to start and ~45 MB more resident).
 */
export type ApiForm = 'dist' | 'tsx'

/** The Dockerfile's NODE_OPTIONS, read from it so the two cannot drift apart. */
const IMAGE_NODE_OPTIONS = (/NODE_OPTIONS=(?:"([^"]*)"|(\S+))/.exec(readFileSync(new URL('../Dockerfile', import.meta.url), 'utf8')) ?? [])
  .slice(1)
  .join(' ')
  .split(' ')
  .filter(Boolean)

export async function startApi(options: ApiOptions & { form?: ApiForm }): Promise<Server> {
  const port = await freePort()
  const env: Record<string, string> = {
    JWT_SECRET,
    PATHWAY_DATA_DIR: options.dataDir,
    LOG_LEVEL: 'warn',
    // The limiter still runs on every request; the budget is set above what the benchmark sends.
    RATE_LIMIT_PER_MINUTE: '1000000',
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : { DATABASE_URL: '' }),
    ...options.extraEnv
  }
  // BENCH_API_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles the API under load.
  const extra = process.env.BENCH_API_NODE_ARGS?.split(' ').filter(Boolean) ?? []
  // As the Docker image runs it: compiled, with the image's NODE_OPTIONS (see the Dockerfile).
  const entry = (options.form ?? 'dist') === 'dist' ? [...IMAGE_NODE_OPTIONS, 'dist/src/server.js'] : ['--import', 'tsx', 'src/server.ts']
  return startProcess('api', [...extra, ...(options.nodeArgs ?? []), ...entry], env, '/health/ready', port)
}

export async function startReference(options: { databaseUrl?: string; pgliteDir?: string }): Promise<Server> {
  const port = await freePort()
  const env: Record<string, string> = options.databaseUrl ? { REF_DATABASE_URL: options.databaseUrl } : { REF_PGLITE_DIR: options.pgliteDir! }
  // BENCH_REF_NODE_ARGS does for the reference what BENCH_API_NODE_ARGS does for the API.
  const extra = process.env.BENCH_REF_NODE_ARGS?.split(' ').filter(Boolean) ?? []
  return startProcess('reference', [...extra, '--import', 'tsx', 'bench/reference-server.ts'], env, '/const', port)
}

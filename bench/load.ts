import { readFileSync } from 'node:fs'
// @ts-expect-error autocannon ships no types
import autocannonModule from 'autocannon'

const autocannon = autocannonModule as (options: Record<string, unknown>) => Promise<unknown>

export interface LoadResult {
  rps: number
  p50: number
  p99: number
  /** Non-2xx answers, socket errors and timeouts. */
  errors: number
  requests: number
  seconds: number
  /** Response bytes (headers and body) per request. */
  bytesPerRequest: number
  /** CPU time (user + system) the server process spent per request during the measured run, in µs. */
  cpuUsPerRequest?: number
}

export interface LoadSpec {
  method?: 'GET' | 'POST'
  /** Called for every request: its path (and body), so requests can vary (ids, cursors, unique keys). */
  next(): { path: string; body?: string }
  headers?: Record<string, string>
}

async function fire(url: string, spec: LoadSpec, seconds: number, connections: number): Promise<LoadResult> {
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    method: spec.method ?? 'GET',
    headers: { ...(spec.method === 'POST' ? { 'content-type': 'application/json' } : {}), ...spec.headers },
    requests: [
      {
        setupRequest: (req: Record<string, unknown>) => {
          const { path, body } = spec.next()
          return { ...req, path, ...(body !== undefined ? { body } : {}) }
        }
      }
    ]
  } as never)
  const r = result as unknown as {
    requests: { average: number; total: number }
    throughput: { total: number }
    latency: { p50: number; p99: number }
    non2xx: number
    errors: number
    timeouts: number
    duration: number
  }
  return {
    rps: r.requests.total / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.non2xx + r.errors + r.timeouts,
    requests: r.requests.total,
    seconds: r.duration,
    bytesPerRequest: r.throughput.total / Math.max(1, r.requests.total)
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux), or undefined elsewhere. */
export function cpuSecondsOf(pid: number): number | undefined {
  try {
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS
  } catch {
    return undefined
  }
}
const CLOCK_TICKS = 100 // USER_HZ: 100 on every Linux this runs on

/**
 * Warm-up (discarded), then the measured run. Given the server's pid, the server's CPU time per
 * request is measured too: two servers at the same throughput can differ in what they leave to
 * the database on a small machine.
 */
export async function measure(url: string, spec: LoadSpec, options: { warmup: number; duration: number; connections: number }, pid?: number): Promise<LoadResult> {
  if (options.warmup > 0) await fire(url, spec, options.warmup, options.connections)
  const before = pid === undefined ? undefined : cpuSecondsOf(pid)
  const result = await fire(url, spec, options.duration, options.connections)
  const after = pid === undefined ? undefined : cpuSecondsOf(pid)
  if (before === undefined || after === undefined || result.requests === 0) return result
  return { ...result, cpuUsPerRequest: ((after - before) * 1e6) / result.requests }
}

/** One request, checked, before any load: a workload that answers errors is a broken benchmark. */
export async function probe(url: string, spec: LoadSpec): Promise<{ status: number; body: string }> {
  const { path, body } = spec.next()
  const res = await fetch(url + path, {
    method: spec.method ?? 'GET',
    headers: { ...(spec.method === 'POST' ? { 'content-type': 'application/json' } : {}), ...spec.headers },
    body
  })
  return { status: res.status, body: await res.text() }
}

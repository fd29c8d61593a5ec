import type { Client, Sent } from './http.js'

export interface Outcome {
  /** When the request was sent, ms since the load started. */
  at: number
  /** When the answer (or the error) came. */
  done: number
  op: string
  status: number | null
  error?: string
  retryAfter?: string | null
  type?: string
  ms: number
}

export type Operation = { name: string; weight: number; run: (api: Client, i: number) => Promise<Sent> }

/**
 * Closed-loop load: `workers` loops, each sending the next request as soon as the last answered,
 * choosing operations by weight, until `stop()`. Every outcome is kept.
 */
export function startLoad(api: Client, operations: Operation[], workers: number, options: { timeoutMs?: number } = {}) {
  const started = performance.now()
  const outcomes: Outcome[] = []
  let running = true
  let n = 0
  const total = operations.reduce((s, o) => s + o.weight, 0)
  const pick = () => {
    let r = Math.random() * total
    for (const o of operations) {
      r -= o.weight
      if (r < 0) return o
    }
    return operations[operations.length - 1]
  }
  const loop = async () => {
    while (running) {
      const op = pick()
      const at = performance.now() - started
      const i = n++
      try {
        const res = await withTimeout(op.run(api, i), options.timeoutMs ?? 15_000)
        let type: string | undefined
        if (res.status >= 400) {
          try {
            type = res.json().type
          } catch {
            type = undefined
          }
        }
        outcomes.push({ at, done: performance.now() - started, op: op.name, status: res.status, retryAfter: res.headers.get('retry-after'), type, ms: res.ms })
      } catch (error) {
        outcomes.push({ at, done: performance.now() - started, op: op.name, status: null, error: (error as Error).message + ((error as { cause?: { code?: string } }).cause?.code ? ` (${(error as { cause: { code: string } }).cause.code})` : ''), ms: performance.now() - started - at })
        // A refused connection answers at once; do not spin.
        await new Promise((r) => setTimeout(r, 20))
      }
    }
  }
  const loops = Array.from({ length: workers }, loop)
  return {
    started,
    outcomes,
    now: () => performance.now() - started,
    async stop() {
      running = false
      await Promise.all(loops)
      return outcomes
    }
  }
}

export class Timeout extends Error {}

export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Timeout(`no answer within ${ms} ms`)), ms)
    })
  ])
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export function tally(outcomes: Outcome[]) {
  const counts: Record<string, number> = {}
  for (const o of outcomes) {
    const key = o.status === null ? `error:${o.error?.replace(/.*\((\w+)\)$/, '$1').slice(0, 40)}` : String(o.status)
    counts[key] = (counts[key] ?? 0) + 1
  }
  return counts
}

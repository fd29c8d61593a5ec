import type { FastifyBaseLogger } from 'fastify'
import { sql } from 'kysely'
import type { Db } from '../db/database.js'

/**
 * Rate-limit counters shared by every API replica through PostgreSQL (`rate_limit_counters`),
 * for @fastify/rate-limit's `store` option.
 *
 * A request is counted in memory at once (no database round trip on the request path); every
 * `syncMs` each replica adds its pending counts to the shared rows in one statement and learns
 * the totals the other replicas added. So a caller's budget is shared by all replicas, and with
 * R replicas a caller can overshoot it by at most what R replicas admit in one sync interval
 * (a burst past a tenth of the budget triggers an early sync). A window starts at a caller's
 * first request and lasts `timeWindow`, as in the plugin's in-memory store. If the database
 * cannot be reached, counting goes on in memory and the counts are sent later.
 */
interface Entry {
  windowStart: number
  /** The shared total at the last sync (all replicas). */
  shared: number
  /** Counted here since the last sync. */
  pending: number
  /** Counted here and being sent now. */
  sending: number
}

interface RouteParams {
  timeWindow?: number
  max?: number
  routeInfo?: { url?: string; method?: string | string[] }
  groupId?: string
}

export interface SharedStoreHandle {
  /** The class to pass as `store` to @fastify/rate-limit. */
  Store: new (params: RouteParams) => unknown
  /** Sends pending counts now (tests, shutdown). */
  flush(): Promise<void>
  close(): Promise<void>
}

export function sharedRateLimitStore(db: Db, log: FastifyBaseLogger, options: { syncMs?: number } = {}): SharedStoreHandle {
  const syncMs = options.syncMs ?? 250
  const stores = new Set<DatabaseStore>()
  let closed = false

  class DatabaseStore {
    readonly #entries = new Map<string, Entry>()
    readonly #prefix: string
    #timer: NodeJS.Timeout | undefined
    #syncing: Promise<void> | undefined
    #soon = false
    #timeWindow = 60_000

    constructor(params: RouteParams, prefix = '') {
      void params
      this.#prefix = prefix
      stores.add(this)
    }

    incr(key: string, callback: (error: Error | null, result: { current: number; ttl: number }) => void, timeWindow: number, max: number) {
      const now = Date.now()
      this.#timeWindow = timeWindow
      let entry = this.#entries.get(key)
      if (!entry || entry.windowStart + timeWindow <= now) {
        entry = { windowStart: now, shared: 0, pending: 0, sending: 0 }
        this.#entries.set(key, entry)
      }
      entry.pending++
      this.#schedule(entry.pending * 10 >= max)
      callback(null, { current: entry.shared + entry.sending + entry.pending, ttl: Math.max(0, entry.windowStart + timeWindow - now) })
    }

    read(key: string, callback: (error: Error | null, result: { current: number; ttl: number }) => void, timeWindow: number) {
      const now = Date.now()
      const entry = this.#entries.get(key)
      if (!entry || entry.windowStart + timeWindow <= now) return callback(null, { current: 0, ttl: 0 })
      callback(null, { current: entry.shared + entry.sending + entry.pending, ttl: entry.windowStart + timeWindow - now })
    }

    child(routeOptions: RouteParams) {
      // A route with its own limit counts apart from the global budget, as the in-memory store does.
      const route = routeOptions.groupId ?? `${routeOptions.routeInfo?.method ?? ''} ${routeOptions.routeInfo?.url ?? ''}`
      return new DatabaseStore(routeOptions, `${this.#prefix}${route}|`)
    }

    #schedule(urgent: boolean) {
      if (closed) return
      if (urgent && !this.#soon) {
        this.#soon = true
        setImmediate(() => void this.sync())
      }
      if (!this.#timer) {
        this.#timer = setTimeout(() => {
          this.#timer = undefined
          void this.sync()
        }, syncMs)
        this.#timer.unref()
      }
    }

    async sync(): Promise<void> {
      this.#soon = false
      // One statement at a time per store; counts made while one is in flight go in the next.
      while (this.#syncing) await this.#syncing
      const timeWindow = this.#timeWindow
      const keys: string[] = []
      const deltas: number[] = []
      for (const [key, entry] of this.#entries) {
        if (entry.pending > 0) {
          keys.push(key)
          deltas.push(entry.pending)
        } else if (entry.windowStart + timeWindow <= Date.now()) {
          this.#entries.delete(key)
        }
      }
      if (keys.length === 0) return
      for (const key of keys) {
        const entry = this.#entries.get(key)!
        entry.sending = entry.pending
        entry.pending = 0
      }
      this.#syncing = (async () => {
        try {
          const window = sql`${timeWindow} * interval '1 millisecond'`
          const { rows } = await sql<{ key: string; window_start: Date; count: number }>`
            insert into rate_limit_counters as c (key, window_start, count)
            select ${this.#prefix} || k, now(), d from unnest(${keys}::text[], ${deltas}::int[]) as u(k, d)
            on conflict (key) do update set
              window_start = case when c.window_start + ${window} <= now() then now() else c.window_start end,
              count = case when c.window_start + ${window} <= now() then excluded.count else c.count + excluded.count end
            returning key, window_start, count`.execute(db)
          for (const row of rows) {
            const entry = this.#entries.get(row.key.slice(this.#prefix.length))
            if (!entry) continue
            // The shared row now holds what was sent; what was counted meanwhile stays pending.
            entry.shared = row.count
            entry.sending = 0
            entry.windowStart = new Date(row.window_start).getTime()
          }
        } catch (error) {
          // Counting goes on in memory; the counts are sent with the next sync.
          for (const key of keys) {
            const entry = this.#entries.get(key)
            if (!entry) continue
            entry.pending += entry.sending
            entry.sending = 0
          }
          log.warn({ err: error }, 'rate-limit counters could not be shared; counting in memory until the database answers')
        } finally {
          this.#syncing = undefined
        }
      })()
      return this.#syncing
    }

    stop() {
      clearTimeout(this.#timer)
      this.#timer = undefined
    }
  }

  // Windows that ended long ago are dropped now and then; any replica may do it.
  const purge = setInterval(() => void purgeRateLimitCounters(db).catch((error) => log.warn({ err: error }, 'rate-limit purge failed')), 600_000)
  purge.unref()

  return {
    Store: DatabaseStore,
    async flush() {
      await Promise.all([...stores].map((s) => s.sync()))
    },
    async close() {
      closed = true
      clearInterval(purge)
      for (const s of stores) s.stop()
    }
  }
}

/** Drops counters whose window ended long ago (run now and then by one replica or all; idempotent). */
export async function purgeRateLimitCounters(db: Db) {
  await db.deleteFrom('rate_limit_counters').where('window_start', '<', sql<Date>`now() - interval '1 day'`).execute()
}

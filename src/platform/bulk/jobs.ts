import { randomUUID } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import type { Readable } from 'node:stream'
import type { FastifyBaseLogger } from 'fastify'
import type { Db } from '../../db/database.js'
import type { Actor } from '../changes.js'
import { byteLimit, readRows, type ImportFormat } from './readers.js'
import { runImport, type ImportCounts, type ImportResult } from './runner.js'
import type { AnyImportSpec } from './spec.js'

export interface JobView {
  id: string
  resource: string
  state: 'queued' | 'running' | 'succeeded' | 'failed'
  format: string
  dryRun: boolean
  atomic: boolean
  bytes: number | null
  rowsRead: number
  rowsWritten: number
  rowsFailed: number
  result: ImportResult | null
  error: string | null
  createdAt: string
  startedAt: string | null
  finishedAt: string | null
  principal: string
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString())

/** How often a replica running a job says so, and how long silence means it died. */
export const HEARTBEAT_MS = 5_000
export const LEASE_MS = 30_000

/**
 * Imports too large to answer in one request: the upload is spooled to a file, answered with
 * 202, and imported in the background by the process that accepted it.
 *
 * On PostgreSQL several replicas share the jobs table: the running process writes a heartbeat
 * (with the progress counts) every few seconds, so any replica answers `GET /imports/{id}`, and
 * a job whose owner has been silent for longer than the lease is failed by whichever replica
 * looks next (at start and every few seconds) — never a job another live replica is running.
 * On the embedded database the import's transaction holds the only connection until it ends and
 * only one process opens the database, so progress lives in memory and every unfinished job
 * found at start died with the previous process.
 */
export class ImportJobs {
  readonly #live = new Map<string, JobView>()
  readonly #running = new Set<Promise<void>>()
  readonly #abort = new AbortController()
  /** This process, as the owner of the jobs it runs. */
  readonly instance = randomUUID()
  #sweeper: NodeJS.Timeout | undefined

  constructor(
    private readonly db: Db,
    private readonly spoolDir: string,
    private readonly log: FastifyBaseLogger,
    private readonly shared = false
  ) {}

  /**
   * Fails the jobs whose process died: on the embedded database every unfinished job (one
   * process), on PostgreSQL those whose lease lapsed. Their transactions were rolled back.
   */
  async recoverInterrupted() {
    let q = this.db
      .updateTable('import_jobs')
      .set({ state: 'failed', error: 'interrupted before it finished (its process stopped); nothing was written', rows_written: 0, finished_at: new Date() })
      .where('state', 'in', ['queued', 'running'])
    if (this.shared) {
      const lapsed = new Date(Date.now() - LEASE_MS)
      q = q.where((eb) => eb.or([eb('heartbeat_at', '<', lapsed), eb.and([eb('heartbeat_at', 'is', null), eb('created_at', '<', lapsed)])]))
    }
    await q.execute()
  }

  /** On PostgreSQL, looks for jobs of dead replicas every lease period (idempotent across replicas). */
  startSweeping() {
    if (!this.shared || this.#sweeper) return
    this.#sweeper = setInterval(() => {
      this.recoverInterrupted().catch((error) => this.log.warn({ err: error }, 'import job sweep failed'))
    }, LEASE_MS / 2)
    this.#sweeper.unref()
  }

  async start(spec: AnyImportSpec, body: Readable, options: { format: ImportFormat; dryRun: boolean; atomic: boolean; actor: Actor; limit: number }): Promise<JobView> {
    const row = await this.db
      .insertInto('import_jobs')
      .values({
        resource: spec.resource, state: 'queued', format: options.format, dry_run: options.dryRun, atomic: options.atomic, principal: options.actor.subject,
        owner: this.instance, heartbeat_at: new Date()
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    const view = this.#view(row)
    const file = join(this.spoolDir, `${row.id}.upload`)
    await mkdir(this.spoolDir, { recursive: true })
    let bytes = 0
    try {
      await pipeline(body, byteLimit(options.limit, (n) => (bytes = n)), createWriteStream(file, { mode: 0o600 }))
    } catch (error) {
      await rm(file, { force: true })
      await this.db.updateTable('import_jobs').set({ state: 'failed', error: 'the upload did not complete', finished_at: new Date() }).where('id', '=', row.id).execute()
      throw error
    }
    view.bytes = bytes
    this.#live.set(view.id, view)
    const run = this.#run(spec, view, file, options).finally(() => this.#running.delete(run))
    this.#running.add(run)
    return { ...view }
  }

  async #run(spec: AnyImportSpec, view: JobView, file: string, options: { format: ImportFormat; dryRun: boolean; atomic: boolean; actor: Actor }) {
    view.state = 'running'
    view.startedAt = new Date().toISOString()
    let result: ImportResult | null = null
    let error: string | null = null
    // The heartbeat goes through the pool beside the import's transaction (PostgreSQL only).
    const heartbeat = this.shared
      ? setInterval(() => {
          this.db
            .updateTable('import_jobs')
            .set({ heartbeat_at: new Date(), rows_read: view.rowsRead, rows_written: view.rowsWritten, rows_failed: view.rowsFailed })
            .where('id', '=', view.id)
            .where('owner', '=', this.instance)
            .execute()
            .catch((failure) => this.log.warn({ err: failure, job: view.id }, 'import job heartbeat failed'))
        }, HEARTBEAT_MS)
      : undefined
    try {
      await this.db.updateTable('import_jobs').set({ state: 'running', started_at: new Date(view.startedAt), bytes: view.bytes, heartbeat_at: new Date() }).where('id', '=', view.id).execute()
      const rows = readRows(createReadStream(file), options.format, spec.columns)
      result = await runImport(this.db, spec, rows, {
        ...options,
        signal: this.#abort.signal,
        onProgress: (counts: ImportCounts) => {
          view.rowsRead = counts.read
          view.rowsWritten = counts.created + counts.updated
          view.rowsFailed = counts.failed
        }
      })
    } catch (failure) {
      error = failure instanceof Error && 'status' in failure ? failure.message : 'the import failed unexpectedly; nothing was written'
      if (!(failure instanceof Error && 'status' in failure)) this.log.error({ err: failure, job: view.id }, 'import job failed')
    } finally {
      clearInterval(heartbeat)
    }
    const succeeded = result !== null && (result.committed || result.dryRun) && !(result.atomic && result.counts.failed > 0)
    view.state = succeeded ? 'succeeded' : 'failed'
    view.result = result
    view.error = error
    view.finishedAt = new Date().toISOString()
    if (result && !result.committed) view.rowsWritten = 0
    try {
      await this.db
        .updateTable('import_jobs')
        .set({
          state: view.state,
          rows_read: view.rowsRead,
          rows_written: view.rowsWritten,
          rows_failed: view.rowsFailed,
          result: result ? (JSON.stringify(result) as never) : null,
          error,
          finished_at: new Date(view.finishedAt)
        })
        .where('id', '=', view.id)
        .execute()
    } finally {
      this.#live.delete(view.id)
      await rm(file, { force: true })
    }
  }

  async get(id: string): Promise<JobView | undefined> {
    const live = this.#live.get(id)
    if (live) return { ...live }
    const row = await this.db.selectFrom('import_jobs').selectAll().where('id', '=', id).executeTakeFirst()
    return row ? this.#view(row) : undefined
  }

  /** Waits for running jobs; with `abort`, asks them to stop (they roll back) first. */
  async settle(abort: boolean) {
    clearInterval(this.#sweeper)
    if (abort) this.#abort.abort()
    await Promise.allSettled([...this.#running])
  }

  #view(row: {
    id: string
    resource: string
    state: JobView['state']
    format: string
    dry_run: boolean
    atomic: boolean
    principal: string
    bytes: number | null
    rows_read: number
    rows_written: number
    rows_failed: number
    result: unknown
    error: string | null
    created_at: Date | string
    started_at: Date | string | null
    finished_at: Date | string | null
  }): JobView {
    return {
      id: row.id,
      resource: row.resource,
      state: row.state,
      format: row.format,
      dryRun: row.dry_run,
      atomic: row.atomic,
      bytes: row.bytes === null ? null : Number(row.bytes),
      rowsRead: row.rows_read,
      rowsWritten: row.rows_written,
      rowsFailed: row.rows_failed,
      result: (row.result as ImportResult | null) ?? null,
      error: row.error,
      createdAt: iso(row.created_at)!,
      startedAt: iso(row.started_at),
      finishedAt: iso(row.finished_at),
      principal: row.principal
    }
  }
}

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

/**
 * Imports too large to answer in one request: the upload is spooled to a file, answered with
 * 202, and imported in the background. Progress of a running job lives in memory, because on
 * the embedded database the import's transaction holds the only connection until it ends.
 */
export class ImportJobs {
  readonly #live = new Map<string, JobView>()
  readonly #running = new Set<Promise<void>>()
  readonly #abort = new AbortController()

  constructor(
    private readonly db: Db,
    private readonly spoolDir: string,
    private readonly log: FastifyBaseLogger
  ) {}

  /** Jobs a previous process left unfinished failed with it; their transactions were rolled back. */
  async recoverInterrupted() {
    await this.db
      .updateTable('import_jobs')
      .set({ state: 'failed', error: 'interrupted by a restart before it finished; nothing was written', finished_at: new Date() })
      .where('state', 'in', ['queued', 'running'])
      .execute()
  }

  async start(spec: AnyImportSpec, body: Readable, options: { format: ImportFormat; dryRun: boolean; atomic: boolean; actor: Actor; limit: number }): Promise<JobView> {
    const row = await this.db
      .insertInto('import_jobs')
      .values({ resource: spec.resource, state: 'queued', format: options.format, dry_run: options.dryRun, atomic: options.atomic, principal: options.actor.subject })
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
    try {
      await this.db.updateTable('import_jobs').set({ state: 'running', started_at: new Date(view.startedAt), bytes: view.bytes }).where('id', '=', view.id).execute()
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

import { sql } from 'kysely'
import { Compile } from 'typebox/compile'
import { Value } from 'typebox/value'
import type { Db } from '../../db/database.js'
import { ChangeSet, type Actor } from '../changes.js'
import { fieldErrors, Problem, toProblem } from '../problems.js'
import type { ImportFormat, RawRow } from './readers.js'
import type { AnyImportSpec, ImportContext, ImportRow, RowFailure, RowResult } from './spec.js'

export interface ImportCounts {
  read: number
  created: number
  updated: number
  unchanged: number
  failed: number
}

export interface ImportResult {
  resource: string
  dryRun: boolean
  atomic: boolean
  /** True when the rows were written (false for a dry run or a refused atomic import). */
  committed: boolean
  counts: ImportCounts
  failures: RowFailure[]
}

export interface ImportOptions {
  format: ImportFormat
  dryRun: boolean
  atomic: boolean
  actor: Actor
  onProgress?: (counts: ImportCounts) => void
  signal?: AbortSignal
}

const BATCH = 500

class Rollback extends Error {}

type Validator = ReturnType<typeof Compile>
const validators = new WeakMap<object, Validator>()
function validatorFor(spec: AnyImportSpec): Validator {
  let v = validators.get(spec.rowSchema)
  if (!v) {
    v = Compile(spec.rowSchema)
    validators.set(spec.rowSchema, v)
  }
  return v
}

/**
 * Reads rows, validates each against the module's row schema, and hands valid ones to the module
 * in batches inside one transaction. Each batch runs under a savepoint: if the database refuses
 * it, the batch is replayed row by row to name the rows at fault. Atomic imports commit only if
 * no row failed; dry runs never commit but report exactly what would have happened.
 */
export async function runImport(db: Db, spec: AnyImportSpec, rows: AsyncIterable<RawRow>, options: ImportOptions): Promise<ImportResult> {
  const counts: ImportCounts = { read: 0, created: 0, updated: 0, unchanged: 0, failed: 0 }
  const failures: RowFailure[] = []
  const validator = validatorFor(spec)
  const seen = new Map<string, number>()
  let committed = false

  const fail = (failure: RowFailure) => {
    failures.push(failure)
    counts.failed++
  }

  const tally = (results: RowResult[], batch: ImportRow<{ externalId: string }>[]) => {
    results.forEach((result, i) => {
      if (result.outcome === 'failed') fail({ line: batch[i].line, externalId: batch[i].row.externalId, errors: result.errors })
      else counts[result.outcome]++
    })
  }

  try {
    await db.transaction().execute(async (trx) => {
      const changes = new ChangeSet(trx, options.actor)
      const context: ImportContext = { trx, changes, scratch: new Map() }

      const runBatch = async (batch: ImportRow<{ externalId: string }>[]) => {
        if (batch.length === 0) return
        if (options.signal?.aborted) throw new Problem(503, 'service-unavailable', 'the import was interrupted by a shutdown')
        await sql`savepoint import_batch`.execute(trx)
        const mark = changes.count
        try {
          tally(await spec.upsertBatch(batch, context), batch)
          await sql`release savepoint import_batch`.execute(trx)
        } catch (error) {
          await sql`rollback to savepoint import_batch`.execute(trx)
          changes.truncate(mark)
          for (const item of batch) {
            await sql`savepoint import_row`.execute(trx)
            const rowMark = changes.count
            try {
              tally(await spec.upsertBatch([item], context), [item])
              await sql`release savepoint import_row`.execute(trx)
            } catch (rowError) {
              await sql`rollback to savepoint import_row`.execute(trx)
              changes.truncate(rowMark)
              const problem = toProblem(rowError)
              if (problem.status >= 500) throw rowError
              fail({ line: item.line, externalId: item.row.externalId, errors: [{ in: 'row', pointer: '', detail: problem.detail ?? problem.slug }] })
            }
          }
        }
        await changes.spill()
        options.onProgress?.({ ...counts })
      }

      let batch: ImportRow<{ externalId: string }>[] = []
      for await (const raw of rows) {
        counts.read++
        if (raw.error || !raw.value) {
          fail({ line: raw.line, errors: [{ in: 'row', pointer: '', detail: raw.error ?? 'unreadable row' }] })
          continue
        }
        const value = options.format === 'csv' ? Value.Convert(spec.rowSchema, raw.value) : raw.value
        const externalId = typeof raw.value.externalId === 'string' ? raw.value.externalId : undefined
        if (!validator.Check(value)) {
          fail({ line: raw.line, externalId, errors: fieldErrors(validator.Errors(value), 'row') })
          continue
        }
        const row = value as { externalId: string }
        const earlier = seen.get(row.externalId)
        if (earlier !== undefined) {
          fail({ line: raw.line, externalId, errors: [{ in: 'row', pointer: '/externalId', detail: `duplicates line ${earlier}` }] })
          continue
        }
        seen.set(row.externalId, raw.line)
        batch.push({ line: raw.line, row })
        if (batch.length >= BATCH) {
          await runBatch(batch)
          batch = []
        }
      }
      await runBatch(batch)
      if (spec.finish) for (const f of await spec.finish(context)) fail(f)

      if (options.dryRun || (options.atomic && counts.failed > 0)) throw new Rollback()
      await changes.flush()
      committed = true
    })
  } catch (error) {
    if (!(error instanceof Rollback)) throw error
  }
  failures.sort((a, b) => a.line - b.line)
  options.onProgress?.({ ...counts })
  return { resource: spec.resource, dryRun: options.dryRun, atomic: options.atomic, committed, counts, failures }
}

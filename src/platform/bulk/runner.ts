import { once } from 'node:events'
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { sql } from 'kysely'
import { Type, type TSchema } from 'typebox'
import { Compile } from 'typebox/compile'
import { Value } from 'typebox/value'
import type { Db } from '../../db/database.js'
import { ChangeSet, type Actor, type Trx } from '../changes.js'
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

type JsonSchema = { type?: unknown; enum?: unknown[]; const?: unknown; anyOf?: JsonSchema[]; $ref?: string }
/** True when every string is already a value of this schema's type (text, an enum of texts, or either of those or null). */
function takesTextAsIs(schema: JsonSchema): boolean {
  if (schema.$ref) return false
  if (schema.anyOf) return schema.anyOf.every((s) => s.type === 'null' || takesTextAsIs(s))
  if (Array.isArray(schema.type)) return !schema.enum && schema.type.every((t) => t === 'string' || t === 'null')
  if (schema.enum) return schema.enum.every((v) => typeof v === 'string')
  if ('const' in schema) return typeof schema.const === 'string'
  return schema.type === 'string'
}

/**
 * CSV cells arrive as text; only the columns whose type is not text (numbers, booleans, lists)
 * are converted, one by one. Converting the whole row with `Value.Convert` walked the schema
 * for every cell and was a tenth of an import's CPU time.
 */
const converters = new WeakMap<object, (value: Record<string, unknown>) => unknown>()
const scalars: Record<string, () => TSchema> = { null: () => Type.Null(), integer: () => Type.Integer(), number: () => Type.Number(), boolean: () => Type.Boolean() }
/** What `Value.Convert` converts by: a type list (`['integer', 'null']`, see `Nullable`) as the union of its types. */
function conversionSchema(schema: JsonSchema): TSchema {
  if (!Array.isArray(schema.type)) return schema as TSchema
  return Type.Union(schema.type.map((t: string) => (scalars[t] ?? (() => Type.String()))()))
}
function csvConverterFor(spec: AnyImportSpec) {
  let convert = converters.get(spec.rowSchema)
  if (!convert) {
    const properties = (spec.rowSchema as unknown as { properties: Record<string, JsonSchema> }).properties
    const typed = Object.entries(properties).filter(([, schema]) => !takesTextAsIs(schema))
    const byField = (fields: Array<[string, JsonSchema]>) => {
      const schemas = fields.map(([name, schema]) => [name, conversionSchema(schema)] as const)
      return (value: Record<string, unknown>) => {
        for (const [name, schema] of schemas) if (name in value) value[name] = Value.Convert(schema, value[name])
        return value
      }
    }
    if (typed.some(([, schema]) => JSON.stringify(schema).includes('"$ref"'))) {
      // References need the whole row's context; type lists are then converted by their union.
      const lists = byField(typed.filter(([, schema]) => Array.isArray(schema.type)))
      convert = (value) => lists(Value.Convert(spec.rowSchema, value) as Record<string, unknown>)
    } else {
      convert = byField(typed)
    }
    converters.set(spec.rowSchema, convert)
  }
  return convert
}

/**
 * Valid rows of a non-atomic import, kept on disk (memory stays flat) so the file can be run
 * again without the rows `finish` refused.
 */
class RowStash {
  #out: WriteStream
  private constructor(readonly dir: string) {
    this.#out = createWriteStream(join(dir, 'rows.ndjson'), { mode: 0o600 })
  }

  static async open() {
    return new RowStash(await mkdtemp(join(tmpdir(), 'pathway-import-')))
  }

  async write(item: ImportRow<{ externalId: string }>) {
    if (!this.#out.write(JSON.stringify([item.line, item.row]) + '\n')) await once(this.#out, 'drain')
  }

  async close() {
    if (this.#out.writableFinished) return
    await new Promise<void>((resolve, reject) => this.#out.end((error?: Error | null) => (error ? reject(error) : resolve())))
  }

  async *rows(excluded: ReadonlyMap<number, unknown>): AsyncGenerator<ImportRow<{ externalId: string }>> {
    for await (const text of createInterface({ input: createReadStream(join(this.dir, 'rows.ndjson')), crlfDelay: Infinity })) {
      const [line, row] = JSON.parse(text) as [number, { externalId: string }]
      if (!excluded.has(line)) yield { line, row }
    }
  }

  async remove() {
    this.#out.destroy()
    await rm(this.dir, { recursive: true, force: true })
  }
}

interface Pass {
  changes: ChangeSet
  counts: Pick<ImportCounts, 'created' | 'updated' | 'unchanged'>
  /** Rows the module or the database refused while writing. */
  failures: RowFailure[]
  /** Rows `finish` refused after every row was in (their counts already taken back). */
  late: RowFailure[]
}

/**
 * Reads rows, validates each against the module's row schema, and hands valid ones to the module
 * in batches inside one transaction. Each batch runs under a savepoint: if the database refuses
 * it, the batch is replayed row by row to name the rows at fault. Atomic imports commit only if
 * no row failed; dry runs never commit but report exactly what would have happened.
 *
 * Some rows can only be refused once the whole file is in (a line manager who never appears, a
 * reporting loop), after they were written. A non-atomic import then rolls back and runs the
 * valid rows again without them, until no row is refused late, so it never commits a refused row.
 */
export async function runImport(db: Db, spec: AnyImportSpec, rows: AsyncIterable<RawRow>, options: ImportOptions): Promise<ImportResult> {
  const validator = validatorFor(spec)
  const convertCsv = csvConverterFor(spec)
  /** Unreadable, invalid and duplicate rows: the same in every pass. */
  const readFailures: RowFailure[] = []
  /** Rows refused late in an earlier pass, left out of the later ones. */
  const excluded = new Map<number, RowFailure>()
  let read = 0
  let committed = false
  let final: Pass | undefined
  const stash = options.atomic ? undefined : await RowStash.open()

  const countsOf = (pass: Pick<Pass, 'counts' | 'failures' | 'late'>): ImportCounts => ({
    read,
    ...pass.counts,
    failed: readFailures.length + excluded.size + pass.failures.length + pass.late.length
  })

  async function* validRows(): AsyncGenerator<ImportRow<{ externalId: string }>> {
    const seen = new Map<string, number>()
    for await (const raw of rows) {
      read++
      if (raw.error || !raw.value) {
        readFailures.push({ line: raw.line, errors: [{ in: 'row', pointer: '', detail: raw.error ?? 'unreadable row' }] })
        continue
      }
      const value = options.format === 'csv' ? convertCsv(raw.value) : raw.value
      const externalId = typeof raw.value.externalId === 'string' ? raw.value.externalId : undefined
      if (!validator.Check(value)) {
        readFailures.push({ line: raw.line, externalId, errors: fieldErrors(validator.Errors(value), 'row') })
        continue
      }
      const row = value as { externalId: string }
      const earlier = seen.get(row.externalId)
      if (earlier !== undefined) {
        readFailures.push({ line: raw.line, externalId, errors: [{ in: 'row', pointer: '/externalId', detail: `duplicates line ${earlier}` }] })
        continue
      }
      seen.set(row.externalId, raw.line)
      const item = { line: raw.line, row }
      await stash?.write(item)
      yield item
    }
    await stash?.close()
  }

  async function runPass(trx: Trx, source: AsyncIterable<ImportRow<{ externalId: string }>>): Promise<Pass> {
    const changes = new ChangeSet(trx, options.actor)
    const context: ImportContext = { trx, changes, scratch: new Map() }
    const pass: Pass = { changes, counts: { created: 0, updated: 0, unchanged: 0 }, failures: [], late: [] }
    await spec.prepare?.(context)

    const tally = (results: RowResult[], batch: ImportRow<{ externalId: string }>[]) => {
      results.forEach((result, i) => {
        if (result.outcome === 'failed') pass.failures.push({ line: batch[i].line, externalId: batch[i].row.externalId, errors: result.errors })
        else pass.counts[result.outcome]++
      })
    }

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
            pass.failures.push({ line: item.line, externalId: item.row.externalId, errors: [{ in: 'row', pointer: '', detail: problem.detail ?? problem.slug }] })
          }
        }
      }
      await changes.spill()
      options.onProgress?.(countsOf(pass))
    }

    // The next batch is read, parsed and validated while the database writes this one.
    const rowsIn = source[Symbol.asyncIterator]()
    const readBatch = async () => {
      const batch: ImportRow<{ externalId: string }>[] = []
      while (batch.length < BATCH) {
        const next = await rowsIn.next()
        if (next.done) break
        batch.push(next.value)
      }
      return batch
    }
    let ahead = readBatch()
    for (;;) {
      const batch = await ahead
      if (batch.length === 0) break
      ahead = readBatch()
      // A failed write abandons the read ahead: its failure (if any) is not the one to report.
      ahead.catch(() => {})
      await runBatch(batch)
    }

    // One failure per line, and a row written then refused is no longer counted as written.
    const late = new Map<number, RowFailure>()
    for (const { counted, ...failure } of spec.finish ? await spec.finish(context) : []) {
      const known = late.get(failure.line)
      if (known) {
        known.errors.push(...failure.errors)
        continue
      }
      if (counted) pass.counts[counted]--
      late.set(failure.line, failure)
    }
    pass.late = [...late.values()]
    return pass
  }

  try {
    await db.transaction().execute(async (trx) => {
      // Set-based statements over every row of the file: sorts and hashes in memory. (JIT is off
      // on every connection: see POSTGRES_SESSION_OPTIONS.)
      await sql`select set_config('work_mem', '64MB', true)`.execute(trx)
      if (stash) await sql`savepoint import_start`.execute(trx)
      let pass = await runPass(trx, validRows())
      while (stash && pass.late.length > 0) {
        for (const failure of pass.late) excluded.set(failure.line, failure)
        await sql`rollback to savepoint import_start`.execute(trx)
        pass = await runPass(trx, stash.rows(excluded))
      }
      final = pass
      const failed = countsOf(pass).failed
      if (options.dryRun || (options.atomic && failed > 0)) throw new Rollback()
      await pass.changes.flush()
      committed = true
    })
  } catch (error) {
    if (!(error instanceof Rollback)) throw error
  } finally {
    await stash?.remove()
  }
  const pass = final!
  const counts = countsOf(pass)
  const failures = [...readFailures, ...excluded.values(), ...pass.failures, ...pass.late].sort((a, b) => a.line - b.line)
  options.onProgress?.({ ...counts })
  return { resource: spec.resource, dryRun: options.dryRun, atomic: options.atomic, committed, counts, failures }
}

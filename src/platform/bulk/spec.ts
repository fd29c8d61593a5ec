import type { TObject } from 'typebox'
import type { ChangeSet, Trx } from '../changes.js'
import type { Db } from '../../db/database.js'
import type { FieldError } from '../problems.js'

export type Outcome = 'created' | 'updated' | 'unchanged'

export interface ImportRow<Row> {
  /** 1-based line of the file (CSV: the record's first line; JSON array: the element's position). */
  line: number
  row: Row
}

export type RowResult = { outcome: Outcome } | { outcome: 'failed'; errors: FieldError[] }

export interface RowFailure {
  line: number
  externalId?: string
  errors: FieldError[]
  /**
   * Only from `finish`: the outcome the row was already counted under (it was written, then
   * refused once the whole file was in). The runner takes that count back.
   */
  counted?: Outcome
}

export interface ImportContext {
  trx: Trx
  changes: ChangeSet
  /** Scratch space for the module across batches of one import (kept small: ids, not rows). */
  scratch: Map<string, unknown>
}

/**
 * What a module gives the platform to get `POST /v1/<resource>/import` and
 * `GET /v1/<resource>/export`. Rows are full representations keyed by externalId: a field
 * missing from a row is cleared, so importing the same file twice changes nothing.
 */
export interface ImportSpec<Row extends { externalId: string }> {
  /** Path segment: `people` gives /v1/people/import. */
  resource: string
  /** PascalCase plural for operationIds: importPeople, exportPeople. */
  operationName: string
  tag: string
  writeScope: string
  readScope: string
  /** Row schema with `$id` (a named component); CSV cells are converted to its types first. */
  rowSchema: TObject
  /** CSV columns, in export order; import accepts any order of the same names. */
  columns: string[]
  /** Before the first batch of a pass (temporary tables, settings), outside the batches' savepoints. */
  prepare?(context: ImportContext): Promise<void>
  /** Upserts one batch in order; a failure must not have written anything for that row. */
  upsertBatch(batch: ImportRow<Row>[], context: ImportContext): Promise<RowResult[]>
  /**
   * After the last batch: resolve references to rows later in the file and check the whole.
   * A row refused here may already be written; in a non-atomic import the runner then runs the
   * file again without it, so what is committed never includes a refused row.
   */
  finish?(context: ImportContext): Promise<RowFailure[]>
  /** Export, a page at a time in a stable order; `after` is the last row's position key. */
  exportPage(db: Db, after: string | null, limit: number): Promise<{ rows: Row[]; last: string | null }>
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyImportSpec = ImportSpec<any>

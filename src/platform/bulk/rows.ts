import { sql } from 'kysely'
import type { Trx } from '../changes.js'
import type { Database } from '../../db/types.js'
import type { FieldError } from '../problems.js'
import { sameValue } from '../patches.js'
import type { RowResult } from './spec.js'

/** Tables whose rows carry an `external_id`: the ones import files refer to. */
export type TableWithExternalId = { [K in keyof Database]: 'external_id' extends keyof Database[K] ? K : never }[keyof Database]

/**
 * `external_id = any($1)`: one array parameter, where `in (…)` made a parameter per value (500
 * to build, send and bind per batch).
 */
export const externalIdIn = (externalIds: readonly string[]) => sql<boolean>`external_id = any(${externalIds as string[]}::text[])`

/** The ids of the rows of `table` with these externalIds, in one query per batch. */
export async function idsByExternalId(trx: Trx, table: TableWithExternalId, externalIds: Array<string | null | undefined>): Promise<Map<string, string>> {
  const wanted = [...new Set(externalIds.filter((x): x is string => !!x))]
  if (wanted.length === 0) return new Map()
  const rows = (await (trx as Trx).selectFrom(table as 'people').select(['id', 'external_id']).where(externalIdIn(wanted)).execute())
  return new Map(rows.map((r) => [r.external_id as string, r.id]))
}

/** True when every column of `desired` already holds that value (compared as a PATCH compares them: `sameValue`). */
export function sameValues(current: Record<string, unknown>, desired: Record<string, unknown>): boolean {
  return Object.entries(desired).every(([k, v]) => sameValue(current[k], v))
}

export const failed = (errors: FieldError[]): RowResult => ({ outcome: 'failed', errors })
export const rowError = (pointer: string, detail: string): FieldError => ({ in: 'row', pointer, detail })

/** A list column's value: a JSON array, or a CSV cell with the items separated by `|`. */
export function listCell(value: string | string[] | null | undefined): string[] {
  if (value === null || value === undefined) return []
  const items = Array.isArray(value) ? value : value.split('|')
  return items.map((s) => s.trim()).filter((s) => s !== '')
}

/** Lists leave as one `|`-separated cell, so an export imports back as it is, in CSV and in JSON. */
export const joinList = (items: readonly string[]) => (items.length ? items.join('|') : null)

import type { FastifyReply, FastifyRequest } from 'fastify'
import { sql, type SelectQueryBuilder } from 'kysely'
import { Problem } from './problems.js'

/**
 * A sort a list allows: the columns of its keyset, in order, ending with a unique column so
 * every position is exact. All columns go the same direction, so one row comparison
 * `(a, b) > ($1, $2)` finds the next page at the cost of an index seek, whatever the page.
 */
export interface SortSpec<Row> {
  columns: string[]
  direction: 'asc' | 'desc'
  /** The keyset values of a row, in the order of `columns`: strings, numbers, Dates or null. */
  key(row: Row): unknown[]
}

export type SortAllowList<Row> = Record<string, SortSpec<Row>>

interface Cursor {
  s: string
  k: unknown[]
}

function encodeCursor(sort: string, key: unknown[]): string {
  const values = key.map((v) => (v instanceof Date ? v.toISOString() : v))
  return Buffer.from(JSON.stringify({ s: sort, k: values } satisfies Cursor)).toString('base64url')
}

const invalidCursor = () => new Problem(400, 'invalid-cursor', 'the cursor is not valid for this list and sort; start again without it')

function decodeCursor(cursor: string, sort: string, width: number): unknown[] {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Cursor
    if (parsed.s !== sort || !Array.isArray(parsed.k) || parsed.k.length !== width) throw new Error('mismatch')
    // Only what encodeCursor writes: a driver may fail on other types before the database can.
    if (parsed.k.some((v) => v !== null && typeof v !== 'string' && typeof v !== 'number')) throw new Error('bad value')
    return parsed.k
  } catch {
    throw invalidCursor()
  }
}

function isDataException(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code)
}

export interface PageRequest {
  limit?: number
  cursor?: string
  sort?: string
}

export interface Page<Row> {
  rows: Row[]
  nextCursor: string | null
}

export function sortNames(allowList: SortAllowList<unknown>): string[] {
  return Object.keys(allowList)
}

/** Runs `query` for one page. `query` must select every column the sort's key() reads. */
export async function keysetPage<DB, TB extends keyof DB, Row>(
  query: SelectQueryBuilder<DB, TB, Row>,
  allowList: SortAllowList<NoInfer<Row>>,
  request: PageRequest,
  defaultSort: string
): Promise<Page<Row>> {
  const sortName = request.sort ?? defaultSort
  const spec = allowList[sortName]
  if (!spec) throw new Problem(400, 'validation', `sort must be one of ${Object.keys(allowList).join(', ')}`)
  const limit = Math.min(Math.max(request.limit ?? 50, 1), 500)
  const columns = spec.columns.map((c) => sql.ref(c))
  let q = query
  if (request.cursor) {
    const values = decodeCursor(request.cursor, sortName, spec.columns.length)
    const op = spec.direction === 'asc' ? sql`>` : sql`<`
    q = q.where(({ eb }) => eb(sql`(${sql.join(columns)})`, op as never, sql`(${sql.join(values)})`) as never) as typeof q
  }
  for (const c of spec.columns) q = q.orderBy(sql.ref(c), spec.direction) as typeof q
  let rows: Row[]
  try {
    rows = await q.limit(limit + 1).execute()
  } catch (error) {
    // A decoded cursor can still hold values its columns cannot take (an edited cursor: a name
    // where a uuid goes). The other parameters passed the schema, so a data exception (SQLSTATE
    // class 22) is the cursor's fault, not a 422 about a field or a 500.
    if (request.cursor && isDataException(error)) throw invalidCursor()
    throw error
  }
  const more = rows.length > limit
  const page = more ? rows.slice(0, limit) : rows
  return { rows: page, nextCursor: more ? encodeCursor(sortName, spec.key(page[page.length - 1])) : null }
}

/** Sends `{ data, page }` with a `Link: rel="next"` header built from the request's own URL. */
export function sendPage<T>(request: FastifyRequest, reply: FastifyReply, data: T[], nextCursor: string | null) {
  if (nextCursor) {
    const url = new URL(request.url, 'http://placeholder')
    url.searchParams.set('cursor', nextCursor)
    reply.header('link', `<${url.pathname}${url.search}>; rel="next"`)
  }
  return { data, page: { nextCursor } }
}

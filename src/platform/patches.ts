/**
 * The one rule for a PATCH that changes nothing (an empty body, or every value as it already is):
 * it is not a change, so no new version, no audit record, no event, and the same ETag. Every
 * module's PATCH compares the columns it would set with this, and so do imports (`sameValues`).
 */

/** A value as compared: instants as ISO strings, objects with their keys sorted (jsonb reorders them). */
function canonical(value: unknown): unknown {
  if (value === undefined || value === null) return null
  if (value instanceof Date) return value.toISOString()
  if (Array.isArray(value)) return value.map(canonical)
  if (typeof value === 'object') {
    return Object.fromEntries(Object.keys(value as object).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]))
  }
  return value
}

/**
 * Whether a stored value and a wanted one are the same: by value (arrays, numbers, json), null and
 * undefined alike, and a Date the same as an ISO timestamp string naming the same instant.
 */
export function sameValue(current: unknown, wanted: unknown): boolean {
  if (current instanceof Date || wanted instanceof Date) {
    const a = current instanceof Date ? current.getTime() : typeof current === 'string' ? Date.parse(current) : NaN
    const b = wanted instanceof Date ? wanted.getTime() : typeof wanted === 'string' ? Date.parse(wanted) : NaN
    if (!Number.isNaN(a) && !Number.isNaN(b)) return a === b
  }
  return JSON.stringify(canonical(current)) === JSON.stringify(canonical(wanted))
}

/** The columns of `set` whose value differs from the row's; columns set to `undefined` are left out (absent from the patch). */
export function changedColumns<T extends object>(current: T, set: { [K in keyof T]?: unknown }): Partial<T> {
  const changed: Record<string, unknown> = {}
  for (const [column, value] of Object.entries(set)) {
    if (value === undefined) continue
    if (!sameValue((current as Record<string, unknown>)[column], value)) changed[column] = value
  }
  return changed as Partial<T>
}

/** True when setting `set` on `current` would change nothing. */
export const changesNothing = <T extends object>(current: T, set: { [K in keyof T]?: unknown }) => Object.keys(changedColumns(current, set)).length === 0

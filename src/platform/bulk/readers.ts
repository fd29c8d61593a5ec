import { createInterface } from 'node:readline'
import { Readable, Transform } from 'node:stream'
import { parse } from 'csv-parse'
import { Problem } from '../problems.js'

export type ImportFormat = 'ndjson' | 'csv' | 'json'

export interface RawRow {
  line: number
  /** A parsed object, or an error found before the row could be read as one. */
  value?: Record<string, unknown>
  error?: string
}

export function formatOf(contentType: string | undefined): ImportFormat | undefined {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase()
  if (type === 'text/csv') return 'csv'
  if (type === 'application/x-ndjson' || type === 'application/ndjson' || type === 'application/jsonl') return 'ndjson'
  if (type === 'application/json') return 'json'
  return undefined
}

/** Counts bytes as they pass and refuses past the limit, so an oversized upload stops early. */
export function byteLimit(limit: number, onBytes?: (total: number) => void) {
  let total = 0
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      total += chunk.length
      onBytes?.(total)
      if (total > limit) callback(new Problem(413, 'payload-too-large', `the file exceeds ${limit} bytes`))
      else callback(null, chunk)
    }
  })
}

async function* ndjsonRows(input: Readable): AsyncGenerator<RawRow> {
  const lines = createInterface({ input, crlfDelay: Infinity })
  let line = 0
  for await (const text of lines) {
    line++
    if (text.trim() === '') continue
    try {
      const value = JSON.parse(text)
      if (value === null || typeof value !== 'object' || Array.isArray(value)) yield { line, error: 'each line must be a JSON object' }
      else yield { line, value }
    } catch {
      yield { line, error: 'the line is not valid JSON' }
    }
  }
}

async function* csvRows(input: Readable, columns: string[]): AsyncGenerator<RawRow> {
  const parser = input.pipe(
    parse({ bom: true, columns: true, skip_empty_lines: true, trim: true, info: true, relax_column_count: false })
  )
  let checked = false
  try {
    for await (const record of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      if (!checked) {
        const unknown = Object.keys(record.record).filter((c) => !columns.includes(c))
        if (unknown.length) {
          throw new Problem(400, 'validation', `unknown CSV columns: ${unknown.join(', ')}; expected some of ${columns.join(', ')}`)
        }
        checked = true
      }
      // An empty cell means "no value": the row is a full representation, so the field is cleared.
      const value: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(record.record)) if (v !== '') value[k] = v
      yield { line: record.info.lines, value }
    }
  } catch (error) {
    if (error instanceof Problem) throw error
    const message = (error as Error).message ?? 'the CSV is malformed'
    throw new Problem(400, 'malformed-body', `the CSV could not be read: ${message}`)
  }
}

async function* jsonArrayRows(input: Readable, limit: number): AsyncGenerator<RawRow> {
  // A JSON array is read whole (within the import size limit); NDJSON and CSV stream.
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of input) {
    size += chunk.length
    if (size > limit) throw new Problem(413, 'payload-too-large', `a JSON array import is limited to ${limit} bytes; send NDJSON or CSV for larger files`)
    chunks.push(chunk)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    throw new Problem(400, 'malformed-body', 'the body is not valid JSON')
  }
  if (!Array.isArray(parsed)) throw new Problem(400, 'malformed-body', 'a JSON import must be an array of objects')
  for (let i = 0; i < parsed.length; i++) {
    const value = parsed[i]
    if (value === null || typeof value !== 'object' || Array.isArray(value)) yield { line: i + 1, error: 'each element must be an object' }
    else yield { line: i + 1, value }
  }
}

export const JSON_ARRAY_LIMIT = 32 * 1_048_576

export function readRows(input: Readable, format: ImportFormat, columns: string[]): AsyncGenerator<RawRow> {
  switch (format) {
    case 'ndjson':
      return ndjsonRows(input)
    case 'csv':
      return csvRows(input, columns)
    case 'json':
      return jsonArrayRows(input, JSON_ARRAY_LIMIT)
  }
}

export { Readable }

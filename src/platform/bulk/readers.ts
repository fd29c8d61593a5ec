import { createInterface } from 'node:readline'
import { pipeline, Readable, Transform } from 'node:stream'
import { parse } from 'csv-parse'
import { Problem } from '../problems.js'
import { restoreCell } from './csv-cells.js'

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

/**
 * Turns CRLF into LF before the CSV parser sees it: csv-parse counts a CRLF inside a quoted field
 * or a blank line as two lines, so line numbers in failures drifted for files saved on Windows.
 * CR and LF are single bytes in UTF-8, so working on raw bytes is safe.
 */
function crlfToLf() {
  let heldCr = false
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (chunk.length === 0) return callback()
      const out = Buffer.allocUnsafe(chunk.length + 1)
      let n = 0
      if (heldCr && chunk[0] !== 0x0a) out[n++] = 0x0d
      heldCr = false
      for (let i = 0; i < chunk.length; i++) {
        const byte = chunk[i]
        if (byte === 0x0d) {
          if (i + 1 === chunk.length) heldCr = true
          else if (chunk[i + 1] !== 0x0a) out[n++] = byte
        } else {
          out[n++] = byte
        }
      }
      callback(null, out.subarray(0, n))
    },
    flush(callback) {
      callback(null, heldCr ? Buffer.from([0x0d]) : null)
    }
  })
}

async function* csvRows(input: Readable, columns: string[]): AsyncGenerator<RawRow> {
  // pipeline, not pipe: an error upstream (the size limit) must end the parse, not go uncaught.
  const parser = pipeline(
    input,
    crlfToLf(),
    parse({ bom: true, columns: false, relax_column_count: true, skip_empty_lines: false, trim: true, info: true }),
    () => {}
  )
  let header: string[] | undefined
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      // Blank (or whitespace-only) lines are skipped but still counted.
      if (record.every((cell) => cell === '')) continue
      // csv-parse reports the line a record ends on; failures name the line it starts on.
      const line = info.lines - record.reduce((n, cell) => n + (cell.match(/\n|\r/g)?.length ?? 0), 0)
      if (!header) {
        const unknown = record.filter((c) => !columns.includes(c))
        if (unknown.length) {
          throw new Problem(400, 'validation', `unknown CSV columns: ${unknown.join(', ')}; expected some of ${columns.join(', ')}`)
        }
        const repeated = record.filter((c, i) => record.indexOf(c) !== i)
        if (repeated.length) throw new Problem(400, 'validation', `CSV columns named twice: ${[...new Set(repeated)].join(', ')}`)
        header = record
        continue
      }
      if (record.length !== header.length) {
        yield { line, error: `the record has ${record.length} fields; the header has ${header.length}` }
        continue
      }
      // An empty cell means "no value": the row is a full representation, so the field is cleared.
      const value: Record<string, unknown> = {}
      header.forEach((column, i) => {
        if (record[i] !== '') value[column] = restoreCell(record[i])
      })
      yield { line, value }
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

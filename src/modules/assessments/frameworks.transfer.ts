import { randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'
import { sql } from 'kysely'
import { stringify } from 'csv-stringify/sync'
import { Type, type Static } from 'typebox'
import { Compile } from 'typebox/compile'
import type { Db } from '../../db/database.js'
import { neutraliseCell } from '../../platform/bulk/csv-cells.js'
import { readRows } from '../../platform/bulk/readers.js'
import type { RowFailure } from '../../platform/bulk/spec.js'
import type { ChangeSet } from '../../platform/changes.js'
import { defineProblem, fieldErrors, Problem, type FieldError } from '../../platform/problems.js'
import {
  cleanText,
  findFramework,
  frameworkElements,
  frameworkView,
  insertElements,
  nextVersionNumber,
  type FrameworkView
} from './frameworks.repository.js'
import { Code, ELEMENT_KINDS, FRAMEWORK_KINDS, POLARITIES, type FrameworkDocument } from './frameworks.schemas.js'
import { childrenOf } from './frameworks.tree.js'
import type { ElementKind, FrameworkKind, Polarity } from './tables.js'

defineProblem('framework-invalid', {
  status: 422,
  title: 'Framework document is invalid',
  description:
    'The framework document breaks a rule its schema cannot express (an element code used twice, a tree deeper than 20 levels, more than 2,000 elements); nothing was written. `errors` points at each place in the document. CSV files are refused as `import-rejected`, by line.'
})

export type FrameworkDocumentValue = Static<typeof FrameworkDocument>

/** An element of a document, normalised: every field present, children in order. */
export interface DocumentNode {
  code: string
  kind: ElementKind
  title: string
  description: string | null
  polarity: Polarity
  children: DocumentNode[]
}

export interface NormalisedDocument {
  code: string
  name: string
  kind: FrameworkKind
  versionNumber: number | null
  description: string | null
  elements: DocumentNode[]
}

const MAX_ELEMENTS = 2000
const MAX_DEPTH = 20

export const CSV_COLUMNS = ['record', 'code', 'parentCode', 'kind', 'title', 'description', 'polarity', 'versionNumber']

// ---- Export -------------------------------------------------------------------------------------

/** A framework version as its portable document: no ids; order is position. */
export async function exportDocument(db: Db, id: string): Promise<FrameworkDocumentValue & { versionNumber: number; description: string | null }> {
  const framework = await findFramework(db, id)
  const children = childrenOf(await frameworkElements(db, id))
  type Node = { code: string; kind: ElementKind; title: string; description: string | null; polarity: Polarity; children: Node[] }
  const nodesUnder = (parent: string | null): Node[] =>
    (children.get(parent) ?? []).map((e) => ({ code: e.code, kind: e.kind, title: e.title, description: e.description, polarity: e.polarity, children: nodesUnder(e.id) }))
  return {
    code: framework.code,
    name: framework.name,
    kind: framework.kind,
    versionNumber: framework.version_number,
    description: framework.description,
    elements: nodesUnder(null)
  }
}

/** The document as CSV: a `framework` record, then one `element` record per element in tree order, each naming its parent's code. */
export function documentToCsv(document: Awaited<ReturnType<typeof exportDocument>>): string {
  const records: Array<Array<string | number | null>> = [
    ['framework', document.code, null, document.kind, document.name, document.description, null, document.versionNumber]
  ]
  const walk = (nodes: DocumentNode[], parent: string | null) => {
    for (const n of nodes) {
      records.push(['element', n.code, parent, n.kind, n.title, n.description, n.polarity, null])
      walk(n.children, n.code)
    }
  }
  walk(document.elements as DocumentNode[], null)
  return stringify(records.map((r) => r.map((cell) => (typeof cell === 'string' ? neutraliseCell(cell) : cell))), { header: true, columns: CSV_COLUMNS })
}

// ---- Import: JSON -------------------------------------------------------------------------------

/** Rules across the document (the schema has checked each field): unique codes, depth, size. */
export function normaliseJson(input: FrameworkDocumentValue): NormalisedDocument {
  const errors: FieldError[] = []
  const seen = new Map<string, string>()
  let count = 0
  type Input = { code: string; kind: string; title: string; description?: string | null; polarity?: string; children?: Input[] }
  const walk = (nodes: Input[], pointer: string, depth: number): DocumentNode[] =>
    nodes.map((n, i) => {
      const at = `${pointer}/${i}`
      count++
      const first = seen.get(n.code)
      if (first) errors.push({ in: 'body', pointer: `${at}/code`, detail: `code ${n.code} is already used at ${first}` })
      else seen.set(n.code, at)
      if (depth > MAX_DEPTH && n.children?.length) errors.push({ in: 'body', pointer: `${at}/children`, detail: `the tree may be at most ${MAX_DEPTH} levels deep` })
      return {
        code: n.code,
        kind: n.kind as ElementKind,
        title: cleanText(n.title),
        description: cleanText(n.description) ?? null,
        polarity: (n.polarity ?? 'positive') as Polarity,
        children: depth > MAX_DEPTH ? [] : walk(n.children ?? [], `${at}/children`, depth + 1)
      }
    })
  const elements = walk(input.elements as Input[], '/elements', 1)
  if (count > MAX_ELEMENTS) errors.push({ in: 'body', pointer: '/elements', detail: `a framework holds at most ${MAX_ELEMENTS} elements; this one has ${count}` })
  if (errors.length) throw new Problem(422, 'framework-invalid', errors.map((e) => `${e.pointer} ${e.detail}`).join('; '), { errors })
  return {
    code: input.code,
    name: cleanText(input.name),
    kind: input.kind as FrameworkKind,
    versionNumber: input.versionNumber ?? null,
    description: cleanText(input.description) ?? null,
    elements
  }
}

// ---- Import: CSV --------------------------------------------------------------------------------

const CsvRecord = Type.Object(
  {
    record: Type.Enum(['framework', 'element'] as const),
    code: Code,
    parentCode: Type.Optional(Code),
    kind: Type.String(),
    title: Type.String({ minLength: 1, maxLength: 1000 }),
    description: Type.Optional(Type.String({ minLength: 1, maxLength: 4000 })),
    polarity: Type.Optional(Type.Enum(POLARITIES)),
    versionNumber: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,4}$' }))
  },
  { additionalProperties: false }
)
const checkRecord = Compile(CsvRecord)

const rowError = (pointer: string, detail: string): FieldError => ({ in: 'row', pointer, detail })

/**
 * A framework from CSV: the first record is the framework (`record=framework`: code, kind, title
 * as its name, description, versionNumber), then its elements in order, each after its parent.
 * Every bad line is reported, by line number; nothing is written unless all are good.
 */
export async function normaliseCsv(text: string): Promise<NormalisedDocument> {
  const failures: RowFailure[] = []
  const fail = (line: number, errors: FieldError[]) => failures.push({ line, errors })
  let header: NormalisedDocument | undefined
  const nodes = new Map<string, DocumentNode>()
  const top: DocumentNode[] = []
  let read = 0
  for await (const raw of readRows(Readable.from([Buffer.from(text, 'utf8')]), 'csv', CSV_COLUMNS)) {
    read++
    if (raw.error || !raw.value) {
      fail(raw.line, [rowError('', raw.error ?? 'the record cannot be read')])
      continue
    }
    // readRows has already taken off the quote the export put before formula-like cells (platform csv-cells).
    const value = raw.value
    const errors = checkRecord.Check(value) ? [] : fieldErrors([...checkRecord.Errors(value)], 'row')
    const record = value as Static<typeof CsvRecord>
    if (record.record === 'framework') {
      if (!(FRAMEWORK_KINDS as readonly string[]).includes(record.kind)) errors.push(rowError('/kind', `must be one of ${FRAMEWORK_KINDS.join(', ')}`))
      if (record.parentCode !== undefined) errors.push(rowError('/parentCode', 'the framework record has no parent'))
      if (record.polarity !== undefined) errors.push(rowError('/polarity', 'the framework record has no polarity'))
      if (read > 1) errors.push(rowError('/record', 'the framework record comes once, first'))
      if (errors.length) fail(raw.line, errors)
      else {
        header = {
          code: record.code,
          name: cleanText(record.title),
          kind: record.kind as FrameworkKind,
          versionNumber: record.versionNumber ? Number(record.versionNumber) : null,
          description: cleanText(record.description) ?? null,
          elements: top
        }
      }
      continue
    }
    if (record.record === 'element') {
      if (!header && read === 1) errors.push(rowError('/record', 'the first record must be the framework (record=framework)'))
      if (!(ELEMENT_KINDS as readonly string[]).includes(record.kind)) errors.push(rowError('/kind', `must be one of ${ELEMENT_KINDS.join(', ')}`))
      if (record.versionNumber !== undefined) errors.push(rowError('/versionNumber', 'only the framework record has a version number'))
      if (record.code && nodes.has(record.code)) errors.push(rowError('/code', `code ${record.code} is already used on an earlier line`))
      const parent = record.parentCode ? nodes.get(record.parentCode) : undefined
      if (record.parentCode && !parent) errors.push(rowError('/parentCode', `no element with code ${record.parentCode} on an earlier line`))
      if (nodes.size >= MAX_ELEMENTS) errors.push(rowError('', `a framework holds at most ${MAX_ELEMENTS} elements`))
      if (errors.length) {
        fail(raw.line, errors)
        continue
      }
      const node: DocumentNode = {
        code: record.code,
        kind: record.kind as ElementKind,
        title: cleanText(record.title),
        description: cleanText(record.description) ?? null,
        polarity: (record.polarity ?? 'positive') as Polarity,
        children: []
      }
      nodes.set(node.code, node)
      ;(parent ? parent.children : top).push(node)
      continue
    }
    fail(raw.line, errors)
  }
  if (!header && failures.length === 0) fail(1, [rowError('/record', 'the file has no framework record')])
  if (failures.length || !header) {
    throw new Problem(422, 'import-rejected', `${failures.length} of ${read} records failed; nothing was written`, {
      extensions: { failures }
    })
  }
  return header
}

// ---- Import: write ------------------------------------------------------------------------------

/**
 * Writes a document as a new draft. Left without a version number, it becomes the next version of
 * its code. Elements whose code matches one of the newest existing version of the code share its
 * lineage (an edited export comes back as the same elements); the others start their own.
 */
export async function importDocument(changes: ChangeSet, document: NormalisedDocument, format: 'json' | 'csv'): Promise<FrameworkView> {
  await sql`select pg_advisory_xact_lock(hashtext(${`framework:${document.code}`}))`.execute(changes.trx)
  const versionNumber = document.versionNumber ?? (await nextVersionNumber(changes.trx, document.code))
  const taken = await changes.trx.selectFrom('frameworks').select('id').where('code', '=', document.code).where('version_number', '=', versionNumber).executeTakeFirst()
  if (taken) throw new Problem(409, 'conflict', `framework ${document.code} already has version ${versionNumber}; leave versionNumber out to import the next version`)
  const previous = await changes.trx
    .selectFrom('frameworks')
    .select('id')
    .where('code', '=', document.code)
    .where('version_number', '<', versionNumber)
    .orderBy('version_number', 'desc')
    .limit(1)
    .executeTakeFirst()
  const lineages = new Map(
    previous ? (await changes.trx.selectFrom('framework_elements').select(['code', 'lineage_id']).where('framework_id', '=', previous.id).execute()).map((e) => [e.code, e.lineage_id]) : []
  )
  const frameworkId = randomUUID()
  await changes.trx
    .insertInto('frameworks')
    .values({
      id: frameworkId,
      code: document.code,
      version_number: versionNumber,
      name: document.name,
      kind: document.kind,
      description: document.description,
      based_on_id: previous?.id ?? null
    })
    .execute()
  const rows: Parameters<typeof insertElements>[1] = []
  const walk = (nodes: DocumentNode[], parentId: string | null) =>
    nodes.forEach((n, position) => {
      const id = randomUUID()
      rows.push({
        id,
        framework_id: frameworkId,
        parent_id: parentId,
        lineage_id: lineages.get(n.code) ?? id,
        kind: n.kind,
        code: n.code,
        title: n.title,
        description: n.description,
        polarity: n.polarity,
        position
      })
      walk(n.children, id)
    })
  walk(document.elements, null)
  await insertElements(changes, rows)
  const view = await frameworkView(changes.trx, frameworkId)
  changes.record({ action: 'framework.created', entityType: 'framework', entityId: frameworkId, after: { ...view, importedFrom: format } })
  return view
}

import { randomUUID } from 'node:crypto'
import { sql, type Insertable, type Selectable } from 'kysely'
import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import type { ChangeSet } from '../../platform/changes.js'
import { assertCurrentVersion, type IfMatch } from '../../platform/concurrency.js'
import { keysetPage, type Page, type SortAllowList } from '../../platform/pagination.js'
import { defineProblem, describeConstraint, notFound, Problem } from '../../platform/problems.js'
import { changesNothing } from '../../platform/patches.js'
import type { Framework, FrameworkCreate, FrameworkListQuery, FrameworkUpdate, FrameworkVersionCreate } from './frameworks.schemas.js'
import { inTreeOrder, unsoundness } from './frameworks.tree.js'
import { assertTransition, type TransitionTable } from '../programmes/transitions.js'
import type { FrameworkElementsTable, FrameworkKind, FrameworksTable, FrameworkStatus } from './tables.js'

/*
 * Frameworks and the helpers other modules use (the 360° feedback module, development plans,
 * programmes). Keep the exported names stable: frameworkElements, findFramework,
 * assertPublishedFramework, latestPublishedFramework, missingFrameworkElements.
 */

export type FrameworkRow = Selectable<FrameworksTable>
export type FrameworkElementRow = Selectable<FrameworkElementsTable>
export type FrameworkView = Static<typeof Framework>

defineProblem('framework-frozen', {
  status: 409,
  title: 'Framework version is frozen',
  description:
    'A published or retired framework version never changes, nor do its elements. Create the next version (`POST /v1/frameworks/{id}/versions`), a draft copied from it, and change that.'
})
defineProblem('framework-unsound', {
  status: 409,
  title: 'Framework tree is not sound',
  description:
    'Publishing checks the tree: at least one behaviour indicator; behaviours under a competency or value; competencies and values at the top level or under a cluster; clusters at the top level; every cluster, competency and value with something under it; only behaviours negative; no competencies in a values framework nor values in a competency framework. `errors` points at each element at fault (`/elements/<code>`).'
})
/** Also the 360° feedback module's answer to an assessment on a draft or retired version: one kind, defined once. */
export const FRAMEWORK_NOT_PUBLISHED = defineProblem('framework-not-published', {
  status: 409,
  title: 'Framework version not published',
  description:
    'Only a published framework version can be used for this, such as a 360° assessment (a draft may still change; a retired one is no longer in use): publish the draft first, or pick a version that is not retired.'
})
describeConstraint('frameworks_code_version', 'this framework code already has a version with that number')
describeConstraint('framework_elements_code', 'the framework already has an element with this code')
describeConstraint('frameworks_based_on_id_fkey', 'another framework version was copied from this one')

const iso = (t: Date | string) => new Date(t).toISOString()

export const toFramework = (r: FrameworkRow & { element_count: number }): FrameworkView => ({
  id: r.id,
  code: r.code,
  versionNumber: r.version_number,
  name: r.name,
  kind: r.kind,
  description: r.description,
  status: r.status,
  basedOnId: r.based_on_id,
  publishedAt: r.published_at ? iso(r.published_at) : null,
  elementCount: Number(r.element_count),
  version: r.version,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at)
})

/** Stored text is trimmed with LF line ends, so a CSV export (whose reader trims cells) imports back the same. */
export const cleanText = <T extends string | null | undefined>(text: T): T =>
  (typeof text === 'string' ? text.replace(/\r\n?/g, '\n').trim() : text) as T

const elementCount = sql<number>`(select count(*) from framework_elements e where e.framework_id = frameworks.id)`.as('element_count')

// ---- For other modules --------------------------------------------------------------------------

/** A framework version, 404 if there is none. */
export async function findFramework(db: Db, id: string): Promise<FrameworkRow> {
  const row = await db.selectFrom('frameworks').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) throw notFound('framework', id)
  return row
}

/** The elements of a framework version in tree order: depth first, parents before children, siblings by position. */
export async function frameworkElements(db: Db, frameworkId: string): Promise<FrameworkElementRow[]> {
  return inTreeOrder(await db.selectFrom('framework_elements').selectAll().where('framework_id', '=', frameworkId).execute())
}

/** The framework version, if it is published: 404 when missing, 409 `framework-not-published` otherwise. */
export async function assertPublishedFramework(db: Db, id: string): Promise<FrameworkRow> {
  const framework = await findFramework(db, id)
  if (framework.status !== 'published') {
    throw new Problem(409, FRAMEWORK_NOT_PUBLISHED, `framework ${framework.code} version ${framework.version_number} is ${framework.status}, not published`)
  }
  return framework
}

/** The newest published version of a framework code, if any. */
export async function latestPublishedFramework(db: Db, code: string): Promise<FrameworkRow | undefined> {
  return db
    .selectFrom('frameworks')
    .selectAll()
    .where('code', '=', code)
    .where('status', '=', 'published')
    .orderBy('version_number', 'desc')
    .limit(1)
    .executeTakeFirst()
}

/** Of `ids`, those that are no framework element (of `frameworkId`, when given). */
export async function missingFrameworkElements(db: Db, ids: readonly string[], frameworkId?: string): Promise<string[]> {
  const wanted = [...new Set(ids.map((id) => id.toLowerCase()))]
  if (wanted.length === 0) return []
  let q = db.selectFrom('framework_elements').select('id').where('id', 'in', wanted)
  if (frameworkId) q = q.where('framework_id', '=', frameworkId)
  const found = new Set((await q.execute()).map((r) => r.id))
  return ids.filter((id) => !found.has(id.toLowerCase()))
}

// ---- Reads --------------------------------------------------------------------------------------

export async function frameworkView(db: Db, id: string): Promise<FrameworkView> {
  const row = await db.selectFrom('frameworks').selectAll().select(elementCount).where('id', '=', id).executeTakeFirst()
  if (!row) throw notFound('framework', id)
  return toFramework(row)
}

type ListRow = FrameworkRow & { element_count: number }
const sorts: SortAllowList<ListRow> = {
  code: { columns: ['frameworks.code', 'frameworks.version_number', 'frameworks.id'], direction: 'asc', key: (r) => [r.code, r.version_number, r.id] },
  name: { columns: ['frameworks.name', 'frameworks.id'], direction: 'asc', key: (r) => [r.name, r.id] },
  createdAt: { columns: ['frameworks.created_at', 'frameworks.id'], direction: 'asc', key: (r) => [r.created_at, r.id] }
}

export async function listFrameworks(db: Db, q: Static<typeof FrameworkListQuery>): Promise<Page<ListRow>> {
  let query = db.selectFrom('frameworks').selectAll('frameworks').select(elementCount)
  if (q.code) query = query.where('frameworks.code', '=', q.code)
  if (q.kind) query = query.where('frameworks.kind', '=', q.kind as FrameworkKind)
  if (q.status) query = query.where('frameworks.status', '=', q.status as FrameworkStatus)
  if (q.latestPublished) {
    query = query
      .where('frameworks.status', '=', 'published')
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('frameworks as newer')
              .select('newer.id')
              .whereRef('newer.code', '=', 'frameworks.code')
              .where('newer.status', '=', 'published')
              .whereRef('newer.version_number', '>', 'frameworks.version_number')
          )
        )
      )
  }
  return keysetPage(query, sorts, q, 'code')
}

// ---- Changes ------------------------------------------------------------------------------------

const frozen = (f: FrameworkRow) =>
  new Problem(409, 'framework-frozen', `framework ${f.code} version ${f.version_number} is ${f.status} and cannot change; create the next version with POST /v1/frameworks/${f.id}/versions`)

/** Locks the framework for the rest of the transaction and checks If-Match. */
export async function lockFramework(changes: ChangeSet, id: string, expected?: IfMatch): Promise<FrameworkRow> {
  const current = await changes.trx.selectFrom('frameworks').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
  if (!current) throw notFound('framework', id)
  assertCurrentVersion(expected, current.version)
  return current
}

/** Locks a draft: every change to a framework or its elements goes through here, so a published one is refused. */
export async function lockDraft(changes: ChangeSet, id: string, expected?: IfMatch): Promise<FrameworkRow> {
  const current = await lockFramework(changes, id, expected)
  if (current.status !== 'draft') throw frozen(current)
  return current
}

/** An element change is a change of its framework version too: its ETag moves, so a publish under If-Match publishes what was reviewed. */
export async function touchFramework(changes: ChangeSet, framework: FrameworkRow): Promise<void> {
  await changes.trx.updateTable('frameworks').set({ version: framework.version + 1, updated_at: new Date() }).where('id', '=', framework.id).execute()
}

export async function createFramework(changes: ChangeSet, input: Static<typeof FrameworkCreate>): Promise<FrameworkView> {
  const existing = await changes.trx.selectFrom('frameworks').select('id').where('code', '=', input.code).limit(1).executeTakeFirst()
  if (existing) {
    throw new Problem(409, 'conflict', `framework code ${input.code} exists; create its next version with POST /v1/frameworks/{id}/versions`)
  }
  const row = await changes.trx
    .insertInto('frameworks')
    .values({ code: input.code, version_number: 1, name: cleanText(input.name), kind: input.kind as FrameworkKind, description: cleanText(input.description) ?? null })
    .returning('id')
    .executeTakeFirstOrThrow()
  const view = await frameworkView(changes.trx, row.id)
  changes.record({ action: 'framework.created', entityType: 'framework', entityId: row.id, after: view })
  return view
}

export async function updateFramework(changes: ChangeSet, id: string, patch: Static<typeof FrameworkUpdate>, expected?: IfMatch): Promise<FrameworkView> {
  const current = await lockDraft(changes, id, expected)
  const before = await frameworkView(changes.trx, id)
  const set: Partial<Insertable<FrameworksTable>> = {}
  if (patch.name !== undefined) set.name = cleanText(patch.name)
  if (patch.kind !== undefined) set.kind = patch.kind as FrameworkKind
  if (patch.description !== undefined) set.description = cleanText(patch.description)
  // A patch that changes nothing keeps the version (and ETag) and records nothing.
  if (changesNothing(current, set)) return before
  await changes.trx.updateTable('frameworks').set({ ...set, version: current.version + 1, updated_at: new Date() }).where('id', '=', id).execute()
  const view = await frameworkView(changes.trx, id)
  changes.record({ action: 'framework.updated', entityType: 'framework', entityId: id, before, after: view })
  return view
}

/** A draft may be thrown away with its elements; a published version stays (retire it). */
export async function deleteFramework(changes: ChangeSet, id: string, expected?: IfMatch): Promise<void> {
  await lockDraft(changes, id, expected)
  const before = await frameworkView(changes.trx, id)
  const ids = (await changes.trx.selectFrom('framework_elements').select('id').where('framework_id', '=', id).execute()).map((r) => r.id)
  await assertElementsUnreferenced(changes, ids)
  await changes.trx.deleteFrom('frameworks').where('id', '=', id).execute()
  changes.record({ action: 'framework.deleted', entityType: 'framework', entityId: id, before, event: { id, code: before.code, versionNumber: before.versionNumber } })
}

/** Programmes link framework elements by id (no foreign key in an array): deleting a linked element is refused. */
export async function assertElementsUnreferenced(changes: ChangeSet, elementIds: readonly string[]): Promise<void> {
  if (elementIds.length === 0) return
  const linked = await changes.trx
    .selectFrom('programmes')
    .select('code')
    .where(sql<boolean>`framework_element_ids && ${sql.val(elementIds)}::uuid[]`)
    .limit(5)
    .execute()
  if (linked.length) {
    throw new Problem(409, 'still-referenced', `programmes link these framework elements: ${linked.map((p) => p.code).join(', ')}; unlink them first`)
  }
}

export const FRAMEWORK_MOVES: TransitionTable<FrameworkStatus> = { draft: ['published'], published: ['retired'], retired: [] }

export async function transitionFramework(changes: ChangeSet, id: string, to: 'published' | 'retired', reason: string | null, expected?: IfMatch): Promise<FrameworkView> {
  const current = await lockFramework(changes, id, expected)
  assertTransition(FRAMEWORK_MOVES, current.status, to, 'framework version')
  if (to === 'published') {
    const elements = await changes.trx.selectFrom('framework_elements').selectAll().where('framework_id', '=', id).execute()
    const errors = unsoundness(current.kind, elements)
    if (errors.length) {
      throw new Problem(409, 'framework-unsound', `the tree cannot be published: ${errors.map((e) => `${e.pointer.slice(1)}: ${e.detail}`).join('; ')}`, { errors })
    }
  }
  const before = await frameworkView(changes.trx, id)
  await changes.trx
    .updateTable('frameworks')
    .set({ status: to, version: current.version + 1, updated_at: new Date(), ...(to === 'published' ? { published_at: new Date() } : {}) })
    .where('id', '=', id)
    .execute()
  const view = await frameworkView(changes.trx, id)
  changes.record({ action: `framework.${to}`, entityType: 'framework', entityId: id, before, after: { ...view, previousStatus: current.status, reason } })
  return view
}

/** The next version number of a code (1 for a new code); the caller holds a lock that serialises it. */
export async function nextVersionNumber(db: Db, code: string): Promise<number> {
  const row = await db.selectFrom('frameworks').select((eb) => eb.fn.max('version_number').as('n')).where('code', '=', code).executeTakeFirst()
  return Number(row?.n ?? 0) + 1
}

/** Inserts elements already in tree order (parents first), in chunks. */
export async function insertElements(changes: ChangeSet, rows: Array<Insertable<FrameworkElementsTable> & { id: string }>): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) await changes.trx.insertInto('framework_elements').values(rows.slice(i, i + 500)).execute()
}

/**
 * The next version of a framework: a new draft copied from this version, its elements copied with
 * the same lineage ids, so the versions can be compared element by element.
 */
export async function createNextVersion(changes: ChangeSet, id: string, input: Static<typeof FrameworkVersionCreate>): Promise<FrameworkView> {
  const source = await lockFramework(changes, id)
  // Serialise version numbers per code: two copies at once must not both take the same number.
  await sql`select pg_advisory_xact_lock(hashtext(${`framework:${source.code}`}))`.execute(changes.trx)
  const versionNumber = await nextVersionNumber(changes.trx, source.code)
  const newId = randomUUID()
  await changes.trx
    .insertInto('frameworks')
    .values({
      id: newId,
      code: source.code,
      version_number: versionNumber,
      name: input.name !== undefined ? cleanText(input.name) : source.name,
      kind: source.kind,
      description: input.description !== undefined ? cleanText(input.description) : source.description,
      based_on_id: source.id
    })
    .execute()
  const elements = await frameworkElements(changes.trx, id)
  const newIds = new Map(elements.map((e) => [e.id, randomUUID()]))
  await insertElements(
    changes,
    elements.map((e) => ({
      id: newIds.get(e.id)!,
      framework_id: newId,
      parent_id: e.parent_id ? newIds.get(e.parent_id)! : null,
      lineage_id: e.lineage_id,
      kind: e.kind,
      code: e.code,
      title: e.title,
      description: e.description,
      polarity: e.polarity,
      position: e.position
    }))
  )
  const view = await frameworkView(changes.trx, newId)
  changes.record({ action: 'framework.created', entityType: 'framework', entityId: newId, after: { ...view, copiedFrom: { id: source.id, versionNumber: source.version_number } } })
  return view
}

import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import type { ChangeSet } from '../../platform/changes.js'
import { assertCurrentVersion, type IfMatch } from '../../platform/concurrency.js'
import { descendantIds, wouldCreateCycle, type Hierarchy } from '../../platform/hierarchy.js'
import { keysetPage, type Page, type SortAllowList } from '../../platform/pagination.js'
import { notFound, Problem } from '../../platform/problems.js'
import { changesNothing } from '../../platform/patches.js'
import type { FrameworkElement, FrameworkElementCreate, FrameworkElementListQuery, FrameworkElementUpdate } from './frameworks.schemas.js'
import { assertElementsUnreferenced, cleanText, findFramework, lockDraft, touchFramework, type FrameworkElementRow } from './frameworks.repository.js'
import type { ElementKind, Polarity } from './tables.js'

const ELEMENT_TREE: Hierarchy = { table: 'framework_elements', column: 'parent_id' }

export type FrameworkElementView = Static<typeof FrameworkElement>

const iso = (t: Date | string) => new Date(t).toISOString()

export const toElement = (r: FrameworkElementRow): FrameworkElementView => ({
  id: r.id,
  frameworkId: r.framework_id,
  parentId: r.parent_id,
  lineageId: r.lineage_id,
  kind: r.kind,
  code: r.code,
  title: r.title,
  description: r.description,
  polarity: r.polarity,
  position: r.position,
  version: r.version,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at)
})

/** The element changes' event: ids and what moved, like the rest of the API. */
const eventOf = (e: FrameworkElementView) => ({ id: e.id, frameworkId: e.frameworkId, parentId: e.parentId, lineageId: e.lineageId, code: e.code, version: e.version })

export async function findElement(db: Db, id: string): Promise<FrameworkElementRow> {
  const row = await db.selectFrom('framework_elements').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) throw notFound('framework element', id)
  return row
}

const sorts: SortAllowList<FrameworkElementRow> = {
  code: { columns: ['code', 'id'], direction: 'asc', key: (r) => [r.code, r.id] },
  // Top-level elements first (their parent sorts as the nil uuid), then each parent's children in order.
  position: {
    columns: ['parent_key', 'position', 'id'],
    direction: 'asc',
    key: (r) => [r.parent_id ?? '00000000-0000-0000-0000-000000000000', r.position, r.id]
  }
}

export async function listElements(db: Db, frameworkId: string, q: Static<typeof FrameworkElementListQuery>): Promise<Page<FrameworkElementRow>> {
  await findFramework(db, frameworkId)
  let query = db
    .selectFrom((eb) =>
      eb
        .selectFrom('framework_elements')
        .selectAll()
        .select(sql<string>`coalesce(parent_id, '00000000-0000-0000-0000-000000000000'::uuid)`.as('parent_key'))
        .where('framework_id', '=', frameworkId)
        .as('e')
    )
    .selectAll()
  if (q.kind) query = query.where('kind', '=', q.kind as ElementKind)
  if (q.polarity) query = query.where('polarity', '=', q.polarity as Polarity)
  if (q.parentId) query = query.where('parent_id', '=', q.parentId)
  if (q.topLevel === true) query = query.where('parent_id', 'is', null)
  if (q.topLevel === false) query = query.where('parent_id', 'is not', null)
  if (q.lineageId) query = query.where('lineage_id', '=', q.lineageId)
  return keysetPage(query, sorts as SortAllowList<FrameworkElementRow & { parent_key: string }>, q, 'position')
}

/** The siblings under `parentId` (null: top level), in order. */
async function siblings(changes: ChangeSet, frameworkId: string, parentId: string | null, except?: string) {
  let q = changes.trx.selectFrom('framework_elements').select(['id', 'position', 'code']).where('framework_id', '=', frameworkId)
  q = parentId ? q.where('parent_id', '=', parentId) : q.where('parent_id', 'is', null)
  if (except) q = q.where('id', '!=', except)
  return q.orderBy('position').orderBy('code').execute()
}

/** Writes positions 0..n-1 for the ordered ids, touching only those that moved. */
async function renumber(changes: ChangeSet, ordered: Array<{ id: string; position: number }>) {
  for (const [i, s] of ordered.entries()) {
    if (s.position !== i) await changes.trx.updateTable('framework_elements').set({ position: i }).where('id', '=', s.id).execute()
  }
}

async function assertParent(changes: ChangeSet, frameworkId: string, parentId: string) {
  const parent = await changes.trx.selectFrom('framework_elements').select(['id', 'framework_id']).where('id', '=', parentId).executeTakeFirst()
  if (!parent || parent.framework_id !== frameworkId) {
    throw new Problem(422, 'invalid-reference', 'parentId: no such element in this framework', {
      errors: [{ in: 'body', pointer: '/parentId', detail: 'no such element in this framework' }]
    })
  }
}

export async function createElement(changes: ChangeSet, frameworkId: string, input: Static<typeof FrameworkElementCreate>): Promise<FrameworkElementView> {
  const framework = await lockDraft(changes, frameworkId)
  const parentId = input.parentId ?? null
  if (parentId) await assertParent(changes, frameworkId, parentId)
  const order = await siblings(changes, frameworkId, parentId)
  const at = Math.min(input.position ?? order.length, order.length)
  const id = randomUUID()
  const row = await changes.trx
    .insertInto('framework_elements')
    .values({
      id,
      framework_id: frameworkId,
      parent_id: parentId,
      lineage_id: id,
      kind: input.kind as ElementKind,
      code: input.code,
      title: cleanText(input.title),
      description: cleanText(input.description) ?? null,
      polarity: (input.polarity ?? 'positive') as Polarity,
      position: at
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  order.splice(at, 0, { id, position: at, code: row.code })
  await renumber(changes, order)
  await touchFramework(changes, framework)
  const view = toElement(row)
  changes.record({ action: 'framework-element.created', entityType: 'framework-element', entityId: id, after: view, event: eventOf(view) })
  return view
}

export async function updateElement(changes: ChangeSet, id: string, patch: Static<typeof FrameworkElementUpdate>, expected?: IfMatch): Promise<FrameworkElementView> {
  const found = await findElement(changes.trx, id)
  const framework = await lockDraft(changes, found.framework_id)
  // Read again under the framework's lock: the element may have moved meanwhile.
  const current = await findElement(changes.trx, id)
  assertCurrentVersion(expected, current.version)

  const parentId = patch.parentId === undefined ? current.parent_id : patch.parentId
  const moving = parentId !== current.parent_id
  if (moving && parentId) {
    await assertParent(changes, current.framework_id, parentId)
    if (await wouldCreateCycle(changes.trx, ELEMENT_TREE, id, parentId)) {
      throw new Problem(422, 'hierarchy-cycle', 'an element cannot move under itself or one of its own descendants', {
        errors: [{ in: 'body', pointer: '/parentId', detail: 'is this element or lies below it' }]
      })
    }
  }
  const set: Record<string, unknown> = {}
  if (patch.code !== undefined) set.code = patch.code
  if (patch.kind !== undefined) set.kind = patch.kind
  if (patch.title !== undefined) set.title = cleanText(patch.title)
  if (patch.description !== undefined) set.description = cleanText(patch.description)
  if (patch.polarity !== undefined) set.polarity = patch.polarity
  if (moving) set.parent_id = parentId
  // A patch that changes nothing keeps the element's and the framework's version (a reviewer's
  // If-Match on publish stays good) and records nothing.
  if (!moving && changesNothing(current, set)) {
    const order = patch.position === undefined ? [] : await siblings(changes, current.framework_id, parentId, id)
    if (patch.position === undefined || Math.min(patch.position, order.length) === current.position) return toElement(current)
  }
  const row = await changes.trx
    .updateTable('framework_elements')
    .set({ ...set, version: current.version + 1, updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()

  if (moving || patch.position !== undefined) {
    const order = await siblings(changes, current.framework_id, parentId, id)
    const at = Math.min(patch.position ?? (moving ? order.length : current.position), order.length)
    order.splice(at, 0, { id, position: -1, code: row.code })
    await renumber(changes, order)
    if (moving) await renumber(changes, await siblings(changes, current.framework_id, current.parent_id))
  }
  await touchFramework(changes, framework)
  const view = toElement(await findElement(changes.trx, id))
  const action = moving ? 'framework-element.moved' : 'framework-element.updated'
  changes.record({ action, entityType: 'framework-element', entityId: id, before: toElement(current), after: view, event: { ...eventOf(view), previousParentId: current.parent_id } })
  return view
}

/** Deletes the element with everything below it; its siblings close up. */
export async function deleteElement(changes: ChangeSet, id: string, expected?: IfMatch): Promise<void> {
  const found = await findElement(changes.trx, id)
  const framework = await lockDraft(changes, found.framework_id)
  const current = await findElement(changes.trx, id)
  assertCurrentVersion(expected, current.version)
  const below = await sql<{ id: string }>`select id from ${descendantIds(ELEMENT_TREE, id)} as below`.execute(changes.trx)
  const removed = [id, ...below.rows.map((r) => r.id)]
  await assertElementsUnreferenced(changes, removed)
  await changes.trx.deleteFrom('framework_elements').where('id', 'in', removed).execute()
  await renumber(changes, await siblings(changes, current.framework_id, current.parent_id))
  await touchFramework(changes, framework)
  changes.record({
    action: 'framework-element.deleted',
    entityType: 'framework-element',
    entityId: id,
    before: toElement(current),
    event: { id, frameworkId: current.framework_id, removedIds: removed }
  })
}

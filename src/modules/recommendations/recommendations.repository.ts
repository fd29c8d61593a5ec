import { sql, type Selectable } from 'kysely'
import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import type { ChangeSet } from '../../platform/changes.js'
import { assertCurrentVersion, type IfMatch } from '../../platform/concurrency.js'
import { descendantIds } from '../../platform/hierarchy.js'
import { keysetPage, type Page, type SortAllowList } from '../../platform/pagination.js'
import { defineProblem, describeConstraint, notFound, Problem } from '../../platform/problems.js'
import type { Recommendation, RecommendationCreate, RecommendationListQuery, RecommendationUpdate } from './recommendations.schemas.js'
import { assertReferences, assertValid } from './references.js'
import { embeddingRefused, iso, numberOrder, todayUtc } from './status.js'
import type { ClosureReason, RecommendationsTable, RecommendationStatus } from './tables.js'

export const STATUS_VIA_TRANSITIONS = defineProblem('status-via-transitions', {
  status: 409,
  title: 'Status changes go through transitions',
  description: 'A PATCH cannot change a recommendation’s status; use `POST /v1/recommendations/{id}/transitions` (or a panel review, for embedded).'
})
describeConstraint('recommendations_source_number', 'the source already has a recommendation with this number')
describeConstraint('recommendations_external_id_key', 'a recommendation with this externalId already exists')

export type RecommendationRecord = Omit<Selectable<RecommendationsTable>, 'search'>
export type RecommendationRow = RecommendationRecord & { source_code: string }
export type RecommendationView = Static<typeof Recommendation>

export const RECOMMENDATION_COLUMNS = [
  'id', 'external_id', 'source_id', 'number', 'number_order', 'title', 'body', 'directed_to', 'area', 'owner_org_unit_id', 'owner_person_id',
  'priority', 'impact', 'target_date', 'next_review_date', 'status', 'closure_reason', 'status_changed_at', 'last_activity_at',
  'version', 'created_at', 'updated_at'
] as const satisfies ReadonlyArray<keyof RecommendationRecord>

const qualified = RECOMMENDATION_COLUMNS.map((c) => `r.${c}` as const)

/** Overdue: the target date has passed and it is neither embedded nor closed. */
export const isOverdue = (r: Pick<RecommendationRecord, 'target_date' | 'status'>, today = todayUtc()) =>
  r.target_date !== null && r.target_date < today && r.status !== 'embedded' && r.status !== 'closed'

export function toRecommendation(r: RecommendationRow, themeIds: string[], today = todayUtc()): RecommendationView {
  return {
    id: r.id,
    externalId: r.external_id,
    sourceId: r.source_id,
    sourceCode: r.source_code,
    number: r.number,
    title: r.title,
    body: r.body,
    directedTo: r.directed_to,
    area: r.area,
    themeIds,
    ownerOrgUnitId: r.owner_org_unit_id,
    ownerPersonId: r.owner_person_id,
    priority: r.priority,
    impact: r.impact,
    targetDate: r.target_date,
    nextReviewDate: r.next_review_date,
    status: r.status,
    closureReason: r.closure_reason,
    overdue: isOverdue(r, today),
    statusChangedAt: iso(r.status_changed_at),
    lastActivityAt: iso(r.last_activity_at),
    version: r.version,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at)
  }
}

/** Theme ids of each recommendation, in one query for a page. */
export async function themeIdsOf(db: Db, ids: string[]): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>(ids.map((id) => [id, []]))
  if (ids.length === 0) return map
  const rows = await db.selectFrom('recommendation_theme_links').select(['recommendation_id', 'theme_id']).where('recommendation_id', 'in', ids).orderBy('theme_id').execute()
  for (const r of rows) map.get(r.recommendation_id)!.push(r.theme_id)
  return map
}

export async function viewsOf(db: Db, rows: RecommendationRow[]): Promise<RecommendationView[]> {
  const themes = await themeIdsOf(db, rows.map((r) => r.id))
  const today = todayUtc()
  return rows.map((r) => toRecommendation(r, themes.get(r.id) ?? [], today))
}

export async function viewOf(db: Db, row: RecommendationRow): Promise<RecommendationView> {
  return (await viewsOf(db, [row]))[0]
}

function selectRecommendations(db: Db) {
  return db.selectFrom('recommendations as r').innerJoin('recommendation_sources as s', 's.id', 'r.source_id').select(qualified).select('s.code as source_code')
}

export async function findRecommendation(db: Db, id: string): Promise<RecommendationRow> {
  const row = await selectRecommendations(db).where('r.id', '=', id).executeTakeFirst()
  if (!row) throw notFound('recommendation', id)
  return row
}

/** Locks the recommendation for the rest of the transaction: status moves and reviews serialise on it. */
export async function lockRecommendation(changes: ChangeSet, id: string, expected?: IfMatch): Promise<RecommendationRow> {
  const row = await selectRecommendations(changes.trx).where('r.id', '=', id).forUpdate('r').executeTakeFirst()
  if (!row) throw notFound('recommendation', id)
  assertCurrentVersion(expected, row.version)
  return row
}

const sorts: SortAllowList<RecommendationRow> = {
  number: { columns: ['r.source_id', 'r.number_order', 'r.number', 'r.id'], direction: 'asc', key: (r) => [r.source_id, r.number_order, r.number, r.id] },
  createdAt: { columns: ['r.created_at', 'r.id'], direction: 'asc', key: (r) => [r.created_at, r.id] },
  lastActivityAt: { columns: ['r.last_activity_at', 'r.id'], direction: 'asc', key: (r) => [r.last_activity_at, r.id] }
}

export async function listRecommendations(db: Db, q: Static<typeof RecommendationListQuery>): Promise<Page<RecommendationRow>> {
  let query = selectRecommendations(db)
  const today = todayUtc()
  if (q.sourceId) query = query.where('r.source_id', '=', q.sourceId)
  if (q.themeId) {
    const themeId = q.themeId
    query = query.where((eb) => eb.exists(eb.selectFrom('recommendation_theme_links as l').select('l.theme_id').whereRef('l.recommendation_id', '=', 'r.id').where('l.theme_id', '=', themeId)))
  }
  if (q.status?.length) query = query.where('r.status', 'in', q.status as RecommendationStatus[])
  if (q.ownerOrgUnitId) {
    const unit = q.ownerOrgUnitId
    query = q.includeDescendants
      ? query.where((eb) => eb.or([eb('r.owner_org_unit_id', '=', unit), eb('r.owner_org_unit_id', 'in', descendantIds({ table: 'org_units', column: 'parent_id' }, unit) as never)]))
      : query.where('r.owner_org_unit_id', '=', unit)
  }
  if (q.ownerPersonId) query = query.where('r.owner_person_id', '=', q.ownerPersonId)
  if (q.unowned === true) query = query.where('r.owner_org_unit_id', 'is', null).where('r.owner_person_id', 'is', null)
  if (q.unowned === false) query = query.where((eb) => eb.or([eb('r.owner_org_unit_id', 'is not', null), eb('r.owner_person_id', 'is not', null)]))
  if (q.area) query = query.where('r.area', '=', q.area)
  if (q.directedTo) query = query.where('r.directed_to', '=', q.directedTo)
  if (q.overdue === true) query = query.where('r.target_date', '<', today).where('r.status', 'not in', ['embedded', 'closed'])
  if (q.overdue === false) {
    query = query.where((eb) => eb.or([eb('r.target_date', 'is', null), eb('r.target_date', '>=', today), eb('r.status', 'in', ['embedded', 'closed'])]))
  }
  if (q.dueBefore) query = query.where('r.target_date', '<=', q.dueBefore)
  if (q.reviewDueBefore) query = query.where('r.next_review_date', '<=', q.reviewDueBefore)
  if (q.externalId) query = query.where('r.external_id', '=', q.externalId)
  if (q.number) query = query.where('r.number', '=', q.number)
  if (q.q) query = query.where(sql<boolean>`r.search @@ plainto_tsquery('english', ${q.q})`)
  return keysetPage(query, sorts, q, 'number')
}

type Create = Static<typeof RecommendationCreate>
type Update = Static<typeof RecommendationUpdate>

const FIELDS: Array<[keyof Update, keyof RecommendationsTable]> = [
  ['externalId', 'external_id'], ['number', 'number'], ['title', 'title'], ['body', 'body'], ['directedTo', 'directed_to'], ['area', 'area'],
  ['ownerOrgUnitId', 'owner_org_unit_id'], ['ownerPersonId', 'owner_person_id'], ['priority', 'priority'], ['impact', 'impact'],
  ['targetDate', 'target_date'], ['nextReviewDate', 'next_review_date']
]

function columnsOf(input: Create | Update): Record<string, unknown> {
  const set: Record<string, unknown> = {}
  for (const [field, column] of FIELDS) if (input[field] !== undefined) set[column] = input[field]
  if (input.number !== undefined) set.number_order = numberOrder(input.number)
  return set
}

async function assertInputReferences(db: Db, input: Create | Update) {
  await assertReferences(db, [
    ['/sourceId', 'recommendation_sources', (input as Create).sourceId],
    ['/ownerOrgUnitId', 'org_units', input.ownerOrgUnitId],
    ['/ownerPersonId', 'people', input.ownerPersonId],
    ['/themeIds', 'recommendation_themes', input.themeIds]
  ])
}

/** Replaces a recommendation's themes with `themeIds`; true when the set changed. */
export async function setThemes(changes: ChangeSet, id: string, themeIds: string[]): Promise<boolean> {
  const current = (await changes.trx.selectFrom('recommendation_theme_links').select('theme_id').where('recommendation_id', '=', id).execute()).map((r) => r.theme_id)
  const wanted = new Set(themeIds)
  const removed = current.filter((t) => !wanted.has(t))
  const added = themeIds.filter((t) => !current.includes(t))
  if (removed.length) await changes.trx.deleteFrom('recommendation_theme_links').where('recommendation_id', '=', id).where('theme_id', 'in', removed).execute()
  if (added.length) await changes.trx.insertInto('recommendation_theme_links').values(added.map((theme_id) => ({ recommendation_id: id, theme_id }))).execute()
  return removed.length + added.length > 0
}

export interface HistoryWrite {
  from: RecommendationStatus | null
  to: RecommendationStatus
  closureReason: ClosureReason | null
  rationale: string | null
  via: 'create' | 'transition' | 'panel_review' | 'import'
  panelReviewId?: string | null
}

export async function writeHistory(changes: ChangeSet, recommendationId: string, h: HistoryWrite, at: Date) {
  await changes.trx
    .insertInto('recommendation_status_history')
    .values({
      recommendation_id: recommendationId,
      from_status: h.from,
      to_status: h.to,
      closure_reason: h.closureReason,
      rationale: h.rationale,
      via: h.via,
      panel_review_id: h.panelReviewId ?? null,
      actor: changes.actor.subject,
      occurred_at: at
    })
    .execute()
}

/** Closing needs a reason, and `other` a rationale that says what it is; only a closed one has a reason. */
export function closureErrors(to: RecommendationStatus, reason: ClosureReason | null | undefined, rationale: string | null | undefined, where = 'body', pointer = '/closureReason') {
  if (to === 'closed' && !reason) return [{ in: where, pointer, detail: 'is required to close a recommendation (superseded, not_applicable or other)' }]
  if (to !== 'closed' && reason) return [{ in: where, pointer, detail: 'is given only when closing' }]
  if (to === 'closed' && reason === 'other' && !rationale) return [{ in: where, pointer: '/statusRationale', detail: 'must say why when the closure reason is other' }]
  return []
}

export async function createRecommendation(changes: ChangeSet, input: Create): Promise<RecommendationView> {
  const status = (input.status ?? 'not_started') as RecommendationStatus
  if (status === 'embedded') throw embeddingRefused()
  assertValid(closureErrors(status, input.closureReason as ClosureReason | undefined, input.statusRationale))
  await assertInputReferences(changes.trx, input)
  const now = new Date()
  const row = await changes.trx
    .insertInto('recommendations')
    .values({
      ...(columnsOf(input) as object),
      source_id: input.sourceId,
      number: input.number,
      number_order: numberOrder(input.number),
      title: input.title,
      status,
      closure_reason: (input.closureReason ?? null) as ClosureReason | null,
      status_changed_at: now,
      last_activity_at: now
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  if (input.themeIds?.length) await setThemes(changes, row.id, input.themeIds)
  await writeHistory(changes, row.id, { from: null, to: status, closureReason: (input.closureReason ?? null) as ClosureReason | null, rationale: input.statusRationale ?? null, via: 'create' }, now)
  const view = await viewOf(changes.trx, await findRecommendation(changes.trx, row.id))
  changes.record({ action: 'recommendation.created', entityType: 'recommendation', entityId: row.id, after: view })
  return view
}

export async function updateRecommendation(changes: ChangeSet, id: string, patch: Update, expected?: IfMatch): Promise<RecommendationView> {
  const current = await lockRecommendation(changes, id, expected)
  if (patch.status !== undefined && patch.status !== current.status) {
    if (patch.status === 'embedded') throw embeddingRefused()
    throw new Problem(409, STATUS_VIA_TRANSITIONS, `the recommendation is ${current.status}; move it to ${patch.status} with POST /v1/recommendations/${id}/transitions`)
  }
  await assertInputReferences(changes.trx, patch)
  const before = await viewOf(changes.trx, current)
  const set = columnsOf(patch)
  const themesChanged = patch.themeIds !== undefined && (await setThemes(changes, id, patch.themeIds))
  const fieldsChanged = Object.entries(set).some(([k, v]) => JSON.stringify((current as Record<string, unknown>)[k] ?? null) !== JSON.stringify(v ?? null))
  if (!fieldsChanged && !themesChanged) return before
  await changes.trx
    .updateTable('recommendations')
    .set({ ...(set as object), version: current.version + 1, updated_at: new Date() })
    .where('id', '=', id)
    .execute()
  const after = await viewOf(changes.trx, await findRecommendation(changes.trx, id))
  changes.record({ action: 'recommendation.updated', entityType: 'recommendation', entityId: id, before, after })
  return after
}

/** Marks activity on recommendations (evidence, actions, reviews) for the "no movement" check; not a change of the record. */
export async function touchRecommendations(changes: ChangeSet, ids: string[], at = new Date()) {
  if (ids.length === 0) return
  await changes.trx.updateTable('recommendations').set({ last_activity_at: at }).where('id', 'in', ids).where('last_activity_at', '<', at).execute()
}


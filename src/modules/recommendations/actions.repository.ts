import type { Selectable } from 'kysely'
import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import type { ChangeSet } from '../../platform/changes.js'
import { assertCurrentVersion, type IfMatch } from '../../platform/concurrency.js'
import { keysetPage, type Page, type SortAllowList } from '../../platform/pagination.js'
import { describeConstraint, notFound, Problem } from '../../platform/problems.js'
import { assertTransition, type TransitionTable } from '../programmes/transitions.js'
import type { RecommendationAction, RecommendationActionCreate, RecommendationActionListQuery, RecommendationActionTransition, RecommendationActionUpdate } from './actions.schemas.js'
import { touchRecommendations } from './recommendations.repository.js'
import { assertReferences, assertValid } from './references.js'
import { iso, RECOMMENDATION_CLOSED, todayUtc } from './status.js'
import type { ActionStatus, RecommendationActionsTable } from './tables.js'

describeConstraint('recommendation_actions_external_id_key', 'an action with this externalId already exists')

/** open ⇄ in_progress → done; open / in_progress → cancelled; done and cancelled are final. */
export const ACTION_TRANSITIONS: TransitionTable<ActionStatus> = {
  open: ['in_progress', 'done', 'cancelled'],
  in_progress: ['open', 'done', 'cancelled'],
  done: [],
  cancelled: []
}

export type ActionRow = Selectable<RecommendationActionsTable>
type View = Static<typeof RecommendationAction>

export const isActionOverdue = (r: Pick<ActionRow, 'due_on' | 'status'>, today = todayUtc()) =>
  r.due_on !== null && r.due_on < today && (r.status === 'open' || r.status === 'in_progress')

export function toAction(r: ActionRow, recommendationIds: string[], today = todayUtc()): View {
  return {
    id: r.id,
    externalId: r.external_id,
    title: r.title,
    description: r.description,
    ownerOrgUnitId: r.owner_org_unit_id,
    ownerPersonId: r.owner_person_id,
    dueOn: r.due_on,
    recommendationIds,
    status: r.status,
    completedOn: r.completed_on,
    overdue: isActionOverdue(r, today),
    version: r.version,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at)
  }
}

async function linksOf(db: Db, ids: string[]): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>(ids.map((id) => [id, []]))
  if (ids.length === 0) return map
  const rows = await db.selectFrom('recommendation_action_links').select(['action_id', 'recommendation_id']).where('action_id', 'in', ids).orderBy('recommendation_id').execute()
  for (const r of rows) map.get(r.action_id)!.push(r.recommendation_id)
  return map
}

export async function actionViews(db: Db, rows: ActionRow[]): Promise<View[]> {
  const links = await linksOf(db, rows.map((r) => r.id))
  const today = todayUtc()
  return rows.map((r) => toAction(r, links.get(r.id) ?? [], today))
}

const sorts: SortAllowList<ActionRow> = { createdAt: { columns: ['a.created_at', 'a.id'], direction: 'asc', key: (r) => [r.created_at, r.id] } }

export async function findAction(db: Db, id: string): Promise<View> {
  const row = await db.selectFrom('recommendation_actions').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) throw notFound('action', id)
  return (await actionViews(db, [row]))[0]
}

export async function listActions(db: Db, q: Static<typeof RecommendationActionListQuery>): Promise<Page<ActionRow>> {
  const today = todayUtc()
  let query = db.selectFrom('recommendation_actions as a').selectAll('a')
  if (q.recommendationId) {
    const rec = q.recommendationId
    query = query.where((eb) => eb.exists(eb.selectFrom('recommendation_action_links as l').select('l.action_id').whereRef('l.action_id', '=', 'a.id').where('l.recommendation_id', '=', rec)))
  }
  if (q.status) query = query.where('a.status', '=', q.status as ActionStatus)
  if (q.overdue === true) query = query.where('a.due_on', '<', today).where('a.status', 'in', ['open', 'in_progress'])
  if (q.overdue === false) query = query.where((eb) => eb.or([eb('a.due_on', 'is', null), eb('a.due_on', '>=', today), eb('a.status', 'in', ['done', 'cancelled'])]))
  if (q.ownerPersonId) query = query.where('a.owner_person_id', '=', q.ownerPersonId)
  if (q.ownerOrgUnitId) query = query.where('a.owner_org_unit_id', '=', q.ownerOrgUnitId)
  if (q.dueBefore) query = query.where('a.due_on', '<=', q.dueBefore)
  return keysetPage(query, sorts, q, 'createdAt')
}

type Update = Static<typeof RecommendationActionUpdate>
const FIELDS: Array<[keyof Update, keyof RecommendationActionsTable]> = [
  ['externalId', 'external_id'], ['title', 'title'], ['description', 'description'], ['ownerOrgUnitId', 'owner_org_unit_id'],
  ['ownerPersonId', 'owner_person_id'], ['dueOn', 'due_on']
]
function columnsOf(input: Update): Record<string, unknown> {
  const set: Record<string, unknown> = {}
  for (const [field, column] of FIELDS) if (input[field] !== undefined) set[column] = input[field]
  return set
}

/**
 * Actions serve recommendations that are still open to work: not closed ones. The rows are
 * locked before the check so a concurrent close (which locks the row FOR UPDATE) waits for this
 * link, or this link sees it closed. FOR NO KEY UPDATE rather than FOR SHARE: the transaction
 * goes on to update these rows (touchRecommendations), and two linkers each holding a share
 * lock and then updating would deadlock. In id order, so linkers of the same rows queue.
 */
async function assertLinkable(changes: ChangeSet, input: Update) {
  await assertReferences(changes.trx, [
    ['/ownerOrgUnitId', 'org_units', input.ownerOrgUnitId],
    ['/ownerPersonId', 'people', input.ownerPersonId],
    ['/recommendationIds', 'recommendations', input.recommendationIds]
  ])
  if (!input.recommendationIds?.length) return
  const locked = await changes.trx.selectFrom('recommendations').select(['id', 'status']).where('id', 'in', input.recommendationIds).orderBy('id').forNoKeyUpdate().execute()
  const closed = locked.filter((r) => r.status === 'closed')
  if (closed.length) throw new Problem(409, RECOMMENDATION_CLOSED, `recommendation ${closed.map((c) => c.id).join(', ')} is closed; actions are linked only to open recommendations`)
}

async function setLinks(changes: ChangeSet, actionId: string, ids: string[]): Promise<{ changed: boolean; touched: string[] }> {
  const current = (await changes.trx.selectFrom('recommendation_action_links').select('recommendation_id').where('action_id', '=', actionId).execute()).map((r) => r.recommendation_id)
  const removed = current.filter((r) => !ids.includes(r))
  const added = ids.filter((r) => !current.includes(r))
  if (removed.length) await changes.trx.deleteFrom('recommendation_action_links').where('action_id', '=', actionId).where('recommendation_id', 'in', removed).execute()
  if (added.length) await changes.trx.insertInto('recommendation_action_links').values(added.map((recommendation_id) => ({ action_id: actionId, recommendation_id }))).execute()
  return { changed: removed.length + added.length > 0, touched: [...removed, ...added] }
}

export async function createAction(changes: ChangeSet, input: Static<typeof RecommendationActionCreate>): Promise<View> {
  await assertLinkable(changes, input)
  const row = await changes.trx
    .insertInto('recommendation_actions')
    .values({ ...(columnsOf(input) as object), title: input.title })
    .returningAll()
    .executeTakeFirstOrThrow()
  await setLinks(changes, row.id, input.recommendationIds)
  await touchRecommendations(changes, input.recommendationIds)
  const view = toAction(row, [...input.recommendationIds].sort())
  changes.record({ action: 'recommendation-action.created', entityType: 'recommendation-action', entityId: row.id, after: view })
  return view
}

async function lockAction(changes: ChangeSet, id: string, expected?: IfMatch) {
  const row = await changes.trx.selectFrom('recommendation_actions').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
  if (!row) throw notFound('action', id)
  assertCurrentVersion(expected, row.version)
  return row
}

export async function updateAction(changes: ChangeSet, id: string, patch: Update, expected?: IfMatch): Promise<View> {
  const current = await lockAction(changes, id, expected)
  const before = (await actionViews(changes.trx, [current]))[0]
  await assertReferences(changes.trx, [
    ['/ownerOrgUnitId', 'org_units', patch.ownerOrgUnitId],
    ['/ownerPersonId', 'people', patch.ownerPersonId],
    ['/recommendationIds', 'recommendations', patch.recommendationIds]
  ])
  if (patch.recommendationIds) {
    const added = patch.recommendationIds.filter((r) => !before.recommendationIds.includes(r))
    await assertLinkable(changes, { recommendationIds: added })
  }
  const links = patch.recommendationIds ? await setLinks(changes, id, patch.recommendationIds) : { changed: false, touched: [] }
  const set = columnsOf(patch)
  const fieldsChanged = Object.entries(set).some(([k, v]) => JSON.stringify((current as Record<string, unknown>)[k] ?? null) !== JSON.stringify(v ?? null))
  if (!fieldsChanged && !links.changed) return before
  const row = await changes.trx
    .updateTable('recommendation_actions')
    .set({ ...(set as object), version: current.version + 1, updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
  await touchRecommendations(changes, [...new Set([...links.touched, ...(patch.recommendationIds ?? before.recommendationIds)])])
  const after = (await actionViews(changes.trx, [row]))[0]
  changes.record({ action: 'recommendation-action.updated', entityType: 'recommendation-action', entityId: id, before, after })
  return after
}

export async function transitionAction(changes: ChangeSet, id: string, body: Static<typeof RecommendationActionTransition>, expected?: IfMatch): Promise<View> {
  const current = await lockAction(changes, id, expected)
  const to = body.to as ActionStatus
  assertTransition(ACTION_TRANSITIONS, current.status, to, 'action')
  const today = todayUtc()
  if (body.completedOn !== undefined && to !== 'done') assertValid([{ in: 'body', pointer: '/completedOn', detail: 'is given only with to=done' }])
  if (body.completedOn && body.completedOn > today) assertValid([{ in: 'body', pointer: '/completedOn', detail: 'must not be in the future' }])
  const before = (await actionViews(changes.trx, [current]))[0]
  const row = await changes.trx
    .updateTable('recommendation_actions')
    .set({ status: to, completed_on: to === 'done' ? (body.completedOn ?? today) : null, version: current.version + 1, updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
  const after = (await actionViews(changes.trx, [row]))[0]
  await touchRecommendations(changes, after.recommendationIds)
  changes.record({
    action: `recommendation-action.${to}`,
    entityType: 'recommendation-action',
    entityId: id,
    before,
    after: { ...after, previousStatus: current.status, note: body.note ?? null }
  })
  return after
}

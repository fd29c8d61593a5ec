import type { Selectable } from 'kysely'
import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import type { ChangeSet } from '../../platform/changes.js'
import { assertCurrentVersion, type IfMatch } from '../../platform/concurrency.js'
import { keysetPage, type Page, type SortAllowList } from '../../platform/pagination.js'
import { changesNothing } from '../../platform/patches.js'
import { describeConstraint, notFound } from '../../platform/problems.js'
import type { Indicator, IndicatorCreate, IndicatorListQuery, IndicatorUpdate, IndicatorValue, IndicatorValueCreate, IndicatorValueListQuery, IndicatorValueUpdate } from './indicators.schemas.js'
import { assertReferences, assertValid } from './references.js'
import { iso } from './status.js'
import type { Direction, IndicatorsTable, IndicatorValuesTable } from './tables.js'

describeConstraint('indicators_code_key', 'an indicator with this code already exists')
describeConstraint('indicator_values_period', 'the indicator already has a value for this org unit and period; correct it with PATCH')

type IndicatorRow = Selectable<IndicatorsTable>
type ValueRow = Selectable<IndicatorValuesTable>
type View = Static<typeof Indicator>

/** "2005" → the calendar year; "a/b" → that interval of dates (checked to be real dates, in order). */
export function periodBounds(period: string): { start: string; end: string } | string {
  if (/^\d{4}$/.test(period)) return { start: `${period}-01-01`, end: `${period}-12-31` }
  const [start, end] = period.split('/')
  const real = (d: string) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) === d
  if (!real(start) || !real(end)) return 'is not a real date interval'
  if (start > end) return 'must not end before it starts'
  return { start, end }
}

export const toIndicator = (r: IndicatorRow, recommendationIds: string[]): View => ({
  id: r.id,
  code: r.code,
  title: r.title,
  description: r.description,
  unit: r.unit,
  direction: r.direction,
  target: r.target,
  recommendationIds,
  version: r.version,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at)
})

export const toValue = (r: ValueRow): Static<typeof IndicatorValue> => ({
  id: r.id,
  indicatorId: r.indicator_id,
  orgUnitId: r.org_unit_id,
  period: r.period,
  periodStart: r.period_start,
  periodEnd: r.period_end,
  value: r.value,
  note: r.note,
  recordedBy: r.recorded_by,
  version: r.version,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at)
})

export async function indicatorViews(db: Db, rows: IndicatorRow[]): Promise<View[]> {
  const ids = rows.map((r) => r.id)
  const links = ids.length
    ? await db.selectFrom('indicator_recommendation_links').select(['indicator_id', 'recommendation_id']).where('indicator_id', 'in', ids).orderBy('recommendation_id').execute()
    : []
  return rows.map((r) => toIndicator(r, links.filter((l) => l.indicator_id === r.id).map((l) => l.recommendation_id)))
}

export async function findIndicator(db: Db, id: string): Promise<View> {
  const row = await db.selectFrom('indicators').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) throw notFound('indicator', id)
  return (await indicatorViews(db, [row]))[0]
}

const sorts: SortAllowList<IndicatorRow> = { code: { columns: ['i.code', 'i.id'], direction: 'asc', key: (r) => [r.code, r.id] } }

export async function listIndicators(db: Db, q: Static<typeof IndicatorListQuery>): Promise<Page<IndicatorRow>> {
  let query = db.selectFrom('indicators as i').selectAll('i')
  if (q.code) query = query.where('i.code', '=', q.code)
  if (q.recommendationId) {
    const rec = q.recommendationId
    query = query.where((eb) => eb.exists(eb.selectFrom('indicator_recommendation_links as l').select('l.indicator_id').whereRef('l.indicator_id', '=', 'i.id').where('l.recommendation_id', '=', rec)))
  }
  return keysetPage(query, sorts, q, 'code')
}

async function setLinks(changes: ChangeSet, indicatorId: string, ids: string[]): Promise<boolean> {
  const current = (await changes.trx.selectFrom('indicator_recommendation_links').select('recommendation_id').where('indicator_id', '=', indicatorId).execute()).map((r) => r.recommendation_id)
  const removed = current.filter((r) => !ids.includes(r))
  const added = ids.filter((r) => !current.includes(r))
  if (removed.length) await changes.trx.deleteFrom('indicator_recommendation_links').where('indicator_id', '=', indicatorId).where('recommendation_id', 'in', removed).execute()
  if (added.length) await changes.trx.insertInto('indicator_recommendation_links').values(added.map((recommendation_id) => ({ indicator_id: indicatorId, recommendation_id }))).execute()
  return removed.length + added.length > 0
}

type Update = Static<typeof IndicatorUpdate>
function columnsOf(input: Update): Record<string, unknown> {
  const set: Record<string, unknown> = {}
  if (input.code !== undefined) set.code = input.code
  if (input.title !== undefined) set.title = input.title
  if (input.description !== undefined) set.description = input.description
  if (input.unit !== undefined) set.unit = input.unit
  if (input.direction !== undefined) set.direction = input.direction
  if (input.target !== undefined) set.target = input.target
  return set
}

export async function createIndicator(changes: ChangeSet, input: Static<typeof IndicatorCreate>): Promise<View> {
  await assertReferences(changes.trx, [['/recommendationIds', 'recommendations', input.recommendationIds]])
  const row = await changes.trx
    .insertInto('indicators')
    .values({ ...(columnsOf(input) as object), code: input.code, title: input.title, unit: input.unit, direction: input.direction as Direction })
    .returningAll()
    .executeTakeFirstOrThrow()
  if (input.recommendationIds?.length) await setLinks(changes, row.id, input.recommendationIds)
  const view = (await indicatorViews(changes.trx, [row]))[0]
  changes.record({ action: 'indicator.created', entityType: 'indicator', entityId: row.id, after: view })
  return view
}

export async function updateIndicator(changes: ChangeSet, id: string, patch: Update, expected?: IfMatch): Promise<View> {
  const current = await changes.trx.selectFrom('indicators').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
  if (!current) throw notFound('indicator', id)
  assertCurrentVersion(expected, current.version)
  await assertReferences(changes.trx, [['/recommendationIds', 'recommendations', patch.recommendationIds]])
  const before = (await indicatorViews(changes.trx, [current]))[0]
  const linksChanged = patch.recommendationIds !== undefined && (await setLinks(changes, id, patch.recommendationIds))
  const set = columnsOf(patch)
  if (!linksChanged && changesNothing(current, set)) return before
  const row = await changes.trx
    .updateTable('indicators')
    .set({ ...(set as object), version: current.version + 1, updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
  const after = (await indicatorViews(changes.trx, [row]))[0]
  changes.record({ action: 'indicator.updated', entityType: 'indicator', entityId: id, before, after })
  return after
}

const valueSorts: SortAllowList<ValueRow> = {
  periodEnd: { columns: ['period_end', 'period_start', 'id'], direction: 'asc', key: (r) => [r.period_end, r.period_start, r.id] }
}

export async function listValues(db: Db, indicatorId: string, q: Static<typeof IndicatorValueListQuery>): Promise<Page<ValueRow>> {
  await findIndicator(db, indicatorId)
  let query = db.selectFrom('indicator_values').selectAll().where('indicator_id', '=', indicatorId)
  if (q.orgUnitId) query = query.where('org_unit_id', '=', q.orgUnitId)
  return keysetPage(query, valueSorts, q, 'periodEnd')
}

export async function findValue(db: Db, indicatorId: string, valueId: string): Promise<ValueRow> {
  const row = await db.selectFrom('indicator_values').selectAll().where('id', '=', valueId).where('indicator_id', '=', indicatorId).executeTakeFirst()
  if (!row) throw notFound('indicator value', valueId)
  return row
}

export async function recordValue(changes: ChangeSet, indicatorId: string, input: Static<typeof IndicatorValueCreate>) {
  await findIndicator(changes.trx, indicatorId)
  const bounds = periodBounds(input.period)
  if (typeof bounds === 'string') assertValid([{ in: 'body', pointer: '/period', detail: bounds }])
  const { start, end } = bounds as { start: string; end: string }
  await assertReferences(changes.trx, [['/orgUnitId', 'org_units', input.orgUnitId]])
  const row = await changes.trx
    .insertInto('indicator_values')
    .values({
      indicator_id: indicatorId,
      org_unit_id: input.orgUnitId,
      period: input.period,
      period_start: start,
      period_end: end,
      value: input.value,
      note: input.note ?? null,
      recorded_by: changes.actor.subject
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  const view = toValue(row)
  changes.record({ action: 'indicator-value.recorded', entityType: 'indicator-value', entityId: row.id, after: view })
  return view
}

export async function updateValue(changes: ChangeSet, indicatorId: string, valueId: string, patch: Static<typeof IndicatorValueUpdate>, expected?: IfMatch) {
  const current = await changes.trx.selectFrom('indicator_values').selectAll().where('id', '=', valueId).where('indicator_id', '=', indicatorId).forUpdate().executeTakeFirst()
  if (!current) throw notFound('indicator value', valueId)
  assertCurrentVersion(expected, current.version)
  const set = { ...(patch.value !== undefined ? { value: patch.value } : {}), ...(patch.note !== undefined ? { note: patch.note } : {}) }
  if (changesNothing(current, set)) return toValue(current)
  const row = await changes.trx
    .updateTable('indicator_values')
    .set({
      ...set,
      recorded_by: changes.actor.subject,
      version: current.version + 1,
      updated_at: new Date()
    })
    .where('id', '=', valueId)
    .returningAll()
    .executeTakeFirstOrThrow()
  const view = toValue(row)
  changes.record({ action: 'indicator-value.corrected', entityType: 'indicator-value', entityId: valueId, before: toValue(current), after: view })
  return view
}

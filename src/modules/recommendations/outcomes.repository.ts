import { sql } from 'kysely'
import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import { descendantIds } from '../../platform/hierarchy.js'
import { findIndicator } from './indicators.repository.js'
import type { AnnualOutcomes, AnnualOutcomesQuery, IndicatorSeries, SeriesQuery } from './indicators.schemas.js'
import { assertReferences } from './references.js'
import type { Direction } from './tables.js'

const round4 = (n: number) => Math.round(n * 10_000) / 10_000

/** An indicator's values over time, one series per org unit (by unit name), for charts. */
export async function indicatorSeries(db: Db, indicatorId: string, q: Static<typeof SeriesQuery>): Promise<Static<typeof IndicatorSeries>> {
  const indicator = await findIndicator(db, indicatorId)
  if (q.orgUnitId) await assertReferences(db, [['/orgUnitId', 'org_units', q.orgUnitId]], 'query')
  let query = db
    .selectFrom('indicator_values as v')
    .innerJoin('org_units as u', 'u.id', 'v.org_unit_id')
    .select(['v.org_unit_id', 'u.name', 'v.period', 'v.period_start', 'v.period_end', 'v.value'])
    .where('v.indicator_id', '=', indicatorId)
  if (q.orgUnitId) query = query.where('v.org_unit_id', '=', q.orgUnitId)
  if (q.from) query = query.where('v.period_end', '>=', q.from)
  if (q.to) query = query.where('v.period_end', '<=', q.to)
  const rows = await query.orderBy('u.name').orderBy('v.org_unit_id').orderBy('v.period_end').orderBy('v.period_start').execute()
  const series: Static<typeof IndicatorSeries>['series'] = []
  for (const r of rows) {
    let current = series[series.length - 1]
    if (!current || current.orgUnitId !== r.org_unit_id) series.push((current = { orgUnitId: r.org_unit_id, orgUnitName: r.name, points: [] }))
    current.points.push({ period: r.period, periodStart: r.period_start, periodEnd: r.period_end, value: r.value })
  }
  return { indicator, series }
}

export function improvement(direction: Direction, change: number | null): boolean | null {
  if (change === null || change === 0) return null
  return direction === 'higher_is_better' ? change > 0 : change < 0
}

export function targetMet(direction: Direction, target: number | null, value: number): boolean | null {
  if (target === null) return null
  return direction === 'higher_is_better' ? value >= target : value <= target
}

/**
 * The outcomes of one calendar year per org unit: for each indicator, the latest value whose
 * period ends in the year, against the latest value ending before it (the baseline) and the target.
 */
export async function annualOutcomes(db: Db, q: Static<typeof AnnualOutcomesQuery>): Promise<Static<typeof AnnualOutcomes>> {
  const yearStart = `${q.year}-01-01`
  const yearEnd = `${q.year}-12-31`
  if (q.orgUnitId) await assertReferences(db, [['/orgUnitId', 'org_units', q.orgUnitId]], 'query')
  if (q.indicatorId) await assertReferences(db, [['/indicatorId', 'indicators', q.indicatorId]], 'query')
  const units = q.orgUnitId
    ? q.includeDescendants
      ? sql`and (v.org_unit_id = ${q.orgUnitId} or v.org_unit_id in ${descendantIds({ table: 'org_units', column: 'parent_id' }, q.orgUnitId)})`
      : sql`and v.org_unit_id = ${q.orgUnitId}`
    : sql``
  const indicator = q.indicatorId ? sql`and v.indicator_id = ${q.indicatorId}` : sql``
  const { rows } = await sql<{
    org_unit_id: string
    org_unit_name: string
    indicator_id: string
    code: string
    title: string
    unit: string
    direction: Direction
    target: number | null
    period: string
    value: number
    baseline_period: string | null
    baseline_value: number | null
  }>`
    with latest as (
      select distinct on (v.indicator_id, v.org_unit_id) v.indicator_id, v.org_unit_id, v.period, v.value
      from indicator_values v
      where v.period_end between ${yearStart} and ${yearEnd} ${units} ${indicator}
      order by v.indicator_id, v.org_unit_id, v.period_end desc, v.period_start desc
    ),
    baseline as (
      select distinct on (v.indicator_id, v.org_unit_id) v.indicator_id, v.org_unit_id, v.period, v.value
      from indicator_values v
      where v.period_end < ${yearStart} ${units} ${indicator}
      order by v.indicator_id, v.org_unit_id, v.period_end desc, v.period_start desc
    )
    select l.org_unit_id, u.name as org_unit_name, l.indicator_id, i.code, i.title, i.unit, i.direction, i.target,
           l.period, l.value, b.period as baseline_period, b.value as baseline_value
    from latest l
    join indicators i on i.id = l.indicator_id
    join org_units u on u.id = l.org_unit_id
    left join baseline b on b.indicator_id = l.indicator_id and b.org_unit_id = l.org_unit_id
    order by u.name, l.org_unit_id, i.code`.execute(db)
  const orgUnits: Static<typeof AnnualOutcomes>['orgUnits'] = []
  for (const r of rows) {
    let unit = orgUnits[orgUnits.length - 1]
    if (!unit || unit.orgUnitId !== r.org_unit_id) orgUnits.push((unit = { orgUnitId: r.org_unit_id, orgUnitName: r.org_unit_name, indicators: [] }))
    const value = Number(r.value)
    const baseline = r.baseline_value === null ? null : Number(r.baseline_value)
    const target = r.target === null ? null : Number(r.target)
    const change = baseline === null ? null : round4(value - baseline)
    unit.indicators.push({
      indicatorId: r.indicator_id,
      code: r.code,
      title: r.title,
      unit: r.unit,
      direction: r.direction,
      target,
      period: r.period,
      value,
      baselinePeriod: r.baseline_period,
      baselineValue: baseline,
      change,
      improved: improvement(r.direction, change),
      targetMet: targetMet(r.direction, target, value)
    })
  }
  return { year: q.year, orgUnits }
}

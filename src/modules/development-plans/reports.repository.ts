import { sql, type ExpressionBuilder } from 'kysely'
import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import type { Database } from '../../db/types.js'
import { descendantIds } from '../../platform/hierarchy.js'
import { keysetPage, type SortAllowList } from '../../platform/pagination.js'
import { Problem } from '../../platform/problems.js'
import { LIVE_PLAN_STATUSES, OPEN_OBJECTIVE_STATUSES, STARTED_ACTIVITY_STATUSES, STARTED_ENROLMENT_STATUSES, today } from './content.repository.js'
import type { ActivityUptake, OverdueObjective, OverdueQuery, ReportQuery, StatusByOrgUnit } from './reports.schemas.js'
import type { PlanStatus } from './tables.js'

type Scope = Static<typeof ReportQuery>

/** Plans still running: their open objectives past due are overdue. */
/** Plans that were agreed (and may since be completed): the population of the uptake share. */
const AGREED_PLAN_STATUSES: readonly PlanStatus[] = ['agreed', 'completed']

export const UPTAKE_RULE =
  'Agreed plans are those agreed or completed. An activity has started when marked started or done, or, for a programme activity, when its enrolment is attended or completed.'

async function assertUnit(db: Db, orgUnitId: string | undefined) {
  if (!orgUnitId) return
  const unit = await db.selectFrom('org_units').select('id').where('id', '=', orgUnitId).executeTakeFirst()
  if (!unit) throw new Problem(422, 'invalid-reference', 'orgUnitId: no such org unit', { errors: [{ in: 'query', pointer: '/orgUnitId', detail: 'no such org unit' }] })
}

/** The filters every report shares, over `development_plans as dp` joined to `people as o` (the owner). */
function inScope(q: Scope) {
  return (eb: ExpressionBuilder<Database & { dp: Database['development_plans']; o: Database['people'] }, 'dp' | 'o'>) => {
    const conditions = []
    if (q.period) conditions.push(eb('dp.period', '=', q.period))
    if (q.orgUnitId) {
      conditions.push(
        q.includeDescendants
          ? eb.or([eb('o.org_unit_id', '=', q.orgUnitId), eb('o.org_unit_id', 'in', descendantIds({ table: 'org_units', column: 'parent_id' }, q.orgUnitId) as never)])
          : eb('o.org_unit_id', '=', q.orgUnitId)
      )
    }
    return eb.and(conditions)
  }
}

const share = (n: number, d: number) => (d === 0 ? null : Math.round((n / d) * 10000) / 10000)

export async function statusByOrgUnit(db: Db, q: Scope): Promise<Static<typeof StatusByOrgUnit>> {
  await assertUnit(db, q.orgUnitId)
  const rows = await db
    .selectFrom('development_plans as dp')
    .innerJoin('people as o', 'o.id', 'dp.owner_id')
    .leftJoin('org_units as u', 'u.id', 'o.org_unit_id')
    .select(['o.org_unit_id', 'u.name', 'dp.status', sql<number>`count(*)::int`.as('n')])
    .where(inScope(q) as never)
    .groupBy(['o.org_unit_id', 'u.name', 'dp.status'])
    .execute()
  const empty = (orgUnitId: string | null, orgUnitName: string | null) => ({ orgUnitId, orgUnitName, draft: 0, submitted: 0, agreed: 0, completed: 0, lapsed: 0, total: 0 })
  const byUnit = new Map<string | null, ReturnType<typeof empty>>()
  const totals = empty(null, null)
  for (const r of rows) {
    const row = byUnit.get(r.org_unit_id) ?? empty(r.org_unit_id, r.name)
    byUnit.set(r.org_unit_id, row)
    row[r.status] += Number(r.n)
    row.total += Number(r.n)
    totals[r.status] += Number(r.n)
    totals.total += Number(r.n)
  }
  const ordered = [...byUnit.values()].sort((a, b) => (a.orgUnitName ?? '\uffff').localeCompare(b.orgUnitName ?? '\uffff') || String(a.orgUnitId).localeCompare(String(b.orgUnitId)))
  return { period: q.period ?? null, rows: ordered, totals }
}

type OverdueRow = {
  objective_id: string
  plan_id: string
  plan_status: PlanStatus
  period: string
  owner_id: string
  given_name: string
  family_name: string
  org_unit_id: string | null
  title: string
  priority: Static<typeof OverdueObjective>['priority']
  status: Static<typeof OverdueObjective>['status']
  due_on: string
}

const overdueSorts: SortAllowList<OverdueRow> = {
  dueOn: { columns: ['ob.due_on', 'ob.id'], direction: 'asc', key: (r) => [r.due_on, r.objective_id] }
}

const daysBetween = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000)

/** Open objectives (not started, in progress) of running plans whose due date has passed, oldest due first. */
export async function overdueObjectives(db: Db, q: Static<typeof OverdueQuery>) {
  await assertUnit(db, q.orgUnitId)
  const asOf = q.asOf ?? today()
  const query = db
    .selectFrom('development_objectives as ob')
    .innerJoin('development_plans as dp', 'dp.id', 'ob.plan_id')
    .innerJoin('people as o', 'o.id', 'dp.owner_id')
    .select([
      'ob.id as objective_id', 'dp.id as plan_id', 'dp.status as plan_status', 'dp.period', 'o.id as owner_id', 'o.given_name', 'o.family_name', 'o.org_unit_id',
      'ob.title', 'ob.priority', 'ob.status', 'ob.due_on as due_on'
    ])
    .where('dp.status', 'in', LIVE_PLAN_STATUSES)
    .where('ob.status', 'in', OPEN_OBJECTIVE_STATUSES)
    .where('ob.due_on', '<', asOf)
    .where(inScope(q) as never) as never
  const page = await keysetPage<Database, 'development_objectives', OverdueRow>(query, overdueSorts, { ...q, sort: 'dueOn' }, 'dueOn')
  const data: Array<Static<typeof OverdueObjective>> = page.rows.map((r) => ({
    objectiveId: r.objective_id,
    planId: r.plan_id,
    planStatus: r.plan_status,
    period: r.period,
    ownerId: r.owner_id,
    ownerName: `${r.given_name} ${r.family_name}`,
    orgUnitId: r.org_unit_id,
    title: r.title,
    priority: r.priority,
    status: r.status,
    dueOn: r.due_on,
    daysOverdue: daysBetween(r.due_on, asOf)
  }))
  return { data, nextCursor: page.nextCursor }
}

/** Agreed plans, and those of them with at least one activity started, per the owner's org unit. */
export async function activityUptake(db: Db, q: Scope): Promise<Static<typeof ActivityUptake>> {
  await assertUnit(db, q.orgUnitId)
  const started = sql<boolean>`exists (
    select 1 from development_activities a left join enrolments e on e.id = a.enrolment_id
    where a.plan_id = dp.id
      and (a.status in (${sql.join(STARTED_ACTIVITY_STATUSES)}) or e.status in (${sql.join(STARTED_ENROLMENT_STATUSES)})))`
  const rows = await db
    .selectFrom('development_plans as dp')
    .innerJoin('people as o', 'o.id', 'dp.owner_id')
    .leftJoin('org_units as u', 'u.id', 'o.org_unit_id')
    .select(['o.org_unit_id', 'u.name', sql<number>`count(*)::int`.as('agreed'), sql<number>`(count(*) filter (where ${started}))::int`.as('started')])
    .where('dp.status', 'in', AGREED_PLAN_STATUSES)
    .where(inScope(q) as never)
    .groupBy(['o.org_unit_id', 'u.name'])
    .execute()
  const out = rows
    .map((r) => ({ orgUnitId: r.org_unit_id, orgUnitName: r.name, agreedPlans: Number(r.agreed), withActivityStarted: Number(r.started), share: share(Number(r.started), Number(r.agreed)) }))
    .sort((a, b) => (a.orgUnitName ?? '\uffff').localeCompare(b.orgUnitName ?? '\uffff') || String(a.orgUnitId).localeCompare(String(b.orgUnitId)))
  const agreed = out.reduce((s, r) => s + r.agreedPlans, 0)
  const withStarted = out.reduce((s, r) => s + r.withActivityStarted, 0)
  return {
    period: q.period ?? null,
    rule: UPTAKE_RULE,
    rows: out,
    totals: { orgUnitId: null, orgUnitName: null, agreedPlans: agreed, withActivityStarted: withStarted, share: share(withStarted, agreed) }
  }
}

import type { Selectable } from 'kysely'
import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import type { Trx } from '../../platform/changes.js'
import { descendantIds } from '../../platform/hierarchy.js'
import { keysetPage, type Page, type SortAllowList } from '../../platform/pagination.js'
import { notFound, Problem } from '../../platform/problems.js'
import { objectivesOfPlans } from './content.repository.js'
import type { PlanCaller } from './access.js'
import type { Plan, PlanListQuery, PlanTransition } from './plans.schemas.js'
import type { DevelopmentPlansTable, DevelopmentPlanTransitionsTable, PlanStatus } from './tables.js'

export type PlanRow = Selectable<DevelopmentPlansTable>
export type PlanView = Static<typeof Plan>

const iso = (t: Date | string) => new Date(t).toISOString()
const isoOrNull = (t: Date | string | null) => (t === null ? null : iso(t))

/** `2026/27` → 1 April 2026 to 31 March 2027; anything else (`2026/28`, `2026/26`) is refused. */
export function periodDates(period: string, pointer = '/period'): { starts_on: string; ends_on: string } {
  const match = /^(\d{4})\/(\d{2})$/.exec(period)
  const start = match ? Number(match[1]) : NaN
  if (!match || (start + 1) % 100 !== Number(match[2])) {
    throw new Problem(400, 'validation', `period must be a PDR year such as 2026/27 (the second year follows the first)`, {
      errors: [{ in: 'body', pointer, detail: 'must be a PDR year such as 2026/27' }]
    })
  }
  return { starts_on: `${start}-04-01`, ends_on: `${start + 1}-03-31` }
}

/** The PDR year a date falls in. */
export function periodOf(date: string): string {
  const year = Number(date.slice(0, 4))
  const start = date.slice(5) >= '04-01' ? year : year - 1
  return `${start}/${String((start + 1) % 100).padStart(2, '0')}`
}

export const toPlan = (r: PlanRow, objectives: PlanView['objectives']): PlanView => ({
  id: r.id,
  externalId: r.external_id,
  ownerId: r.owner_id,
  period: r.period,
  startsOn: r.starts_on,
  endsOn: r.ends_on,
  title: r.title,
  templateId: r.template_id,
  cohortId: r.cohort_id,
  status: r.status,
  submittedAt: isoOrNull(r.submitted_at),
  agreedBy: r.agreed_by,
  agreedAt: isoOrNull(r.agreed_at),
  completedAt: isoOrNull(r.completed_at),
  reviewComment: r.review_comment,
  createdBy: r.created_by,
  objectives,
  version: r.version,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at)
})

export const toPlanTransition = (r: Selectable<DevelopmentPlanTransitionsTable>): Static<typeof PlanTransition> => ({
  id: Number(r.id),
  planId: r.plan_id,
  fromStatus: r.from_status,
  toStatus: r.to_status,
  action: r.action,
  actor: r.actor,
  comment: r.comment,
  occurredAt: iso(r.occurred_at)
})

export async function findPlanRow(db: Db | Trx, id: string): Promise<PlanRow> {
  const row = await db.selectFrom('development_plans').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) throw notFound('development plan', id)
  return row
}

/** The plan, locked for the rest of the transaction: every change to it or its content serialises here. */
export async function lockPlan(trx: Trx, id: string): Promise<PlanRow> {
  const row = await trx.selectFrom('development_plans').selectAll().where('id', '=', id).forNoKeyUpdate().executeTakeFirst()
  if (!row) throw notFound('development plan', id)
  return row
}

export async function planViews(db: Db | Trx, rows: PlanRow[]): Promise<PlanView[]> {
  const objectives = await objectivesOfPlans(db, rows.map((r) => r.id))
  return rows.map((r) => toPlan(r, objectives.get(r.id) ?? []))
}

export async function planView(db: Db | Trx, id: string): Promise<PlanView> {
  const [view] = await planViews(db, [await findPlanRow(db, id)])
  return view
}

export async function insertPlanTransition(
  trx: Trx,
  row: { plan_id: string; from_status: PlanStatus | null; to_status: PlanStatus; action: string; actor: string; comment: string | null }
) {
  return trx.insertInto('development_plan_transitions').values(row).returningAll().executeTakeFirstOrThrow()
}

const sorts: SortAllowList<PlanRow> = {
  createdAt: { columns: ['development_plans.created_at', 'development_plans.id'], direction: 'asc', key: (r) => [r.created_at, r.id] },
  updatedAt: { columns: ['development_plans.updated_at', 'development_plans.id'], direction: 'asc', key: (r) => [r.updated_at, r.id] }
}

/**
 * Plans by the filters; a caller without `development-plans:read` sees only the plans they may
 * read (their own and their direct reports'), whatever the filters ask for.
 */
export async function listPlans(db: Db, caller: PlanCaller, q: Static<typeof PlanListQuery>): Promise<Page<PlanRow>> {
  let query = db.selectFrom('development_plans').innerJoin('people as owner', 'owner.id', 'development_plans.owner_id').selectAll('development_plans')
  if (!caller.reads) {
    const me = caller.actsForPerson ? caller.personId : null
    if (me === null) return { rows: [], nextCursor: null }
    query = query.where((eb) => eb.or([eb('development_plans.owner_id', '=', me), eb('owner.line_manager_id', '=', me)]))
  }
  if (q.ownerId) query = query.where('development_plans.owner_id', '=', q.ownerId)
  if (q.status?.length) query = query.where('development_plans.status', 'in', q.status as PlanStatus[])
  if (q.period) query = query.where('development_plans.period', '=', q.period)
  if (q.templateId) query = query.where('development_plans.template_id', '=', q.templateId)
  if (q.cohortId) query = query.where('development_plans.cohort_id', '=', q.cohortId)
  if (q.directReportsOf) query = query.where('owner.line_manager_id', '=', q.directReportsOf)
  if (q.awaitingAgreementBy) {
    query = query.where('owner.line_manager_id', '=', q.awaitingAgreementBy).where('development_plans.status', '=', 'submitted')
  }
  if (q.orgUnitId) {
    const unitId = q.orgUnitId
    query = q.includeDescendants
      ? query.where((eb) =>
          eb.or([eb('owner.org_unit_id', '=', unitId), eb('owner.org_unit_id', 'in', descendantIds({ table: 'org_units', column: 'parent_id' }, unitId) as never)])
        )
      : query.where('owner.org_unit_id', '=', unitId)
  }
  return keysetPage(query, sorts, q, 'createdAt')
}

const transitionSorts: SortAllowList<Selectable<DevelopmentPlanTransitionsTable>> = {
  occurredAt: { columns: ['id'], direction: 'asc', key: (r) => [Number(r.id)] }
}

export async function listPlanTransitions(db: Db, planId: string, q: { limit?: number; cursor?: string }) {
  return keysetPage(db.selectFrom('development_plan_transitions').selectAll().where('plan_id', '=', planId), transitionSorts, { ...q, sort: 'occurredAt' }, 'occurredAt')
}

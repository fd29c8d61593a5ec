import type { Db } from '../../db/database.js'
import { planViews, type PlanView } from './plans.repository.js'
import type { PlanStatus } from './tables.js'

const PAGE = 200

/** Plans a page at a time by (created_at, id), so memory stays flat whatever the number. */
export async function* exportPages(db: Db, filters: { period?: string; status?: string[] }): AsyncGenerator<Array<PlanView & { ownerExternalId: string | null }>> {
  let after: { created_at: Date; id: string } | null = null
  for (;;) {
    let query = db.selectFrom('development_plans').selectAll()
    if (filters.period) query = query.where('period', '=', filters.period)
    if (filters.status?.length) query = query.where('status', 'in', filters.status as PlanStatus[])
    if (after) {
      const { created_at, id } = after
      query = query.where((eb) => eb.or([eb('created_at', '>', created_at), eb.and([eb('created_at', '=', created_at), eb('id', '>', id)])]))
    }
    const rows = await query.orderBy('created_at').orderBy('id').limit(PAGE).execute()
    if (rows.length === 0) return
    const owners = new Map(
      (await db.selectFrom('people').select(['id', 'external_id']).where('id', 'in', [...new Set(rows.map((r) => r.owner_id))]).execute()).map((p) => [p.id, p.external_id])
    )
    yield (await planViews(db, rows)).map((plan) => ({ ...plan, ownerExternalId: owners.get(plan.ownerId) ?? null }))
    if (rows.length < PAGE) return
    const last = rows[rows.length - 1]
    after = { created_at: last.created_at, id: last.id }
  }
}

export const EXPORT_COLUMNS = [
  'planId', 'planExternalId', 'ownerId', 'ownerExternalId', 'period', 'planTitle', 'planStatus', 'templateId', 'cohortId', 'agreedBy', 'agreedAt', 'completedAt',
  'objectiveId', 'objectivePosition', 'objectiveTitle', 'successMeasure', 'dueOn', 'priority', 'objectiveStatus', 'overdue', 'source', 'sourceAssessmentId',
  'frameworkElementIds', 'activities', 'activitiesStarted', 'activitiesDone', 'activityKinds'
]

/** CSV rows of a plan: one per objective, or one with the objective columns empty. */
export function* objectiveLines(plan: PlanView & { ownerExternalId?: string | null }): Generator<Record<string, unknown>> {
  const head = {
    planId: plan.id, planExternalId: plan.externalId, ownerId: plan.ownerId, ownerExternalId: plan.ownerExternalId ?? null, period: plan.period, planTitle: plan.title,
    planStatus: plan.status, templateId: plan.templateId, cohortId: plan.cohortId, agreedBy: plan.agreedBy, agreedAt: plan.agreedAt, completedAt: plan.completedAt
  }
  if (plan.objectives.length === 0) {
    yield head
    return
  }
  for (const o of plan.objectives) {
    yield {
      ...head,
      objectiveId: o.id,
      objectivePosition: o.position,
      objectiveTitle: o.title,
      successMeasure: o.successMeasure,
      dueOn: o.dueOn,
      priority: o.priority,
      objectiveStatus: o.status,
      overdue: o.overdue ? 'true' : 'false',
      source: o.source.kind,
      sourceAssessmentId: o.source.assessmentId,
      frameworkElementIds: o.frameworkElementIds.join('|'),
      activities: o.activities.length,
      activitiesStarted: o.activities.filter((a) => a.status === 'started' || a.status === 'done').length,
      activitiesDone: o.activities.filter((a) => a.status === 'done').length,
      activityKinds: [...new Set(o.activities.map((a) => a.kind))].join('|')
    }
  }
}

import type { Selectable } from 'kysely'
import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import type { Trx } from '../../platform/changes.js'
import { keysetPage, type PageRequest, type SortAllowList } from '../../platform/pagination.js'
import { notFound, Problem, type FieldError } from '../../platform/problems.js'
import type { EnrolmentStatus } from '../programmes/tables.js'
import type { Activity, Objective, ProgressNote } from './content.schemas.js'
import type { ActivityStatus, DevelopmentActivitiesTable, DevelopmentObjectivesTable, DevelopmentProgressNotesTable, ObjectiveStatus, PlanStatus } from './tables.js'

export type ObjectiveRow = Selectable<DevelopmentObjectivesTable>
export type ActivityRow = Selectable<DevelopmentActivitiesTable> & { enrolment_status: EnrolmentStatus | null; enrolment_cohort_id: string | null }
export type ObjectiveView = Static<typeof Objective>
export type ActivityView = Static<typeof Activity>

const iso = (t: Date | string) => new Date(t).toISOString()
export const today = () => new Date().toISOString().slice(0, 10)

/** Objectives still to be achieved: past their due date they are overdue. */
export const OPEN_OBJECTIVE_STATUSES: readonly ObjectiveStatus[] = ['not_started', 'in_progress']
/** Plans still being worked: only their objectives can be overdue (a completed or lapsed plan's are not), here and in the overdue report. */
export const LIVE_PLAN_STATUSES: readonly PlanStatus[] = ['draft', 'submitted', 'agreed']

/** Figures of a 360° report that objectives made from a gap kept before they stopped keeping them; never shown. */
const REPORT_FIGURES = new Set(['othersMean', 'selfMean', 'need'])
const sourceDetail = (r: ObjectiveRow): Record<string, unknown> | null => {
  const detail = (r.source_detail ?? null) as Record<string, unknown> | null
  if (!detail || r.source !== 'feedback_gap') return detail
  return Object.fromEntries(Object.entries(detail).filter(([k]) => !REPORT_FIGURES.has(k)))
}

/** What a programme activity's status is, given its enrolment's: one rule, never stored. */
export function activityStatusOfEnrolment(status: EnrolmentStatus | null): ActivityStatus {
  switch (status) {
    case null:
    case 'nominated':
    case 'manager_approved':
    case 'approved':
    case 'selected':
    case 'waitlisted':
      return 'planned'
    case 'attended':
      return 'started'
    case 'completed':
      return 'done'
    default:
      return 'not_done'
  }
}

/** Enrolment statuses in which a programme activity has started (attended) or is done (completed). */
export const STARTED_ENROLMENT_STATUSES: readonly EnrolmentStatus[] = ['attended', 'completed']
/** Hand-tracked activity statuses that count as started. */
export const STARTED_ACTIVITY_STATUSES: readonly ActivityStatus[] = ['started', 'done']

export const toActivity = (r: ActivityRow): ActivityView => ({
  id: r.id,
  objectiveId: r.objective_id,
  planId: r.plan_id,
  position: r.position,
  kind: r.kind,
  title: r.title,
  description: r.description,
  dueOn: r.due_on,
  status: r.kind === 'programme' ? activityStatusOfEnrolment(r.enrolment_status) : (r.status ?? 'planned'),
  programmeId: r.programme_id,
  enrolment: r.enrolment_id && r.enrolment_status && r.enrolment_cohort_id ? { id: r.enrolment_id, cohortId: r.enrolment_cohort_id, status: r.enrolment_status } : null,
  version: r.version,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at)
})

export function toObjective(r: ObjectiveRow, elementIds: string[], activities: ActivityView[], planStatus: PlanStatus, asOf = today()): ObjectiveView {
  return {
    id: r.id,
    planId: r.plan_id,
    position: r.position,
    title: r.title,
    description: r.description,
    successMeasure: r.success_measure,
    dueOn: r.due_on,
    priority: r.priority,
    status: r.status,
    overdue: r.due_on !== null && r.due_on < asOf && OPEN_OBJECTIVE_STATUSES.includes(r.status) && LIVE_PLAN_STATUSES.includes(planStatus),
    source: {
      kind: r.source,
      assessmentId: r.source_assessment_id,
      elementId: r.source_element_id,
      psychometricResultId: r.source_psychometric_result_id,
      enrolmentId: r.source_enrolment_id,
      detail: sourceDetail(r)
    },
    frameworkElementIds: elementIds,
    activities,
    version: r.version,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at)
  }
}

export const toProgressNote = (r: Selectable<DevelopmentProgressNotesTable>): Static<typeof ProgressNote> => ({
  id: Number(r.id),
  objectiveId: r.objective_id,
  note: r.note,
  statusFrom: r.status_from,
  statusTo: r.status_to,
  author: r.author,
  createdAt: iso(r.created_at)
})

const selectActivities = (db: Db | Trx) =>
  db
    .selectFrom('development_activities as a')
    .leftJoin('enrolments as e', 'e.id', 'a.enrolment_id')
    .selectAll('a')
    .select(['e.status as enrolment_status', 'e.cohort_id as enrolment_cohort_id'])

/** The objectives of these plans, each with its elements and activities (three queries for any number of plans). */
export async function objectivesOfPlans(db: Db | Trx, planIds: string[]): Promise<Map<string, ObjectiveView[]>> {
  const result = new Map<string, ObjectiveView[]>(planIds.map((id) => [id, []]))
  if (planIds.length === 0) return result
  const objectives = await db
    .selectFrom('development_objectives as ob')
    .innerJoin('development_plans as dp', 'dp.id', 'ob.plan_id')
    .selectAll('ob')
    .select('dp.status as plan_status')
    .where('ob.plan_id', 'in', planIds)
    .orderBy('ob.plan_id')
    .orderBy('ob.position')
    .orderBy('ob.id')
    .execute()
  if (objectives.length === 0) return result
  const ids = objectives.map((o) => o.id)
  const elements = await db.selectFrom('development_objective_elements').selectAll().where('objective_id', 'in', ids).orderBy('element_id').execute()
  const activities = await selectActivities(db).where('a.objective_id', 'in', ids).orderBy('a.position').orderBy('a.id').execute()
  const asOf = today()
  for (const o of objectives) {
    const view = toObjective(
      o,
      elements.filter((e) => e.objective_id === o.id).map((e) => e.element_id),
      activities.filter((a) => a.objective_id === o.id).map(toActivity),
      o.plan_status,
      asOf
    )
    result.get(o.plan_id)!.push(view)
  }
  return result
}

export async function objectiveView(db: Db | Trx, id: string): Promise<ObjectiveView> {
  const row = await findObjective(db, id)
  const views = await objectivesOfPlans(db, [row.plan_id])
  return views.get(row.plan_id)!.find((o) => o.id === id)!
}

export async function findObjective(db: Db | Trx, id: string): Promise<ObjectiveRow> {
  const row = await db.selectFrom('development_objectives').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) throw notFound('development objective', id)
  return row
}

export async function lockObjective(trx: Trx, id: string): Promise<ObjectiveRow> {
  const row = await trx.selectFrom('development_objectives').selectAll().where('id', '=', id).forNoKeyUpdate().executeTakeFirst()
  if (!row) throw notFound('development objective', id)
  return row
}

export async function findActivity(db: Db | Trx, id: string): Promise<ActivityRow> {
  const row = await selectActivities(db).where('a.id', '=', id).executeTakeFirst()
  if (!row) throw notFound('development activity', id)
  return row
}

export async function lockActivity(trx: Trx, id: string): Promise<Selectable<DevelopmentActivitiesTable>> {
  const row = await trx.selectFrom('development_activities').selectAll().where('id', '=', id).forNoKeyUpdate().executeTakeFirst()
  if (!row) throw notFound('development activity', id)
  return row
}

/** The plan an objective belongs to (it never changes), read before any lock is taken. */
export async function planOfObjective(db: Db | Trx, id: string): Promise<string> {
  return (await findObjective(db, id)).plan_id
}

export async function planOfActivity(db: Db | Trx, id: string): Promise<string> {
  const row = await db.selectFrom('development_activities').select('plan_id').where('id', '=', id).executeTakeFirst()
  if (!row) throw notFound('development activity', id)
  return row.plan_id
}

export async function elementIdsOf(db: Db | Trx, objectiveId: string): Promise<string[]> {
  const rows = await db.selectFrom('development_objective_elements').select('element_id').where('objective_id', '=', objectiveId).orderBy('element_id').execute()
  return rows.map((r) => r.element_id)
}

/** Refuses framework element ids that do not exist (422, one error per unknown id). */
export async function assertElementsExist(db: Db | Trx, ids: readonly string[], pointer: string) {
  if (ids.length === 0) return
  const found = new Set((await db.selectFrom('framework_elements').select('id').where('id', 'in', [...ids]).execute()).map((r) => r.id))
  const errors: FieldError[] = ids.flatMap((id, i) => (found.has(id) ? [] : [{ in: 'body', pointer: `${pointer}/${i}`, detail: 'no such framework element' }]))
  if (errors.length) throw new Problem(422, 'invalid-reference', `${pointer.slice(1)}: no such framework element`, { errors })
}

export async function replaceElements(trx: Trx, objectiveId: string, ids: readonly string[]) {
  await trx.deleteFrom('development_objective_elements').where('objective_id', '=', objectiveId).execute()
  if (ids.length) await trx.insertInto('development_objective_elements').values(ids.map((element_id) => ({ objective_id: objectiveId, element_id }))).execute()
}

export async function nextObjectivePosition(trx: Trx, planId: string): Promise<number> {
  const row = await trx.selectFrom('development_objectives').select((eb) => eb.fn.max('position').as('p')).where('plan_id', '=', planId).executeTakeFirst()
  return Number(row?.p ?? 0) + 1
}

export async function nextActivityPosition(trx: Trx, objectiveId: string): Promise<number> {
  const row = await trx.selectFrom('development_activities').select((eb) => eb.fn.max('position').as('p')).where('objective_id', '=', objectiveId).executeTakeFirst()
  return Number(row?.p ?? 0) + 1
}

const noteSorts: SortAllowList<Selectable<DevelopmentProgressNotesTable>> = { createdAt: { columns: ['id'], direction: 'asc', key: (r) => [Number(r.id)] } }

/** An objective's progress notes, oldest first. */
export async function listProgressNotes(db: Db, objectiveId: string, q: PageRequest) {
  return keysetPage(db.selectFrom('development_progress_notes').selectAll().where('objective_id', '=', objectiveId), noteSorts, { ...q, sort: 'createdAt' }, 'createdAt')
}

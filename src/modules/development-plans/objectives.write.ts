import type { ChangeSet } from '../../platform/changes.js'
import { nextObjectivePosition, replaceElements, toObjective, type ObjectiveRow } from './content.repository.js'
import type { PlanRow } from './plans.repository.js'
import type { ObjectiveSource, Priority } from './tables.js'

export interface ObjectiveValues {
  title: string
  description?: string | null
  success_measure?: string | null
  due_on?: string | null
  priority?: Priority
  source: ObjectiveSource
  source_assessment_id?: string | null
  source_element_id?: string | null
  source_psychometric_result_id?: string | null
  source_enrolment_id?: string | null
  source_detail?: Record<string, unknown> | null
}

/**
 * The objective as audited and published: its row with its element links, without activities
 * (they have their own records). Its source is named by ids; the detail of a gap keeps the
 * element (code, title, polarity) and the scale, never the report's figures (as a psychometric
 * source keeps the instrument and date, never the scores): the feedback module shows them only
 * to the subject and `assessments:read`, and audit records and events reach others.
 */
export const objectiveRecord = (row: ObjectiveRow, elementIds: string[], plan: Pick<PlanRow, 'status'>) => {
  const { activities: _activities, ...rest } = toObjective(row, elementIds, [], plan.status)
  return rest
}

/** Inserts an objective at the end of the plan, with its element links, audited and published. */
export async function insertObjective(changes: ChangeSet, plan: PlanRow, values: ObjectiveValues, elementIds: readonly string[]): Promise<ObjectiveRow> {
  const { trx } = changes
  const { source_detail, ...rest } = values
  const row = await trx
    .insertInto('development_objectives')
    .values({ ...rest, plan_id: plan.id, position: await nextObjectivePosition(trx, plan.id), source_detail: source_detail ? JSON.stringify(source_detail) : null })
    .returningAll()
    .executeTakeFirstOrThrow()
  const elements = [...new Set(elementIds)].sort()
  await replaceElements(trx, row.id, elements)
  changes.record({ action: 'development-objective.created', entityType: 'development-objective', entityId: row.id, after: objectiveRecord(row, elements, plan) })
  return row
}


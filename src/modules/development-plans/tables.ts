import type { ColumnType, Generated } from 'kysely'
import type { Timestamp } from '../../platform/tables.js'

export type PlanStatus = 'draft' | 'submitted' | 'agreed' | 'completed' | 'lapsed'
export type Priority = 'high' | 'medium' | 'low'
export type ObjectiveStatus = 'not_started' | 'in_progress' | 'achieved' | 'not_achieved' | 'dropped'
export type ObjectiveSource = 'feedback_gap' | 'psychometric_result' | 'programme_outcome' | 'manager' | 'self' | 'template'
export type ActivityKind = 'programme' | 'placement' | 'coaching' | 'mentoring' | 'shadowing' | 'self_study' | 'other'
export type ActivityStatus = 'planned' | 'started' | 'done' | 'not_done'

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
/** jsonb: written as a JSON string, read as the parsed value. */
type Json = ColumnType<unknown, string | null | undefined, string | null>

export interface DevelopmentPlanTemplatesTable {
  id: Generated<string>
  external_id: string | null
  code: string
  title: string
  description: string | null
  status: Generated<'active' | 'retired'>
  version: Generated<number>
  created_at: Timestamp
  updated_at: Timestamp
}

export interface DevelopmentTemplateObjectivesTable {
  id: Generated<string>
  template_id: string
  position: number
  title: string
  description: string | null
  success_measure: string | null
  priority: Generated<Priority>
  /** Due at the end of this month of the plan's period (1: the first month). */
  due_in_months: number | null
}

export interface DevelopmentTemplateObjectiveElementsTable {
  template_objective_id: string
  element_id: string
}

export interface DevelopmentTemplateActivitiesTable {
  id: Generated<string>
  template_objective_id: string
  position: number
  kind: ActivityKind
  title: string
  description: string | null
  programme_id: string | null
  due_in_months: number | null
}

export interface DevelopmentPlansTable {
  id: Generated<string>
  external_id: string | null
  owner_id: string
  /** The PDR year, `2026/27`: 1 April 2026 to 31 March 2027 (starts_on, ends_on). */
  period: string
  starts_on: string
  ends_on: string
  title: string
  template_id: string | null
  /** The cohort the plan was made for, when a template was applied to one. */
  cohort_id: string | null
  status: Generated<PlanStatus>
  submitted_at: NullableTimestamp
  /** Who agreed: `person:<id>` for a line manager, else the HR token's subject. */
  agreed_by: string | null
  agreed_by_person_id: string | null
  agreed_at: NullableTimestamp
  completed_at: NullableTimestamp
  /** The comment of the last return, agreement or reopening. */
  review_comment: string | null
  created_by: string
  version: Generated<number>
  created_at: Timestamp
  updated_at: Timestamp
}

export interface DevelopmentPlanTransitionsTable {
  id: Generated<number>
  plan_id: string
  from_status: PlanStatus | null
  to_status: PlanStatus
  action: string
  actor: string
  comment: string | null
  occurred_at: Timestamp
}

export interface DevelopmentObjectivesTable {
  id: Generated<string>
  plan_id: string
  position: number
  title: string
  description: string | null
  success_measure: string | null
  due_on: string | null
  priority: Generated<Priority>
  status: Generated<ObjectiveStatus>
  source: ObjectiveSource
  source_assessment_id: string | null
  source_element_id: string | null
  source_psychometric_result_id: string | null
  source_enrolment_id: string | null
  /** What the source said when the objective was made (e.g. the gap: others' mean and need). */
  source_detail: Json
  version: Generated<number>
  created_at: Timestamp
  updated_at: Timestamp
}

export interface DevelopmentObjectiveElementsTable {
  objective_id: string
  element_id: string
}

export interface DevelopmentProgressNotesTable {
  id: Generated<number>
  objective_id: string
  note: string
  status_from: ObjectiveStatus | null
  status_to: ObjectiveStatus | null
  author: string
  created_at: Timestamp
}

export interface DevelopmentActivitiesTable {
  id: Generated<string>
  objective_id: string
  plan_id: string
  position: number
  kind: ActivityKind
  title: string
  description: string | null
  due_on: string | null
  /** Null for programme activities, which follow their enrolment's status. */
  status: ActivityStatus | null
  programme_id: string | null
  enrolment_id: string | null
  version: Generated<number>
  created_at: Timestamp
  updated_at: Timestamp
}

export interface DevelopmentPlansTables {
  development_plan_templates: DevelopmentPlanTemplatesTable
  development_template_objectives: DevelopmentTemplateObjectivesTable
  development_template_objective_elements: DevelopmentTemplateObjectiveElementsTable
  development_template_activities: DevelopmentTemplateActivitiesTable
  development_plans: DevelopmentPlansTable
  development_plan_transitions: DevelopmentPlanTransitionsTable
  development_objectives: DevelopmentObjectivesTable
  development_objective_elements: DevelopmentObjectiveElementsTable
  development_progress_notes: DevelopmentProgressNotesTable
  development_activities: DevelopmentActivitiesTable
}

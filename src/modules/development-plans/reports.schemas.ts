import { Type, type TSchema } from 'typebox'
import { DateOnly, Nullable, PageQuery, pageOf, ref, Uuid } from '../../platform/schemas.js'
import { Period, PlanStatus } from './plans.schemas.js'
import { ObjectiveStatus, Priority } from './content.schemas.js'

const Count = Type.Integer({ minimum: 0 })

const ReportScope = {
  period: Type.Optional(Period),
  orgUnitId: Type.Optional(Type.String({ format: 'uuid', description: 'Only plans of people in this org unit now (with its sub-units when includeDescendants=true)' })),
  includeDescendants: Type.Optional(Type.Boolean({ default: false }))
}

export const ReportQuery = Type.Object(ReportScope, { additionalProperties: false })

export const StatusByOrgUnitRow = Type.Object(
  {
    orgUnitId: Nullable(Uuid),
    orgUnitName: Nullable(Type.String({ description: 'null for people in no org unit' })),
    draft: Count,
    submitted: Count,
    agreed: Count,
    completed: Count,
    lapsed: Count,
    total: Count
  },
  { $id: 'DevelopmentPlanStatusByOrgUnitRow', additionalProperties: false }
)

export const StatusByOrgUnit = Type.Object(
  {
    period: Nullable(Period),
    rows: Type.Array(ref(StatusByOrgUnitRow), { description: 'One per org unit of the plans’ owners (now), by name' }),
    totals: ref(StatusByOrgUnitRow)
  },
  { $id: 'DevelopmentPlanStatusByOrgUnit', description: 'Plans by status, per the org unit their owner is in now', additionalProperties: false }
)

export const OverdueObjective = Type.Object(
  {
    objectiveId: Uuid,
    planId: Uuid,
    planStatus: ref(PlanStatus),
    period: Period,
    ownerId: Uuid,
    ownerName: Type.String(),
    orgUnitId: Nullable(Uuid),
    title: Type.String(),
    priority: ref(Priority),
    status: ref(ObjectiveStatus),
    dueOn: DateOnly,
    daysOverdue: Type.Integer({ minimum: 1 })
  },
  { $id: 'DevelopmentOverdueObjective', additionalProperties: false }
)

export const OverdueObjectivePage = pageOf(ref(OverdueObjective), 'DevelopmentOverdueObjectivePage')

export const OverdueQuery = Type.Object(
  { ...PageQuery, ...ReportScope, asOf: Type.Optional(Type.String({ format: 'date', description: 'Overdue as of this date (default today, UTC)' })) },
  { additionalProperties: false }
)

export const ActivityUptakeRow = Type.Object(
  {
    orgUnitId: Nullable(Uuid),
    orgUnitName: Nullable(Type.String()),
    agreedPlans: Count,
    withActivityStarted: Count,
    share: Nullable(Type.Number({ minimum: 0, maximum: 1, description: 'withActivityStarted / agreedPlans, to four decimals; null when there are no agreed plans' }))
  },
  { $id: 'DevelopmentActivityUptakeRow', additionalProperties: false }
)

export const ActivityUptake = Type.Object(
  {
    period: Nullable(Period),
    rule: Type.String(),
    rows: Type.Array(ref(ActivityUptakeRow)),
    totals: ref(ActivityUptakeRow)
  },
  { $id: 'DevelopmentActivityUptake', description: 'Share of agreed plans with at least one activity started', additionalProperties: false }
)

export const reportsSchemas: TSchema[] = [StatusByOrgUnitRow, StatusByOrgUnit, OverdueObjective, OverdueObjectivePage, ActivityUptakeRow, ActivityUptake]

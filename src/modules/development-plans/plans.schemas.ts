import { Type, type TSchema } from 'typebox'
import { DateOnly, DateTime, ExternalId, Nullable, PageQuery, pageOf, ref, Uuid, Version } from '../../platform/schemas.js'
import { Objective } from './content.schemas.js'

export const PLAN_STATUSES = ['draft', 'submitted', 'agreed', 'completed', 'lapsed'] as const
export const PLAN_ACTIONS = ['submit', 'return', 'agree', 'complete', 'reopen', 'lapse'] as const

export const PlanStatus = Type.Enum(PLAN_STATUSES, {
  $id: 'DevelopmentPlanStatus',
  description:
    'draft → submitted (for review) → agreed (by the owner’s line manager, or HR) → completed; a submitted plan may be returned to draft with comments; ' +
    'an agreed, completed or lapsed plan may be reopened (back to draft, to be agreed again); draft, submitted and agreed plans may lapse'
})

/** Recorded identity of whoever acted. */
export const Actor = Type.String({ description: '`person:<id>` when the token acted for a person, otherwise the token subject (`client:<id>` for API clients)' })

export const Period = Type.String({
  pattern: '^[0-9]{4}/[0-9]{2}$',
  description: 'The PDR year, e.g. `2026/27`: it runs from 1 April 2026 to 31 March 2027',
  examples: ['2026/27']
})

const Title = Type.String({ minLength: 1, maxLength: 300 })

export const Plan = Type.Object(
  {
    id: Uuid,
    externalId: Nullable(ExternalId),
    ownerId: Uuid,
    period: Period,
    startsOn: DateOnly,
    endsOn: DateOnly,
    title: Title,
    templateId: Nullable(Uuid),
    cohortId: Nullable(Type.String({ format: 'uuid', description: 'The cohort the plan was made for, when a template was applied to a cohort' })),
    status: ref(PlanStatus),
    submittedAt: Nullable(DateTime),
    agreedBy: Nullable(Actor),
    agreedAt: Nullable(DateTime),
    completedAt: Nullable(DateTime),
    reviewComment: Nullable(Type.String({ description: 'The comment of the last return, agreement or reopening' })),
    createdBy: Actor,
    objectives: Type.Array(ref(Objective), { description: 'In order, each with its activities' }),
    version: Version,
    createdAt: DateTime,
    updatedAt: DateTime
  },
  { $id: 'DevelopmentPlan', description: 'A person’s development plan for a PDR year', additionalProperties: false }
)

export const PlanCreate = Type.Object(
  {
    ownerId: Uuid,
    period: Period,
    title: Type.Optional(Title),
    templateId: Type.Optional(Type.String({ format: 'uuid', description: 'Copy the objectives and activities of this template' })),
    externalId: Type.Optional(ExternalId)
  },
  { $id: 'DevelopmentPlanCreate', description: 'A new plan starts as a draft. The owner (a token acting for them) or HR creates it.', additionalProperties: false }
)

export const PlanUpdate = Type.Object(
  { title: Type.Optional(Title), externalId: Type.Optional(Nullable(ExternalId)) },
  { $id: 'DevelopmentPlanUpdate', description: 'JSON merge patch of a draft plan; the status changes through the transitions operation', additionalProperties: false }
)

export const PlanTransitionRequest = Type.Object(
  {
    action: Type.Enum(PLAN_ACTIONS, { description: 'submit, return, agree, complete, reopen or lapse' }),
    comment: Type.Optional(Type.String({ minLength: 1, maxLength: 4000, description: 'Required to return, reopen and lapse; kept in the history' }))
  },
  { $id: 'DevelopmentPlanTransitionRequest', additionalProperties: false }
)

export const PlanTransition = Type.Object(
  {
    id: Type.Integer(),
    planId: Uuid,
    fromStatus: Nullable(ref(PlanStatus)),
    toStatus: ref(PlanStatus),
    action: Type.String({ description: 'create, submit, return, agree, complete, reopen or lapse' }),
    actor: Actor,
    comment: Nullable(Type.String()),
    occurredAt: DateTime
  },
  { $id: 'DevelopmentPlanTransition', description: 'One status change of a plan: who, when and why', additionalProperties: false }
)

export const PlanPage = pageOf(ref(Plan), 'DevelopmentPlanPage')
export const PlanTransitionPage = pageOf(ref(PlanTransition), 'DevelopmentPlanTransitionPage')

const StatusList = Type.Array(ref(PlanStatus), { maxItems: 5, description: 'Repeatable: any of these statuses' })

export const PlanListQuery = Type.Object(
  {
    ...PageQuery,
    ownerId: Type.Optional(Uuid),
    status: Type.Optional(StatusList),
    period: Type.Optional(Period),
    templateId: Type.Optional(Uuid),
    cohortId: Type.Optional(Uuid),
    orgUnitId: Type.Optional(Type.String({ format: 'uuid', description: 'Plans of people in this org unit (now), with its sub-units when includeDescendants=true' })),
    includeDescendants: Type.Optional(Type.Boolean({ default: false })),
    directReportsOf: Type.Optional(Type.String({ format: 'uuid', description: 'Plans of this person’s direct reports, per the people data now' })),
    awaitingAgreementBy: Type.Optional(
      Type.String({ format: 'uuid', description: 'Submitted plans of this person’s direct reports (per the people data now): what awaits their agreement' })
    ),
    sort: Type.Optional(Type.Union([Type.Literal('createdAt'), Type.Literal('updatedAt')], { default: 'createdAt' }))
  },
  { additionalProperties: false }
)

export const plansSchemas: TSchema[] = [PlanStatus, Plan, PlanCreate, PlanUpdate, PlanTransitionRequest, PlanTransition, PlanPage, PlanTransitionPage]

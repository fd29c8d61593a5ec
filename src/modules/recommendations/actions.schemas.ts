import { Type, type TSchema } from 'typebox'
import { DateOnly, DateTime, ExternalId, Nullable, PageQuery, pageOf, ref, Uuid, Version } from '../../platform/schemas.js'
import { optional, Text, Title } from './sources.schemas.js'

export const ACTION_STATUSES = ['open', 'in_progress', 'done', 'cancelled'] as const
export const ActionStatus = Type.Enum(ACTION_STATUSES, {
  $id: 'RecommendationActionStatus',
  description: 'open → in_progress → done, or cancelled from open or in_progress; in_progress → open also allowed; done and cancelled are final'
})

const RecommendationIds = Type.Array(Uuid, { minItems: 1, maxItems: 200, uniqueItems: true, description: 'The recommendations the action serves (at least one; a PATCH replaces the set)' })

const actionFields = {
  externalId: Nullable(ExternalId),
  title: Title,
  description: Nullable(Text(8000)),
  ownerOrgUnitId: Nullable(Uuid),
  ownerPersonId: Nullable(Uuid),
  dueOn: Nullable(DateOnly),
  recommendationIds: RecommendationIds
}

export const RecommendationAction = Type.Object(
  {
    id: Uuid,
    ...actionFields,
    status: ref(ActionStatus),
    completedOn: Nullable(DateOnly),
    overdue: Type.Boolean({ description: 'The due date is before today (UTC) and the action is neither done nor cancelled' }),
    version: Version,
    createdAt: DateTime,
    updatedAt: DateTime
  },
  { $id: 'RecommendationAction', description: 'An action taken towards one or more recommendations', additionalProperties: false }
)

export const RecommendationActionCreate = Type.Object(
  { ...optional(actionFields), title: Title, recommendationIds: RecommendationIds },
  { $id: 'RecommendationActionCreate', description: 'A new action is open', additionalProperties: false }
)
export const RecommendationActionUpdate = Type.Object(optional(actionFields), {
  $id: 'RecommendationActionUpdate',
  description: 'JSON merge patch; the status changes through the transitions operation',
  additionalProperties: false
})
export const RecommendationActionTransition = Type.Object(
  {
    to: ref(ActionStatus),
    note: Type.Optional(Text(4000, 'Why; kept in the audit trail and the event')),
    completedOn: Type.Optional(Type.String({ format: 'date', description: 'With to=done: when it was done (default today, never in the future)' }))
  },
  { $id: 'RecommendationActionTransition', additionalProperties: false }
)

export const RecommendationActionPage = pageOf(ref(RecommendationAction), 'RecommendationActionPage')
export const RecommendationActionListQuery = Type.Object(
  {
    ...PageQuery,
    recommendationId: Type.Optional(Uuid),
    status: Type.Optional(ref(ActionStatus)),
    overdue: Type.Optional(Type.Boolean()),
    ownerPersonId: Type.Optional(Uuid),
    ownerOrgUnitId: Type.Optional(Uuid),
    dueBefore: Type.Optional(Type.String({ format: 'date' })),
    sort: Type.Optional(Type.Literal('createdAt', { default: 'createdAt' }))
  },
  { additionalProperties: false }
)

export const actionsSchemas: TSchema[] = [
  ActionStatus, RecommendationAction, RecommendationActionCreate, RecommendationActionUpdate, RecommendationActionTransition, RecommendationActionPage
]

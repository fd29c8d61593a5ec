import { Type, type TSchema } from 'typebox'
import { DateTime, Nullable, PageQuery, pageOf, ref, Uuid } from '../../platform/schemas.js'
import { DECISIONS, DELIVERY_CHANGE_KINDS, INTEGRATIONS, LearningLogLevel, LearningLogStage, PLATFORM_CHANGE_KINDS } from './entries.schemas.js'

const Reason = Type.String({ minLength: 1, maxLength: 4000 })
const Note = Type.String({ minLength: 1, maxLength: 4000, description: 'Kept in the trail (and searched with the entry’s notes)' })
const Reference = Type.String({ minLength: 1, maxLength: 300, description: 'Where the change is: a policy or SOP number, a course code, a change ticket' })

const changeItem = (kinds: readonly string[], id: string, description: string) =>
  Type.Object(
    { kind: Type.Enum(kinds as readonly string[]), reference: Reference, description: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 4000 }))) },
    { $id: id, description, additionalProperties: false }
  )

export const LearningLogPlatformChangeInput = changeItem(PLATFORM_CHANGE_KINDS, 'LearningLogPlatformChangeInput', 'A policy, SOP or process change, with its reference')
export const LearningLogDeliveryChangeInput = changeItem(DELIVERY_CHANGE_KINDS, 'LearningLogDeliveryChangeInput', 'A training, IT or role change, with its reference')

export const LearningLogTransitionRequest = Type.Object(
  {
    to: ref(LearningLogStage),
    note: Type.Optional(Note),
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: 4000, description: 'Required to reopen (move back to an earlier stage)' })),
    challenge: Type.Optional(
      Type.Object(
        {
          decision: Type.Optional(Type.Enum(DECISIONS)),
          actionByOrgUnitId: Type.Optional(Uuid),
          actionByPersonId: Type.Optional(Uuid),
          reason: Type.Optional(Reason),
          duplicateOfId: Type.Optional(Uuid)
        },
        {
          additionalProperties: false,
          description:
            'Leaving challenge. action_required (to accountability) names who acts: actionByOrgUnitId and/or actionByPersonId. no_action or duplicate (to closed) gives the reason; duplicate names the other entry (duplicateOfId).'
        }
      )
    ),
    accountability: Type.Optional(
      Type.Object(
        { ownerId: Type.Optional(Uuid), level: Type.Optional(ref(LearningLogLevel)), smtLeadId: Type.Optional(Uuid) },
        { additionalProperties: false, description: 'Leaving accountability (to platform): owner and level; corporate needs an SMT lead. Fields left out keep the entry’s current values.' }
      )
    ),
    platform: Type.Optional(
      Type.Object(
        {
          changes: Type.Optional(Type.Array(ref(LearningLogPlatformChangeInput), { maxItems: 50 })),
          noneNeededReason: Type.Optional(Reason)
        },
        { additionalProperties: false, description: 'Leaving platform (to delivery): the policy, SOP and process changes made, or why none was needed' }
      )
    ),
    delivery: Type.Optional(
      Type.Object(
        {
          changes: Type.Optional(Type.Array(ref(LearningLogDeliveryChangeInput), { maxItems: 50 })),
          noneNeededReason: Type.Optional(Reason),
          programmeIds: Type.Optional(Type.Array(Uuid, { maxItems: 20, uniqueItems: true, description: 'Programmes that deliver the learning (linked as addressed_by)' })),
          cohortIds: Type.Optional(Type.Array(Uuid, { maxItems: 20, uniqueItems: true, description: 'Cohorts that deliver the learning (linked as addressed_by)' }))
        },
        { additionalProperties: false, description: 'Leaving delivery (to review): the training, IT and role changes made, or why none was needed' }
      )
    ),
    review: Type.Optional(
      Type.Object(
        {
          integrated: Type.Optional(Type.Enum(INTEGRATIONS)),
          improvementSeen: Type.Optional(Type.Boolean()),
          evidence: Type.Optional(Type.String({ minLength: 1, maxLength: 8000 }))
        },
        { additionalProperties: false, description: 'Leaving review (to closed): integrated fully, partly or not; whether improvement was seen; the evidence' }
      )
    )
  },
  {
    $id: 'LearningLogTransitionRequest',
    description:
      'Move to the next stage with the outcome of the stage being left (only that stage’s object may be sent), or back to an earlier stage with a `reason` (reopening).',
    additionalProperties: false
  }
)

export const LearningLogAccountabilityChange = Type.Object(
  {
    ownerId: Uuid,
    level: ref(LearningLogLevel),
    smtLeadId: Type.Optional(Nullable(Uuid)),
    reason: Type.Optional(Reason)
  },
  { $id: 'LearningLogAccountabilityChange', description: 'A new owner and/or level (corporate needs an SMT lead)', additionalProperties: false }
)

export const LearningLogNoteCreate = Type.Object({ note: Note }, { $id: 'LearningLogNoteCreate', additionalProperties: false })

export const TRAIL_KINDS = ['created', 'moved', 'reopened', 'owner_changed', 'linked', 'unlinked', 'noted', 'updated'] as const

export const LearningLogTrailItem = Type.Object(
  {
    id: Type.Integer({ description: 'Increases with every trail item' }),
    entryId: Uuid,
    kind: Type.Enum(TRAIL_KINDS, { description: 'created, moved (forward), reopened (back), owner_changed (owner, level or SMT lead), linked, unlinked, noted, updated (origin fields)' }),
    fromStage: Nullable(ref(LearningLogStage)),
    toStage: Nullable(ref(LearningLogStage)),
    actor: Type.String({ description: 'The token subject that made the change' }),
    note: Nullable(Type.String()),
    data: Type.Unknown({ description: 'What the item recorded: a stage’s outcome, the owner before and after, the link, the fields changed' }),
    occurredAt: DateTime
  },
  { $id: 'LearningLogTrailItem', description: 'One item of an entry’s trail', additionalProperties: false }
)

export const LearningLogTrailPage = pageOf(ref(LearningLogTrailItem), 'LearningLogTrailPage')
export const TrailQuery = Type.Object({ ...PageQuery }, { additionalProperties: false })

export const stagesSchemas: TSchema[] = [
  LearningLogPlatformChangeInput, LearningLogDeliveryChangeInput, LearningLogTransitionRequest, LearningLogAccountabilityChange,
  LearningLogNoteCreate, LearningLogTrailItem, LearningLogTrailPage
]

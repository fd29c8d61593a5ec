import { Type, type TSchema } from 'typebox'
import { DateTime, Nullable, PageQuery, pageOf, ref, Uuid } from '../../platform/schemas.js'

export const LINK_KINDS = ['duplicate_of', 'related', 'produced_by', 'addressed_by'] as const

export const LearningLogLinkKind = Type.Enum(LINK_KINDS, {
  $id: 'LearningLogLinkKind',
  description:
    'duplicate_of: another entry this one repeats; related: any entry, recommendation, programme or cohort; produced_by: the recommendation (e.g. of an HMIC inspection), programme or cohort the lesson came from; addressed_by: the recommendation, programme or cohort that addresses it'
})

export const LearningLogLink = Type.Object(
  {
    id: Uuid,
    entryId: Uuid,
    kind: ref(LearningLogLinkKind),
    targetType: Type.Enum(['recommendation', 'programme', 'cohort', 'entry'] as const),
    targetId: Uuid,
    recommendationId: Nullable(Uuid),
    programmeId: Nullable(Uuid),
    cohortId: Nullable(Uuid),
    linkedEntryId: Nullable(Uuid),
    note: Nullable(Type.String()),
    createdBy: Type.String(),
    createdAt: DateTime
  },
  { $id: 'LearningLogLink', description: 'A link from an entry to a recommendation, programme, cohort or another entry (exactly one)', additionalProperties: false }
)

export const LearningLogLinkCreate = Type.Object(
  {
    kind: ref(LearningLogLinkKind),
    recommendationId: Type.Optional(Uuid),
    programmeId: Type.Optional(Uuid),
    cohortId: Type.Optional(Uuid),
    entryId: Type.Optional(Type.String({ format: 'uuid', description: 'Another learning log entry' })),
    note: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 }))
  },
  { $id: 'LearningLogLinkCreate', description: 'Name exactly one target', additionalProperties: false }
)

export const LearningLogLinkPage = pageOf(ref(LearningLogLink), 'LearningLogLinkPage')
export const LinkListQuery = Type.Object({ ...PageQuery }, { additionalProperties: false })
export const LinkParams = Type.Object({ id: Uuid, linkId: Uuid }, { additionalProperties: false })
export const LinkDeleteQuery = Type.Object(
  { reason: Type.Optional(Type.String({ minLength: 1, maxLength: 2000, description: 'Why the link is removed; kept in the trail' })) },
  { additionalProperties: false }
)

export const linksSchemas: TSchema[] = [LearningLogLinkKind, LearningLogLink, LearningLogLinkCreate, LearningLogLinkPage]

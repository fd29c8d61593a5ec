import { Type, type TSchema } from 'typebox'
import { DateOnly, DateTime, ExternalId, Nullable, PageQuery, pageOf, ref, Uuid, Version } from '../../platform/schemas.js'

export const SOURCE_KINDS = [
  'operational_debrief', 'employment_tribunal', 'health_and_safety', 'inspection', 'audit', 'scrutiny',
  'complaint', 'high_profile_event', 'risk_assessment', 'peer_assessment', 'corporate_tasking', 'other'
] as const
export const STAGES = ['origin', 'challenge', 'accountability', 'platform', 'delivery', 'review', 'closed'] as const
export const LEARNING_KINDS = ['lesson_identified', 'notable_practice'] as const
export const DISSEMINATIONS = ['internal_unit', 'organisation', 'public'] as const
export const LEVELS = ['ocu', 'business_group', 'management_board', 'corporate'] as const
export const DECISIONS = ['action_required', 'no_action', 'duplicate'] as const
export const INTEGRATIONS = ['fully', 'partly', 'not'] as const
export const CLOSURE_KINDS = ['no_action', 'duplicate', 'reviewed'] as const
export const PLATFORM_CHANGE_KINDS = ['policy', 'sop', 'process'] as const
export const DELIVERY_CHANGE_KINDS = ['training', 'it', 'role'] as const

const sourceOptions = {
  description:
    'Where the learning came from (seed 002): an operational debrief, an employment tribunal, a health and safety incident, an inspection (e.g. HMIC), an audit, a scrutiny, a complaint, a high-profile event, a risk assessment, a peer assessment (capability model), the corporate tasking process, or other'
}
const stageOptions = {
  description:
    'The organisational learning model: origin (identified) → challenge (quality assured, decision) → accountability (owner and level) → platform (policy, SOP, process) → delivery (training, IT, role) → review (integrated? improvement seen?) → closed. An entry in a stage is doing that stage’s work; it leaves the stage with the stage’s outcome.'
}
const kindOptions = { description: 'A lesson identified (something to change) or notable practice (something to share)' }
const disseminationOptions = {
  description: 'How far the entry may be shared: within the unit, across the organisation, or publicly. A public entry’s title, summary and notes may name no person.'
}
const levelOptions = { description: 'Where the learning is addressed: OCU, business group, Management Board, or corporate (which needs an SMT lead)' }

export const LearningLogSourceKind = Type.Enum(SOURCE_KINDS, { $id: 'LearningLogSourceKind', ...sourceOptions })
export const LearningLogStage = Type.Enum(STAGES, { $id: 'LearningLogStage', ...stageOptions })
export const LearningLogKind = Type.Enum(LEARNING_KINDS, { $id: 'LearningLogKind', ...kindOptions })
export const LearningLogDissemination = Type.Enum(DISSEMINATIONS, { $id: 'LearningLogDissemination', ...disseminationOptions })
export const LearningLogLevel = Type.Enum(LEVELS, { $id: 'LearningLogLevel', ...levelOptions })

const Title = Type.String({ minLength: 1, maxLength: 300 })
const Summary = Type.String({ minLength: 1, maxLength: 4000, description: 'What was learnt, in a few sentences' })
const Notes = Type.String({ minLength: 1, maxLength: 20000, description: 'Background and detail' })
const SourceReference = Type.String({ minLength: 1, maxLength: 300, description: 'The source’s own reference, e.g. a debrief, tribunal case or inspection report' })
const Tag = Type.String({ minLength: 1, maxLength: 60, pattern: '^[^|]+$' })
const Tags = Type.Array(Tag, { maxItems: 30, uniqueItems: true, description: 'Free tags, e.g. “public order”, “custody”' })

export const LearningLogChange = Type.Object(
  {
    id: Uuid,
    kind: Type.String({ description: 'platform: policy, sop or process; delivery: training, it or role' }),
    reference: Type.String({ description: 'Where the change is: a policy or SOP number, a course code, a system change ticket' }),
    description: Nullable(Type.String()),
    recordedAt: DateTime
  },
  { $id: 'LearningLogChange', description: 'A change the learning produced, recorded when the entry left platform or delivery', additionalProperties: false }
)

const changesOf = (stage: string) =>
  Type.Object(
    {
      noneNeededReason: Nullable(Type.String({ description: `Why no ${stage} change was needed` })),
      changes: Type.Array(ref(LearningLogChange))
    },
    { additionalProperties: false }
  )

export const LearningLogEntry = Type.Object(
  {
    id: Uuid,
    externalId: Nullable(ExternalId),
    reference: Type.String({ description: 'OL-<year identified>-<sequence>, e.g. OL-2009-0042; assigned on creation, never reused' }),
    title: Type.String(),
    summary: Type.String(),
    notes: Nullable(Type.String()),
    kind: ref(LearningLogKind),
    sourceKind: ref(LearningLogSourceKind),
    sourceReference: Nullable(Type.String()),
    eventDate: Nullable(DateOnly),
    orgUnitId: Type.String({ format: 'uuid', description: 'The business group or unit where it was identified' }),
    identifiedById: Nullable(Uuid),
    identifiedOn: DateOnly,
    dissemination: ref(LearningLogDissemination),
    tags: Type.Array(Type.String()),
    stage: ref(LearningLogStage),
    stageEnteredAt: DateTime,
    challenge: Nullable(
      Type.Object(
        {
          decision: Type.Enum(DECISIONS),
          actionByOrgUnitId: Nullable(Uuid),
          actionByPersonId: Nullable(Uuid),
          decidedAt: DateTime
        },
        { additionalProperties: false, description: 'The challenge decision: action required (and who acts), no action, or duplicate' }
      )
    ),
    accountability: Nullable(
      Type.Object(
        { ownerId: Uuid, level: ref(LearningLogLevel), smtLeadId: Nullable(Uuid) },
        { additionalProperties: false, description: 'Who owns the learning and at which level it is addressed' }
      )
    ),
    platform: changesOf('policy, SOP or process'),
    delivery: changesOf('training, IT or role'),
    review: Nullable(
      Type.Object(
        { integrated: Type.Enum(INTEGRATIONS), improvementSeen: Type.Boolean(), evidence: Type.String(), reviewedAt: DateTime },
        { additionalProperties: false, description: 'Whether the learning was integrated and improvement seen, with the evidence' }
      )
    ),
    closure: Nullable(
      Type.Object(
        { kind: Type.Enum(CLOSURE_KINDS), reason: Nullable(Type.String()), duplicateOfId: Nullable(Uuid), closedAt: DateTime },
        { additionalProperties: false, description: 'How the entry closed: no action or duplicate (at challenge), or reviewed' }
      )
    ),
    version: Version,
    createdAt: DateTime,
    updatedAt: DateTime
  },
  { $id: 'LearningLogEntry', description: 'A lesson identified or notable practice, and where it stands in the organisational learning model', additionalProperties: false }
)

const entryFields = {
  externalId: Nullable(ExternalId),
  title: Title,
  summary: Summary,
  notes: Nullable(Notes),
  kind: ref(LearningLogKind),
  sourceKind: ref(LearningLogSourceKind),
  sourceReference: Nullable(SourceReference),
  eventDate: Nullable(DateOnly),
  orgUnitId: Uuid,
  identifiedById: Nullable(Uuid),
  identifiedOn: DateOnly,
  dissemination: ref(LearningLogDissemination),
  tags: Tags
}

export const LearningLogEntryCreate = Type.Object(
  {
    ...entryFields,
    externalId: Type.Optional(entryFields.externalId),
    notes: Type.Optional(entryFields.notes),
    kind: Type.Optional(ref(LearningLogKind)),
    sourceReference: Type.Optional(entryFields.sourceReference),
    eventDate: Type.Optional(entryFields.eventDate),
    identifiedById: Type.Optional(entryFields.identifiedById),
    identifiedOn: Type.Optional(DateOnly),
    dissemination: Type.Optional(ref(LearningLogDissemination)),
    tags: Type.Optional(Tags)
  },
  {
    $id: 'LearningLogEntryCreate',
    description: 'A new entry, at origin. Defaults: kind lesson_identified, identifiedOn today (UTC), dissemination internal_unit. The reference is assigned from the year of identifiedOn.',
    additionalProperties: false
  }
)

export const LearningLogEntryUpdate = Type.Object(
  {
    externalId: Type.Optional(entryFields.externalId),
    title: Type.Optional(Title),
    summary: Type.Optional(Summary),
    notes: Type.Optional(entryFields.notes),
    kind: Type.Optional(ref(LearningLogKind)),
    sourceKind: Type.Optional(ref(LearningLogSourceKind)),
    sourceReference: Type.Optional(entryFields.sourceReference),
    eventDate: Type.Optional(entryFields.eventDate),
    orgUnitId: Type.Optional(Uuid),
    identifiedById: Type.Optional(entryFields.identifiedById),
    identifiedOn: Type.Optional(DateOnly),
    dissemination: Type.Optional(ref(LearningLogDissemination)),
    tags: Type.Optional(Tags)
  },
  { $id: 'LearningLogEntryUpdate', description: 'JSON merge patch of the origin fields; stages move only through transitions, owners through the accountability operation', additionalProperties: false }
)

export const LearningLogEntrySummary = Type.Object(
  {
    id: Uuid,
    reference: Type.String(),
    title: Type.String(),
    summary: Type.String(),
    kind: ref(LearningLogKind),
    sourceKind: ref(LearningLogSourceKind),
    sourceReference: Nullable(Type.String()),
    orgUnitId: Uuid,
    identifiedOn: DateOnly,
    dissemination: ref(LearningLogDissemination),
    tags: Type.Array(Type.String()),
    stage: ref(LearningLogStage),
    stageEnteredAt: DateTime,
    daysInStage: Type.Integer({ minimum: 0, description: 'Whole days since the entry entered its stage' }),
    ownerId: Nullable(Uuid),
    level: Nullable(ref(LearningLogLevel)),
    rank: Nullable(Type.Number({ description: 'Relevance to `q` (ts_rank_cd over title A, summary B, notes C); null without `q`' })),
    version: Version
  },
  { $id: 'LearningLogEntrySummary', description: 'An entry as lists and search show it', additionalProperties: false }
)

export const LearningLogEntryPage = pageOf(ref(LearningLogEntrySummary), 'LearningLogEntryPage')

const many = <T extends TSchema>(item: T, description: string) => Type.Optional(Type.Array(item, { maxItems: 20, description }))

export const LearningLogEntryListQuery = Type.Object(
  {
    ...PageQuery,
    q: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'Full-text search (English stemming) over title, summary and notes, in web search syntax: words, "a phrase", or, -not'
      })
    ),
    stage: many(ref(LearningLogStage), 'Only these stages; repeat for several'),
    sourceKind: many(ref(LearningLogSourceKind), 'Only these source kinds; repeat for several'),
    kind: Type.Optional(ref(LearningLogKind)),
    orgUnitId: Type.Optional(Uuid),
    includeDescendants: Type.Optional(Type.Boolean({ default: false, description: 'With orgUnitId: also entries identified in every unit below it' })),
    level: many(ref(LearningLogLevel), 'Only these accountability levels'),
    ownerId: Type.Optional(Uuid),
    minDaysInStage: Type.Optional(Type.Integer({ minimum: 0, maximum: 36500, description: 'In the current stage for at least this many days' })),
    maxDaysInStage: Type.Optional(Type.Integer({ minimum: 0, maximum: 36500, description: 'In the current stage for at most this many (whole) days' })),
    tag: many(Tag, 'Carrying every one of these tags'),
    dissemination: Type.Optional(ref(LearningLogDissemination)),
    recommendationId: Type.Optional(Type.String({ format: 'uuid', description: 'Linked to this recommendation (any link kind)' })),
    programmeId: Type.Optional(Type.String({ format: 'uuid', description: 'Linked to this programme (any link kind)' })),
    externalId: Type.Optional(ExternalId),
    reference: Type.Optional(Type.String({ maxLength: 40 })),
    sort: Type.Optional(
      Type.Union([Type.Literal('relevance'), Type.Literal('createdAt'), Type.Literal('reference'), Type.Literal('stageEnteredAt')], {
        description: 'relevance (best first; the default with `q`, and only with `q`), createdAt (the default without `q`), reference, stageEnteredAt (longest in stage first)'
      })
    )
  },
  { additionalProperties: false }
)

const enumInline = <const V extends readonly string[]>(values: V, options: { description?: string } = {}) => Type.Enum(values, options)

export const LearningLogImportRow = Type.Object(
  {
    externalId: ExternalId,
    reference: Type.Optional(
      Nullable(
        Type.String({
          pattern: '^OL-[0-9]{4}-[0-9]{4,}$',
          description: 'Left out for a new entry: assigned. Given for a new entry: kept, so exported rows imported elsewhere keep their references (only rows with an externalId: an entry created without one exports with externalId null (empty in CSV), and such a row cannot be imported back). For an existing entry it must be the entry’s own.'
        })
      )
    ),
    title: Title,
    summary: Summary,
    notes: Type.Optional(Nullable(Notes)),
    kind: Type.Optional(enumInline(LEARNING_KINDS, kindOptions)),
    sourceKind: enumInline(SOURCE_KINDS, sourceOptions),
    sourceReference: Type.Optional(Nullable(SourceReference)),
    eventDate: Type.Optional(Nullable(DateOnly)),
    orgUnitExternalId: ExternalId,
    identifiedByExternalId: Type.Optional(Nullable(ExternalId)),
    identifiedOn: Type.Optional(Nullable(DateOnly)),
    dissemination: Type.Optional(enumInline(DISSEMINATIONS, disseminationOptions)),
    tags: Type.Optional(
      Nullable(Type.Union([Type.Array(Tag, { maxItems: 30 }), Type.String({ maxLength: 2000, description: 'Tags separated by |' })], { description: 'Tags' }))
    ),
    stage: Type.Optional(
      enumInline(STAGES, { description: 'Informational (exports carry it): a new entry is imported at origin, and an import never moves an existing one' })
    )
  },
  { $id: 'LearningLogImportRow', description: 'A row of a learning log import (e.g. lessons from a debrief spreadsheet)', additionalProperties: false }
)

export const entriesSchemas: TSchema[] = [
  LearningLogSourceKind, LearningLogStage, LearningLogKind, LearningLogDissemination, LearningLogLevel,
  LearningLogChange, LearningLogEntry, LearningLogEntryCreate, LearningLogEntryUpdate, LearningLogEntrySummary, LearningLogEntryPage, LearningLogImportRow
]

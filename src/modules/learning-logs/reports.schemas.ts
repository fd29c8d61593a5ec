import { Type, type TSchema } from 'typebox'
import { DateOnly, DateTime, Nullable, PageQuery, pageOf, ref, Uuid } from '../../platform/schemas.js'
import { CLOSURE_KINDS, INTEGRATIONS, LearningLogKind, LearningLogSourceKind, LearningLogStage, STAGES } from './entries.schemas.js'

const Count = Type.Integer({ minimum: 0 })
const StageCounts = Type.Object(Object.fromEntries(STAGES.map((s) => [s, Count])) as Record<(typeof STAGES)[number], typeof Count>, {
  additionalProperties: false,
  description: 'Entries at each stage'
})

export const LearningLogStageByBusinessGroup = Type.Object(
  {
    rows: Type.Array(
      Type.Object(
        {
          businessGroupId: Nullable(Uuid),
          businessGroupName: Nullable(Type.String({ description: 'null: identified in a unit outside any business group' })),
          stages: StageCounts,
          total: Count
        },
        { additionalProperties: false }
      )
    ),
    totals: Type.Object({ stages: StageCounts, total: Count }, { additionalProperties: false })
  },
  {
    $id: 'LearningLogStageByBusinessGroup',
    description: 'Entries by stage and by the business group of the unit where they were identified (the nearest business_group at or above it)',
    additionalProperties: false
  }
)

export const LearningLogStageDurations = Type.Object(
  {
    stages: Type.Array(
      Type.Object(
        {
          stage: ref(LearningLogStage),
          completedStays: Type.Integer({ minimum: 0, description: 'Times an entry entered the stage and left it (a reopened entry can stay twice)' }),
          medianDays: Nullable(Type.Number({ description: 'Median days of the completed stays (two decimals); null when none' })),
          inStageNow: Type.Integer({ minimum: 0 }),
          medianDaysSoFar: Nullable(Type.Number({ description: 'Median days the entries in the stage now have spent there so far' }))
        },
        { additionalProperties: false }
      )
    )
  },
  { $id: 'LearningLogStageDurations', description: 'Time in each stage, read from the trail (stage entered → stage left)', additionalProperties: false }
)

export const StageDurationsQuery = Type.Object(
  { sourceKind: Type.Optional(ref(LearningLogSourceKind)), kind: Type.Optional(ref(LearningLogKind)) },
  { additionalProperties: false }
)

export const StuckQuery = Type.Object(
  {
    ...PageQuery,
    days: Type.Integer({ minimum: 0, maximum: 36500, description: 'In their current stage for at least this many days' }),
    stage: Type.Optional(Type.Array(ref(LearningLogStage), { maxItems: 7, description: 'Only these stages (default: every stage but closed)' }))
  },
  { additionalProperties: false }
)

export const LearningLogSourceReport = Type.Object(
  {
    bySourceKind: Type.Array(
      Type.Object(
        {
          sourceKind: ref(LearningLogSourceKind),
          entries: Count,
          lessons: Count,
          notablePractices: Count,
          actionRequired: Count,
          closedNoAction: Count,
          closedDuplicate: Count,
          closedReviewed: Count,
          improvementSeen: Count
        },
        { additionalProperties: false }
      ),
      { description: 'Each kind of source: most lessons first, then most entries, then by kind' }
    ),
    topSources: Type.Array(
      Type.Object(
        { sourceKind: ref(LearningLogSourceKind), sourceReference: Type.String(), entries: Count, lessons: Count },
        { additionalProperties: false }
      ),
      { description: 'The individual sources (by their reference) that produced the most lessons: most lessons first, then most entries, then by kind and reference; at most `top`' }
    )
  },
  { $id: 'LearningLogSourceReport', description: 'Which sources produce the most lessons, most first', additionalProperties: false }
)

export const SourceReportQuery = Type.Object(
  {
    identifiedFrom: Type.Optional(DateOnly),
    identifiedTo: Type.Optional(DateOnly),
    top: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10, description: 'How many individual sources to list' }))
  },
  { additionalProperties: false }
)

export const LearningLogReviewOutcomes = Type.Object(
  {
    closed: Count,
    closedNoAction: Count,
    closedDuplicate: Count,
    reviewed: Count,
    outcomes: Type.Array(
      Type.Object({ integrated: Type.Enum(INTEGRATIONS), improvementSeen: Type.Boolean(), entries: Count }, { additionalProperties: false }),
      { description: 'Reviewed entries by integration and improvement; every combination, zeros included' }
    )
  },
  { $id: 'LearningLogReviewOutcomes', description: 'How closed lessons ended', additionalProperties: false }
)

export const LearningLogClosedLesson = Type.Object(
  {
    id: Uuid,
    reference: Type.String(),
    title: Type.String(),
    kind: ref(LearningLogKind),
    sourceKind: ref(LearningLogSourceKind),
    closureKind: Type.Enum(CLOSURE_KINDS),
    closureReason: Nullable(Type.String()),
    integrated: Nullable(Type.Enum(INTEGRATIONS)),
    improvementSeen: Nullable(Type.Boolean()),
    evidence: Nullable(Type.String()),
    closedAt: DateTime
  },
  { $id: 'LearningLogClosedLesson', description: 'A closed entry and how it ended', additionalProperties: false }
)

export const LearningLogClosedLessonPage = pageOf(ref(LearningLogClosedLesson), 'LearningLogClosedLessonPage')

export const ClosedLessonsQuery = Type.Object(
  {
    ...PageQuery,
    closureKind: Type.Optional(Type.Enum(CLOSURE_KINDS)),
    integrated: Type.Optional(Type.Enum(INTEGRATIONS)),
    improvementSeen: Type.Optional(Type.Boolean())
  },
  { additionalProperties: false }
)

export const reportsSchemas: TSchema[] = [
  LearningLogStageByBusinessGroup, LearningLogStageDurations, LearningLogSourceReport, LearningLogReviewOutcomes, LearningLogClosedLesson, LearningLogClosedLessonPage
]

import { Type } from 'typebox'
import { DateTime, Nullable, ref, Uuid } from '../../platform/schemas.js'
import { AssessmentStatus, RatingScale, Relationship } from './assessments.schemas.js'

/*
 * Nullable scalars and arrays are written as a type list (`type: ['number', 'null']`), not as
 * `anyOf` (what `Nullable` makes): fast-json-stringify serialises an `anyOf` by running the
 * validator on every value to pick the branch, a type list by a `typeof` check. The report has
 * hundreds of such values per answer. Same JSON Schema meaning, same types in the SDK.
 */
const NullableNumber = (options: { description?: string } = {}) => Type.Unsafe<number | null>({ type: ['number', 'null'], ...options })
const NullableUuid = Type.Unsafe<string | null>({ type: ['string', 'null'], format: 'uuid', description: 'A UUID' })
const Mean = NullableNumber({ description: 'Rounded to 2 decimals' })
const Bucket = Type.Enum(['self', 'line_manager', 'peer', 'direct_report', 'other', 'others'] as const, {
  $id: 'ReportBucket',
  description: 'A column of the report: a rater group, or `others` (anonymous groups too small on their own, merged)'
})
const Polarity = Type.Enum(['positive', 'negative'] as const)

export const ReportGroupCell = Type.Object(
  {
    group: ref(Bucket),
    count: Type.Integer({ minimum: 0, description: 'Ratings counted (not-observed answers excluded)' }),
    notObserved: Type.Integer({ minimum: 0 }),
    mean: Mean,
    // Counts by position, not {value, count} objects: in a 15-rater, 40-behaviour report the 200
    // distributions took 24 KB of its 68 as objects, 5 KB as counts.
    distribution: Type.Unsafe<number[] | null>({
      type: ['array', 'null'],
      items: { type: 'integer', minimum: 0 },
      description: 'Ratings per scale point, one count per value from `scale.min` to `scale.max` in order: `distribution[i]` counts the ratings equal to `scale.min + i`. Null when the cell is suppressed'
    }),
    suppressed: Type.Boolean({ description: 'An anonymous column with fewer ratings of this behaviour than the threshold: mean and distribution withheld' })
  },
  { $id: 'ReportGroupCell', additionalProperties: false }
)

export const ReportElement = Type.Object(
  {
    elementId: Uuid,
    lineageId: Uuid,
    code: Type.String(),
    title: Type.String(),
    kind: Type.String(),
    polarity: Polarity,
    parentId: NullableUuid,
    selfMean: Mean,
    othersMean: NullableNumber({ description: 'Every rater but self, over the columns shown; null when nothing is shown' }),
    othersCount: Type.Integer({ minimum: 0 }),
    gap: NullableNumber({ description: 'selfMean − othersMean' }),
    othersSeenRate: NullableNumber({ description: 'Negative behaviours: share of others’ ratings above the scale minimum' }),
    groups: Type.Array(ref(ReportGroupCell))
  },
  { $id: 'ReportElement', description: 'One rated behaviour', additionalProperties: false }
)

export const ReportRollupFigures = Type.Object(
  {
    behaviours: Type.Integer({ minimum: 1 }),
    selfMean: Mean,
    othersMean: Mean,
    othersCount: Type.Integer({ minimum: 0 }),
    gap: NullableNumber(),
    othersSeenRate: NullableNumber(),
    groups: Type.Array(
      Type.Object(
        {
          group: ref(Bucket),
          mean: Mean,
          count: Type.Integer({ minimum: 0 }),
          distribution: Type.Array(Type.Integer({ minimum: 0 }), {
            description: 'Ratings per scale point as in the behaviours’ cells (`distribution[i]` counts the ratings equal to `scale.min + i`), summed over the shown cells of the behaviours below: a suppressed cell adds nothing, so no figure of it can be had by subtraction'
          })
        },
        { additionalProperties: false }
      )
    )
  },
  { $id: 'ReportRollupFigures', additionalProperties: false }
)

export const ReportRollup = Type.Object(
  {
    elementId: Uuid,
    lineageId: Uuid,
    code: Type.String(),
    title: Type.String(),
    kind: Type.String(),
    parentId: NullableUuid,
    positive: Nullable(ref(ReportRollupFigures)),
    negative: Nullable(ref(ReportRollupFigures))
  },
  { $id: 'ReportRollup', description: 'A competency, value or cluster: the ratings of the behaviours below it pooled, positive and negative apart', additionalProperties: false }
)

export const ReportHighlight = Type.Object(
  {
    elementId: Uuid,
    code: Type.String(),
    title: Type.String(),
    polarity: Polarity,
    selfMean: Mean,
    othersMean: Mean,
    gap: NullableNumber()
  },
  { $id: 'ReportHighlight', additionalProperties: false }
)

export const AssessmentReport = Type.Object(
  {
    assessmentId: Uuid,
    subjectId: Uuid,
    frameworkId: Uuid,
    status: ref(AssessmentStatus),
    generatedAt: DateTime,
    scale: ref(RatingScale),
    anonymityThreshold: Type.Integer(),
    gapThreshold: Type.Number({ description: 'A quarter of the scale’s range, at least 0.5: the |gap| that makes a blind spot or hidden strength' }),
    rules: Type.Array(Type.String(), { description: 'How the figures were made, in words' }),
    raterGroups: Type.Array(
      Type.Object(
        {
          group: ref(Relationship),
          respondents: Type.Integer({ minimum: 1 }),
          treatment: Type.Enum(['identified', 'reported', 'merged', 'suppressed'] as const)
        },
        { additionalProperties: false }
      )
    ),
    buckets: Type.Array(ref(Bucket), { description: 'The columns of every `groups` list, in order' }),
    responseRates: Type.Array(
      Type.Object(
        {
          group: ref(Relationship),
          invited: Type.Integer({ minimum: 0, description: 'Invitations not withdrawn' }),
          submitted: Type.Integer({ minimum: 0 }),
          declined: Type.Integer({ minimum: 0 }),
          pending: Type.Integer({ minimum: 0 }),
          rate: NullableNumber({ description: 'submitted / invited' })
        },
        { additionalProperties: false }
      )
    ),
    elements: Type.Array(ref(ReportElement)),
    rollups: Type.Array(ref(ReportRollup)),
    blindSpots: Type.Array(ref(ReportHighlight)),
    hiddenStrengths: Type.Array(ref(ReportHighlight)),
    topBehaviours: Type.Array(ref(ReportHighlight)),
    bottomBehaviours: Type.Array(ref(ReportHighlight), { description: 'Lowest first' }),
    mostSeenNegativeBehaviours: Type.Array(ref(ReportHighlight)),
    comments: Type.Array(
      Type.Object({ elementId: NullableUuid, group: ref(Bucket), text: Type.String() }, { additionalProperties: false }),
      { description: 'Without attribution, in a new random order on every request' }
    ),
    withheldComments: Type.Integer({ minimum: 0, description: 'Comments of suppressed groups, not shown' })
  },
  { $id: 'AssessmentReport', description: 'The 360° report of one assessment', additionalProperties: false }
)

export const reportSchemas = [Bucket, ReportGroupCell, ReportElement, ReportRollupFigures, ReportRollup, ReportHighlight, AssessmentReport]

import { Type } from 'typebox'
import { DateTime, ExternalId, Nullable, PageQuery, pageOf, ref, Uuid, Version } from '../../platform/schemas.js'
import { transitionBody } from '../programmes/transitions.js'

export const ASSESSMENT_STATUSES = ['draft', 'open', 'closed', 'released', 'cancelled'] as const
const statusDescription =
  'draft → open (raters may answer while the window is open) → closed (no more answers) → released (the report reaches its subject); draft or open → cancelled. Changed only through the transitions operation.'
export const AssessmentStatus = Type.Enum(ASSESSMENT_STATUSES, { $id: 'AssessmentStatus', description: statusDescription })

export const RELATIONSHIPS = ['self', 'line_manager', 'peer', 'direct_report', 'other'] as const
export const Relationship = Type.Enum(RELATIONSHIPS, {
  $id: 'Relationship',
  description: 'How the rater knows the subject; also the rater group in the report'
})

const Purpose = Type.String({ minLength: 1, maxLength: 2000, description: 'What the assessment is for, e.g. “IMPACT development workshop, cohort 3”' })
const Label = Type.String({ minLength: 1, maxLength: 200 })

export const RatingScale = Type.Object(
  {
    min: Type.Integer({ minimum: 0, maximum: 10, description: 'Lowest value (for negative behaviours: never seen)' }),
    max: Type.Integer({ minimum: 1, maximum: 20, description: 'Highest value; at most 10 steps above min' }),
    labels: Type.Array(Label, { maxItems: 11, description: 'One label per value from min to max, or none' }),
    notObservedAllowed: Type.Boolean({ description: 'Whether a rater may answer “not observed” (null) instead of a value' })
  },
  { $id: 'RatingScale', description: 'The scale every element is rated on. Negative behaviours are rated on the same scale read as how often they are seen.', additionalProperties: false }
)

const RatingScaleInput = Type.Object(
  {
    min: Type.Integer({ minimum: 0, maximum: 10 }),
    max: Type.Integer({ minimum: 1, maximum: 20 }),
    labels: Type.Optional(Type.Array(Label, { maxItems: 11 })),
    notObservedAllowed: Type.Optional(Type.Boolean({ default: true }))
  },
  { additionalProperties: false, description: 'Default 1–5 with “not observed” allowed and no labels' }
)

const Threshold = Type.Integer({
  minimum: 2,
  maximum: 50,
  description: 'Fewest responses a rater group needs to be reported on its own (default 3); smaller groups are merged into “others”, and suppressed if still too few'
})
const LineManagerIdentified = Type.Boolean({
  description: 'Whether line-manager answers are shown to the subject as the line manager’s (default true: the subject knows who their manager is). When false they are treated like peers: thresholds, merging and suppression apply.'
})

export const Assessment = Type.Object(
  {
    id: Uuid,
    externalId: Nullable(ExternalId),
    subjectId: Type.String({ format: 'uuid', description: 'The person assessed' }),
    frameworkId: Type.String({ format: 'uuid', description: 'A published framework version' }),
    elementIds: Type.Array(Uuid, { description: 'The behaviours rated; empty means every behaviour of the framework version' }),
    purpose: Purpose,
    cohortId: Nullable(Type.String({ format: 'uuid', description: 'The programme cohort the assessment serves, if any' })),
    opensAt: DateTime,
    closesAt: DateTime,
    scale: ref(RatingScale),
    anonymityThreshold: Threshold,
    lineManagerIdentified: LineManagerIdentified,
    status: ref(AssessmentStatus),
    statusReason: Nullable(Type.String({ description: 'Why it last moved, as given' })),
    openedAt: Nullable(DateTime),
    closedAt: Nullable(DateTime),
    releasedAt: Nullable(DateTime),
    version: Version,
    createdAt: DateTime,
    updatedAt: DateTime
  },
  { $id: 'Assessment', description: 'A 360° assessment of one person against a published framework version', additionalProperties: false }
)

export const AssessmentCreate = Type.Object(
  {
    externalId: Type.Optional(Nullable(ExternalId)),
    subjectId: Uuid,
    frameworkId: Type.String({ format: 'uuid', description: 'A published framework version (draft and retired versions are refused)' }),
    elementIds: Type.Optional(
      Type.Array(Uuid, { maxItems: 500, uniqueItems: true, description: 'A subset of the framework’s behaviours; omitted or empty: all of them' })
    ),
    purpose: Purpose,
    cohortId: Type.Optional(Nullable(Uuid)),
    opensAt: DateTime,
    closesAt: Type.String({ format: 'date-time', description: 'After opensAt' }),
    scale: Type.Optional(RatingScaleInput),
    anonymityThreshold: Type.Optional(Threshold),
    lineManagerIdentified: Type.Optional(LineManagerIdentified)
  },
  { $id: 'AssessmentCreate', description: 'A new assessment starts as a draft', additionalProperties: false }
)

export const AssessmentUpdate = Type.Object(
  {
    externalId: Type.Optional(Nullable(ExternalId)),
    elementIds: Type.Optional(Type.Array(Uuid, { maxItems: 500, uniqueItems: true })),
    purpose: Type.Optional(Purpose),
    cohortId: Type.Optional(Nullable(Uuid)),
    opensAt: Type.Optional(DateTime),
    closesAt: Type.Optional(DateTime),
    scale: Type.Optional(RatingScaleInput),
    anonymityThreshold: Type.Optional(Threshold),
    lineManagerIdentified: Type.Optional(LineManagerIdentified)
  },
  {
    $id: 'AssessmentUpdate',
    description:
      'JSON merge patch. A draft changes freely (the framework version is fixed: create a new assessment for another); an open assessment changes only its purpose, externalId and closesAt; later, nothing.',
    additionalProperties: false
  }
)

export const AssessmentTransition = transitionBody(ASSESSMENT_STATUSES, 'AssessmentTransition', statusDescription)

export const AssessmentPage = pageOf(ref(Assessment), 'AssessmentPage')

export const AssessmentListQuery = Type.Object(
  {
    ...PageQuery,
    subjectId: Type.Optional(Uuid),
    cohortId: Type.Optional(Uuid),
    frameworkId: Type.Optional(Uuid),
    status: Type.Optional(ref(AssessmentStatus)),
    externalId: Type.Optional(ExternalId),
    sort: Type.Optional(Type.Union([Type.Literal('createdAt'), Type.Literal('closesAt')], { default: 'createdAt' }))
  },
  { additionalProperties: false }
)

export const assessmentsSchemas = [AssessmentStatus, Relationship, RatingScale, Assessment, AssessmentCreate, AssessmentUpdate, AssessmentTransition, AssessmentPage]

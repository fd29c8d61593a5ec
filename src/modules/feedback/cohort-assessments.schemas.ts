import { Type } from 'typebox'
import { ref, Uuid } from '../../platform/schemas.js'
import { Assessment, AssessmentCreate } from './assessments.schemas.js'
import { IssuedInvitation } from './invitations.schemas.js'

const settings = AssessmentCreate.properties

export const CohortAssessmentsCreate = Type.Object(
  {
    frameworkId: settings.frameworkId,
    elementIds: settings.elementIds,
    purpose: Type.Optional(Type.String({ minLength: 1, maxLength: 2000, description: 'Default: the cohort’s title' })),
    opensAt: settings.opensAt,
    closesAt: settings.closesAt,
    scale: settings.scale,
    anonymityThreshold: settings.anonymityThreshold,
    lineManagerIdentified: settings.lineManagerIdentified,
    tokenExpiresAt: Type.Optional(Type.String({ format: 'date-time', description: 'When the tokens stop working; default: when the assessments close' })),
    raters: Type.Optional(
      Type.Object(
        {
          self: Type.Optional(Type.Boolean({ default: true })),
          lineManager: Type.Optional(Type.Boolean({ default: true, description: 'The participant’s line manager in the people data' })),
          directReports: Type.Optional(Type.Boolean({ default: true, description: 'Their active direct reports in the people data' }))
        },
        { additionalProperties: false }
      )
    ),
    peers: Type.Optional(
      Type.Array(
        Type.Object(
          {
            subjectId: Type.String({ format: 'uuid', description: 'A participant of the cohort' }),
            personIds: Type.Array(Uuid, { maxItems: 50, uniqueItems: true })
          },
          { additionalProperties: false }
        ),
        { maxItems: 1000, description: 'Named peers per participant' }
      )
    ),
    open: Type.Optional(Type.Boolean({ default: false, description: 'Open the new assessments at once (otherwise they are drafts)' }))
  },
  {
    $id: 'CohortAssessmentsCreate',
    description:
      'One 360° assessment per participant of the cohort (enrolments selected, attended or completed), with raters from the people data and named peers.',
    additionalProperties: false
  }
)

export const CohortAssessmentOutcome = Type.Object(
  {
    assessment: ref(Assessment),
    created: Type.Boolean({ description: 'False when the participant already had a live assessment on this framework version for this cohort' }),
    invitations: Type.Array(ref(IssuedInvitation), { description: 'Invitations made by this request, each with its token (shown only here)' })
  },
  { $id: 'CohortAssessmentOutcome', additionalProperties: false }
)

export const CohortAssessmentsResult = Type.Object(
  {
    cohortId: Uuid,
    participants: Type.Integer({ minimum: 0 }),
    created: Type.Integer({ minimum: 0 }),
    unchanged: Type.Integer({ minimum: 0, description: 'Participants whose assessment existed and needed no new rater' }),
    invitationsCreated: Type.Integer({ minimum: 0 }),
    assessments: Type.Array(ref(CohortAssessmentOutcome))
  },
  { $id: 'CohortAssessmentsResult', additionalProperties: false }
)

export const cohortAssessmentsSchemas = [CohortAssessmentsCreate, CohortAssessmentOutcome, CohortAssessmentsResult]

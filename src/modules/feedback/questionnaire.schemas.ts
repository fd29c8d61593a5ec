import { Type } from 'typebox'
import { DateTime, Nullable, ref, Uuid } from '../../platform/schemas.js'
import { RatingScale, Relationship } from './assessments.schemas.js'

const Value = Nullable(Type.Integer({ minimum: 0, maximum: 20, description: 'A value of the scale, or null for “not observed” (when the scale allows it)' }))

export const AnswerRating = Type.Object({ elementId: Uuid, value: Value }, { $id: 'AnswerRating', additionalProperties: false })
export const AnswerComment = Type.Object(
  {
    elementId: Type.Optional(Nullable(Type.String({ format: 'uuid', description: 'The behaviour the comment is about; null or absent: the whole' }))),
    text: Type.String({ minLength: 1, maxLength: 4000 })
  },
  { $id: 'AnswerComment', additionalProperties: false }
)

export const QuestionnaireAnswers = Type.Object(
  {
    ratings: Type.Array(ref(AnswerRating), { maxItems: 500, description: 'At most one per behaviour; a submission rates every behaviour (a value, or null for not observed)' }),
    comments: Type.Optional(Type.Array(ref(AnswerComment), { maxItems: 100 }))
  },
  {
    $id: 'QuestionnaireAnswers',
    description: 'A rater’s answers. Comments are shown to the subject without attribution, in random order, and only where the rater’s group is reported.',
    additionalProperties: false
  }
)

export const QuestionnaireDecline = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 2000, description: 'Why; HR sees it on the invitation' }) },
  { $id: 'QuestionnaireDecline', additionalProperties: false }
)

export const QuestionnaireElement = Type.Object(
  {
    id: Uuid,
    parentId: Nullable(Uuid),
    kind: Type.String({ description: 'cluster, competency, value or behaviour' }),
    code: Type.String(),
    title: Type.String(),
    description: Nullable(Type.String()),
    polarity: Type.Enum(['positive', 'negative'] as const, { description: 'Negative behaviours (“we will not …”) are rated by how often they are seen' }),
    rated: Type.Boolean({ description: 'True for the behaviours to rate; false for the competencies, values and clusters that group them' })
  },
  { $id: 'QuestionnaireElement', additionalProperties: false }
)

export const Questionnaire = Type.Object(
  {
    subjectName: Type.String({ description: 'Who the rater is giving feedback on' }),
    purpose: Type.String(),
    relationship: ref(Relationship),
    closesAt: DateTime,
    expiresAt: DateTime,
    scale: ref(RatingScale),
    elements: Type.Array(ref(QuestionnaireElement), { description: 'The behaviours to rate and the elements above them, parents first, in framework order' }),
    draft: Nullable(ref(QuestionnaireAnswers))
  },
  { $id: 'Questionnaire', description: 'What a rater sees with their token: only their own draft, never anyone else’s answers', additionalProperties: false }
)

export const QuestionnaireReceipt = Type.Object(
  {
    status: Type.Enum(['draft_saved', 'submitted', 'declined'] as const),
    at: DateTime
  },
  { $id: 'QuestionnaireReceipt', description: 'The outcome; it carries no identifier of the answers', additionalProperties: false }
)

export const questionnaireSchemas = [AnswerRating, AnswerComment, QuestionnaireAnswers, QuestionnaireDecline, QuestionnaireElement, Questionnaire, QuestionnaireReceipt]

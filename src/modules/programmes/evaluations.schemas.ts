import { Type, type TSchema } from 'typebox'
import { DateTime, Nullable, PageQuery, pageOf, ref, Uuid, Version } from '../../platform/schemas.js'

const Score = (what: string) => Type.Integer({ minimum: 1, maximum: 5, description: `${what}, 1 (poor) to 5 (excellent)` })
const Comments = Type.String({ minLength: 1, maxLength: 5000 })

const scores = {
  relevance: Score('Relevance to the participant’s work'),
  trainer: Score('The trainer or facilitator'),
  length: Score('The length of the course'),
  confidenceToApply: Score('Confidence to apply what was learnt')
}

export const Evaluation = Type.Object(
  {
    id: Uuid,
    enrolmentId: Uuid,
    cohortId: Uuid,
    ...scores,
    comments: Nullable(Comments),
    version: Version,
    submittedAt: DateTime,
    updatedAt: DateTime
  },
  { $id: 'Evaluation', description: 'A participant’s evaluation of a cohort; one per enrolment', additionalProperties: false }
)

export const EvaluationCreate = Type.Object(
  { ...scores, comments: Type.Optional(Nullable(Comments)) },
  { $id: 'EvaluationCreate', additionalProperties: false }
)

export const EvaluationUpdate = Type.Object(
  {
    relevance: Type.Optional(scores.relevance),
    trainer: Type.Optional(scores.trainer),
    length: Type.Optional(scores.length),
    confidenceToApply: Type.Optional(scores.confidenceToApply),
    comments: Type.Optional(Nullable(Comments))
  },
  { $id: 'EvaluationUpdate', description: 'JSON merge patch', additionalProperties: false }
)

export const EvaluationPage = pageOf(ref(Evaluation), 'EvaluationPage')

export const EvaluationListQuery = Type.Object({ ...PageQuery }, { additionalProperties: false })

export const evaluationsSchemas: TSchema[] = [Evaluation, EvaluationCreate, EvaluationUpdate, EvaluationPage]

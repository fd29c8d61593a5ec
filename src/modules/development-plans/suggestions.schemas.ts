import { Type, type TSchema } from 'typebox'
import { DateOnly, Nullable, ref, Uuid } from '../../platform/schemas.js'

export const GapView = Type.Object(
  {
    elementId: Uuid,
    lineageId: Uuid,
    code: Type.String(),
    title: Type.String(),
    kind: Type.String({ description: 'behaviour, or competency / value / cluster for areas' }),
    polarity: Type.Enum(['positive', 'negative']),
    othersMean: Nullable(Type.Number({ description: 'Others’ mean from the report; null when suppressed, and null unless the caller may read the report’s figures (its subject or `assessments:read`)' })),
    selfMean: Nullable(Type.Number({ description: 'The subject’s own rating; null unless the caller may read the report’s figures (its subject or `assessments:read`)' })),
    need: Nullable(
      Type.Number({
        minimum: 0,
        maximum: 1,
        description: 'The gap rule’s need, 0 (none) to 1 (greatest), to four decimals; null unless the caller may read the report’s figures (its subject or `assessments:read`): it is the others’ mean rescaled'
      })
    )
  },
  { $id: 'DevelopmentGap', description: 'A gap of a released 360° report. Its order (greatest need first) is shown to every permitted caller; its figures only to the report’s subject and `assessments:read`.', additionalProperties: false }
)

export const Suggestion = Type.Object(
  {
    programmeId: Uuid,
    code: Type.String(),
    title: Type.String(),
    kind: Type.String(),
    score: Nullable(Type.Number({ description: 'Sum of the needs of the largest gaps it covers; null unless the caller may read the report’s figures (its subject or `assessments:read`)' })),
    covers: Type.Array(Uuid, { description: 'The behaviours (of the largest gaps) it covers, by need' }),
    openCohorts: Type.Array(
      Type.Object({ id: Uuid, title: Type.String(), startsOn: DateOnly, endsOn: DateOnly, nominationsCloseOn: Nullable(DateOnly) }, { additionalProperties: false }),
      { description: 'Cohorts open for nominations now, by start date' }
    )
  },
  { $id: 'DevelopmentSuggestion', additionalProperties: false }
)

export const Suggestions = Type.Object(
  {
    assessmentId: Uuid,
    personId: Uuid,
    scale: Type.Object({ min: Type.Integer(), max: Type.Integer() }, { additionalProperties: false }),
    rule: Type.String({ description: 'The gap rule and the ranking, in words' }),
    figures: Type.Boolean({
      description: 'Whether the report’s figures (means, needs, scores) are given: true for the report’s subject and `assessments:read`; false for the line manager and `development-plans:read`, who get the same ranking with the figures null'
    }),
    gaps: Type.Array(ref(GapView), { description: 'The largest gaps: behaviours with the greatest need above zero' }),
    areas: Type.Array(ref(GapView), { description: 'Competencies and values (and clusters) with the mean need of their rated behaviours' }),
    suggestions: Type.Array(ref(Suggestion), { description: 'Active or pilot programmes the person is eligible for that cover one of the largest gaps, best first' })
  },
  { $id: 'DevelopmentSuggestions', additionalProperties: false }
)

export const SuggestionsQuery = Type.Object(
  { top: Type.Optional(Type.Integer({ minimum: 1, maximum: 20, default: 5, description: 'How many of the largest gaps to cover' })) },
  { additionalProperties: false }
)

export const suggestionsSchemas: TSchema[] = [GapView, Suggestion, Suggestions]

import { Type, type TSchema } from 'typebox'
import { DateOnly, DateTime, ExternalId, Nullable, PageQuery, pageOf, ref, Uuid, Version } from '../../platform/schemas.js'

const CODE = '^[A-Za-z0-9_.-]+$'
const Text = (maxLength: number, description?: string) => Type.String({ minLength: 1, maxLength, pattern: '\\S', ...(description ? { description } : {}) })
const Score = Type.Number({ minimum: -9999999.99, maximum: 9999999.99, description: 'Within the scale’s range; at most two decimals' })

export const ScaleScores = Type.Record(Type.String({ pattern: CODE }), Score, {
  $id: 'ScaleScores',
  description: 'One score per scale of the instrument, by scale code: `{"EXT": 7, "AGR": 5}`. Every scale is scored, each within its range.',
  minProperties: 1,
  maxProperties: 100
})

export const PsychometricResult = Type.Object(
  {
    id: Uuid,
    externalId: Nullable(ExternalId),
    instrumentId: Uuid,
    instrumentCode: Type.String(),
    personId: Uuid,
    assessorId: Nullable(Type.String({ format: 'uuid', description: 'The person who administered or fed back the instrument' })),
    takenOn: DateOnly,
    normGroup: Nullable(Text(300, 'The comparison group the scores are normed against, e.g. “UK managers 2005”')),
    providerReference: Nullable(Text(300, 'The test provider’s own reference for this result')),
    scores: ref(ScaleScores),
    version: Version,
    createdAt: DateTime,
    updatedAt: DateTime
  },
  {
    $id: 'PsychometricResult',
    description: 'One person’s result on one instrument. Personal data: readable only by the person, their assessor and holders of assessments:read; events and audit records carry ids, never scores.',
    additionalProperties: false
  }
)

export const PsychometricResultCreate = Type.Object(
  {
    externalId: Type.Optional(Nullable(ExternalId)),
    instrumentId: Uuid,
    personId: Uuid,
    assessorId: Type.Optional(Nullable(Uuid)),
    takenOn: DateOnly,
    normGroup: Type.Optional(Nullable(Text(300))),
    providerReference: Type.Optional(Nullable(Text(300))),
    scores: ref(ScaleScores)
  },
  { $id: 'PsychometricResultCreate', additionalProperties: false }
)

export const PsychometricResultUpdate = Type.Object(
  {
    externalId: Type.Optional(Nullable(ExternalId)),
    assessorId: Type.Optional(Nullable(Uuid)),
    takenOn: Type.Optional(DateOnly),
    normGroup: Type.Optional(Nullable(Text(300))),
    providerReference: Type.Optional(Nullable(Text(300))),
    scores: Type.Optional(ref(ScaleScores))
  },
  { $id: 'PsychometricResultUpdate', description: 'JSON merge patch; `scores` replaces the whole set. Instrument and person are fixed.', additionalProperties: false }
)

export const PsychometricResultPage = pageOf(ref(PsychometricResult), 'PsychometricResultPage')

const sort = Type.Optional(Type.Union([Type.Literal('takenOn'), Type.Literal('createdAt')], { default: 'takenOn' }))

export const PsychometricResultListQuery = Type.Object(
  {
    ...PageQuery,
    instrumentId: Type.Optional(Type.String({ format: 'uuid' })),
    personId: Type.Optional(Type.String({ format: 'uuid' })),
    assessorId: Type.Optional(Type.String({ format: 'uuid' })),
    normGroup: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    externalId: Type.Optional(ExternalId),
    takenFrom: Type.Optional(Type.String({ format: 'date', description: 'Taken on or after' })),
    takenTo: Type.Optional(Type.String({ format: 'date', description: 'Taken on or before' })),
    sort
  },
  { additionalProperties: false }
)

export const PersonResultListQuery = Type.Object(
  { ...PageQuery, instrumentId: Type.Optional(Type.String({ format: 'uuid' })), sort },
  { additionalProperties: false }
)

export const PsychometricResultImportRow = Type.Object(
  {
    externalId: ExternalId,
    instrumentCode: Type.String({ minLength: 1, maxLength: 40, pattern: CODE }),
    personExternalId: ExternalId,
    assessorExternalId: Type.Optional(Nullable(ExternalId)),
    takenOn: Type.String({ format: 'date' }),
    normGroup: Type.Optional(Nullable(Text(300))),
    providerReference: Type.Optional(Nullable(Text(300))),
    scores: Type.Union(
      [
        Type.Record(Type.String({ pattern: CODE }), Score, { minProperties: 1, maxProperties: 100 }),
        Type.String({ minLength: 3, maxLength: 5000, pattern: '^[A-Za-z0-9_.-]+=[^|]+(\\|[A-Za-z0-9_.-]+=[^|]+)*$', description: 'In CSV: CODE=score pairs separated by |, e.g. EXT=7|AGR=5' })
      ],
      { description: 'One score per scale, by scale code: an object in JSON, or `CODE=score|CODE=score` in one cell' }
    )
  },
  { $id: 'PsychometricResultImportRow', additionalProperties: false }
)

export const resultsSchemas: TSchema[] = [ScaleScores, PsychometricResult, PsychometricResultCreate, PsychometricResultUpdate, PsychometricResultPage, PsychometricResultImportRow]

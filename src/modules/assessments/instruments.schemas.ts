import { Type, type TSchema } from 'typebox'
import { DateTime, Nullable, PageQuery, pageOf, ref, Uuid, Version } from '../../platform/schemas.js'
import { Code } from './frameworks.schemas.js'

export const INSTRUMENT_KINDS = ['personality', 'motivation', 'ability', 'interests', 'other'] as const
export const INSTRUMENT_STATUSES = ['active', 'retired'] as const
export const SCORE_KINDS = ['sten', 'stanine', 'percentile', 't_score', 'raw'] as const

/** The usual range of each kind of score; `raw` scales give their own. */
export const SCORE_RANGES: Record<(typeof SCORE_KINDS)[number], { min: number; max: number; whole: boolean } | null> = {
  sten: { min: 1, max: 10, whole: true },
  stanine: { min: 1, max: 9, whole: true },
  percentile: { min: 1, max: 99, whole: false },
  t_score: { min: 20, max: 80, whole: false },
  raw: null
}

export const InstrumentKind = Type.Enum(INSTRUMENT_KINDS, { $id: 'InstrumentKind', description: 'What the instrument measures' })
export const InstrumentStatus = Type.Enum(INSTRUMENT_STATUSES, { $id: 'InstrumentStatus', description: 'A retired instrument takes no new results' })
export const ScoreKind = Type.Enum(SCORE_KINDS, {
  $id: 'ScoreKind',
  description: 'sten 1–10 and stanine 1–9 (whole numbers), percentile 1–99, T-score 20–80, or raw (its own range). A scale may narrow or widen the usual range with minScore/maxScore.'
})

const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength, pattern: '\\S' })
const ScoreBound = Type.Number({ minimum: -9999999.99, maximum: 9999999.99 })

export const InstrumentScale = Type.Object(
  {
    id: Uuid,
    code: Code,
    name: Text(300),
    description: Nullable(Text(4000)),
    scoreKind: ref(ScoreKind),
    minScore: ScoreBound,
    maxScore: ScoreBound,
    position: Type.Integer({ minimum: 0 })
  },
  { $id: 'InstrumentScale', additionalProperties: false }
)

export const InstrumentScaleInput = Type.Object(
  {
    code: Code,
    name: Text(300),
    description: Type.Optional(Nullable(Text(4000))),
    scoreKind: ref(ScoreKind),
    minScore: Type.Optional(ScoreBound),
    maxScore: Type.Optional(ScoreBound)
  },
  { $id: 'InstrumentScaleInput', description: 'A scale; minScore/maxScore default to the usual range of its score kind (required for raw)', additionalProperties: false }
)

export const InstrumentScaleUpdate = Type.Object(
  {
    code: Type.Optional(Code),
    name: Type.Optional(Text(300)),
    description: Type.Optional(Nullable(Text(4000))),
    scoreKind: Type.Optional(ref(ScoreKind)),
    minScore: Type.Optional(ScoreBound),
    maxScore: Type.Optional(ScoreBound),
    position: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 }))
  },
  {
    $id: 'InstrumentScaleUpdate',
    description: 'JSON merge patch. Once the instrument has results only name, description and position change (409 `instrument-in-use`).',
    additionalProperties: false
  }
)

export const Instrument = Type.Object(
  {
    id: Uuid,
    code: Code,
    name: Text(300),
    kind: ref(InstrumentKind),
    description: Nullable(Text(4000)),
    provider: Nullable(Text(300)),
    status: ref(InstrumentStatus),
    scales: Type.Array(ref(InstrumentScale), { description: 'In order' }),
    version: Version,
    createdAt: DateTime,
    updatedAt: DateTime
  },
  {
    $id: 'Instrument',
    description: 'A psychometric instrument (a personality measure, a career motivation questionnaire …) and its scales. Its version (ETag) moves with every change to it or its scales.',
    additionalProperties: false
  }
)

export const InstrumentCreate = Type.Object(
  {
    code: Code,
    name: Text(300),
    kind: ref(InstrumentKind),
    description: Type.Optional(Nullable(Text(4000))),
    provider: Type.Optional(Nullable(Text(300))),
    scales: Type.Array(ref(InstrumentScaleInput), { minItems: 1, maxItems: 100 })
  },
  { $id: 'InstrumentCreate', additionalProperties: false }
)

export const InstrumentUpdate = Type.Object(
  {
    name: Type.Optional(Text(300)),
    kind: Type.Optional(ref(InstrumentKind)),
    description: Type.Optional(Nullable(Text(4000))),
    provider: Type.Optional(Nullable(Text(300))),
    status: Type.Optional(ref(InstrumentStatus))
  },
  { $id: 'InstrumentUpdate', description: 'JSON merge patch; scales change through their own operations', additionalProperties: false }
)

export const InstrumentPage = pageOf(ref(Instrument), 'InstrumentPage')

export const InstrumentListQuery = Type.Object(
  {
    ...PageQuery,
    code: Type.Optional(Code),
    kind: Type.Optional(ref(InstrumentKind)),
    status: Type.Optional(ref(InstrumentStatus)),
    sort: Type.Optional(Type.Union([Type.Literal('code'), Type.Literal('name')], { default: 'code' }))
  },
  { additionalProperties: false }
)

export const InstrumentScaleParams = Type.Object({ id: Uuid, scaleId: Uuid }, { additionalProperties: false })

export const instrumentsSchemas: TSchema[] = [
  InstrumentKind, InstrumentStatus, ScoreKind, InstrumentScale, InstrumentScaleInput, InstrumentScaleUpdate,
  Instrument, InstrumentCreate, InstrumentUpdate, InstrumentPage
]

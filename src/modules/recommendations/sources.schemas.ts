import { Type, type TSchema } from 'typebox'
import { DateOnly, DateTime, ExternalId, Nullable, PageQuery, pageOf, ref, Uuid, Version } from '../../platform/schemas.js'
import { RECOMMENDATION_STATUSES } from './status.js'

export const SOURCE_KINDS = ['inquiry', 'inspection', 'audit', 'review', 'internal'] as const

export const Code = Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9_.-]+$', description: 'Short unique code, e.g. SLIR' })
export const Title = Type.String({ minLength: 1, maxLength: 500 })
export const Text = (maxLength: number, description?: string) => Type.String({ minLength: 1, maxLength, ...(description ? { description } : {}) })

/** Makes every field optional (a PATCH body from the create fields). */
export const optional = <T extends Record<string, TSchema>>(fields: T) =>
  Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, Type.Optional(v)])) as { [K in keyof T]: ReturnType<typeof Type.Optional<T[K]>> }

export const SourceKind = Type.Enum(SOURCE_KINDS, { $id: 'RecommendationSourceKind', description: 'What issued the recommendations' })
export const RecommendationStatus = Type.Enum(RECOMMENDATION_STATUSES, {
  $id: 'RecommendationStatus',
  description:
    'not_started → in_progress → partially_embedded / continuing_challenge → embedded, or closed. Changed by transitions, except embedded, which only a challenge panel review sets'
})

const sourceFields = {
  externalId: Nullable(ExternalId),
  code: Code,
  title: Title,
  kind: ref(SourceKind),
  issuingBody: Nullable(Text(300, 'e.g. Home Office (Sir William Macpherson of Cluny), HMIC, MPA Internal Audit')),
  publishedOn: Nullable(DateOnly),
  reference: Nullable(Text(300, 'e.g. Cm 4262-I')),
  url: Nullable(Type.String({ format: 'uri', maxLength: 2000 })),
  expectedResponseOn: Nullable(DateOnly),
  description: Nullable(Text(4000))
}

export const RecommendationSource = Type.Object(
  { id: Uuid, ...sourceFields, version: Version, createdAt: DateTime, updatedAt: DateTime },
  { $id: 'RecommendationSource', description: 'An inquiry, inspection, audit or review whose recommendations are tracked', additionalProperties: false }
)
export const RecommendationSourceCreate = Type.Object(
  { ...optional(sourceFields), code: Code, title: Title, kind: ref(SourceKind) },
  { $id: 'RecommendationSourceCreate', additionalProperties: false }
)
export const RecommendationSourceUpdate = Type.Object(optional(sourceFields), { $id: 'RecommendationSourceUpdate', description: 'JSON merge patch', additionalProperties: false })
export const RecommendationSourcePage = pageOf(ref(RecommendationSource), 'RecommendationSourcePage')
export const RecommendationSourceListQuery = Type.Object(
  {
    ...PageQuery,
    kind: Type.Optional(ref(SourceKind)),
    code: Type.Optional(Code),
    sort: Type.Optional(Type.Union([Type.Literal('code'), Type.Literal('createdAt')], { default: 'code' }))
  },
  { additionalProperties: false }
)

const themeFields = { code: Code, title: Title, description: Nullable(Text(4000)) }
export const Theme = Type.Object(
  { id: Uuid, ...themeFields, version: Version, createdAt: DateTime, updatedAt: DateTime },
  { $id: 'Theme', description: 'A theme groups recommendations of several sources (the "Themed Approach")', additionalProperties: false }
)
export const ThemeCreate = Type.Object({ ...optional(themeFields), code: Code, title: Title }, { $id: 'ThemeCreate', additionalProperties: false })
export const ThemeUpdate = Type.Object(optional(themeFields), { $id: 'ThemeUpdate', description: 'JSON merge patch', additionalProperties: false })
export const ThemePage = pageOf(ref(Theme), 'ThemePage')
export const ThemeListQuery = Type.Object({ ...PageQuery, code: Type.Optional(Code) }, { additionalProperties: false })

const StatusCounts = Type.Object(
  Object.fromEntries(RECOMMENDATION_STATUSES.map((s) => [s, Type.Integer({ minimum: 0 })])) as Record<(typeof RECOMMENDATION_STATUSES)[number], ReturnType<typeof Type.Integer>>,
  { $id: 'RecommendationStatusCounts', description: 'How many recommendations hold each status', additionalProperties: false }
)
export { StatusCounts }

export const ThemeRollUp = Type.Object(
  {
    theme: ref(Theme),
    total: Type.Integer(),
    counts: ref(StatusCounts),
    embeddedShare: Nullable(Type.Number({ description: 'Embedded recommendations as a share of those not closed (0–1, 3 decimals); null when none is open' })),
    bySource: Type.Array(
      Type.Object(
        { sourceId: Uuid, sourceCode: Type.String(), sourceTitle: Type.String(), total: Type.Integer(), counts: ref(StatusCounts) },
        { additionalProperties: false }
      )
    )
  },
  { $id: 'ThemeRollUp', description: 'The status counts of every recommendation of a theme, across sources and per source', additionalProperties: false }
)

export const sourcesSchemas: TSchema[] = [
  SourceKind, RecommendationStatus, StatusCounts,
  RecommendationSource, RecommendationSourceCreate, RecommendationSourceUpdate, RecommendationSourcePage,
  Theme, ThemeCreate, ThemeUpdate, ThemePage, ThemeRollUp
]

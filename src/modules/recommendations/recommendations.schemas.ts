import { Type, type TSchema } from 'typebox'
import { DateOnly, DateTime, ExternalId, Nullable, PageQuery, pageOf, ref, Uuid, Version } from '../../platform/schemas.js'
import { Code, optional, RecommendationStatus, Text, Title } from './sources.schemas.js'
import { RECOMMENDATION_STATUSES } from './status.js'

export const RATINGS = ['high', 'medium', 'low'] as const
export const CLOSURE_REASONS = ['superseded', 'not_applicable', 'other'] as const

export const Rating = Type.Enum(RATINGS, { $id: 'RecommendationRating', description: 'high, medium or low' })
export const ClosureReason = Type.Enum(CLOSURE_REASONS, {
  $id: 'RecommendationClosureReason',
  description: 'Why a recommendation was closed without being embedded; `other` needs the rationale to say why'
})

const Number_ = Type.String({ minLength: 1, maxLength: 20, pattern: '^[^|,\\s][^|]*$', description: 'The number as printed, e.g. "12" or "45a"' })
const ThemeIds = Type.Array(Uuid, { maxItems: 50, uniqueItems: true, description: 'Themes (the whole set: a PATCH replaces it)' })

const recommendationFields = {
  externalId: Nullable(ExternalId),
  number: Number_,
  title: Title,
  body: Nullable(Text(20000, 'The full text of the recommendation')),
  directedTo: Nullable(Text(300, 'Who it is addressed to, e.g. "Police Services", "Home Secretary"')),
  area: Nullable(Text(200, 'The area of the source it falls in, e.g. "Racist incident definition"')),
  themeIds: ThemeIds,
  ownerOrgUnitId: Nullable(Uuid),
  ownerPersonId: Nullable(Uuid),
  priority: Nullable(ref(Rating)),
  impact: Nullable(ref(Rating)),
  targetDate: Nullable(DateOnly),
  nextReviewDate: Nullable(DateOnly)
}

export const Recommendation = Type.Object(
  {
    id: Uuid,
    sourceId: Uuid,
    sourceCode: Type.String(),
    ...recommendationFields,
    status: ref(RecommendationStatus),
    closureReason: Nullable(ref(ClosureReason)),
    overdue: Type.Boolean({ description: 'The target date has passed (UTC) and the recommendation is neither embedded nor closed' }),
    statusChangedAt: DateTime,
    lastActivityAt: DateTime,
    version: Version,
    createdAt: DateTime,
    updatedAt: DateTime
  },
  {
    $id: 'Recommendation',
    description: 'One recommendation of a source. `lastActivityAt` moves with every status change, evidence item, action move or panel review (it does not change the version).',
    additionalProperties: false
  }
)

export const RecommendationCreate = Type.Object(
  {
    ...optional(recommendationFields),
    sourceId: Uuid,
    number: Number_,
    title: Title,
    status: Type.Optional(ref(RecommendationStatus)),
    closureReason: Type.Optional(ref(ClosureReason)),
    statusRationale: Type.Optional(Text(4000, 'Why it starts in this status (kept in the history)'))
  },
  {
    $id: 'RecommendationCreate',
    description: 'Starts not_started unless `status` says otherwise (any status but embedded, which only a panel review sets: 409 embedding-requires-panel-review)',
    additionalProperties: false
  }
)

export const RecommendationUpdate = Type.Object(
  {
    ...optional(recommendationFields),
    status: Type.Optional(ref(RecommendationStatus))
  },
  {
    $id: 'RecommendationUpdate',
    description:
      'JSON merge patch. `status` may only repeat the current status: a change of status goes through the transitions operation (409 status-via-transitions), and embedded only through a panel review (409 embedding-requires-panel-review).',
    additionalProperties: false
  }
)

export const RecommendationTransition = Type.Object(
  {
    to: ref(RecommendationStatus),
    rationale: Text(4000, 'Why; kept in the status history, the audit trail and the event'),
    closureReason: Type.Optional(ref(ClosureReason))
  },
  {
    $id: 'RecommendationTransition',
    description:
      'not_started → in_progress | closed; in_progress → not_started | partially_embedded | continuing_challenge | closed; partially_embedded → in_progress | continuing_challenge | closed; continuing_challenge → in_progress | partially_embedded | closed; embedded → in_progress | partially_embedded | continuing_challenge | closed; closed → in_progress. Never to embedded. Closing needs closureReason.',
    additionalProperties: false
  }
)

export const StatusHistoryEntry = Type.Object(
  {
    id: Type.Integer(),
    recommendationId: Uuid,
    from: Nullable(ref(RecommendationStatus)),
    to: ref(RecommendationStatus),
    closureReason: Nullable(ref(ClosureReason)),
    rationale: Nullable(Type.String()),
    via: Type.Enum(['create', 'transition', 'panel_review', 'import'], { description: 'What made the change' }),
    panelReviewId: Nullable(Uuid),
    actor: Type.String({ description: 'The token subject that made the change' }),
    occurredAt: DateTime
  },
  {
    $id: 'RecommendationStatusHistoryEntry',
    description: 'One status change (or one panel verdict, which is recorded even when it leaves the status as it was). Never changed or deleted.',
    additionalProperties: false
  }
)

export const RecommendationPage = pageOf(ref(Recommendation), 'RecommendationPage')
export const StatusHistoryPage = pageOf(ref(StatusHistoryEntry), 'RecommendationStatusHistoryPage')

export const RecommendationListQuery = Type.Object(
  {
    ...PageQuery,
    sourceId: Type.Optional(Uuid),
    themeId: Type.Optional(Uuid),
    status: Type.Optional(Type.Array(ref(RecommendationStatus), { maxItems: 6, description: 'One or more statuses (repeat the parameter)' })),
    ownerOrgUnitId: Type.Optional(Uuid),
    includeDescendants: Type.Optional(Type.Boolean({ default: false, description: 'With ownerOrgUnitId: also units below it' })),
    ownerPersonId: Type.Optional(Uuid),
    unowned: Type.Optional(Type.Boolean({ description: 'true: only recommendations with neither an owner unit nor an owner person' })),
    area: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    directedTo: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    overdue: Type.Optional(Type.Boolean({ description: 'true: target date passed and neither embedded nor closed; false: the others' })),
    dueBefore: Type.Optional(Type.String({ format: 'date', description: 'Target date on or before this date' })),
    reviewDueBefore: Type.Optional(Type.String({ format: 'date', description: 'Next review date on or before this date' })),
    externalId: Type.Optional(ExternalId),
    number: Type.Optional(Type.String({ minLength: 1, maxLength: 20 })),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Full-text search (English stemming) of number, title, text, area and directed to' })),
    sort: Type.Optional(
      Type.Union([Type.Literal('number'), Type.Literal('createdAt'), Type.Literal('lastActivityAt')], {
        default: 'number',
        description: 'number: by source, then number as printed; lastActivityAt: least recently active first'
      })
    )
  },
  { additionalProperties: false }
)

export const HistoryListQuery = Type.Object({ ...PageQuery }, { additionalProperties: false })

// ---- Import rows --------------------------------------------------------------------------------

const pipeList = (item: string, description: string) => Type.String({ pattern: `^(${item})(\\|(${item}))*$`, description: `${description}, separated by |` })

export const RecommendationImportRow = Type.Object(
  {
    externalId: ExternalId,
    sourceCode: Code,
    number: Number_,
    title: Title,
    body: Type.Optional(Nullable(Text(20000))),
    directedTo: Type.Optional(Nullable(Text(300))),
    area: Type.Optional(Nullable(Text(200))),
    themeCodes: Type.Optional(
      Nullable(Type.Union([Type.Array(Code, { maxItems: 50 }), pipeList('[A-Za-z0-9_.-]+', 'Theme codes')], { description: 'Theme codes: a JSON array, or one cell separated by |' }))
    ),
    ownerOrgUnitExternalId: Type.Optional(Nullable(ExternalId)),
    ownerPersonExternalId: Type.Optional(Nullable(ExternalId)),
    priority: Type.Optional(Nullable(Type.Enum(RATINGS))),
    impact: Type.Optional(Nullable(Type.Enum(RATINGS))),
    targetDate: Type.Optional(Nullable(DateOnly)),
    nextReviewDate: Type.Optional(Nullable(DateOnly)),
    status: Type.Optional(
      Type.Enum(RECOMMENDATION_STATUSES, { description: 'New: the starting status (default not_started); existing: a move the transitions allow; never embedded; left out: unchanged' })
    ),
    closureReason: Type.Optional(
      Nullable(
        Type.Enum(CLOSURE_REASONS, {
          description:
            'Required when the row closes the recommendation or keeps it closed; given only for a closed one. A recommendation that stays closed keeps its reason: a different one is refused (reopen and close it again). Left out together with status: kept.'
        })
      )
    ),
    statusRationale: Type.Optional(Nullable(Text(4000)))
  },
  {
    $id: 'RecommendationImportRow',
    description:
      'One recommendation. Matched by externalId, else by sourceCode + number (a recommendation without an externalId takes the row’s). Themes by code, owners by externalId.',
    additionalProperties: false
  }
)

export const recommendationsSchemas: TSchema[] = [
  Rating, ClosureReason, Recommendation, RecommendationCreate, RecommendationUpdate, RecommendationTransition,
  StatusHistoryEntry, RecommendationPage, StatusHistoryPage, RecommendationImportRow
]

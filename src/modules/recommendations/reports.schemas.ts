import { Type, type TSchema } from 'typebox'
import { DateOnly, Nullable, ref, Uuid } from '../../platform/schemas.js'
import { RecommendationStatus, StatusCounts } from './sources.schemas.js'
import { ActionStatus } from './actions.schemas.js'

export const StatusReport = Type.Object(
  {
    by: Type.Enum(['source', 'theme', 'area', 'owner']),
    rows: Type.Array(
      Type.Object(
        {
          key: Nullable(Type.String({ description: 'The source, theme or owner unit id, or the area; null for recommendations without one' })),
          label: Type.String(),
          total: Type.Integer(),
          counts: ref(StatusCounts)
        },
        { additionalProperties: false }
      )
    ),
    total: Type.Integer({ description: 'Recommendations counted (by theme, one may count under several themes)' })
  },
  { $id: 'RecommendationStatusReport', description: 'Status counts grouped by source, theme, area or owner org unit', additionalProperties: false }
)
export const StatusReportQuery = Type.Object(
  {
    by: Type.Enum(['source', 'theme', 'area', 'owner'], { description: 'owner: the owner org unit' }),
    sourceId: Type.Optional(Uuid),
    themeId: Type.Optional(Uuid)
  },
  { additionalProperties: false }
)

const RecommendationRef = Type.Object(
  {
    id: Uuid,
    sourceCode: Type.String(),
    number: Type.String(),
    title: Type.String(),
    status: ref(RecommendationStatus),
    ownerOrgUnitId: Nullable(Uuid),
    ownerPersonId: Nullable(Uuid),
    nextReviewDate: Nullable(DateOnly),
    lastActivityAt: Type.String({ format: 'date-time' })
  },
  { $id: 'RecommendationRef', additionalProperties: false }
)

const OverdueAction = Type.Object(
  {
    id: Uuid,
    title: Type.String(),
    status: ref(ActionStatus),
    dueOn: DateOnly,
    daysOverdue: Type.Integer(),
    ownerOrgUnitId: Nullable(Uuid),
    ownerPersonId: Nullable(Uuid),
    recommendationIds: Type.Array(Uuid)
  },
  { additionalProperties: false }
)

const ExceptionList = <T extends TSchema>(item: T, description: string) =>
  Type.Object({ count: Type.Integer(), items: Type.Array(item, { description: 'Up to `limit` items; `count` is all of them' }) }, { description, additionalProperties: false })

export const ExceptionsReport = Type.Object(
  {
    asOf: DateOnly,
    staleDays: Type.Integer(),
    reviewWindowDays: Type.Integer(),
    embeddedWithoutCurrentEvidence: ExceptionList(ref(RecommendationRef), 'Embedded, but no evidence item is current on asOf'),
    overdueActions: ExceptionList(OverdueAction, 'Open or in-progress actions due before asOf'),
    reviewsOverdue: ExceptionList(ref(RecommendationRef), 'Not closed, next review date before asOf'),
    reviewsDue: ExceptionList(ref(RecommendationRef), 'Not closed, next review date from asOf to asOf + reviewWindowDays'),
    noOwner: ExceptionList(ref(RecommendationRef), 'Not closed, with neither an owner unit nor an owner person'),
    noMovement: ExceptionList(ref(RecommendationRef), 'Neither embedded nor closed, and no activity (status change, evidence, action move, panel review) for staleDays before asOf')
  },
  { $id: 'RecommendationExceptions', description: 'The quality checks on recommendations, each kind counted and listed', additionalProperties: false }
)
export const ExceptionsQuery = Type.Object(
  {
    // The report counts days back (staleDays) and forward (reviewWindowDays) from asOf: bounded
    // years keep that arithmetic within dates JavaScript and PostgreSQL both hold.
    asOf: Type.Optional(Type.String({ format: 'date', pattern: '^(19|2[0-9])[0-9]{2}-', description: 'The day to judge on (default today, UTC); a year from 1900 to 2999' })),
    staleDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650, default: 90, description: 'No movement for this many days' })),
    reviewWindowDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 365, default: 30, description: 'Reviews falling due within this many days' })),
    sourceId: Type.Optional(Uuid),
    themeId: Type.Optional(Uuid),
    limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 5000, default: 100, description: 'Items listed per kind' }))
  },
  { additionalProperties: false }
)

export const OverdueSweep = Type.Object(
  {
    asOf: DateOnly,
    actionsOverdue: Type.Array(Uuid, { description: 'Actions newly reported overdue (event recommendation-action.overdue)' }),
    reviewsOverdue: Type.Array(Uuid, { description: 'Recommendations whose review newly became overdue (event recommendation.review-overdue)' })
  },
  { $id: 'RecommendationOverdueSweep', description: 'What one sweep reported; each item is reported once per due date', additionalProperties: false }
)
export const OverdueSweepRequest = Type.Object(
  { asOf: Type.Optional(Type.String({ format: 'date', description: 'Default today (UTC); never in the future' })) },
  { $id: 'RecommendationOverdueSweepRequest', additionalProperties: false }
)

export const reportsSchemas: TSchema[] = [StatusReport, RecommendationRef, ExceptionsReport, OverdueSweep, OverdueSweepRequest]

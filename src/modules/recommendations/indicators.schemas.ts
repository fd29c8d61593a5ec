import { Type, type TSchema } from 'typebox'
import { DateOnly, DateTime, Nullable, PageQuery, pageOf, ref, Uuid, Version } from '../../platform/schemas.js'
import { Code, optional, Text, Title } from './sources.schemas.js'

export const Direction = Type.Enum(['higher_is_better', 'lower_is_better'], { $id: 'IndicatorDirection', description: 'Which way is an improvement' })

/**
 * A period is a calendar year ("2005") or an ISO 8601 interval of dates ("2006-10-01/2007-03-31").
 * A value "as at" one day is the interval of that day ("2005-12-31/2005-12-31").
 */
export const Period = Type.String({
  pattern: '^(\\d{4}|\\d{4}-\\d{2}-\\d{2}/\\d{4}-\\d{2}-\\d{2})$',
  description: 'A calendar year ("2005") or an ISO 8601 date interval ("2006-10-01/2007-03-31"; one day for a value as at that day)'
})

const RecommendationIds = Type.Array(Uuid, { maxItems: 500, uniqueItems: true, description: 'Recommendations whose outcome it measures (a PATCH replaces the set)' })

const indicatorFields = {
  code: Code,
  title: Title,
  description: Nullable(Text(4000)),
  unit: Text(40, 'e.g. "%", "count", "days"'),
  direction: ref(Direction),
  target: Nullable(Type.Number({ minimum: -1e9, maximum: 1e9, description: 'The value aimed for (e.g. 25 for a 25% BME strength); kept to 4 decimals' })),
  recommendationIds: RecommendationIds
}

export const Indicator = Type.Object(
  { id: Uuid, ...indicatorFields, version: Version, createdAt: DateTime, updatedAt: DateTime },
  { $id: 'Indicator', description: 'A measurable outcome, with values per org unit and period', additionalProperties: false }
)
export const IndicatorCreate = Type.Object(
  { ...optional(indicatorFields), code: Code, title: Title, unit: indicatorFields.unit, direction: ref(Direction) },
  { $id: 'IndicatorCreate', additionalProperties: false }
)
export const IndicatorUpdate = Type.Object(optional(indicatorFields), { $id: 'IndicatorUpdate', description: 'JSON merge patch', additionalProperties: false })
export const IndicatorPage = pageOf(ref(Indicator), 'IndicatorPage')
export const IndicatorListQuery = Type.Object(
  { ...PageQuery, code: Type.Optional(Code), recommendationId: Type.Optional(Uuid) },
  { additionalProperties: false }
)

const Value = Type.Number({ minimum: -1e9, maximum: 1e9, description: 'Kept to 4 decimals' })
export const IndicatorValue = Type.Object(
  {
    id: Uuid,
    indicatorId: Uuid,
    orgUnitId: Uuid,
    period: Period,
    periodStart: DateOnly,
    periodEnd: DateOnly,
    value: Value,
    note: Nullable(Type.String()),
    recordedBy: Type.String(),
    version: Version,
    createdAt: DateTime,
    updatedAt: DateTime
  },
  { $id: 'IndicatorValue', description: 'The value of an indicator for one org unit and period', additionalProperties: false }
)
export const IndicatorValueCreate = Type.Object(
  { orgUnitId: Uuid, period: Period, value: Value, note: Type.Optional(Nullable(Text(2000))) },
  { $id: 'IndicatorValueCreate', description: 'One value per indicator, org unit and period (409 conflict on a second one: correct it with PATCH)', additionalProperties: false }
)
export const IndicatorValueUpdate = Type.Object(
  { value: Type.Optional(Value), note: Type.Optional(Nullable(Text(2000))) },
  { $id: 'IndicatorValueUpdate', description: 'Correct a value (JSON merge patch)', additionalProperties: false }
)
export const IndicatorValuePage = pageOf(ref(IndicatorValue), 'IndicatorValuePage')
export const IndicatorValueListQuery = Type.Object({ ...PageQuery, orgUnitId: Type.Optional(Uuid) }, { additionalProperties: false })
export const ValueParams = Type.Object({ id: Uuid, valueId: Uuid }, { additionalProperties: false })

const SeriesPoint = Type.Object(
  { period: Period, periodStart: DateOnly, periodEnd: DateOnly, value: Type.Number() },
  { additionalProperties: false }
)
export const IndicatorSeries = Type.Object(
  {
    indicator: ref(Indicator),
    series: Type.Array(
      Type.Object({ orgUnitId: Uuid, orgUnitName: Type.String(), points: Type.Array(SeriesPoint, { description: 'In order of period end, then start' }) }, { additionalProperties: false })
    )
  },
  { $id: 'IndicatorSeries', description: 'An indicator’s values over time, one series per org unit, for charts', additionalProperties: false }
)
export const SeriesQuery = Type.Object(
  {
    orgUnitId: Type.Optional(Type.String({ format: 'uuid', description: 'Only this org unit (default: every unit with values)' })),
    from: Type.Optional(Type.String({ format: 'date', description: 'Periods ending on or after this date' })),
    to: Type.Optional(Type.String({ format: 'date', description: 'Periods ending on or before this date' }))
  },
  { additionalProperties: false }
)

const OutcomeLine = Type.Object(
  {
    indicatorId: Uuid,
    code: Type.String(),
    title: Type.String(),
    unit: Type.String(),
    direction: ref(Direction),
    target: Nullable(Type.Number()),
    period: Period,
    value: Type.Number({ description: 'The latest value whose period ends in the year' }),
    baselinePeriod: Nullable(Period),
    baselineValue: Nullable(Type.Number({ description: 'The latest value whose period ends before the year' })),
    change: Nullable(Type.Number({ description: 'value − baselineValue (4 decimals)' })),
    improved: Nullable(Type.Boolean({ description: 'The change went the indicator’s better way; null without a baseline or with no change' })),
    targetMet: Nullable(Type.Boolean({ description: 'The value reaches the target in the better direction; null without a target' }))
  },
  { additionalProperties: false }
)
export const AnnualOutcomes = Type.Object(
  {
    year: Type.Integer(),
    orgUnits: Type.Array(
      Type.Object({ orgUnitId: Uuid, orgUnitName: Type.String(), indicators: Type.Array(OutcomeLine) }, { additionalProperties: false }),
      { description: 'Units with at least one value ending in the year, by name' }
    )
  },
  { $id: 'AnnualOutcomes', description: 'The measurable outcomes of one year per org unit (e.g. per borough), against the latest earlier value and the target', additionalProperties: false }
)
export const AnnualOutcomesQuery = Type.Object(
  {
    year: Type.Integer({ minimum: 1900, maximum: 2999, description: 'Calendar year' }),
    orgUnitId: Type.Optional(Type.String({ format: 'uuid' })),
    includeDescendants: Type.Optional(Type.Boolean({ default: false, description: 'With orgUnitId: also the units below it' })),
    indicatorId: Type.Optional(Type.String({ format: 'uuid' }))
  },
  { additionalProperties: false }
)

export const indicatorsSchemas: TSchema[] = [
  Direction, Indicator, IndicatorCreate, IndicatorUpdate, IndicatorPage,
  IndicatorValue, IndicatorValueCreate, IndicatorValueUpdate, IndicatorValuePage, IndicatorSeries, AnnualOutcomes
]

import { sql } from 'kysely'
import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import { descendantIds } from '../../platform/hierarchy.js'
import { keysetPage, type Page, type SortAllowList } from '../../platform/pagination.js'
import { Problem } from '../../platform/problems.js'
import type { LearningLogEntryListQuery, LearningLogEntrySummary } from './entries.schemas.js'
import type { AccountabilityLevel, Dissemination, LearningKind, SourceKind, Stage } from './tables.js'

type Query = Static<typeof LearningLogEntryListQuery>

export interface SummaryRow {
  id: string
  reference: string
  title: string
  summary: string
  kind: LearningKind
  source_kind: SourceKind
  source_reference: string | null
  org_unit_id: string
  identified_on: string
  dissemination: Dissemination
  tags: string[]
  stage: Stage
  stage_entered_at: Date
  days_in_stage: number
  owner_id: string | null
  level: AccountabilityLevel | null
  rank: number | null
  version: number
  created_at: Date
}

export const toSummary = (r: SummaryRow): Static<typeof LearningLogEntrySummary> => ({
  id: r.id,
  reference: r.reference,
  title: r.title,
  summary: r.summary,
  kind: r.kind,
  sourceKind: r.source_kind,
  sourceReference: r.source_reference,
  orgUnitId: r.org_unit_id,
  identifiedOn: r.identified_on,
  dissemination: r.dissemination,
  tags: r.tags,
  stage: r.stage,
  stageEnteredAt: new Date(r.stage_entered_at).toISOString(),
  daysInStage: Number(r.days_in_stage),
  ownerId: r.owner_id,
  level: r.level,
  rank: r.rank === null ? null : Number(r.rank),
  version: r.version
})

/**
 * Sorts. `relevance` pages by (rank, id) descending: the rank is computed per query, and the cursor
 * carries the last row's rank (as float8, which round-trips exactly through JSON) and id, so the
 * next page starts strictly after it, as long as the matching entries' text does not change
 * between pages (a changed entry may then appear twice or not at all, as with any keyset).
 */
const sorts: SortAllowList<SummaryRow> = {
  relevance: { columns: ['r.rank', 'r.id'], direction: 'desc', key: (r) => [r.rank, r.id] },
  createdAt: { columns: ['r.created_at', 'r.id'], direction: 'asc', key: (r) => [r.created_at, r.id] },
  reference: { columns: ['r.reference', 'r.id'], direction: 'asc', key: (r) => [r.reference, r.id] },
  stageEnteredAt: { columns: ['r.stage_entered_at', 'r.id'], direction: 'asc', key: (r) => [r.stage_entered_at, r.id] }
}

const DAY = sql`interval '1 day'`

/** Lists and searches entries: the text match uses the GIN index on `search`; filters combine (and). */
export async function listEntries(db: Db, q: Query): Promise<Page<SummaryRow>> {
  if (q.sort === 'relevance' && !q.q) {
    throw new Problem(400, 'validation', 'sort=relevance needs q', { errors: [{ in: 'query', pointer: '/sort', detail: 'relevance is only for a search (q)' }] })
  }
  const tsquery = q.q ? sql`websearch_to_tsquery('english', ${q.q})` : null
  let inner = db
    .selectFrom('learning_log_entries as e')
    .select([
      'e.id', 'e.reference', 'e.title', 'e.summary', 'e.kind', 'e.source_kind', 'e.source_reference', 'e.org_unit_id', 'e.identified_on',
      'e.dissemination', 'e.tags', 'e.stage', 'e.stage_entered_at', 'e.owner_id', 'e.level', 'e.version', 'e.created_at',
      sql<number>`floor(extract(epoch from (now() - e.stage_entered_at)) / 86400)::int`.as('days_in_stage'),
      (tsquery ? sql<number | null>`ts_rank_cd(e.search, ${tsquery})::float8` : sql<number | null>`null::float8`).as('rank')
    ])
  if (tsquery) inner = inner.where(sql<boolean>`e.search @@ ${tsquery}`)
  if (q.stage?.length) inner = inner.where('e.stage', 'in', q.stage as Stage[])
  if (q.sourceKind?.length) inner = inner.where('e.source_kind', 'in', q.sourceKind as SourceKind[])
  if (q.kind) inner = inner.where('e.kind', '=', q.kind as LearningKind)
  if (q.level?.length) inner = inner.where('e.level', 'in', q.level as AccountabilityLevel[])
  if (q.ownerId) inner = inner.where('e.owner_id', '=', q.ownerId)
  if (q.dissemination) inner = inner.where('e.dissemination', '=', q.dissemination as Dissemination)
  if (q.externalId) inner = inner.where('e.external_id', '=', q.externalId)
  if (q.reference) inner = inner.where('e.reference', '=', q.reference)
  if (q.tag?.length) inner = inner.where(sql<boolean>`e.tags @> ${sql.val(q.tag)}::text[]`)
  if (q.minDaysInStage !== undefined) inner = inner.where(sql<boolean>`e.stage_entered_at <= now() - ${q.minDaysInStage}::int * ${DAY}`)
  if (q.maxDaysInStage !== undefined) inner = inner.where(sql<boolean>`e.stage_entered_at > now() - (${q.maxDaysInStage}::int + 1) * ${DAY}`)
  if (q.orgUnitId) {
    const unit = q.orgUnitId
    inner = q.includeDescendants
      ? inner.where((eb) => eb.or([eb('e.org_unit_id', '=', unit), eb('e.org_unit_id', 'in', descendantIds({ table: 'org_units', column: 'parent_id' }, unit) as never)]))
      : inner.where('e.org_unit_id', '=', unit)
  }
  if (q.recommendationId) {
    const id = q.recommendationId
    inner = inner.where((eb) => eb.exists(eb.selectFrom('learning_log_links as l').select('l.id').whereRef('l.entry_id', '=', 'e.id').where('l.recommendation_id', '=', id)))
  }
  if (q.programmeId) {
    const id = q.programmeId
    inner = inner.where((eb) =>
      eb.exists(
        eb
          .selectFrom('learning_log_links as l')
          .select('l.id')
          .whereRef('l.entry_id', '=', 'e.id')
          .where((x) => x.or([x('l.programme_id', '=', id), x('l.cohort_id', 'in', x.selectFrom('cohorts').select('cohorts.id').where('cohorts.programme_id', '=', id))]))
      )
    )
  }
  const query = db.selectFrom(inner.as('r')).selectAll('r') as never
  return keysetPage<never, never, SummaryRow>(query, sorts as never, q, q.q ? 'relevance' : 'createdAt')
}

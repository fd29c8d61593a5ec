import type { Selectable } from 'kysely'
import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import { keysetPage, type Page, type PageRequest, type SortAllowList } from '../../platform/pagination.js'
import type { StatusHistoryEntry } from './recommendations.schemas.js'
import { iso } from './status.js'
import type { RecommendationStatusHistoryTable } from './tables.js'

type HistoryRow = Selectable<RecommendationStatusHistoryTable>

export const toHistoryEntry = (r: HistoryRow): Static<typeof StatusHistoryEntry> => ({
  id: Number(r.id),
  recommendationId: r.recommendation_id,
  from: r.from_status,
  to: r.to_status,
  closureReason: r.closure_reason,
  rationale: r.rationale,
  via: r.via,
  panelReviewId: r.panel_review_id,
  actor: r.actor,
  occurredAt: iso(r.occurred_at)
})

const sorts: SortAllowList<HistoryRow> = { occurredAt: { columns: ['id'], direction: 'asc', key: (r) => [Number(r.id)] } }

/** A recommendation's status history, oldest first. */
export async function listHistory(db: Db, recommendationId: string, page: PageRequest): Promise<Page<HistoryRow>> {
  const query = db.selectFrom('recommendation_status_history').selectAll().where('recommendation_id', '=', recommendationId)
  return keysetPage(query, sorts, page, 'occurredAt')
}

import type { Static } from 'typebox'
import type { ChangeSet } from '../../platform/changes.js'
import type { IfMatch } from '../../platform/concurrency.js'
import {
  closureErrors,
  findRecommendation,
  lockRecommendation,
  viewOf,
  writeHistory,
  type HistoryWrite,
  type RecommendationRow,
  type RecommendationView
} from './recommendations.repository.js'
import type { RecommendationTransition } from './recommendations.schemas.js'
import { assertValid } from './references.js'
import { assertRecommendationMove } from './status.js'
import type { ClosureReason, RecommendationStatus } from './tables.js'

/**
 * Sets a locked recommendation's status (rules already checked by the caller), writes the
 * history row, and records `recommendation.<status>` in the audit trail and the change feed.
 * A panel verdict that leaves the status as it was still writes its history row (from = to)
 * and is audited as `recommendation.reviewed`, without a status event.
 */
export async function applyStatus(
  changes: ChangeSet,
  current: RecommendationRow,
  move: Omit<HistoryWrite, 'from'>,
  extra: { nextReviewDate?: string | null } = {}
): Promise<RecommendationView> {
  const now = new Date()
  const changed = move.to !== current.status
  await changes.trx
    .updateTable('recommendations')
    .set({
      status: move.to,
      closure_reason: move.to === 'closed' ? move.closureReason : null,
      ...(changed ? { status_changed_at: now } : {}),
      ...(extra.nextReviewDate !== undefined ? { next_review_date: extra.nextReviewDate } : {}),
      last_activity_at: now,
      version: current.version + 1,
      updated_at: now
    })
    .where('id', '=', current.id)
    .execute()
  await writeHistory(changes, current.id, { ...move, from: current.status }, now)
  const before = await viewOf(changes.trx, current)
  const after = await viewOf(changes.trx, await findRecommendation(changes.trx, current.id))
  const detail = { previousStatus: current.status, rationale: move.rationale, via: move.via, panelReviewId: move.panelReviewId ?? null }
  if (changed) {
    changes.record({ action: `recommendation.${move.to}`, entityType: 'recommendation', entityId: current.id, before, after: { ...after, ...detail } })
  } else {
    changes.record({ action: 'recommendation.reviewed', entityType: 'recommendation', entityId: current.id, before, after: { ...after, ...detail }, event: false })
  }
  return after
}

export async function transitionRecommendation(
  changes: ChangeSet,
  id: string,
  body: Static<typeof RecommendationTransition>,
  expected?: IfMatch
): Promise<RecommendationView> {
  const current = await lockRecommendation(changes, id, expected)
  const to = body.to as RecommendationStatus
  assertRecommendationMove(current.status, to)
  const reason = (body.closureReason ?? null) as ClosureReason | null
  assertValid(closureErrors(to, reason, body.rationale))
  return applyStatus(changes, current, { to, closureReason: reason, rationale: body.rationale, via: 'transition' })
}

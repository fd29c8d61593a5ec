import { defineProblem, Problem } from '../../platform/problems.js'
import { allowedMoves, assertTransition, type TransitionTable } from '../programmes/transitions.js'
import type { RecommendationStatus, Verdict } from './tables.js'

export const RECOMMENDATION_STATUSES = ['not_started', 'in_progress', 'partially_embedded', 'continuing_challenge', 'embedded', 'closed'] as const
export const OPEN_STATUSES: readonly RecommendationStatus[] = ['not_started', 'in_progress', 'partially_embedded', 'continuing_challenge']

export const EMBEDDING_REQUIRES_PANEL = defineProblem('embedding-requires-panel-review', {
  status: 409,
  title: 'Only a challenge panel review marks a recommendation embedded',
  description:
    'The status `embedded` is set only by a panel review (`POST /v1/recommendations/{id}/panel-reviews`, scope panel:review) whose verdict is embedded and which considered at least one current evidence item. A transition, a PATCH, a create or an import asking for `embedded` is refused.'
})
export const EMBEDDING_REQUIRES_EVIDENCE = defineProblem('embedding-requires-current-evidence', {
  status: 409,
  title: 'An embedded verdict needs current evidence',
  description:
    'A panel review with the verdict embedded must consider at least one evidence item of the recommendation that was current on the review date: not withdrawn, effective on or before it, and not expired before it. Nothing was recorded.'
})
export const RECOMMENDATION_CLOSED = defineProblem('recommendation-closed', {
  status: 409,
  title: 'Recommendation closed',
  description: 'A closed recommendation takes no panel reviews, evidence or new actions; reopen it first (transition to in_progress).'
})

/**
 * The moves a transition may make. `embedded` is never a target here: only a panel review sets
 * it. From embedded a recommendation may fall back (evidence expired, a later finding) or close;
 * a closed one may be reopened to in_progress.
 */
export const RECOMMENDATION_TRANSITIONS: TransitionTable<RecommendationStatus> = {
  not_started: ['in_progress', 'closed'],
  in_progress: ['not_started', 'partially_embedded', 'continuing_challenge', 'closed'],
  partially_embedded: ['in_progress', 'continuing_challenge', 'closed'],
  continuing_challenge: ['in_progress', 'partially_embedded', 'closed'],
  embedded: ['in_progress', 'partially_embedded', 'continuing_challenge', 'closed'],
  closed: ['in_progress']
}

/** Refuses `embedded` by any route but a panel review, then checks the table. */
export function assertRecommendationMove(from: RecommendationStatus, to: RecommendationStatus) {
  if (to === 'embedded') throw embeddingRefused(from === 'embedded' ? 'the recommendation is already embedded; ' : '')
  assertTransition(RECOMMENDATION_TRANSITIONS, from, to, 'recommendation')
}

export function embeddingRefused(prefix = '') {
  return new Problem(
    409,
    EMBEDDING_REQUIRES_PANEL,
    `${prefix}status embedded is set only by a challenge panel review with the verdict embedded that considered current evidence`
  )
}

export const moveAllowed = (from: RecommendationStatus, to: RecommendationStatus) => allowedMoves(RECOMMENDATION_TRANSITIONS, from).includes(to)

/**
 * What a panel verdict does to the status:
 * - embedded → embedded (only with current evidence considered);
 * - partially_embedded → partially_embedded;
 * - not_embedded → continuing_challenge (the panel found it is not embedded: the challenge continues);
 * - insufficient_evidence → the status stays, except that an embedded recommendation can no longer
 *   be confirmed and falls back to partially_embedded.
 */
export function statusAfterVerdict(current: RecommendationStatus, verdict: Verdict): RecommendationStatus {
  switch (verdict) {
    case 'embedded':
      return 'embedded'
    case 'partially_embedded':
      return 'partially_embedded'
    case 'not_embedded':
      return 'continuing_challenge'
    case 'insufficient_evidence':
      return current === 'embedded' ? 'partially_embedded' : current
  }
}

/** Evidence counts as current on `date` when not withdrawn, already effective, and not expired. */
export function isCurrentOn(evidence: { withdrawn_at: unknown; effective_on: string; expires_on: string | null }, date: string): boolean {
  return evidence.withdrawn_at === null && evidence.effective_on <= date && (evidence.expires_on === null || evidence.expires_on >= date)
}

/** Today's date in UTC, YYYY-MM-DD: the API's dates are calendar dates without a zone. */
export const todayUtc = () => new Date().toISOString().slice(0, 10)

export const iso = (t: Date | string) => new Date(t).toISOString()

/** The leading integer of a printed number ("45a" → 45), for ordering recommendations as printed. */
export function numberOrder(number: string): number {
  const match = /^\s*(\d{1,9})/.exec(number)
  return match ? Number(match[1]) : 0
}

/** "from x it may move to …" for messages. */
export function allowedMovesFrom(from: RecommendationStatus): string {
  const open = allowedMoves(RECOMMENDATION_TRANSITIONS, from)
  return open.length ? `from ${from} it may move to ${open.join(', ')}` : `${from} is final`
}

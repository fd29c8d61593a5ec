import type { Selectable } from 'kysely'
import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import type { ChangeSet } from '../../platform/changes.js'
import { keysetPage, type Page, type PageRequest, type SortAllowList } from '../../platform/pagination.js'
import { defineProblem, notFound, Problem, type FieldError } from '../../platform/problems.js'
import type { PanelReview, PanelReviewCreate } from './panels.schemas.js'
import { lockRecommendation, touchRecommendations } from './recommendations.repository.js'
import { assertReferences, assertValid } from './references.js'
import { applyStatus } from './status-moves.js'
import { EMBEDDING_REQUIRES_EVIDENCE, iso, isCurrentOn, RECOMMENDATION_CLOSED, statusAfterVerdict, todayUtc } from './status.js'
import type { PanelReviewsTable, Verdict } from './tables.js'

export const NOT_A_PANEL_MEMBER = defineProblem('not-a-panel-member', {
  status: 422,
  title: 'Not a member of the challenge panel',
  description: 'Every member present at a panel review must be a member of that panel on the review date (joined on or before it, not left before it); `errors` points at each one refused.'
})
export const EVIDENCE_NOT_OF_RECOMMENDATION = defineProblem('evidence-not-of-recommendation', {
  status: 422,
  title: 'Evidence of another recommendation',
  description: 'A panel review considers only evidence recorded against the recommendation it reviews; `errors` points at each item refused.'
})
export const PANEL_DISSOLVED = defineProblem('panel-dissolved', {
  status: 409,
  title: 'Challenge panel dissolved',
  description: 'A dissolved challenge panel records no more reviews; reactivate it (PATCH status active) or use another panel.'
})

type ReviewRow = Selectable<PanelReviewsTable>
type View = Static<typeof PanelReview>

/**
 * Review rows as the API shows them. `applied` is read from the status history: a review that
 * set the status has its history row (every applied verdict writes one, even when the status
 * stays); a late write-up has none. `known` gives it for rows whose history is being written.
 */
export async function reviewViews(db: Db, rows: ReviewRow[], known: Map<string, boolean> = new Map()): Promise<View[]> {
  const ids = rows.map((r) => r.id)
  const members = ids.length ? await db.selectFrom('panel_review_members').select(['review_id', 'member_id']).where('review_id', 'in', ids).orderBy('member_id').execute() : []
  const evidence = ids.length
    ? await db.selectFrom('panel_review_evidence').select(['review_id', 'evidence_id', 'current']).where('review_id', 'in', ids).orderBy('evidence_id').execute()
    : []
  const unknown = rows.filter((r) => !known.has(r.id))
  const applied = new Set(
    unknown.length
      ? (
          await db
            .selectFrom('recommendation_status_history')
            .select('panel_review_id')
            .where('recommendation_id', 'in', [...new Set(unknown.map((r) => r.recommendation_id))])
            .where('panel_review_id', 'in', unknown.map((r) => r.id))
            .execute()
        ).map((h) => h.panel_review_id)
      : []
  )
  return rows.map((r) => ({
    id: r.id,
    panelId: r.panel_id,
    recommendationId: r.recommendation_id,
    reviewedOn: r.reviewed_on,
    memberIds: members.filter((m) => m.review_id === r.id).map((m) => m.member_id),
    evidence: evidence.filter((e) => e.review_id === r.id).map((e) => ({ evidenceId: e.evidence_id, current: e.current })),
    verdict: r.verdict,
    rationale: r.rationale,
    nextReviewOn: r.next_review_on,
    statusBefore: r.status_before,
    statusAfter: r.status_after,
    applied: known.get(r.id) ?? applied.has(r.id),
    recordedBy: r.recorded_by,
    createdAt: iso(r.created_at)
  }))
}

export async function findReview(db: Db, id: string): Promise<View> {
  const row = await db.selectFrom('panel_reviews').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) throw notFound('panel review', id)
  return (await reviewViews(db, [row]))[0]
}

const sorts: SortAllowList<ReviewRow> = { reviewedOn: { columns: ['reviewed_on', 'created_at', 'id'], direction: 'asc', key: (r) => [r.reviewed_on, r.created_at, r.id] } }

export function listReviews(db: Db, by: { recommendationId?: string; panelId?: string }, page: PageRequest): Promise<Page<ReviewRow>> {
  let query = db.selectFrom('panel_reviews').selectAll()
  if (by.recommendationId) query = query.where('recommendation_id', '=', by.recommendationId)
  if (by.panelId) query = query.where('panel_id', '=', by.panelId)
  return keysetPage(query, sorts, page, 'reviewedOn')
}

/**
 * Records a panel's review of a recommendation and lets its verdict move the status (see
 * statusAfterVerdict). The only way to `embedded`: the verdict is embedded and at least one
 * evidence item considered was current on the review date.
 *
 * A review dated before the latest review already on file (a late write-up) is recorded, but
 * the newer finding stands: it changes neither the status nor the next review date, and says
 * so (`applied: false`). On the same date the later-recorded review applies. The
 * recommendation's row lock (taken first) serialises reviews, so the latest date read below is
 * final for this transaction.
 */
export async function recordPanelReview(changes: ChangeSet, recommendationId: string, input: Static<typeof PanelReviewCreate>): Promise<{ review: View }> {
  const recommendation = await lockRecommendation(changes, recommendationId)
  if (recommendation.status === 'closed') throw new Problem(409, RECOMMENDATION_CLOSED, 'the recommendation is closed; reopen it before a panel reviews it')
  const errors: FieldError[] = []
  if (input.reviewedOn > todayUtc()) errors.push({ in: 'body', pointer: '/reviewedOn', detail: 'must not be in the future' })
  if (input.nextReviewOn && input.nextReviewOn <= input.reviewedOn) errors.push({ in: 'body', pointer: '/nextReviewOn', detail: `must be after reviewedOn (${input.reviewedOn})` })
  assertValid(errors)
  await assertReferences(changes.trx, [['/panelId', 'challenge_panels', input.panelId]])
  const panel = await changes.trx.selectFrom('challenge_panels').select(['status', 'code']).where('id', '=', input.panelId).forShare().executeTakeFirstOrThrow()
  if (panel.status !== 'active') throw new Problem(409, PANEL_DISSOLVED, `challenge panel ${panel.code} is dissolved`)

  const members = new Map(
    (await changes.trx.selectFrom('challenge_panel_members').select(['id', 'joined_on', 'left_on']).where('panel_id', '=', input.panelId).where('id', 'in', input.memberIds).execute()).map((m) => [m.id, m])
  )
  const memberErrors: FieldError[] = []
  input.memberIds.forEach((id, i) => {
    const m = members.get(id)
    if (!m) memberErrors.push({ in: 'body', pointer: `/memberIds/${i}`, detail: 'not a member of this panel' })
    else if ((m.joined_on && m.joined_on > input.reviewedOn) || (m.left_on && m.left_on < input.reviewedOn)) {
      memberErrors.push({ in: 'body', pointer: `/memberIds/${i}`, detail: `not a member of this panel on ${input.reviewedOn}` })
    }
  })
  if (memberErrors.length) throw new Problem(422, NOT_A_PANEL_MEMBER, memberErrors.map((e) => `${e.pointer.slice(1)}: ${e.detail}`).join('; '), { errors: memberErrors })

  const evidence = new Map(
    input.evidenceIds.length
      ? (
          await changes.trx
            .selectFrom('recommendation_evidence')
            .select(['id', 'recommendation_id', 'withdrawn_at', 'effective_on', 'expires_on'])
            .where('id', 'in', input.evidenceIds)
            .execute()
        ).map((e) => [e.id, e])
      : []
  )
  const evidenceErrors: FieldError[] = []
  input.evidenceIds.forEach((id, i) => {
    const e = evidence.get(id)
    if (!e || e.recommendation_id !== recommendationId) evidenceErrors.push({ in: 'body', pointer: `/evidenceIds/${i}`, detail: e ? 'is evidence of another recommendation' : 'no such evidence' })
  })
  if (evidenceErrors.length) throw new Problem(422, EVIDENCE_NOT_OF_RECOMMENDATION, evidenceErrors.map((e) => `${e.pointer.slice(1)}: ${e.detail}`).join('; '), { errors: evidenceErrors })

  const considered = input.evidenceIds.map((id) => ({ id, current: isCurrentOn(evidence.get(id)!, input.reviewedOn) }))
  const verdict = input.verdict as Verdict
  if (verdict === 'embedded' && !considered.some((e) => e.current)) {
    throw new Problem(
      409,
      EMBEDDING_REQUIRES_EVIDENCE,
      considered.length
        ? `none of the ${considered.length} evidence items considered was current on ${input.reviewedOn} (withdrawn, not yet effective or expired); nothing was recorded`
        : 'the review considered no evidence; an embedded verdict needs at least one current evidence item; nothing was recorded'
    )
  }

  const latest = await changes.trx
    .selectFrom('panel_reviews')
    .select((eb) => eb.fn.max('reviewed_on').as('reviewed_on'))
    .where('recommendation_id', '=', recommendationId)
    .executeTakeFirst()
  const applies = !latest?.reviewed_on || input.reviewedOn >= latest.reviewed_on
  const to = applies ? statusAfterVerdict(recommendation.status, verdict) : recommendation.status
  const row = await changes.trx
    .insertInto('panel_reviews')
    .values({
      panel_id: input.panelId,
      recommendation_id: recommendationId,
      reviewed_on: input.reviewedOn,
      verdict,
      rationale: input.rationale,
      next_review_on: input.nextReviewOn ?? null,
      status_before: recommendation.status,
      status_after: to,
      recorded_by: changes.actor.subject
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  await changes.trx.insertInto('panel_review_members').values(input.memberIds.map((member_id) => ({ review_id: row.id, member_id }))).execute()
  if (considered.length) {
    await changes.trx.insertInto('panel_review_evidence').values(considered.map((e) => ({ review_id: row.id, evidence_id: e.id, current: e.current }))).execute()
  }
  const [review] = await reviewViews(changes.trx, [row], new Map([[row.id, applies]]))
  changes.record({ action: 'panel-review.recorded', entityType: 'panel-review', entityId: row.id, after: review })
  if (!applies) {
    // Kept as a record of the meeting; the recommendation only notes the activity.
    await touchRecommendations(changes, [recommendationId])
    return { review }
  }
  // The review settles the review that was due: the next one is the panel's, or none.
  await applyStatus(
    changes,
    recommendation,
    { to, closureReason: null, rationale: `panel verdict ${verdict}: ${input.rationale}`, via: 'panel_review', panelReviewId: row.id },
    { nextReviewDate: input.nextReviewOn ?? null }
  )
  return { review }
}

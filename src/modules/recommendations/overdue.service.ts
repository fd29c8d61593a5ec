import type { ChangeSet } from '../../platform/changes.js'
import { assertValid } from './references.js'
import { todayUtc } from './status.js'

/**
 * Overdue actions and reviews cannot announce themselves: nothing changes when a due date
 * passes. A scheduler (the HR system's, or cron with curl) calls the sweep, say nightly; the
 * sweep emits one event per item and due date that has not been reported yet, so running it
 * twice, or late, never repeats or loses an item, and a moved due date is reported afresh.
 * Reads never emit events: a GET with side effects would need write scopes and could race.
 */
export async function sweepOverdue(changes: ChangeSet, asOf = todayUtc()) {
  if (asOf > todayUtc()) assertValid([{ in: 'body', pointer: '/asOf', detail: 'must not be in the future' }])
  const trx = changes.trx
  const actions = await trx
    .selectFrom('recommendation_actions as a')
    .select(['a.id', 'a.title', 'a.due_on', 'a.status', 'a.owner_org_unit_id', 'a.owner_person_id'])
    .where('a.status', 'in', ['open', 'in_progress'])
    .where('a.due_on', '<', asOf)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb.selectFrom('recommendation_overdue_notices as n').select('n.entity_id').where('n.entity_type', '=', 'action').whereRef('n.entity_id', '=', 'a.id').whereRef('n.due_on', '=', 'a.due_on')
        )
      )
    )
    .orderBy('a.due_on')
    .orderBy('a.id')
    .forUpdate()
    .execute()
  const reviews = await trx
    .selectFrom('recommendations as r')
    .select(['r.id', 'r.number', 'r.source_id', 'r.status', 'r.next_review_date', 'r.owner_org_unit_id', 'r.owner_person_id'])
    .where('r.status', '<>', 'closed')
    .where('r.next_review_date', '<', asOf)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('recommendation_overdue_notices as n')
            .select('n.entity_id')
            .where('n.entity_type', '=', 'recommendation-review')
            .whereRef('n.entity_id', '=', 'r.id')
            .whereRef('n.due_on', '=', 'r.next_review_date')
        )
      )
    )
    .orderBy('r.next_review_date')
    .orderBy('r.id')
    .execute()
  const links = actions.length
    ? await trx.selectFrom('recommendation_action_links').select(['action_id', 'recommendation_id']).where('action_id', 'in', actions.map((a) => a.id)).execute()
    : []
  const notices = [
    ...actions.map((a) => ({ entity_type: 'action' as const, entity_id: a.id, due_on: a.due_on! })),
    ...reviews.map((r) => ({ entity_type: 'recommendation-review' as const, entity_id: r.id, due_on: r.next_review_date! }))
  ]
  // Concurrent sweeps: the primary key lets only one of them report an item.
  const inserted = notices.length
    ? await trx.insertInto('recommendation_overdue_notices').values(notices).onConflict((oc) => oc.doNothing()).returning(['entity_type', 'entity_id']).execute()
    : []
  const fresh = new Set(inserted.map((n) => `${n.entity_type}:${n.entity_id}`))
  const reportedActions = actions.filter((a) => fresh.has(`action:${a.id}`))
  const reportedReviews = reviews.filter((r) => fresh.has(`recommendation-review:${r.id}`))
  for (const a of reportedActions) {
    changes.record({
      action: 'recommendation-action.overdue',
      entityType: 'recommendation-action',
      entityId: a.id,
      after: {
        id: a.id,
        title: a.title,
        status: a.status,
        dueOn: a.due_on,
        asOf,
        ownerOrgUnitId: a.owner_org_unit_id,
        ownerPersonId: a.owner_person_id,
        recommendationIds: links.filter((l) => l.action_id === a.id).map((l) => l.recommendation_id).sort()
      }
    })
  }
  for (const r of reportedReviews) {
    changes.record({
      action: 'recommendation.review-overdue',
      entityType: 'recommendation',
      entityId: r.id,
      after: { id: r.id, sourceId: r.source_id, number: r.number, status: r.status, nextReviewDate: r.next_review_date, asOf, ownerOrgUnitId: r.owner_org_unit_id, ownerPersonId: r.owner_person_id }
    })
  }
  return { asOf, actionsOverdue: reportedActions.map((a) => a.id), reviewsOverdue: reportedReviews.map((r) => r.id) }
}

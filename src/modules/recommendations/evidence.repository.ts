import { sql, type Selectable } from 'kysely'
import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import type { ChangeSet } from '../../platform/changes.js'
import { assertCurrentVersion, type IfMatch } from '../../platform/concurrency.js'
import { keysetPage, type Page, type SortAllowList } from '../../platform/pagination.js'
import { defineProblem, notFound, Problem } from '../../platform/problems.js'
import type { Evidence, EvidenceCreate, EvidenceListQuery } from './evidence.schemas.js'
import { lockRecommendation, touchRecommendations } from './recommendations.repository.js'
import { assertReferences, assertValid } from './references.js'
import { iso, isCurrentOn, RECOMMENDATION_CLOSED, todayUtc } from './status.js'
import type { EvidenceKind, RecommendationEvidenceTable } from './tables.js'

export const EVIDENCE_WITHDRAWN = defineProblem('evidence-withdrawn', {
  status: 409,
  title: 'Evidence already withdrawn',
  description: 'The evidence item was withdrawn already; withdrawal is final (record a new item instead).'
})

export type EvidenceRow = Selectable<RecommendationEvidenceTable>

export const toEvidence = (r: EvidenceRow, today = todayUtc()): Static<typeof Evidence> => ({
  id: r.id,
  recommendationId: r.recommendation_id,
  kind: r.kind,
  title: r.title,
  description: r.description,
  reference: r.reference,
  url: r.url,
  indicatorId: r.indicator_id,
  effectiveOn: r.effective_on,
  expiresOn: r.expires_on,
  submittedByPersonId: r.submitted_by_person_id,
  submittedBy: r.submitted_by,
  current: isCurrentOn(r, today),
  withdrawnAt: r.withdrawn_at ? iso(r.withdrawn_at) : null,
  withdrawnBy: r.withdrawn_by,
  withdrawalReason: r.withdrawal_reason,
  version: r.version,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at)
})

const sorts: SortAllowList<EvidenceRow> = {
  effectiveOn: { columns: ['effective_on', 'id'], direction: 'asc', key: (r) => [r.effective_on, r.id] }
}

export async function findEvidence(db: Db, id: string): Promise<EvidenceRow> {
  const row = await db.selectFrom('recommendation_evidence').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) throw notFound('evidence', id)
  return row
}

export async function listEvidence(db: Db, recommendationId: string, q: Static<typeof EvidenceListQuery>): Promise<Page<EvidenceRow>> {
  const today = todayUtc()
  let query = db.selectFrom('recommendation_evidence').selectAll().where('recommendation_id', '=', recommendationId)
  if (q.includeWithdrawn === false) query = query.where('withdrawn_at', 'is', null)
  const current = sql<boolean>`(withdrawn_at is null and effective_on <= ${today} and (expires_on is null or expires_on >= ${today}))`
  if (q.current === true) query = query.where(current)
  if (q.current === false) query = query.where(sql<boolean>`not ${current}`)
  return keysetPage(query, sorts, q, 'effectiveOn')
}

export async function createEvidence(changes: ChangeSet, recommendationId: string, input: Static<typeof EvidenceCreate>) {
  const recommendation = await lockRecommendation(changes, recommendationId)
  if (recommendation.status === 'closed') throw new Problem(409, RECOMMENDATION_CLOSED, 'the recommendation is closed; reopen it before adding evidence')
  if (input.expiresOn && input.expiresOn < input.effectiveOn) assertValid([{ in: 'body', pointer: '/expiresOn', detail: `must not be before effectiveOn (${input.effectiveOn})` }])
  if (input.kind === 'indicator' && !input.indicatorId) assertValid([{ in: 'body', pointer: '/indicatorId', detail: 'is required for indicator evidence' }])
  await assertReferences(changes.trx, [
    ['/indicatorId', 'indicators', input.indicatorId],
    ['/submittedByPersonId', 'people', input.submittedByPersonId]
  ])
  const row = await changes.trx
    .insertInto('recommendation_evidence')
    .values({
      recommendation_id: recommendationId,
      kind: input.kind as EvidenceKind,
      title: input.title,
      description: input.description ?? null,
      reference: input.reference ?? null,
      url: input.url ?? null,
      indicator_id: input.indicatorId ?? null,
      effective_on: input.effectiveOn,
      expires_on: input.expiresOn ?? null,
      submitted_by: changes.actor.subject,
      submitted_by_person_id: input.submittedByPersonId ?? null
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  await touchRecommendations(changes, [recommendationId])
  const view = toEvidence(row)
  changes.record({ action: 'evidence.submitted', entityType: 'evidence', entityId: row.id, after: view })
  return view
}

export async function withdrawEvidence(changes: ChangeSet, id: string, reason: string, expected?: IfMatch) {
  const current = await changes.trx.selectFrom('recommendation_evidence').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
  if (!current) throw notFound('evidence', id)
  assertCurrentVersion(expected, current.version)
  if (current.withdrawn_at) throw new Problem(409, EVIDENCE_WITHDRAWN, `the evidence was withdrawn on ${iso(current.withdrawn_at)}`)
  const now = new Date()
  const row = await changes.trx
    .updateTable('recommendation_evidence')
    .set({ withdrawn_at: now, withdrawn_by: changes.actor.subject, withdrawal_reason: reason, version: current.version + 1, updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
  await touchRecommendations(changes, [current.recommendation_id], now)
  const view = toEvidence(row)
  changes.record({ action: 'evidence.withdrawn', entityType: 'evidence', entityId: id, before: toEvidence(current), after: view })
  return view
}

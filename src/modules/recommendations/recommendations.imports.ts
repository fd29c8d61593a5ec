import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import { failed, idsByExternalId, joinList, listCell, rowError, sameValues } from '../../platform/bulk/rows.js'
import type { ImportSpec, RowResult } from '../../platform/bulk/spec.js'
import type { FieldError } from '../../platform/problems.js'
import {
  closureErrors,
  findRecommendation,
  RECOMMENDATION_COLUMNS,
  setThemes,
  viewOf,
  writeHistory,
  type RecommendationRecord
} from './recommendations.repository.js'
import { RecommendationImportRow } from './recommendations.schemas.js'
import { RECOMMENDATIONS_READ, RECOMMENDATIONS_WRITE } from './scopes.js'
import { applyStatus } from './status-moves.js'
import { allowedMovesFrom, moveAllowed, numberOrder } from './status.js'
import type { ClosureReason, Rating, RecommendationStatus } from './tables.js'

type Row = Static<typeof RecommendationImportRow>

function columnsOf(row: Row, sourceId: string, ownerOrgUnitId: string | null, ownerPersonId: string | null) {
  return {
    source_id: sourceId,
    number: row.number,
    number_order: numberOrder(row.number),
    title: row.title,
    body: row.body ?? null,
    directed_to: row.directedTo ?? null,
    area: row.area ?? null,
    owner_org_unit_id: ownerOrgUnitId,
    owner_person_id: ownerPersonId,
    priority: (row.priority ?? null) as Rating | null,
    impact: (row.impact ?? null) as Rating | null,
    target_date: row.targetDate ?? null,
    next_review_date: row.nextReviewDate ?? null
  }
}

/**
 * The closure reason of a row that keeps the status (status left out or as it is). It goes
 * with the status, as in the transitions: it is given only for a closed recommendation, and
 * only a reopen and a new close change it (closed → closed is no move), so a different one is
 * refused rather than dropped. Left out with the status, it is kept like the status.
 */
function keptClosureErrors(current: RecommendationRecord, statusGiven: boolean, reason: ClosureReason | null): FieldError[] {
  if (current.status !== 'closed') return reason ? [rowError('/closureReason', `is given only when closing; the recommendation is ${current.status}`)] : []
  if (reason === null) return statusGiven ? [rowError('/closureReason', `is required for a closed recommendation (it is closed as ${current.closure_reason})`)] : []
  if (reason !== current.closure_reason) {
    return [
      rowError(
        '/closureReason',
        `the recommendation is closed as ${current.closure_reason}; a closure reason changes only by reopening it (transition to in_progress) and closing it again`
      )
    ]
  }
  return []
}

/**
 * A source's recommendations, upserted by externalId, or else by sourceCode + number (a
 * recommendation recorded without an externalId takes the row's). A row is the whole
 * recommendation (a field left out is cleared) except `status` and `closureReason`: left out,
 * a new one starts not_started and an existing one keeps its status (and closure reason); a
 * change must be a move the transitions allow, and `embedded` is refused on every row (only a
 * panel review sets it). A closure reason that differs from a kept status's is refused.
 */
export const recommendationImport: ImportSpec<Row> = {
  resource: 'recommendations',
  operationName: 'Recommendations',
  tag: 'recommendations',
  writeScope: RECOMMENDATIONS_WRITE,
  readScope: RECOMMENDATIONS_READ,
  rowSchema: RecommendationImportRow,
  columns: [
    'externalId', 'sourceCode', 'number', 'title', 'body', 'directedTo', 'area', 'themeCodes', 'ownerOrgUnitExternalId', 'ownerPersonExternalId',
    'priority', 'impact', 'targetDate', 'nextReviewDate', 'status', 'closureReason', 'statusRationale'
  ],
  async upsertBatch(batch, { trx, changes }) {
    const rows = batch.map((b) => b.row)
    const sourceCodes = [...new Set(rows.map((r) => r.sourceCode))]
    const sources = new Map((await trx.selectFrom('recommendation_sources').select(['id', 'code']).where('code', 'in', sourceCodes).execute()).map((s) => [s.code, s.id]))
    const themeCodes = [...new Set(rows.flatMap((r) => listCell(r.themeCodes)))]
    const themes = new Map(themeCodes.length ? (await trx.selectFrom('recommendation_themes').select(['id', 'code']).where('code', 'in', themeCodes).execute()).map((t) => [t.code, t.id]) : [])
    const units = await idsByExternalId(trx, 'org_units', rows.map((r) => r.ownerOrgUnitExternalId))
    const people = await idsByExternalId(trx, 'people', rows.map((r) => r.ownerPersonExternalId))
    const byExternalId = new Map(
      (await trx.selectFrom('recommendations').select(RECOMMENDATION_COLUMNS).where('external_id', 'in', rows.map((r) => r.externalId)).forUpdate().execute()).map((r) => [r.external_id!, r])
    )
    const numbered = [...sources.values()].length
      ? await trx.selectFrom('recommendations').select(RECOMMENDATION_COLUMNS).where('source_id', 'in', [...sources.values()]).where('number', 'in', rows.map((r) => r.number)).forUpdate().execute()
      : []
    const byNumber = new Map(numbered.map((r) => [`${r.source_id}\u0000${r.number}`, r]))

    const results: RowResult[] = []
    for (const row of rows) {
      const errors: FieldError[] = []
      const sourceId = sources.get(row.sourceCode)
      if (!sourceId) errors.push(rowError('/sourceCode', `no source with code ${row.sourceCode}`))
      const codes = listCell(row.themeCodes)
      const missing = codes.filter((c) => !themes.has(c))
      if (missing.length) errors.push(rowError('/themeCodes', `no theme with code ${missing.join(', ')}`))
      const unit = row.ownerOrgUnitExternalId ? units.get(row.ownerOrgUnitExternalId) : null
      if (unit === undefined) errors.push(rowError('/ownerOrgUnitExternalId', `no org unit with externalId ${row.ownerOrgUnitExternalId}`))
      const person = row.ownerPersonExternalId ? people.get(row.ownerPersonExternalId) : null
      if (person === undefined) errors.push(rowError('/ownerPersonExternalId', `no person with externalId ${row.ownerPersonExternalId}`))
      let current: RecommendationRecord | undefined = byExternalId.get(row.externalId)
      if (!current && sourceId) {
        const same = byNumber.get(`${sourceId}\u0000${row.number}`)
        if (same && same.external_id !== null && same.external_id !== row.externalId) {
          errors.push(rowError('/number', `${row.sourceCode} ${row.number} is already recorded with externalId ${same.external_id}`))
        } else current = same
      }
      // An export of an embedded recommendation imports back unchanged; setting embedded is refused.
      if (row.status === 'embedded' && current?.status !== 'embedded') {
        errors.push(rowError('/status', 'embedded is set only by a challenge panel review with current evidence (embedding-requires-panel-review)'))
      }
      const reason = (row.closureReason ?? null) as ClosureReason | null
      const to = (row.status ?? current?.status ?? 'not_started') as RecommendationStatus
      if (!current || to !== current.status) {
        if (to !== 'embedded') errors.push(...closureErrors(to, reason, row.statusRationale, 'row'))
      } else errors.push(...keptClosureErrors(current, row.status !== undefined, reason))
      if (current && row.status && to !== 'embedded' && to !== current.status && !moveAllowed(current.status, to)) {
        errors.push(rowError('/status', `a recommendation cannot move from ${current.status} to ${to}; ${allowedMovesFrom(current.status)}`))
      }
      if (errors.length) {
        results.push(failed(errors))
        continue
      }
      const desired = columnsOf(row, sourceId!, unit ?? null, person ?? null)
      const themeIds = codes.map((c) => themes.get(c)!)
      if (!current) {
        const now = new Date()
        const created = await trx
          .insertInto('recommendations')
          .values({ ...desired, external_id: row.externalId, status: to, closure_reason: to === 'closed' ? reason : null, status_changed_at: now, last_activity_at: now })
          .returning('id')
          .executeTakeFirstOrThrow()
        if (themeIds.length) await setThemes(changes, created.id, themeIds)
        await writeHistory(changes, created.id, { from: null, to, closureReason: to === 'closed' ? reason : null, rationale: row.statusRationale ?? 'imported', via: 'import' }, now)
        const view = await viewOf(trx, await findRecommendation(trx, created.id))
        changes.record({ action: 'recommendation.created', entityType: 'recommendation', entityId: created.id, after: view })
        results.push({ outcome: 'created' })
        continue
      }
      const before = await viewOf(trx, await findRecommendation(trx, current.id))
      const adopt = current.external_id === null
      const fieldsChanged = adopt || !sameValues(current as never, desired)
      const themesChanged = await setThemes(changes, current.id, themeIds)
      if (fieldsChanged || themesChanged) {
        await trx
          .updateTable('recommendations')
          .set({ ...desired, external_id: row.externalId, version: current.version + 1, updated_at: new Date() })
          .where('id', '=', current.id)
          .execute()
        const after = await viewOf(trx, await findRecommendation(trx, current.id))
        changes.record({ action: 'recommendation.updated', entityType: 'recommendation', entityId: current.id, before, after })
      }
      if (to !== current.status) {
        await applyStatus(changes, await findRecommendation(trx, current.id), { to, closureReason: reason, rationale: row.statusRationale ?? 'changed by import', via: 'import' })
      }
      results.push({ outcome: fieldsChanged || themesChanged || to !== current.status ? 'updated' : 'unchanged' })
    }
    return results
  },
  async exportPage(db: Db, after, limit) {
    let q = db
      .selectFrom('recommendations as r')
      .innerJoin('recommendation_sources as s', 's.id', 'r.source_id')
      .leftJoin('org_units as u', 'u.id', 'r.owner_org_unit_id')
      .leftJoin('people as p', 'p.id', 'r.owner_person_id')
      .select(RECOMMENDATION_COLUMNS.map((c) => `r.${c}` as const))
      .select(['s.code as source_code', 'u.external_id as unit_external_id', 'p.external_id as person_external_id'])
      .where('r.external_id', 'is not', null)
      .orderBy('r.id')
      .limit(limit)
    if (after) q = q.where('r.id', '>', after)
    const rows = await q.execute()
    const ids = rows.map((r) => r.id)
    const links = ids.length
      ? await db
          .selectFrom('recommendation_theme_links as l')
          .innerJoin('recommendation_themes as t', 't.id', 'l.theme_id')
          .select(['l.recommendation_id', 't.code'])
          .where('l.recommendation_id', 'in', ids)
          .orderBy('t.code')
          .execute()
      : []
    return {
      rows: rows.map((r) => ({
        externalId: r.external_id!,
        sourceCode: r.source_code,
        number: r.number,
        title: r.title,
        body: r.body,
        directedTo: r.directed_to,
        area: r.area,
        themeCodes: joinList(links.filter((l) => l.recommendation_id === r.id).map((l) => l.code)),
        ownerOrgUnitExternalId: r.unit_external_id,
        ownerPersonExternalId: r.person_external_id,
        priority: r.priority,
        impact: r.impact,
        targetDate: r.target_date,
        nextReviewDate: r.next_review_date,
        status: r.status,
        closureReason: r.closure_reason,
        statusRationale: null
      })) as unknown as Row[],
      last: rows.length === limit ? rows[rows.length - 1].id : null
    }
  }
}

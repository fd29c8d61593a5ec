import { sql, type ExpressionBuilder } from 'kysely'
import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import type { Database } from '../../db/types.js'
import type { ExceptionsQuery, ExceptionsReport, StatusReport, StatusReportQuery } from './reports.schemas.js'
import type { ThemeRollUp } from './sources.schemas.js'
import { findTheme, toTheme } from './sources.repository.js'
import { iso, RECOMMENDATION_STATUSES, todayUtc } from './status.js'
import type { RecommendationStatus } from './tables.js'

type Counts = Record<RecommendationStatus, number>

/** One `count(*) filter (…)` per status, so a grouping gives every status's count in one pass. */
const statusCountColumns = RECOMMENDATION_STATUSES.map((s) => sql<number>`count(*) filter (where r.status = ${s})`.as(`n_${s}`))
const countsOf = (row: Record<string, unknown>): Counts =>
  Object.fromEntries(RECOMMENDATION_STATUSES.map((s) => [s, Number(row[`n_${s}`] ?? 0)])) as Counts
const totalOf = (counts: Counts) => Object.values(counts).reduce((a, b) => a + b, 0)

type RecEb = ExpressionBuilder<Database & { r: Database['recommendations'] }, 'r'>
const inTheme = (themeId: string) => (eb: RecEb) =>
  eb.exists(eb.selectFrom('recommendation_theme_links as tl').select('tl.theme_id').whereRef('tl.recommendation_id', '=', 'r.id').where('tl.theme_id', '=', themeId))

export async function themeRollUp(db: Db, themeId: string): Promise<Static<typeof ThemeRollUp>> {
  const theme = await findTheme(db, themeId)
  const rows = await db
    .selectFrom('recommendations as r')
    .innerJoin('recommendation_theme_links as l', 'l.recommendation_id', 'r.id')
    .innerJoin('recommendation_sources as s', 's.id', 'r.source_id')
    .where('l.theme_id', '=', themeId)
    .select(['s.id', 's.code', 's.title'])
    .select(statusCountColumns)
    .groupBy(['s.id', 's.code', 's.title'])
    .orderBy('s.code')
    .execute()
  const bySource = rows.map((r) => {
    const counts = countsOf(r)
    return { sourceId: r.id, sourceCode: r.code, sourceTitle: r.title, total: totalOf(counts), counts }
  })
  const counts = Object.fromEntries(RECOMMENDATION_STATUSES.map((s) => [s, bySource.reduce((a, b) => a + b.counts[s], 0)])) as Counts
  const total = totalOf(counts)
  const open = total - counts.closed
  return { theme: toTheme(theme), total, counts, embeddedShare: open ? Math.round((counts.embedded / open) * 1000) / 1000 : null, bySource }
}

export async function statusReport(db: Db, q: Static<typeof StatusReportQuery>): Promise<Static<typeof StatusReport>> {
  let base = db.selectFrom('recommendations as r')
  if (q.sourceId) base = base.where('r.source_id', '=', q.sourceId)
  if (q.themeId) base = base.where(inTheme(q.themeId))
  let rows: Array<{ key: string | null; label: string; counts: Counts }>
  if (q.by === 'source') {
    const result = await base
      .innerJoin('recommendation_sources as s', 's.id', 'r.source_id')
      .select(['s.id as key', 's.code', 's.title'])
      .select(statusCountColumns)
      .groupBy(['s.id', 's.code', 's.title'])
      .orderBy('s.code')
      .execute()
    rows = result.map((r) => ({ key: r.key, label: `${r.code} — ${r.title}`, counts: countsOf(r) }))
  } else if (q.by === 'theme') {
    const result = await base
      .leftJoin('recommendation_theme_links as l', 'l.recommendation_id', 'r.id')
      .leftJoin('recommendation_themes as t', 't.id', 'l.theme_id')
      .select(['t.id as key', 't.code', 't.title'])
      .select(statusCountColumns)
      .groupBy(['t.id', 't.code', 't.title'])
      .orderBy(sql`t.code nulls last`)
      .execute()
    rows = result.map((r) => ({ key: r.key, label: r.code ? `${r.code} — ${r.title}` : '(no theme)', counts: countsOf(r) }))
  } else if (q.by === 'area') {
    const result = await base.select('r.area as key').select(statusCountColumns).groupBy('r.area').orderBy(sql`r.area nulls last`).execute()
    rows = result.map((r) => ({ key: r.key, label: r.key ?? '(no area)', counts: countsOf(r) }))
  } else {
    const result = await base
      .leftJoin('org_units as u', 'u.id', 'r.owner_org_unit_id')
      .select(['u.id as key', 'u.name'])
      .select(statusCountColumns)
      .groupBy(['u.id', 'u.name'])
      .orderBy(sql`u.name nulls last`)
      .execute()
    rows = result.map((r) => ({ key: r.key, label: r.name ?? '(no owner unit)', counts: countsOf(r) }))
  }
  const out = rows.map((r) => ({ ...r, total: totalOf(r.counts) }))
  return { by: q.by as 'source' | 'theme' | 'area' | 'owner', rows: out, total: out.reduce((a, b) => a + b.total, 0) }
}

const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10)

/**
 * The quality checks, one set-based query per kind (each counted with a window function and
 * cut to `limit`), so the cost does not grow with the number of exceptions found.
 */
export async function exceptionsReport(db: Db, q: Static<typeof ExceptionsQuery>): Promise<Static<typeof ExceptionsReport>> {
  const asOf = q.asOf ?? todayUtc()
  const staleDays = q.staleDays ?? 90
  const window = q.reviewWindowDays ?? 30
  const limit = q.limit ?? 100
  const fetch = Math.max(limit, 1)
  const staleBefore = new Date(`${addDays(asOf, -staleDays)}T00:00:00Z`)

  const recommendations = () => {
    let query = db
      .selectFrom('recommendations as r')
      .innerJoin('recommendation_sources as s', 's.id', 'r.source_id')
      .select([
        'r.id', 's.code as source_code', 'r.number', 'r.number_order', 'r.title', 'r.status', 'r.owner_org_unit_id', 'r.owner_person_id',
        'r.next_review_date', 'r.last_activity_at'
      ])
      .select(sql<number>`count(*) over ()`.as('total'))
    if (q.sourceId) query = query.where('r.source_id', '=', q.sourceId)
    if (q.themeId) query = query.where(inTheme(q.themeId))
    return query
  }
  type RefRow = Awaited<ReturnType<ReturnType<typeof recommendations>['execute']>>[number]
  const listOf = (rows: RefRow[]) => ({
    count: rows.length ? Number(rows[0].total) : 0,
    items: rows.slice(0, limit).map((r) => ({
      id: r.id,
      sourceCode: r.source_code,
      number: r.number,
      title: r.title,
      status: r.status,
      ownerOrgUnitId: r.owner_org_unit_id,
      ownerPersonId: r.owner_person_id,
      nextReviewDate: r.next_review_date,
      lastActivityAt: iso(r.last_activity_at)
    }))
  })
  const byNumber = <T extends ReturnType<typeof recommendations>>(query: T) => query.orderBy('s.code').orderBy('r.number_order').orderBy('r.number').orderBy('r.id').limit(fetch)

  const embedded = await byNumber(
    recommendations()
      .where('r.status', '=', 'embedded')
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('recommendation_evidence as e')
              .select('e.id')
              .whereRef('e.recommendation_id', '=', 'r.id')
              .where('e.withdrawn_at', 'is', null)
              .where('e.effective_on', '<=', asOf)
              .where((x) => x.or([x('e.expires_on', 'is', null), x('e.expires_on', '>=', asOf)]))
          )
        )
      )
  ).execute()
  const reviewsOverdue = await recommendations()
    .where('r.status', '<>', 'closed')
    .where('r.next_review_date', '<', asOf)
    .orderBy('r.next_review_date')
    .orderBy('r.id')
    .limit(fetch)
    .execute()
  const reviewsDue = await recommendations()
    .where('r.status', '<>', 'closed')
    .where('r.next_review_date', '>=', asOf)
    .where('r.next_review_date', '<=', addDays(asOf, window))
    .orderBy('r.next_review_date')
    .orderBy('r.id')
    .limit(fetch)
    .execute()
  const noOwner = await byNumber(recommendations().where('r.status', '<>', 'closed').where('r.owner_org_unit_id', 'is', null).where('r.owner_person_id', 'is', null)).execute()
  const noMovement = await recommendations()
    .where('r.status', 'not in', ['embedded', 'closed'])
    .where('r.last_activity_at', '<', staleBefore)
    .orderBy('r.last_activity_at')
    .orderBy('r.id')
    .limit(fetch)
    .execute()

  let actions = db
    .selectFrom('recommendation_actions as a')
    .select(['a.id', 'a.title', 'a.status', 'a.due_on', 'a.owner_org_unit_id', 'a.owner_person_id'])
    .select(sql<number>`count(*) over ()`.as('total'))
    .where('a.status', 'in', ['open', 'in_progress'])
    .where('a.due_on', '<', asOf)
  if (q.sourceId || q.themeId) {
    actions = actions.where((eb) => {
      let linked = eb.selectFrom('recommendation_action_links as al').innerJoin('recommendations as r', 'r.id', 'al.recommendation_id').select('al.action_id').whereRef('al.action_id', '=', 'a.id')
      if (q.sourceId) linked = linked.where('r.source_id', '=', q.sourceId)
      if (q.themeId) linked = linked.where(inTheme(q.themeId) as never)
      return eb.exists(linked)
    })
  }
  const overdue = await actions.orderBy('a.due_on').orderBy('a.id').limit(fetch).execute()
  const shown = overdue.slice(0, limit)
  const links = shown.length
    ? await db.selectFrom('recommendation_action_links').select(['action_id', 'recommendation_id']).where('action_id', 'in', shown.map((a) => a.id)).orderBy('recommendation_id').execute()
    : []
  const asOfTime = Date.parse(`${asOf}T00:00:00Z`)

  return {
    asOf,
    staleDays,
    reviewWindowDays: window,
    embeddedWithoutCurrentEvidence: listOf(embedded),
    overdueActions: {
      count: overdue.length ? Number(overdue[0].total) : 0,
      items: shown.map((a) => ({
        id: a.id,
        title: a.title,
        status: a.status,
        dueOn: a.due_on!,
        daysOverdue: Math.round((asOfTime - Date.parse(`${a.due_on}T00:00:00Z`)) / 86_400_000),
        ownerOrgUnitId: a.owner_org_unit_id,
        ownerPersonId: a.owner_person_id,
        recommendationIds: links.filter((l) => l.action_id === a.id).map((l) => l.recommendation_id)
      }))
    },
    reviewsOverdue: listOf(reviewsOverdue),
    reviewsDue: listOf(reviewsDue),
    noOwner: listOf(noOwner),
    noMovement: listOf(noMovement)
  }
}


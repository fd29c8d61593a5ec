import { sql } from 'kysely'
import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import { keysetPage, type Page, type SortAllowList } from '../../platform/pagination.js'
import { INTEGRATIONS, SOURCE_KINDS, STAGES } from './entries.schemas.js'
import type {
  ClosedLessonsQuery, LearningLogClosedLesson, LearningLogReviewOutcomes, LearningLogSourceReport, LearningLogStageByBusinessGroup,
  LearningLogStageDurations, SourceReportQuery, StageDurationsQuery
} from './reports.schemas.js'
import type { Stage } from './tables.js'

const zeroStages = () => Object.fromEntries(STAGES.map((s) => [s, 0])) as Record<Stage, number>

/** Counts by stage × business group: each unit's business group is the nearest business_group at or above it. */
export async function stageByBusinessGroup(db: Db): Promise<Static<typeof LearningLogStageByBusinessGroup>> {
  const { rows } = await sql<{ business_group_id: string | null; name: string | null; stage: Stage; n: number }>`
    with recursive units as (select distinct org_unit_id as id from learning_log_entries),
    up(unit_id, ancestor_id, kind, depth) as (
      select u.id, o.id, o.kind, 0 from units u join org_units o on o.id = u.id
      union all
      select up.unit_id, p.id, p.kind, up.depth + 1
      from up join org_units o on o.id = up.ancestor_id join org_units p on p.id = o.parent_id
      where up.kind <> 'business_group' and up.depth < 50
    ),
    bg as (select distinct on (unit_id) unit_id, ancestor_id from up where kind = 'business_group' order by unit_id, depth)
    select bg.ancestor_id as business_group_id, g.name, e.stage, count(*)::int as n
    from learning_log_entries e
    left join bg on bg.unit_id = e.org_unit_id
    left join org_units g on g.id = bg.ancestor_id
    group by bg.ancestor_id, g.name, e.stage`.execute(db)
  const groups = new Map<string, { businessGroupId: string | null; businessGroupName: string | null; stages: Record<Stage, number>; total: number }>()
  const totals = { stages: zeroStages(), total: 0 }
  for (const r of rows) {
    const key = r.business_group_id ?? ''
    const group = groups.get(key) ?? { businessGroupId: r.business_group_id, businessGroupName: r.name, stages: zeroStages(), total: 0 }
    group.stages[r.stage] += r.n
    group.total += r.n
    totals.stages[r.stage] += r.n
    totals.total += r.n
    groups.set(key, group)
  }
  // Named groups by name; entries outside any business group last.
  const list = [...groups.values()].sort((a, b) => (a.businessGroupName === null ? 1 : b.businessGroupName === null ? -1 : a.businessGroupName.localeCompare(b.businessGroupName)))
  return { rows: list, totals }
}

const round2 = (n: number | null) => (n === null ? null : Math.round(Number(n) * 100) / 100)

/**
 * Median days in each stage, from the trail: a stay starts when an entry enters a stage (created,
 * moved or reopened) and ends at its next stage move. Closed is where entries end, so it has no stays.
 */
export async function stageDurations(db: Db, q: Static<typeof StageDurationsQuery>): Promise<Static<typeof LearningLogStageDurations>> {
  const { rows } = await sql<{ stage: Stage; completed: number; median: number | null; now_in: number; median_now: number | null }>`
    with stays as (
      select t.to_stage as stage, t.occurred_at as entered_at,
             lead(t.occurred_at) over (partition by t.entry_id order by t.occurred_at, t.id) as left_at
      from learning_log_trail t
      join learning_log_entries e on e.id = t.entry_id
      where t.to_stage is not null
        ${q.sourceKind ? sql`and e.source_kind = ${q.sourceKind}` : sql``}
        ${q.kind ? sql`and e.kind = ${q.kind}` : sql``}
    )
    select stage,
           (count(*) filter (where left_at is not null))::int as completed,
           percentile_cont(0.5) within group (order by extract(epoch from (left_at - entered_at)) / 86400) filter (where left_at is not null) as median,
           (count(*) filter (where left_at is null))::int as now_in,
           percentile_cont(0.5) within group (order by extract(epoch from (now() - entered_at)) / 86400) filter (where left_at is null) as median_now
    from stays where stage <> 'closed' group by stage`.execute(db)
  const byStage = new Map(rows.map((r) => [r.stage, r]))
  return {
    stages: STAGES.filter((s) => s !== 'closed').map((stage) => {
      const r = byStage.get(stage)
      return {
        stage,
        completedStays: r?.completed ?? 0,
        medianDays: round2(r?.median ?? null),
        inStageNow: r?.now_in ?? 0,
        medianDaysSoFar: round2(r?.median_now ?? null)
      }
    })
  }
}

/**
 * Which sources produce the most lessons: both lists most lessons first (notable practices are not
 * lessons), then most entries, then by kind and reference, so ties come out the same every time.
 */
export async function sourceReport(db: Db, q: Static<typeof SourceReportQuery>): Promise<Static<typeof LearningLogSourceReport>> {
  const range = sql`${q.identifiedFrom ? sql`and identified_on >= ${q.identifiedFrom}::date` : sql``} ${q.identifiedTo ? sql`and identified_on <= ${q.identifiedTo}::date` : sql``}`
  const { rows } = await sql<Record<string, number> & { source_kind: string }>`
    select source_kind,
      count(*)::int as entries,
      (count(*) filter (where kind = 'lesson_identified'))::int as lessons,
      (count(*) filter (where kind = 'notable_practice'))::int as notable,
      (count(*) filter (where challenge_decision = 'action_required'))::int as action_required,
      (count(*) filter (where closure_kind = 'no_action'))::int as no_action,
      (count(*) filter (where closure_kind = 'duplicate'))::int as duplicate,
      (count(*) filter (where closure_kind = 'reviewed'))::int as reviewed,
      (count(*) filter (where closure_kind = 'reviewed' and review_improvement_seen))::int as improvement
    from learning_log_entries where true ${range}
    group by source_kind order by lessons desc, entries desc, source_kind`.execute(db)
  const top = await sql<{ source_kind: string; source_reference: string; entries: number; lessons: number }>`
    select source_kind, source_reference, count(*)::int as entries, (count(*) filter (where kind = 'lesson_identified'))::int as lessons
    from learning_log_entries where source_reference is not null ${range}
    group by source_kind, source_reference order by lessons desc, entries desc, source_kind, source_reference limit ${q.top ?? 10}`.execute(db)
  type Kind = (typeof SOURCE_KINDS)[number]
  return {
    bySourceKind: rows.map((r) => ({
      sourceKind: r.source_kind as Kind,
      entries: r.entries,
      lessons: r.lessons,
      notablePractices: r.notable,
      actionRequired: r.action_required,
      closedNoAction: r.no_action,
      closedDuplicate: r.duplicate,
      closedReviewed: r.reviewed,
      improvementSeen: r.improvement
    })),
    topSources: top.rows.map((r) => ({ sourceKind: r.source_kind as Kind, sourceReference: r.source_reference, entries: r.entries, lessons: r.lessons }))
  }
}

export async function reviewOutcomes(db: Db): Promise<Static<typeof LearningLogReviewOutcomes>> {
  const { rows } = await sql<{ closure_kind: string; integrated: string | null; improvement: boolean | null; n: number }>`
    select closure_kind, review_integrated as integrated, review_improvement_seen as improvement, count(*)::int as n
    from learning_log_entries where stage = 'closed' group by 1, 2, 3`.execute(db)
  const sum = (f: (r: (typeof rows)[number]) => boolean) => rows.filter(f).reduce((n, r) => n + r.n, 0)
  return {
    closed: sum(() => true),
    closedNoAction: sum((r) => r.closure_kind === 'no_action'),
    closedDuplicate: sum((r) => r.closure_kind === 'duplicate'),
    reviewed: sum((r) => r.closure_kind === 'reviewed'),
    outcomes: INTEGRATIONS.flatMap((integrated) =>
      [true, false].map((improvementSeen) => ({
        integrated,
        improvementSeen,
        entries: sum((r) => r.closure_kind === 'reviewed' && r.integrated === integrated && r.improvement === improvementSeen)
      }))
    )
  }
}

interface ClosedRow {
  id: string
  reference: string
  title: string
  kind: 'lesson_identified' | 'notable_practice'
  source_kind: (typeof SOURCE_KINDS)[number]
  closure_kind: 'no_action' | 'duplicate' | 'reviewed'
  closure_reason: string | null
  review_integrated: 'fully' | 'partly' | 'not' | null
  review_improvement_seen: boolean | null
  review_evidence: string | null
  closed_at: Date
}

export const toClosedLesson = (r: ClosedRow): Static<typeof LearningLogClosedLesson> => ({
  id: r.id,
  reference: r.reference,
  title: r.title,
  kind: r.kind,
  sourceKind: r.source_kind,
  closureKind: r.closure_kind,
  closureReason: r.closure_reason,
  integrated: r.review_integrated,
  improvementSeen: r.review_improvement_seen,
  evidence: r.review_evidence,
  closedAt: new Date(r.closed_at).toISOString()
})

const closedSorts: SortAllowList<ClosedRow> = {
  closedAt: { columns: ['learning_log_entries.closed_at', 'learning_log_entries.id'], direction: 'desc', key: (r) => [r.closed_at, r.id] }
}

/** Closed entries, most recently closed first, with how each ended. */
export async function closedLessons(db: Db, q: Static<typeof ClosedLessonsQuery>): Promise<Page<ClosedRow>> {
  let query = db
    .selectFrom('learning_log_entries')
    .select(['id', 'reference', 'title', 'kind', 'source_kind', 'closure_kind', 'closure_reason', 'review_integrated', 'review_improvement_seen', 'review_evidence', 'closed_at'])
    .where('stage', '=', 'closed')
  if (q.closureKind) query = query.where('closure_kind', '=', q.closureKind)
  if (q.integrated) query = query.where('review_integrated', '=', q.integrated)
  if (q.improvementSeen !== undefined) query = query.where('review_improvement_seen', '=', q.improvementSeen)
  return keysetPage(query as never, closedSorts as never, q, 'closedAt') as Promise<Page<ClosedRow>>
}

import type { Db } from '../../db/database.js'
import type { Trx } from '../../platform/changes.js'
import { defineProblem, notFound, Problem } from '../../platform/problems.js'
import { analyseGaps, type ElementMeans, type GapAnalysis, type TreeElement } from './gaps.js'
import { reportMeans } from './report.adapter.js'

// Not the feedback module's `report-not-released` (403: the subject may not read the report yet):
// here the caller may read it, but an unreleased report gives no gaps, whoever asks.
defineProblem('gaps-report-not-released', {
  status: 409,
  title: 'Gaps need a released 360° report',
  description: 'Suggestions and objectives come only from a released 360° report; this assessment is not released (yet).'
})

export interface ReleasedReport {
  assessment: { id: string; subject_id: string; framework_id: string; scale_min: number; scale_max: number; status: string; released_at: Date | null }
  tree: TreeElement[]
  means: Map<string, ElementMeans>
  analysis: GapAnalysis
}

/** The framework version's elements, as the gap rule walks them. */
async function treeOf(db: Db | Trx, frameworkId: string): Promise<TreeElement[]> {
  const rows = await db
    .selectFrom('framework_elements')
    .select(['id', 'lineage_id', 'parent_id', 'kind', 'code', 'title', 'polarity'])
    .where('framework_id', '=', frameworkId)
    .orderBy('position')
    .orderBy('code')
    .execute()
  return rows.map((r) => ({ id: r.id, lineageId: r.lineage_id, parentId: r.parent_id, kind: r.kind, code: r.code, title: r.title, polarity: r.polarity }))
}

/**
 * A released report and its gaps. `from` says how the assessment was named: in the path (an
 * unknown one is a 404) or in a body field (a 422 pointing at it).
 */
export async function releasedReport(db: Db | Trx, assessmentId: string, from: { path: true } | { pointer: string }): Promise<ReleasedReport> {
  const assessment = await db
    .selectFrom('feedback_assessments')
    .select(['id', 'subject_id', 'framework_id', 'scale_min', 'scale_max', 'status', 'released_at'])
    .where('id', '=', assessmentId)
    .executeTakeFirst()
  if (!assessment) {
    if ('path' in from) throw notFound('assessment', assessmentId)
    throw new Problem(422, 'invalid-reference', `${from.pointer.slice(1)}: no such assessment`, { errors: [{ in: 'body', pointer: from.pointer, detail: 'no such assessment' }] })
  }
  if (assessment.status !== 'released') throw new Problem(409, 'gaps-report-not-released', `the assessment is ${assessment.status}; only a released report gives gaps`)
  const tree = await treeOf(db, assessment.framework_id)
  const means = await reportMeans(db, assessment.id)
  return { assessment, tree, means, analysis: analyseGaps(tree, means, { min: assessment.scale_min, max: assessment.scale_max }) }
}

/** What an objective made from a gap records: the element and the report's scale, never its figures (see `gapRecord`). */
export async function gapDetail(trx: Trx, assessmentId: string, elementId: string, ownerId: string): Promise<Record<string, unknown>> {
  const report = await releasedReport(trx, assessmentId, { pointer: '/assessmentId' })
  if (report.assessment.subject_id !== ownerId) {
    throw new Problem(422, 'invalid-reference', 'assessmentId: not an assessment of the plan’s owner', {
      errors: [{ in: 'body', pointer: '/assessmentId', detail: 'not an assessment of the plan’s owner' }]
    })
  }
  const gap = [...report.analysis.behaviours, ...report.analysis.areas].find((g) => g.elementId === elementId)
  if (!gap) {
    throw new Problem(422, 'invalid-reference', 'elementId: not a behaviour or area of the report with a rating from others', {
      errors: [{ in: 'body', pointer: '/elementId', detail: 'not an element of the report with a rating from others' }]
    })
  }
  return gapRecord(gap, report)
}

/**
 * The gap's element and the report's scale, without its means or need: the detail is shown with
 * the plan (to the line manager and plan readers) and goes into audit records and events, and the
 * feedback module shows a report's figures only to its subject and `assessments:read` (the need is
 * the others' mean rescaled, so it is a figure too).
 */
export const gapRecord = (gap: GapAnalysis['behaviours'][number], report: ReleasedReport) => ({
  code: gap.code,
  title: gap.title,
  kind: gap.kind,
  polarity: gap.polarity,
  scaleMin: report.assessment.scale_min,
  scaleMax: report.assessment.scale_max
})

import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import { notFound } from '../../platform/problems.js'
import { programmesAdmitting } from '../programmes/eligibility.js'
import { mayRead, readOwner, seesReportFigures, type PlanCaller } from './access.js'
import { largestGaps, rankProgrammes } from './gaps.js'
import { releasedReport } from './gaps.source.js'
import type { Suggestions } from './suggestions.schemas.js'

export const GAP_RULE =
  'need of a positive behaviour = (scale max − others’ mean) / (max − min); of a negative behaviour = (others’ mean − min) / (max − min), how often it is seen; ' +
  'suppressed means give no need; a competency or value has the mean need of its behaviours. The largest gaps are the behaviours with the greatest need above zero. ' +
  'A programme covers a gap when linked (by lineage, across framework versions) to the behaviour or an element above it; score = sum of the needs of the largest gaps covered; ' +
  'ties: more gaps covered, then title. Only active or pilot programmes the person is eligible for (grade level range and staff type).'

const today = () => new Date().toISOString().slice(0, 10)

/**
 * Programmes for a person's released report, ranked by the gaps they cover. Readable by the
 * subject, their line manager (per the people data now) and `development-plans:read`; to anyone
 * else the assessment does not exist. The report's figures (means, needs, scores) go only to the
 * subject and `assessments:read`, as the feedback module rules for the report; the others get
 * the same ranking with the figures null.
 */
export async function suggestionsFor(db: Db, caller: PlanCaller, assessmentId: string, top: number): Promise<Static<typeof Suggestions>> {
  const assessment = await db.selectFrom('feedback_assessments').select(['id', 'subject_id']).where('id', '=', assessmentId).executeTakeFirst()
  if (!assessment || !mayRead(caller, await readOwner(db, assessment.subject_id))) throw notFound('assessment', assessmentId)
  const report = await releasedReport(db, assessmentId, { path: true })
  const gaps = largestGaps(report.analysis, top)

  const person = await db
    .selectFrom('people')
    .leftJoin('grades', 'grades.id', 'people.grade_id')
    .select(['people.staff_type', 'grades.level'])
    .where('people.id', '=', assessment.subject_id)
    .executeTakeFirstOrThrow()
  const programmes = await db
    .selectFrom('programmes')
    .select(['id', 'code', 'title', 'kind', 'framework_element_ids'])
    .where('status', 'in', ['pilot', 'active'])
    .where((eb) => eb(eb.fn('cardinality', ['framework_element_ids']), '>', 0))
    .where(programmesAdmitting(person))
    .execute()
  const elementIds = [...new Set(programmes.flatMap((p) => p.framework_element_ids))]
  const lineageOf = new Map(
    elementIds.length ? (await db.selectFrom('framework_elements').select(['id', 'lineage_id']).where('id', 'in', elementIds).execute()).map((e) => [e.id, e.lineage_id]) : []
  )
  const candidates = programmes.map((p) => ({
    ...p,
    lineageIds: new Set(p.framework_element_ids.flatMap((id) => (lineageOf.has(id) ? [lineageOf.get(id)!] : [])))
  }))
  const ranked = rankProgrammes(report.tree, gaps, candidates)

  const rankedIds = ranked.map((r) => r.programme.id)
  const cohorts = rankedIds.length
    ? await db
        .selectFrom('cohorts')
        .select(['id', 'programme_id', 'title', 'starts_on', 'ends_on', 'nominations_close_on'])
        .where('programme_id', 'in', rankedIds)
        .where('status', '=', 'open')
        .where((eb) => eb.or([eb('nominations_close_on', 'is', null), eb('nominations_close_on', '>=', today())]))
        .orderBy('starts_on')
        .orderBy('id')
        .execute()
    : []
  const figures = seesReportFigures(caller, assessment.subject_id)
  const gapView = (g: (typeof gaps)[number]) => (figures ? { ...g } : { ...g, othersMean: null, selfMean: null, need: null })
  return {
    assessmentId,
    personId: assessment.subject_id,
    scale: { min: report.assessment.scale_min, max: report.assessment.scale_max },
    rule: GAP_RULE,
    figures,
    gaps: gaps.map(gapView),
    areas: report.analysis.areas.map(gapView),
    suggestions: ranked.map((r) => ({
      programmeId: r.programme.id,
      code: r.programme.code,
      title: r.programme.title,
      kind: r.programme.kind,
      score: figures ? r.score : null,
      covers: r.covers.map((g) => g.elementId),
      openCohorts: cohorts
        .filter((c) => c.programme_id === r.programme.id)
        .map((c) => ({ id: c.id, title: c.title, startsOn: c.starts_on, endsOn: c.ends_on, nominationsCloseOn: c.nominations_close_on }))
    }))
  }
}

import type { Static } from 'typebox'
import type { ChangeSet } from '../../platform/changes.js'
import { Problem, type FieldError } from '../../platform/problems.js'
import { assertMayDraftFromReport, readOwner, type PlanCaller } from './access.js'
import type { GapObjectivesRequest } from './content.schemas.js'
import { largestGaps, type Gap } from './gaps.js'
import { gapRecord, releasedReport } from './gaps.source.js'
import { insertObjective } from './objectives.write.js'
import { lockPlan } from './plans.repository.js'
import { assertDraft } from './plans.service.js'
import type { Priority } from './tables.js'

/**
 * The objective a gap suggests: develop a positive behaviour, or show a negative one less often.
 * The text names no figure (neither the mean nor a target a point from it, which gives the mean
 * away): the plan is read by the line manager, who may not read the report.
 */
function objectiveFor(gap: Gap) {
  if (gap.polarity === 'negative') {
    return { title: `Show less often: ${gap.title}`, success_measure: 'At the next 360° feedback others see it less often than in this report' }
  }
  return { title: `Develop: ${gap.title}`, success_measure: 'At the next 360° feedback others rate it higher than in this report' }
}

/**
 * Objectives from the gaps of the owner's released report: the behaviours asked for, or the
 * largest gaps. A behaviour already taken from the same report into this plan is skipped.
 */
export async function createGapObjectives(changes: ChangeSet, caller: PlanCaller, planId: string, input: Static<typeof GapObjectivesRequest>): Promise<string[]> {
  const { trx } = changes
  const plan = await lockPlan(trx, planId)
  const owner = await readOwner(trx, plan.owner_id)
  assertMayDraftFromReport(caller, owner, planId)
  assertDraft(plan)
  const report = await releasedReport(trx, input.assessmentId, { pointer: '/assessmentId' })
  if (report.assessment.subject_id !== owner.id) {
    throw new Problem(422, 'invalid-reference', 'assessmentId: not an assessment of the plan’s owner', {
      errors: [{ in: 'body', pointer: '/assessmentId', detail: 'not an assessment of the plan’s owner' }]
    })
  }
  let gaps: Gap[]
  if (input.elementIds) {
    const byId = new Map(report.analysis.behaviours.map((g) => [g.elementId, g]))
    const errors: FieldError[] = input.elementIds.flatMap((id, i) =>
      byId.has(id) ? [] : [{ in: 'body', pointer: `/elementIds/${i}`, detail: 'not a behaviour of the report with a rating from others' }]
    )
    if (errors.length) throw new Problem(422, 'invalid-reference', 'elementIds: not behaviours of the report with a rating from others', { errors })
    gaps = input.elementIds.map((id) => byId.get(id)!)
  } else {
    gaps = largestGaps(report.analysis, input.count ?? 3)
  }
  const taken = new Set(
    (await trx.selectFrom('development_objectives').select('source_element_id').where('plan_id', '=', planId).where('source_assessment_id', '=', input.assessmentId).execute()).map(
      (r) => r.source_element_id
    )
  )
  const ids: string[] = []
  for (const gap of gaps) {
    if (taken.has(gap.elementId)) continue
    const row = await insertObjective(
      changes,
      plan,
      {
        ...objectiveFor(gap),
        due_on: input.dueOn ?? null,
        priority: (input.priority as Priority | undefined) ?? (gap.need >= 0.5 ? 'high' : 'medium'),
        source: 'feedback_gap',
        source_assessment_id: report.assessment.id,
        source_element_id: gap.elementId,
        source_detail: gapRecord(gap, report)
      },
      [gap.elementId]
    )
    ids.push(row.id)
  }
  return ids
}

import type { Static } from 'typebox'
import type { ChangeSet } from '../../platform/changes.js'
import { notFound, Problem } from '../../platform/problems.js'
import type { EnrolmentStatus } from '../programmes/tables.js'
import type { PlanCaller } from './access.js'
import { periodDates, periodOf } from './plans.repository.js'
import { existingPlan, insertPlan } from './plans.service.js'
import type { TemplateApplyRequest, TemplateApplyResult } from './templates.schemas.js'

/** A cohort's participants: those holding a place, or who attended or completed. */
export const PARTICIPANT_STATUSES: readonly EnrolmentStatus[] = ['selected', 'attended', 'completed']

/**
 * Makes one draft plan from the template for every participant of the cohort who has none from
 * it for the period, in one transaction: all or nothing, and applying it again makes no more.
 * The template row is locked, so two applications of it run one after the other.
 */
export async function applyTemplate(
  changes: ChangeSet, caller: PlanCaller, templateId: string, input: Static<typeof TemplateApplyRequest>
): Promise<Static<typeof TemplateApplyResult>> {
  const { trx } = changes
  const template = await trx.selectFrom('development_plan_templates').selectAll().where('id', '=', templateId).forUpdate().executeTakeFirst()
  if (!template) throw notFound('development plan template', templateId)
  if (template.status !== 'active') throw new Problem(409, 'template-retired', `template ${template.code} is retired and makes no new plans`)
  const cohort = await trx.selectFrom('cohorts').select(['id', 'starts_on', 'title']).where('id', '=', input.cohortId).executeTakeFirst()
  if (!cohort) throw new Problem(422, 'invalid-reference', 'cohortId: no such cohort', { errors: [{ in: 'body', pointer: '/cohortId', detail: 'no such cohort' }] })
  const period = input.period ?? periodOf(cohort.starts_on)
  periodDates(period)

  const participants = await trx
    .selectFrom('enrolments as e')
    .innerJoin('people as p', 'p.id', 'e.person_id')
    .select(['p.id', 'p.line_manager_id', 'p.org_unit_id', 'p.status'])
    .where('e.cohort_id', '=', cohort.id)
    .where('e.status', 'in', PARTICIPANT_STATUSES)
    .where('p.status', '=', 'active')
    .orderBy('p.id')
    .forShare('p')
    .execute()

  const plans: Array<{ personId: string; planId: string; created: boolean }> = []
  for (const owner of participants) {
    const existing = await existingPlan(changes, owner.id, period, template.id)
    if (existing) {
      plans.push({ personId: owner.id, planId: existing.id, created: false })
      continue
    }
    const plan = await insertPlan(changes, caller, {
      owner,
      period,
      title: `${template.title} ${period}`,
      templateId: template.id,
      cohortId: cohort.id,
      externalId: null
    })
    plans.push({ personId: owner.id, planId: plan.id, created: true })
  }
  const result = { templateId: template.id, cohortId: cohort.id, period, created: plans.filter((p) => p.created).length, existing: plans.filter((p) => !p.created).length, plans }
  if (result.created > 0) {
    changes.record({
      action: 'development-plan-template.applied',
      entityType: 'development-plan-template',
      entityId: template.id,
      after: { templateId: template.id, cohortId: cohort.id, period, created: result.created, planIds: plans.filter((p) => p.created).map((p) => p.planId) }
    })
  }
  return result
}

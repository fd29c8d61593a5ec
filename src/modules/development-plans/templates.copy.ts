import type { ChangeSet, Trx } from '../../platform/changes.js'
import { defineProblem, Problem } from '../../platform/problems.js'
import { ENDED_STATUSES } from '../programmes/enrolments.repository.js'
import { findActivity, nextActivityPosition, toActivity } from './content.repository.js'
import { insertObjective } from './objectives.write.js'
import type { PlanRow } from './plans.repository.js'
import type { ActivityKind } from './tables.js'
import { templateContent, type TemplateRow } from './templates.repository.js'

defineProblem('template-retired', { status: 409, title: 'Plan template retired', description: 'A retired template makes no new plans; make it active again or use another.' })

/** A template named in a body: unknown is a 422 at `pointer`, retired a 409. */
export async function findActiveTemplate(trx: Trx, id: string, pointer: string): Promise<TemplateRow> {
  const row = await trx.selectFrom('development_plan_templates').selectAll().where('id', '=', id).forShare().executeTakeFirst()
  if (!row) throw new Problem(422, 'invalid-reference', `${pointer.slice(1)}: no such template`, { errors: [{ in: 'body', pointer, detail: 'no such template' }] })
  if (row.status !== 'active') throw new Problem(409, 'template-retired', `template ${row.code} is retired and makes no new plans`)
  return row
}

/** The last day of the `months`-th month of a period starting on `startsOn` (a 1 April). */
export function dueAfter(startsOn: string, months: number | null | undefined): string | null {
  if (!months) return null
  const year = Number(startsOn.slice(0, 4))
  const month = Number(startsOn.slice(5, 7)) - 1
  return new Date(Date.UTC(year, month + months, 0)).toISOString().slice(0, 10)
}

/**
 * Copies a template's objectives and activities into a new plan. When the plan is made for a
 * cohort, a programme activity for that cohort's programme follows the owner's enrolment on it.
 */
export async function copyTemplate(changes: ChangeSet, templateId: string, plan: PlanRow, cohortId: string | null) {
  const { trx } = changes
  const objectives = (await templateContent(trx, [templateId])).get(templateId) ?? []
  const cohort = cohortId ? await trx.selectFrom('cohorts').select(['id', 'programme_id']).where('id', '=', cohortId).executeTakeFirst() : undefined
  const enrolment = cohort
    ? await trx.selectFrom('enrolments').select('id').where('cohort_id', '=', cohort.id).where('person_id', '=', plan.owner_id).where('status', 'not in', ENDED_STATUSES).executeTakeFirst()
    : undefined
  for (const o of objectives) {
    const objective = await insertObjective(
      changes,
      plan,
      {
        title: o.title,
        description: o.description ?? null,
        success_measure: o.successMeasure ?? null,
        due_on: dueAfter(plan.starts_on, o.dueInMonths),
        priority: o.priority,
        source: 'template',
        source_detail: { templateId }
      },
      o.frameworkElementIds ?? []
    )
    for (const a of o.activities ?? []) {
      const follows = a.kind === 'programme' && cohort && a.programmeId === cohort.programme_id ? (enrolment?.id ?? null) : null
      const row = await trx
        .insertInto('development_activities')
        .values({
          objective_id: objective.id,
          plan_id: plan.id,
          position: await nextActivityPosition(trx, objective.id),
          kind: a.kind as ActivityKind,
          title: a.title,
          description: a.description ?? null,
          due_on: dueAfter(plan.starts_on, a.dueInMonths),
          status: a.kind === 'programme' ? null : 'planned',
          programme_id: a.programmeId ?? null,
          enrolment_id: follows
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      const { enrolment: _enrolment, ...record } = toActivity(await findActivity(trx, row.id))
      changes.record({ action: 'development-activity.created', entityType: 'development-activity', entityId: row.id, after: { ...record, enrolmentId: follows } })
    }
  }
}

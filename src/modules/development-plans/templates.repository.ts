import type { Selectable } from 'kysely'
import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import type { ChangeSet, Trx } from '../../platform/changes.js'
import { assertCurrentVersion, type IfMatch } from '../../platform/concurrency.js'
import { changedColumns, sameValue } from '../../platform/patches.js'
import { keysetPage, type Page, type SortAllowList } from '../../platform/pagination.js'
import { describeConstraint, notFound, Problem, type FieldError } from '../../platform/problems.js'
import type { Template, TemplateCreate, TemplateListQuery, TemplateObjective, TemplateUpdate } from './templates.schemas.js'
import type { ActivityKind, DevelopmentPlanTemplatesTable, Priority } from './tables.js'

export type TemplateRow = Selectable<DevelopmentPlanTemplatesTable>
export type TemplateView = Static<typeof Template>
type ObjectiveInput = Static<typeof TemplateObjective>

describeConstraint('development_plan_templates_code_key', 'a template with this code already exists')
describeConstraint('development_plan_templates_external_id_key', 'a template with this externalId already exists')

const iso = (t: Date | string) => new Date(t).toISOString()

/** The templates' objectives (with elements and activities), by template id. */
export async function templateContent(db: Db | Trx, templateIds: string[]): Promise<Map<string, ObjectiveInput[]>> {
  const result = new Map<string, ObjectiveInput[]>(templateIds.map((id) => [id, []]))
  if (templateIds.length === 0) return result
  const objectives = await db.selectFrom('development_template_objectives').selectAll().where('template_id', 'in', templateIds).orderBy('position').execute()
  if (objectives.length === 0) return result
  const ids = objectives.map((o) => o.id)
  const elements = await db.selectFrom('development_template_objective_elements').selectAll().where('template_objective_id', 'in', ids).orderBy('element_id').execute()
  const activities = await db.selectFrom('development_template_activities').selectAll().where('template_objective_id', 'in', ids).orderBy('position').execute()
  for (const o of objectives) {
    result.get(o.template_id)!.push({
      title: o.title,
      description: o.description,
      successMeasure: o.success_measure,
      priority: o.priority,
      dueInMonths: o.due_in_months,
      frameworkElementIds: elements.filter((e) => e.template_objective_id === o.id).map((e) => e.element_id),
      activities: activities
        .filter((a) => a.template_objective_id === o.id)
        .map((a) => ({ kind: a.kind, title: a.title, description: a.description, programmeId: a.programme_id, dueInMonths: a.due_in_months }))
    })
  }
  return result
}

export const toTemplate = (r: TemplateRow, objectives: ObjectiveInput[]): TemplateView => ({
  id: r.id,
  externalId: r.external_id,
  code: r.code,
  title: r.title,
  description: r.description,
  status: r.status,
  objectives,
  version: r.version,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at)
})

export async function templateViews(db: Db | Trx, rows: TemplateRow[]): Promise<TemplateView[]> {
  const content = await templateContent(db, rows.map((r) => r.id))
  return rows.map((r) => toTemplate(r, content.get(r.id) ?? []))
}

export async function findTemplate(db: Db | Trx, id: string): Promise<TemplateRow> {
  const row = await db.selectFrom('development_plan_templates').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) throw notFound('development plan template', id)
  return row
}

const sorts: SortAllowList<TemplateRow> = {
  title: { columns: ['title', 'id'], direction: 'asc', key: (r) => [r.title, r.id] }
}

export async function listTemplates(db: Db, q: Static<typeof TemplateListQuery>): Promise<Page<TemplateRow>> {
  let query = db.selectFrom('development_plan_templates').selectAll()
  if (q.status) query = query.where('status', '=', q.status as 'active' | 'retired')
  if (q.code) query = query.where('code', '=', q.code)
  return keysetPage(query, sorts, { ...q, sort: 'title' }, 'title')
}

/** Checks the references of a template's objectives: elements exist; programme activities name an existing programme, others none. */
async function assertContent(trx: Trx, objectives: ObjectiveInput[]) {
  const errors: FieldError[] = []
  const elementIds = [...new Set(objectives.flatMap((o) => o.frameworkElementIds ?? []))]
  const programmeIds = [...new Set(objectives.flatMap((o) => (o.activities ?? []).flatMap((a) => (a.programmeId ? [a.programmeId] : []))))]
  const elements = new Set(elementIds.length ? (await trx.selectFrom('framework_elements').select('id').where('id', 'in', elementIds).execute()).map((r) => r.id) : [])
  const programmes = new Set(programmeIds.length ? (await trx.selectFrom('programmes').select('id').where('id', 'in', programmeIds).execute()).map((r) => r.id) : [])
  for (const [i, o] of objectives.entries()) {
    for (const [j, id] of (o.frameworkElementIds ?? []).entries()) {
      if (!elements.has(id)) errors.push({ in: 'body', pointer: `/objectives/${i}/frameworkElementIds/${j}`, detail: 'no such framework element' })
    }
    for (const [j, a] of (o.activities ?? []).entries()) {
      const pointer = `/objectives/${i}/activities/${j}/programmeId`
      if (a.kind === 'programme' && !a.programmeId) errors.push({ in: 'body', pointer, detail: 'is required for a programme activity' })
      else if (a.kind !== 'programme' && a.programmeId) errors.push({ in: 'body', pointer, detail: 'is only for programme activities' })
      else if (a.programmeId && !programmes.has(a.programmeId)) errors.push({ in: 'body', pointer, detail: 'no such programme' })
    }
  }
  if (errors.length) throw new Problem(422, 'unprocessable', errors.map((e) => `${e.pointer.slice(1)} ${e.detail}`).join('; '), { errors })
}

async function writeContent(trx: Trx, templateId: string, objectives: ObjectiveInput[]) {
  await trx.deleteFrom('development_template_objectives').where('template_id', '=', templateId).execute()
  for (const [i, o] of objectives.entries()) {
    const row = await trx
      .insertInto('development_template_objectives')
      .values({
        template_id: templateId,
        position: i + 1,
        title: o.title,
        description: o.description ?? null,
        success_measure: o.successMeasure ?? null,
        priority: (o.priority ?? 'medium') as Priority,
        due_in_months: o.dueInMonths ?? null
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    const elements = [...new Set(o.frameworkElementIds ?? [])]
    if (elements.length) await trx.insertInto('development_template_objective_elements').values(elements.map((element_id) => ({ template_objective_id: row.id, element_id }))).execute()
    const activities = o.activities ?? []
    if (activities.length) {
      await trx
        .insertInto('development_template_activities')
        .values(
          activities.map((a, j) => ({
            template_objective_id: row.id,
            position: j + 1,
            kind: a.kind as ActivityKind,
            title: a.title,
            description: a.description ?? null,
            programme_id: a.programmeId ?? null,
            due_in_months: a.dueInMonths ?? null
          }))
        )
        .execute()
    }
  }
}

export async function createTemplate(changes: ChangeSet, input: Static<typeof TemplateCreate>): Promise<TemplateView> {
  const { trx } = changes
  await assertContent(trx, input.objectives)
  const row = await trx
    .insertInto('development_plan_templates')
    .values({ code: input.code, title: input.title, description: input.description ?? null, external_id: input.externalId ?? null })
    .returningAll()
    .executeTakeFirstOrThrow()
  await writeContent(trx, row.id, input.objectives)
  const [view] = await templateViews(trx, [row])
  changes.record({ action: 'development-plan-template.created', entityType: 'development-plan-template', entityId: row.id, after: view })
  return view
}

/** An objective as the template keeps it (defaults filled in, elements by id), so a list sent back as it is compares equal. */
const asStored = (o: ObjectiveInput): ObjectiveInput => ({
  title: o.title,
  description: o.description ?? null,
  successMeasure: o.successMeasure ?? null,
  priority: o.priority ?? 'medium',
  dueInMonths: o.dueInMonths ?? null,
  frameworkElementIds: [...new Set(o.frameworkElementIds ?? [])].sort(),
  activities: (o.activities ?? []).map((a) => ({ kind: a.kind, title: a.title, description: a.description ?? null, programmeId: a.programmeId ?? null, dueInMonths: a.dueInMonths ?? null }))
})

/** A patch that changes nothing returns the template as it is (same version, no audit record, no event). */
export async function updateTemplate(changes: ChangeSet, id: string, patch: Static<typeof TemplateUpdate>, expected?: IfMatch): Promise<TemplateView> {
  const { trx } = changes
  const current = await trx.selectFrom('development_plan_templates').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
  if (!current) throw notFound('development plan template', id)
  assertCurrentVersion(expected, current.version)
  const [before] = await templateViews(trx, [current])
  const set = changedColumns(current, {
    title: patch.title,
    description: patch.description,
    external_id: patch.externalId,
    status: patch.status as 'active' | 'retired' | undefined
  })
  const contentChanges = patch.objectives !== undefined && !sameValue(before.objectives, patch.objectives.map(asStored))
  if (Object.keys(set).length === 0 && !contentChanges) return before
  if (patch.objectives && contentChanges) {
    await assertContent(trx, patch.objectives)
    await writeContent(trx, id, patch.objectives)
  }
  const row = await trx
    .updateTable('development_plan_templates')
    .set({
      ...set,
      version: current.version + 1,
      updated_at: new Date()
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
  const [view] = await templateViews(trx, [row])
  changes.record({ action: 'development-plan-template.updated', entityType: 'development-plan-template', entityId: id, before, after: view })
  return view
}

import type { Static } from 'typebox'
import type { ChangeSet } from '../../platform/changes.js'
import { assertCurrentVersion, type IfMatch } from '../../platform/concurrency.js'
import { changedColumns, sameValue } from '../../platform/patches.js'
import { Problem, type FieldError } from '../../platform/problems.js'
import { assertMayDraft, assertMayDraftFromReport, assertMayRecordProgress, readOwner, type Owner, type PlanCaller } from './access.js'
import { createActivityIn } from './activities.service.js'
import type { ObjectiveCreate, ObjectiveUpdate, ProgressNoteCreate } from './content.schemas.js'
import {
  assertElementsExist, elementIdsOf, toProgressNote, lockObjective, nextObjectivePosition, objectiveView, planOfObjective, replaceElements, toObjective, type ObjectiveRow, type ObjectiveView
} from './content.repository.js'
import { gapDetail } from './gaps.source.js'
import { psychometricResultDetail } from './psychometrics.source.js'
import { assertDraft, assertProgressOpen } from './plans.service.js'
import { lockPlan, type PlanRow } from './plans.repository.js'
import type { DevelopmentObjectivesTable, ObjectiveSource, Priority } from './tables.js'
import { insertObjective, objectiveRecord, type ObjectiveValues } from './objectives.write.js'

type Create = Static<typeof ObjectiveCreate>
type Update = Static<typeof ObjectiveUpdate>

const invalid = (pointer: string, detail: string): FieldError => ({ in: 'body', pointer, detail })

/** The references each source needs (and no others), checked against the owner. */
async function sourceValues(changes: ChangeSet, owner: Owner, input: Create): Promise<{ values: Partial<ObjectiveValues>; elementIds: string[] }> {
  const needs: Record<ObjectiveSource, Array<keyof Create>> = {
    feedback_gap: ['assessmentId', 'elementId'],
    psychometric_result: ['psychometricResultId'],
    programme_outcome: ['enrolmentId'],
    manager: [],
    self: [],
    template: []
  }
  const refs: Array<keyof Create> = ['assessmentId', 'elementId', 'psychometricResultId', 'enrolmentId']
  const wanted = needs[input.source]
  const errors = [
    ...wanted.filter((k) => input[k] === undefined).map((k) => invalid(`/${k}`, `is required for source ${input.source}`)),
    ...refs.filter((k) => !wanted.includes(k) && input[k] !== undefined).map((k) => invalid(`/${k}`, `is only for source ${k === 'enrolmentId' ? 'programme_outcome' : k === 'psychometricResultId' ? 'psychometric_result' : 'feedback_gap'}`))
  ]
  if (errors.length) throw new Problem(400, 'validation', errors.map((e) => `body${e.pointer} ${e.detail}`).join('; '), { errors })

  const { trx } = changes
  switch (input.source) {
    case 'feedback_gap': {
      const detail = await gapDetail(trx, input.assessmentId!, input.elementId!, owner.id)
      return { values: { source_assessment_id: input.assessmentId!, source_element_id: input.elementId!, source_detail: detail }, elementIds: [input.elementId!] }
    }
    case 'psychometric_result': {
      const detail = await psychometricResultDetail(trx, input.psychometricResultId!, owner.id)
      return { values: { source_psychometric_result_id: input.psychometricResultId!, source_detail: detail }, elementIds: [] }
    }
    case 'programme_outcome': {
      const enrolment = await trx
        .selectFrom('enrolments as e')
        .innerJoin('cohorts as c', 'c.id', 'e.cohort_id')
        .innerJoin('programmes as p', 'p.id', 'c.programme_id')
        .select(['e.id', 'e.person_id', 'e.status', 'p.id as programme_id', 'p.title', 'p.framework_element_ids'])
        .where('e.id', '=', input.enrolmentId!)
        .executeTakeFirst()
      if (!enrolment || enrolment.person_id !== owner.id) {
        throw new Problem(422, 'invalid-reference', 'enrolmentId: no such enrolment of the plan’s owner', { errors: [invalid('/enrolmentId', 'no such enrolment of the plan’s owner')] })
      }
      return {
        values: { source_enrolment_id: enrolment.id, source_detail: { programmeId: enrolment.programme_id, programmeTitle: enrolment.title, enrolmentStatus: enrolment.status } },
        elementIds: []
      }
    }
    default:
      return { values: {}, elementIds: [] }
  }
}

/** Locks the plan of an objective, reads the owner and checks the caller; returns both. */
async function planFor(changes: ChangeSet, caller: PlanCaller, planId: string, draft: boolean) {
  const plan = await lockPlan(changes.trx, planId)
  const owner = await readOwner(changes.trx, plan.owner_id)
  if (draft) assertMayDraft(caller, owner, planId)
  else assertMayRecordProgress(caller, owner, planId)
  return { plan, owner }
}

export async function createObjective(changes: ChangeSet, caller: PlanCaller, planId: string, input: Create): Promise<ObjectiveView> {
  const { plan, owner } = await planFor(changes, caller, planId, true)
  if (input.source === 'feedback_gap') assertMayDraftFromReport(caller, owner, planId)
  assertDraft(plan)
  if (input.source === 'template') throw new Problem(400, 'validation', 'source template is set only by a template', { errors: [invalid('/source', 'template is set only by a template')] })
  await assertElementsExist(changes.trx, input.frameworkElementIds ?? [], '/frameworkElementIds')
  const source = await sourceValues(changes, owner, input)
  const row = await insertObjective(
    changes,
    plan,
    {
      title: input.title,
      description: input.description ?? null,
      success_measure: input.successMeasure ?? null,
      due_on: input.dueOn ?? null,
      priority: input.priority as Priority | undefined,
      source: input.source as ObjectiveSource,
      ...source.values
    },
    [...(input.frameworkElementIds ?? []), ...source.elementIds]
  )
  for (const [i, activity] of (input.activities ?? []).entries()) {
    await createActivityIn(changes, caller, plan, owner, row, activity, `/activities/${i}`)
  }
  return objectiveView(changes.trx, row.id)
}

const CONTENT_FIELDS: Array<[keyof Update, keyof DevelopmentObjectivesTable]> = [
  ['title', 'title'], ['description', 'description'], ['successMeasure', 'success_measure'], ['dueOn', 'due_on'], ['priority', 'priority']
]

/**
 * Content fields change only in a draft (by the owner or HR); `status` is progress, open to the
 * owner, their line manager and HR until the plan is completed or lapsed. Only what differs counts:
 * a field sent as it already is is no content change, and a patch that changes nothing is checked
 * as progress and returns the objective as it is (same version, no audit record, no event).
 */
export async function updateObjective(changes: ChangeSet, caller: PlanCaller, id: string, patch: Update, expected?: IfMatch): Promise<ObjectiveView> {
  const { trx } = changes
  const plan = await lockPlan(trx, await planOfObjective(trx, id))
  const owner = await readOwner(trx, plan.owner_id)
  const current = await lockObjective(trx, id)
  const beforeElements = await elementIdsOf(trx, id)
  const set: Record<string, unknown> = {}
  for (const [field, column] of CONTENT_FIELDS) if (patch[field] !== undefined) set[column] = patch[field]
  const contentSet = changedColumns(current, set)
  // The gap an objective came from stays linked.
  const kept = current.source_element_id ? [current.source_element_id] : []
  const elements = patch.frameworkElementIds === undefined ? beforeElements : [...new Set([...patch.frameworkElementIds, ...kept])].sort()
  const elementsChange = !sameValue(beforeElements, elements)
  const statusSet = changedColumns(current, { status: patch.status })
  const content = Object.keys(contentSet).length > 0 || elementsChange
  if (content) assertMayDraft(caller, owner, plan.id)
  else assertMayRecordProgress(caller, owner, plan.id)
  assertCurrentVersion(expected, current.version)
  if (content) assertDraft(plan)
  else assertProgressOpen(plan)
  if (!content && Object.keys(statusSet).length === 0) return objectiveView(trx, id)
  if (elementsChange) {
    await assertElementsExist(trx, patch.frameworkElementIds ?? [], '/frameworkElementIds')
    await replaceElements(trx, id, elements)
  }
  const row = await trx
    .updateTable('development_objectives')
    .set({ ...(contentSet as object), ...(statusSet as object), version: current.version + 1, updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
  changes.record({
    action: 'development-objective.updated',
    entityType: 'development-objective',
    entityId: id,
    before: objectiveRecord(current, beforeElements, plan),
    after: objectiveRecord(row, elements, plan)
  })
  return objectiveView(trx, id)
}

/** Only from a draft, and only while it has no progress notes (they are kept). */
export async function deleteObjective(changes: ChangeSet, caller: PlanCaller, id: string, expected?: IfMatch): Promise<void> {
  const { trx } = changes
  const { plan } = await planFor(changes, caller, await planOfObjective(trx, id), true)
  const current = await lockObjective(trx, id)
  assertCurrentVersion(expected, current.version)
  assertDraft(plan)
  const note = await trx.selectFrom('development_progress_notes').select('id').where('objective_id', '=', id).limit(1).executeTakeFirst()
  if (note) throw new Problem(409, 'still-referenced', 'the objective has progress notes, which are kept; set its status to dropped instead')
  const elements = await elementIdsOf(trx, id)
  const activities = await trx.deleteFrom('development_activities').where('objective_id', '=', id).returning('id').execute()
  for (const a of activities) changes.record({ action: 'development-activity.deleted', entityType: 'development-activity', entityId: a.id, event: { id: a.id, objectiveId: id } })
  await trx.deleteFrom('development_objectives').where('id', '=', id).execute()
  changes.record({ action: 'development-objective.deleted', entityType: 'development-objective', entityId: id, before: objectiveRecord(current, elements, plan), event: { id, planId: plan.id } })
}

/** Appends a progress note, moving the objective's status when one is given. */
export async function addProgressNote(changes: ChangeSet, caller: PlanCaller, objectiveId: string, input: Static<typeof ProgressNoteCreate>) {
  const { trx } = changes
  const { plan } = await planFor(changes, caller, await planOfObjective(trx, objectiveId), false)
  assertProgressOpen(plan)
  const current = await lockObjective(trx, objectiveId)
  const statusTo = input.status ?? null
  const note = await trx
    .insertInto('development_progress_notes')
    .values({ objective_id: objectiveId, note: input.note, status_from: statusTo ? current.status : null, status_to: statusTo, author: caller.identity })
    .returningAll()
    .executeTakeFirstOrThrow()
  changes.record({ action: 'development-objective.progress-noted', entityType: 'development-objective', entityId: objectiveId, after: toProgressNote(note) })
  if (statusTo && statusTo !== current.status) {
    const row = await trx.updateTable('development_objectives').set({ status: statusTo, version: current.version + 1, updated_at: new Date() }).where('id', '=', objectiveId).returningAll().executeTakeFirstOrThrow()
    const elements = await elementIdsOf(trx, objectiveId)
    changes.record({ action: 'development-objective.updated', entityType: 'development-objective', entityId: objectiveId, before: objectiveRecord(current, elements, plan), after: objectiveRecord(row, elements, plan) })
  }
  return note
}

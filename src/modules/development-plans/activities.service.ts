import type { Static } from 'typebox'
import type { ChangeSet } from '../../platform/changes.js'
import { assertCurrentVersion, type IfMatch } from '../../platform/concurrency.js'
import { changedColumns } from '../../platform/patches.js'
import { defineProblem, Problem, type FieldError } from '../../platform/problems.js'
import { ENDED_STATUSES } from '../programmes/enrolments.repository.js'
import { nominate } from '../programmes/enrolments.service.js'
import { assertMayDraft, assertMayRecordProgress, enrolmentCallerOf, readOwner, type Owner, type PlanCaller } from './access.js'
import type { ActivityCreate, ActivityEnrolmentRequest, ActivityUpdate } from './content.schemas.js'
import { findActivity, lockActivity, nextActivityPosition, planOfActivity, planOfObjective, lockObjective, toActivity, type ActivityView, type ObjectiveRow } from './content.repository.js'
import { assertDraft, assertProgressOpen } from './plans.service.js'
import { lockPlan, type PlanRow } from './plans.repository.js'
import type { ActivityKind, ActivityStatus } from './tables.js'

defineProblem('activity-follows-enrolment', {
  status: 409,
  title: 'Activity status follows its enrolment',
  description: 'A programme activity’s status is its enrolment’s (see the programmes module): move the enrolment instead, or give the activity an enrolment first.'
})
defineProblem('activity-enrolled', {
  status: 409,
  title: 'Activity already has a live enrolment',
  description: 'The programme activity already follows an enrolment that has not ended; `enrolmentId` names it. A new one is made or linked once it is declined, not selected, withdrawn or cancelled.'
})

const invalid = (pointer: string, detail: string): FieldError => ({ in: 'body', pointer, detail })
const badRequest = (errors: FieldError[]) => new Problem(400, 'validation', errors.map((e) => `body${e.pointer} ${e.detail}`).join('; '), { errors })
const badReference = (pointer: string, detail: string) => new Problem(422, 'invalid-reference', `${pointer.split('/').pop()}: ${detail}`, { errors: [invalid(pointer, detail)] })

/** The activity as audited: its own fields, and the id (not the status) of the enrolment it follows. */
const activityRecord = (row: Parameters<typeof toActivity>[0]) => {
  const { enrolment: _enrolment, ...rest } = toActivity(row)
  return { ...rest, enrolmentId: row.enrolment_id }
}

/** How a caller puts the owner forward: themselves, as their line manager, or as HR. */
function nominationSource(caller: PlanCaller, owner: Owner) {
  if (caller.personId === owner.id) return 'self' as const
  if (caller.personId !== null && caller.personId === owner.line_manager_id) return 'line_manager' as const
  return 'hr' as const
}

interface EnrolmentChoice {
  cohortId?: string
  enrolmentId?: string
  note?: string
  eligibilityOverrideReason?: string
}

/**
 * Nominates the owner for a cohort through the programmes module's own nomination (its rules:
 * who may nominate, eligibility, cohort status, duplicates, clashes), or links an enrolment the
 * owner already holds. Returns the enrolment and its programme.
 */
async function enrolmentFor(changes: ChangeSet, caller: PlanCaller, owner: Owner, programmeId: string | null, choice: EnrolmentChoice, pointer: string) {
  const { trx } = changes
  if (choice.enrolmentId) {
    const enrolment = await trx
      .selectFrom('enrolments as e')
      .innerJoin('cohorts as c', 'c.id', 'e.cohort_id')
      .select(['e.id', 'e.person_id', 'c.programme_id'])
      .where('e.id', '=', choice.enrolmentId)
      .executeTakeFirst()
    if (!enrolment || enrolment.person_id !== owner.id) throw badReference(`${pointer}/enrolmentId`, 'no such enrolment of the plan’s owner')
    if (programmeId && enrolment.programme_id !== programmeId) throw badReference(`${pointer}/enrolmentId`, 'the enrolment is on a cohort of another programme')
    return { enrolmentId: enrolment.id, programmeId: enrolment.programme_id }
  }
  const cohort = await trx.selectFrom('cohorts').select(['id', 'programme_id']).where('id', '=', choice.cohortId!).executeTakeFirst()
  if (!cohort) throw badReference(`${pointer}/cohortId`, 'no such cohort')
  if (programmeId && cohort.programme_id !== programmeId) throw badReference(`${pointer}/cohortId`, 'the cohort is a run of another programme')
  const enrolment = await nominate(changes, enrolmentCallerOf(caller), cohort.id, {
    personId: owner.id,
    source: nominationSource(caller, owner),
    note: choice.note ?? null,
    eligibilityOverrideReason: choice.eligibilityOverrideReason ?? null
  })
  return { enrolmentId: enrolment.id, programmeId: cohort.programme_id }
}

/** Creates an activity of a (locked, draft) plan's objective; a programme activity may enrol the owner at once. */
export async function createActivityIn(
  changes: ChangeSet, caller: PlanCaller, plan: PlanRow, owner: Owner, objective: ObjectiveRow, input: Static<typeof ActivityCreate>, pointer = ''
): Promise<string> {
  const { trx } = changes
  const kind = input.kind as ActivityKind
  let programmeId: string | null = null
  let enrolmentId: string | null = null
  let title = input.title
  if (kind === 'programme') {
    const errors: FieldError[] = []
    if (input.status !== undefined) errors.push(invalid(`${pointer}/status`, 'is not set on a programme activity: it follows its enrolment'))
    if (input.cohortId && input.enrolmentId) errors.push(invalid(`${pointer}/enrolmentId`, 'give cohortId or enrolmentId, not both'))
    if (!input.programmeId && !input.cohortId && !input.enrolmentId) errors.push(invalid(`${pointer}/programmeId`, 'a programme activity needs programmeId, cohortId or enrolmentId'))
    if (errors.length) throw badRequest(errors)
    if (input.programmeId) {
      const programme = await trx.selectFrom('programmes').select('id').where('id', '=', input.programmeId).executeTakeFirst()
      if (!programme) throw badReference(`${pointer}/programmeId`, 'no such programme')
    }
    programmeId = input.programmeId ?? null
    if (input.cohortId || input.enrolmentId) {
      const chosen = await enrolmentFor(changes, caller, owner, programmeId, { cohortId: input.cohortId, enrolmentId: input.enrolmentId, note: input.nominationNote }, pointer)
      programmeId = chosen.programmeId
      enrolmentId = chosen.enrolmentId
    }
    title ??= (await trx.selectFrom('programmes').select('title').where('id', '=', programmeId!).executeTakeFirstOrThrow()).title
  } else {
    const errors = (['programmeId', 'cohortId', 'enrolmentId', 'nominationNote'] as const)
      .filter((k) => input[k] !== undefined)
      .map((k) => invalid(`${pointer}/${k}`, 'is only for programme activities'))
    if (!title) errors.push(invalid(`${pointer}/title`, 'is required'))
    if (errors.length) throw badRequest(errors)
  }
  const row = await trx
    .insertInto('development_activities')
    .values({
      objective_id: objective.id,
      plan_id: plan.id,
      position: await nextActivityPosition(trx, objective.id),
      kind,
      title: title!,
      description: input.description ?? null,
      due_on: input.dueOn ?? null,
      status: kind === 'programme' ? null : ((input.status as ActivityStatus | undefined) ?? 'planned'),
      programme_id: programmeId,
      enrolment_id: enrolmentId
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  const created = await findActivity(trx, row.id)
  changes.record({ action: 'development-activity.created', entityType: 'development-activity', entityId: row.id, after: activityRecord(created) })
  return row.id
}

async function planOf(changes: ChangeSet, caller: PlanCaller, planId: string, draft: boolean) {
  const plan = await lockPlan(changes.trx, planId)
  const owner = await readOwner(changes.trx, plan.owner_id)
  if (draft) assertMayDraft(caller, owner, planId)
  else assertMayRecordProgress(caller, owner, planId)
  return { plan, owner }
}

export async function createActivity(changes: ChangeSet, caller: PlanCaller, objectiveId: string, input: Static<typeof ActivityCreate>): Promise<ActivityView> {
  const { plan, owner } = await planOf(changes, caller, await planOfObjective(changes.trx, objectiveId), true)
  assertDraft(plan)
  const objective = await lockObjective(changes.trx, objectiveId)
  const id = await createActivityIn(changes, caller, plan, owner, objective, input)
  return toActivity(await findActivity(changes.trx, id))
}

/**
 * Title, description and due date in a draft; `status` (hand-tracked kinds only) is progress. Only
 * what differs counts; a patch that changes nothing is checked as progress and returns the activity
 * as it is (same version, no audit record, no event).
 */
export async function updateActivity(changes: ChangeSet, caller: PlanCaller, id: string, patch: Static<typeof ActivityUpdate>, expected?: IfMatch): Promise<ActivityView> {
  const { trx } = changes
  const plan = await lockPlan(trx, await planOfActivity(trx, id))
  const owner = await readOwner(trx, plan.owner_id)
  const current = await lockActivity(trx, id)
  const contentSet = changedColumns(current, { title: patch.title, description: patch.description, due_on: patch.dueOn })
  const content = Object.keys(contentSet).length > 0
  if (content) assertMayDraft(caller, owner, plan.id)
  else assertMayRecordProgress(caller, owner, plan.id)
  assertCurrentVersion(expected, current.version)
  if (content) assertDraft(plan)
  else assertProgressOpen(plan)
  if (patch.status !== undefined && current.kind === 'programme') {
    throw new Problem(409, 'activity-follows-enrolment', 'a programme activity’s status is its enrolment’s; move the enrolment (POST /v1/enrolments/{id}/transitions) instead')
  }
  const statusSet = changedColumns(current, { status: patch.status as ActivityStatus | undefined })
  const before = await findActivity(trx, id)
  if (!content && Object.keys(statusSet).length === 0) return toActivity(before)
  await trx
    .updateTable('development_activities')
    .set({ ...contentSet, ...statusSet, version: current.version + 1, updated_at: new Date() })
    .where('id', '=', id)
    .execute()
  const after = await findActivity(trx, id)
  changes.record({ action: 'development-activity.updated', entityType: 'development-activity', entityId: id, before: activityRecord(before), after: activityRecord(after) })
  return toActivity(after)
}

/** Only from a draft. An enrolment it made stays: it is the programmes module's to withdraw. */
export async function deleteActivity(changes: ChangeSet, caller: PlanCaller, id: string, expected?: IfMatch): Promise<void> {
  const { trx } = changes
  const { plan } = await planOf(changes, caller, await planOfActivity(trx, id), true)
  const current = await lockActivity(trx, id)
  assertCurrentVersion(expected, current.version)
  assertDraft(plan)
  const before = await findActivity(trx, id)
  await trx.deleteFrom('development_activities').where('id', '=', id).execute()
  changes.record({ action: 'development-activity.deleted', entityType: 'development-activity', entityId: id, before: activityRecord(before), event: { id, objectiveId: current.objective_id } })
}

/**
 * Gives a programme activity its enrolment (progress: also on an agreed plan): a nomination for
 * a cohort of its programme, or a link to one the owner holds. An activity whose enrolment has
 * ended (declined, withdrawn …) may take a new one.
 */
export async function enrolActivity(changes: ChangeSet, caller: PlanCaller, id: string, request: Static<typeof ActivityEnrolmentRequest>, expected?: IfMatch): Promise<ActivityView> {
  const { trx } = changes
  if (!!request.cohortId === !!request.enrolmentId) {
    throw badRequest([invalid(request.cohortId ? '/enrolmentId' : '/cohortId', 'give exactly one of cohortId and enrolmentId')])
  }
  const { plan, owner } = await planOf(changes, caller, await planOfActivity(trx, id), false)
  const current = await lockActivity(trx, id)
  assertCurrentVersion(expected, current.version)
  assertProgressOpen(plan)
  if (current.kind !== 'programme') throw new Problem(409, 'illegal-transition', `a ${current.kind} activity has no enrolment; only programme activities do`)
  const before = await findActivity(trx, id)
  if (before.enrolment_id && before.enrolment_status && !ENDED_STATUSES.includes(before.enrolment_status)) {
    throw new Problem(409, 'activity-enrolled', `the activity already follows enrolment ${before.enrolment_id} (${before.enrolment_status})`, { extensions: { enrolmentId: before.enrolment_id } })
  }
  const chosen = await enrolmentFor(changes, caller, owner, current.programme_id, request, '')
  await trx.updateTable('development_activities').set({ enrolment_id: chosen.enrolmentId, version: current.version + 1, updated_at: new Date() }).where('id', '=', id).execute()
  const after = await findActivity(trx, id)
  changes.record({ action: 'development-activity.enrolled', entityType: 'development-activity', entityId: id, before: activityRecord(before), after: activityRecord(after) })
  return toActivity(after)
}

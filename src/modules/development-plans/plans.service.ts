import type { Static } from 'typebox'
import type { ChangeSet } from '../../platform/changes.js'
import { assertCurrentVersion, type IfMatch } from '../../platform/concurrency.js'
import { changedColumns } from '../../platform/patches.js'
import { defineProblem, describeConstraint, Problem } from '../../platform/problems.js'
import { refuseTransition } from '../programmes/transitions.js'
import { assertMayComplete, assertMayDraft, assertMayReview, isOwner, readOwner, type Owner, type PlanCaller } from './access.js'
import type { PlanCreate, PlanTransitionRequest, PlanUpdate } from './plans.schemas.js'
import { findPlanRow, insertPlanTransition, lockPlan, periodDates, toPlan, toPlanTransition, type PlanRow } from './plans.repository.js'
import type { PlanStatus } from './tables.js'
import { copyTemplate, findActiveTemplate } from './templates.copy.js'

defineProblem('plan-not-editable', {
  status: 409,
  title: 'Development plan not editable',
  description:
    'Only a draft plan’s content (title, objectives, activities) changes. A submitted plan is returned to draft by the line manager or HR; an agreed plan is read-only except its progress ' +
    '(objective status and progress notes, activity status, enrolments) until it is reopened.'
})
defineProblem('plan-closed', { status: 409, title: 'Development plan closed', description: 'A completed or lapsed plan takes no more progress; reopen it first.' })
defineProblem('plan-duplicate', {
  status: 409,
  title: 'Development plan already exists for the period',
  description: 'The person already has a plan for this period (from the same template, or a personal one); `planId` names it. A lapsed plan does not count.'
})
defineProblem('plan-empty', { status: 409, title: 'Development plan has no objectives', description: 'A plan is submitted for agreement only with at least one objective.' })
defineProblem('plan-owner-left', { status: 409, title: 'No new plan for a person who has left', description: 'No new plan is started for a person whose status is `left`.' })
describeConstraint('development_plans_one_per_period', 'the person already has a plan for this period')
describeConstraint('development_plans_external_id_key', 'a development plan with this externalId already exists')

type Action = Static<typeof PlanTransitionRequest>['action']

/** Each move: the statuses it starts from, where it goes, its event, and whether it needs a comment. */
const MOVES: Record<Action, { from: readonly PlanStatus[]; to: PlanStatus; event: string; comment: boolean }> = {
  submit: { from: ['draft'], to: 'submitted', event: 'submitted', comment: false },
  return: { from: ['submitted'], to: 'draft', event: 'returned', comment: true },
  agree: { from: ['submitted'], to: 'agreed', event: 'agreed', comment: false },
  complete: { from: ['agreed'], to: 'completed', event: 'completed', comment: false },
  reopen: { from: ['agreed', 'completed', 'lapsed'], to: 'draft', event: 'reopened', comment: true },
  lapse: { from: ['draft', 'submitted', 'agreed'], to: 'lapsed', event: 'lapsed', comment: true }
}

/** The actions open from a status, for the 409 that refuses another. */
const actionsFrom = (status: PlanStatus) => (Object.keys(MOVES) as Action[]).filter((a) => MOVES[a].from.includes(status))

/** The plan as audited and published: everything but its content, which has its own records. */
export const planRecord = (row: PlanRow) => {
  const { objectives: _objectives, ...rest } = toPlan(row, [])
  return rest
}

/** Content changes only in a draft. */
export function assertDraft(plan: PlanRow) {
  if (plan.status === 'draft') return
  const how = plan.status === 'submitted' ? 'it is awaiting agreement; the line manager or HR may return it to draft' : plan.status === 'agreed' ? 'only its progress changes until it is reopened' : 'reopen it first'
  throw new Problem(409, 'plan-not-editable', `the plan is ${plan.status}: ${how}`)
}

/** Progress is recorded on drafts, submitted and agreed plans. */
export function assertProgressOpen(plan: PlanRow) {
  if (plan.status === 'completed' || plan.status === 'lapsed') throw new Problem(409, 'plan-closed', `the plan is ${plan.status}; reopen it to record progress`)
}

/** A live plan of the person for the period from the same template (or a personal one). */
export async function existingPlan(changes: ChangeSet, ownerId: string, period: string, templateId: string | null) {
  let query = changes.trx.selectFrom('development_plans').select(['id', 'status']).where('owner_id', '=', ownerId).where('period', '=', period).where('status', '<>', 'lapsed')
  query = templateId ? query.where('template_id', '=', templateId) : query.where('template_id', 'is', null)
  return query.executeTakeFirst()
}

export interface NewPlan {
  owner: Owner
  period: string
  title: string
  templateId: string | null
  cohortId: string | null
  externalId: string | null
}

/** Writes a draft plan (and its template's content), its first history row, audit and event. */
export async function insertPlan(changes: ChangeSet, caller: PlanCaller, plan: NewPlan): Promise<PlanRow> {
  const { trx } = changes
  const inserted = await trx
    .insertInto('development_plans')
    .values({
      external_id: plan.externalId,
      owner_id: plan.owner.id,
      period: plan.period,
      ...periodDates(plan.period),
      title: plan.title,
      template_id: plan.templateId,
      cohort_id: plan.cohortId,
      created_by: caller.identity
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  await insertPlanTransition(trx, { plan_id: inserted.id, from_status: null, to_status: 'draft', action: 'create', actor: caller.identity, comment: null })
  changes.record({ action: 'development-plan.created', entityType: 'development-plan', entityId: inserted.id, after: planRecord(inserted) })
  if (plan.templateId) await copyTemplate(changes, plan.templateId, inserted, plan.cohortId)
  return inserted
}

export async function createPlan(changes: ChangeSet, caller: PlanCaller, input: Static<typeof PlanCreate>): Promise<PlanRow> {
  const { trx } = changes
  periodDates(input.period)
  const owner = await trx.selectFrom('people').select(['id', 'line_manager_id', 'org_unit_id', 'status']).where('id', '=', input.ownerId).forShare().executeTakeFirst()
  if (!owner) throw new Problem(422, 'invalid-reference', 'ownerId: no such person', { errors: [{ in: 'body', pointer: '/ownerId', detail: 'no such person' }] })
  if (!caller.hr && !isOwner(caller, owner)) {
    throw new Problem(403, 'forbidden', 'a plan is started by its owner (a token acting for them with development-plans:own) or by HR (development-plans:write)')
  }
  if (owner.status !== 'active') throw new Problem(409, 'plan-owner-left', 'the person has left; no new plan is started for them')
  const template = input.templateId ? await findActiveTemplate(trx, input.templateId, '/templateId') : null
  const existing = await existingPlan(changes, owner.id, input.period, template?.id ?? null)
  if (existing) {
    throw new Problem(409, 'plan-duplicate', `the person already has a ${existing.status} plan for ${input.period}${template ? ` from template ${template.code}` : ''} (plan ${existing.id})`, {
      extensions: { planId: existing.id }
    })
  }
  return insertPlan(changes, caller, {
    owner,
    period: input.period,
    title: input.title ?? (template ? `${template.title} ${input.period}` : `Development plan ${input.period}`),
    templateId: template?.id ?? null,
    cohortId: null,
    externalId: input.externalId ?? null
  })
}

export async function updatePlan(changes: ChangeSet, caller: PlanCaller, id: string, patch: Static<typeof PlanUpdate>, expected?: IfMatch): Promise<PlanRow> {
  const { trx } = changes
  const current = await lockPlan(trx, id)
  const owner = await readOwner(trx, current.owner_id)
  assertMayDraft(caller, owner, id)
  assertCurrentVersion(expected, current.version)
  assertDraft(current)
  // A patch that changes nothing is checked as any other, then leaves the plan as it is.
  const set = changedColumns(current, { title: patch.title, external_id: patch.externalId })
  if (Object.keys(set).length === 0) return current
  const row = await trx
    .updateTable('development_plans')
    .set({
      ...set,
      version: current.version + 1,
      updated_at: new Date()
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
  changes.record({ action: 'development-plan.updated', entityType: 'development-plan', entityId: id, before: planRecord(current), after: planRecord(row) })
  return row
}

/**
 * Moves a plan by `action`. The owner's line manager is read from the people data inside the
 * transaction (share-locked), so whoever manages the owner at the moment of the request is the
 * one who may agree: a manager who has since handed the person over no longer can.
 */
export async function transitionPlan(changes: ChangeSet, caller: PlanCaller, id: string, request: Static<typeof PlanTransitionRequest>, expected?: IfMatch): Promise<PlanRow> {
  const { trx } = changes
  const current = await lockPlan(trx, id)
  const owner = await readOwner(trx, current.owner_id, true)
  const action = request.action
  switch (action) {
    case 'submit':
      assertMayDraft(caller, owner, id)
      break
    case 'complete':
      assertMayComplete(caller, owner, id)
      break
    default:
      assertMayReview(caller, owner, id, action)
  }
  assertCurrentVersion(expected, current.version)
  const move = MOVES[action]
  const comment = request.comment ?? null
  if (move.comment && !comment) {
    throw new Problem(400, 'validation', `a comment is required to ${action} a plan`, { errors: [{ in: 'body', pointer: '/comment', detail: `is required to ${action}` }] })
  }
  if (!move.from.includes(current.status)) {
    const open = actionsFrom(current.status)
    throw refuseTransition(current.status, move.to, open, `a ${current.status} plan cannot be ${move.event}; ${open.length ? `open actions: ${open.join(', ')}` : 'nothing is open'}`)
  }
  if (action === 'submit') {
    const objective = await trx.selectFrom('development_objectives').select('id').where('plan_id', '=', id).limit(1).executeTakeFirst()
    if (!objective) throw new Problem(409, 'plan-empty', 'add at least one objective before submitting the plan')
  }
  const now = new Date()
  const set =
    action === 'submit' ? { submitted_at: now }
    : action === 'agree' ? { agreed_by: caller.identity, agreed_by_person_id: caller.personId, agreed_at: now, review_comment: comment }
    : action === 'complete' ? { completed_at: now }
    : action === 'reopen' ? { agreed_by: null, agreed_by_person_id: null, agreed_at: null, completed_at: null, submitted_at: null, review_comment: comment }
    : { review_comment: comment }
  const row = await trx
    .updateTable('development_plans')
    .set({ ...set, status: move.to, version: current.version + 1, updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
  const transition = await insertPlanTransition(trx, { plan_id: id, from_status: current.status, to_status: move.to, action, actor: caller.identity, comment })
  changes.record({
    action: `development-plan.${move.event}`,
    entityType: 'development-plan',
    entityId: id,
    before: planRecord(current),
    after: planRecord(row),
    event: { ...planRecord(row), transition: toPlanTransition(transition) }
  })
  return row
}

export { findPlanRow }

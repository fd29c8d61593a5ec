import type { Static } from 'typebox'
import { defineProblem, Problem, type FieldError } from '../../platform/problems.js'
import { refuseTransition } from '../programmes/transitions.js'
import type { EntryRecord } from './entries.repository.js'
import { STAGES } from './entries.schemas.js'
import type { LearningLogTransitionRequest } from './stages.schemas.js'
import type { Stage } from './tables.js'

defineProblem('learning-log-stage-incomplete', {
  status: 409,
  title: 'Learning log stage outcome incomplete',
  description:
    'A learning log entry leaves a stage only with that stage’s outcome: origin needs who identified it; challenge a decision (action_required with who acts, to accountability; no_action or duplicate with the reason, and the other entry for a duplicate, to closed); accountability an owner and level (an SMT lead when corporate); platform its policy, SOP or process changes (each with a reference) or why none was needed; delivery its training, IT or role changes or why none was needed (not both none); review whether the learning was integrated, whether improvement was seen, and the evidence. Reopening needs a reason. `errors` points at each missing item.'
})
defineProblem('learning-log-stage', {
  status: 409,
  title: 'Learning log stage does not allow this',
  description: 'Owners and levels are set from the accountability stage on, and a closed entry changes owner only after it is reopened; `detail` names the rule.'
})

/** The forward moves: each stage to the next (challenge may close the entry: no action or duplicate). */
export const FORWARD: Readonly<Record<Stage, readonly Stage[]>> = {
  origin: ['challenge'],
  challenge: ['accountability', 'closed'],
  accountability: ['platform'],
  platform: ['delivery'],
  delivery: ['review'],
  review: ['closed'],
  closed: []
}

const order = (s: Stage) => STAGES.indexOf(s)

/** Back to an earlier stage (from closed: any stage before it). */
export const isReopen = (from: Stage, to: Stage) => to !== 'closed' && order(to) < order(from)

/** Every move open from `from`: forward, then back (reopening). */
export const movesFrom = (from: Stage): Stage[] => [...FORWARD[from], ...STAGES.filter((s) => isReopen(from, s))]

export function assertMoveOpen(from: Stage, to: Stage) {
  if (FORWARD[from].includes(to) || isReopen(from, to)) return
  const allowed = movesFrom(from)
  const detail =
    from === to
      ? `the entry is already at ${to}`
      : `a learning log entry cannot move from ${from} to ${to}; from ${from} it may move ${[FORWARD[from].length ? `forward to ${FORWARD[from].join(' or ')}` : '', allowed.some((s) => isReopen(from, s)) ? `back to ${allowed.filter((s) => isReopen(from, s)).join(', ')} (reopening, with a reason)` : ''].filter(Boolean).join(', or ')}`
  throw refuseTransition(from, to, allowed, detail)
}

export type TransitionRequest = Static<typeof LearningLogTransitionRequest>

/** The outcome objects of a request, by the stage they complete. */
export const OUTCOME_OF = { challenge: 'challenge', accountability: 'accountability', platform: 'platform', delivery: 'delivery', review: 'review' } as const
type OutcomeKey = keyof typeof OUTCOME_OF

/** Only the outcome of the stage being left may be sent (a reopening sends none): anything else is refused, not ignored. */
export function assertOnlyOutcomeOf(body: TransitionRequest, leaving: Stage | null) {
  const errors: FieldError[] = []
  for (const key of Object.keys(OUTCOME_OF) as OutcomeKey[]) {
    if (body[key] !== undefined && key !== leaving) {
      errors.push({ in: 'body', pointer: `/${key}`, detail: leaving ? `is not used when leaving ${leaving}; send only /${leaving}` : 'is not used when reopening' })
    }
  }
  if (errors.length) throw new Problem(422, 'unprocessable', errors.map((e) => `${e.pointer.slice(1)} ${e.detail}`).join('; '), { errors })
}

/** What a stage needs before the entry may leave it for `to`: each missing item as a field error. */
export function missingToLeave(current: EntryRecord, to: Stage, body: TransitionRequest, platformChanges: number): FieldError[] {
  const missing: FieldError[] = []
  const need = (pointer: string, detail: string, where = 'body') => missing.push({ in: where, pointer, detail })
  switch (current.stage) {
    case 'origin':
      if (!current.identified_by_id) need('/identifiedById', 'who identified the learning is required to leave origin (set it with PATCH)', 'entry')
      break
    case 'challenge': {
      const c = body.challenge ?? {}
      if (to === 'accountability') {
        if (c.decision !== 'action_required') {
          need('/challenge/decision', c.decision ? `must be action_required to move to accountability (${c.decision} closes the entry: move to closed)` : 'is required: action_required, to move to accountability')
        }
        if (!c.actionByOrgUnitId && !c.actionByPersonId) need('/challenge/actionByOrgUnitId', 'who acts is required: actionByOrgUnitId and/or actionByPersonId')
        if (c.duplicateOfId) need('/challenge/duplicateOfId', 'is only for a duplicate (which closes the entry)')
      } else {
        if (c.decision !== 'no_action' && c.decision !== 'duplicate') {
          need('/challenge/decision', c.decision ? 'must be no_action or duplicate to close the entry (action_required moves it to accountability)' : 'is required: no_action or duplicate, to close the entry')
        }
        if (!c.reason) need('/challenge/reason', 'the reason for closing is required')
        if (c.decision === 'duplicate' && !c.duplicateOfId) need('/challenge/duplicateOfId', 'the entry this one duplicates is required')
        if (c.duplicateOfId === current.id) need('/challenge/duplicateOfId', 'an entry cannot duplicate itself')
        if (c.decision !== 'duplicate' && c.duplicateOfId) need('/challenge/duplicateOfId', 'is only for a duplicate')
      }
      break
    }
    case 'accountability': {
      const a = body.accountability ?? {}
      const level = a.level ?? current.level
      if (!(a.ownerId ?? current.owner_id)) need('/accountability/ownerId', 'the owner (a person) is required to leave accountability')
      if (!level) need('/accountability/level', 'the level is required: ocu, business_group, management_board or corporate')
      if (level === 'corporate' && !(a.smtLeadId ?? current.smt_lead_id)) need('/accountability/smtLeadId', 'a corporate issue needs an SMT lead')
      break
    }
    case 'platform':
    case 'delivery': {
      const stage = current.stage
      const o = (stage === 'platform' ? body.platform : body.delivery) ?? {}
      const what = stage === 'platform' ? 'policy, SOP or process' : 'training, IT or role'
      const count = o.changes?.length ?? 0
      if (count === 0 && !o.noneNeededReason) need(`/${stage}/changes`, `at least one ${what} change with its reference is required, or /${stage}/noneNeededReason`)
      if (count > 0 && o.noneNeededReason) need(`/${stage}/noneNeededReason`, `give the changes or why none was needed, not both`)
      if (stage === 'delivery' && count === 0 && o.noneNeededReason && current.platform_none_needed_reason && platformChanges === 0) {
        need('/delivery/changes', 'action was required, but platform recorded no change either: at least one training, IT or role change is required (or reopen platform)')
      }
      break
    }
    case 'review': {
      const r = body.review ?? {}
      if (!r.integrated) need('/review/integrated', 'whether the learning was integrated is required: fully, partly or not')
      if (r.improvementSeen === undefined) need('/review/improvementSeen', 'whether improvement was seen is required')
      if (!r.evidence) need('/review/evidence', 'the evidence of the review is required')
      break
    }
    case 'closed':
      break
  }
  return missing
}

export function incomplete(from: Stage, to: Stage, missing: FieldError[]): Problem {
  const what = isReopen(from, to) ? `reopening ${from} back to ${to}` : `moving from ${from} to ${to}`
  return new Problem(409, 'learning-log-stage-incomplete', `${what} needs: ${missing.map((m) => `${m.pointer.slice(1)} (${m.detail})`).join('; ')}`, {
    errors: missing,
    extensions: { from, to }
  })
}

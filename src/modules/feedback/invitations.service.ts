import type { Static } from 'typebox'
import type { ChangeSet, Trx } from '../../platform/changes.js'
import type { IfMatch } from '../../platform/concurrency.js'
import { assertCurrentVersion } from '../../platform/concurrency.js'
import { defineProblem, Problem } from '../../platform/problems.js'
import { lockAssessment, type AssessmentRow } from './assessments.repository.js'
import type { InvitationCreate } from './invitations.schemas.js'
import { assessmentOfInvitation, findInvitation, lockInvitation, toInvitation, type InvitationView } from './invitations.repository.js'
import type { Relationship } from './tables.js'
import { newRaterToken } from './tokens.js'

defineProblem('invitation-duplicate', {
  status: 409,
  title: 'Rater already invited',
  description: 'The person (or email address) already holds a live invitation to this assessment, or the subject is already invited to rate themselves. Reissue its token instead, or withdraw it first.'
})
defineProblem('invitation-status', {
  status: 409,
  title: 'Rater invitation already answered or withdrawn',
  description: 'Only an invitation still waiting for an answer (invited) is withdrawn, reissued or reminded; submitted, declined and withdrawn are final.'
})

defineProblem('line-manager-already-invited', {
  status: 409,
  title: 'Line manager already invited',
  description:
    'An assessment has one line manager: another live invitation (invited or submitted) as `line_manager` exists. The line manager is shown by name in the report, which is only safe for one person; invite anyone else as `other` or `peer`, or withdraw the first invitation (a declined one no longer counts).'
})

/** Invitations that still count: waiting for an answer, or answered. */
export const LIVE_INVITATION_STATUSES = ['invited', 'submitted'] as const

export type IssuedInvitationView = InvitationView & { token: string }

/** Invitations are made and changed while the assessment is a draft or open. */
export function assertInviting(assessment: AssessmentRow, what: string) {
  if (assessment.status !== 'draft' && assessment.status !== 'open') {
    throw new Problem(409, 'assessment-status', `the assessment is ${assessment.status}: ${what} only while it is a draft or open`)
  }
}

function expiryFrom(value: string | undefined, pointer: string): Date | null {
  if (value === undefined) return null
  const at = new Date(value)
  if (at <= new Date()) throw new Problem(422, 'unprocessable', `${pointer.slice(1)} must be in the future`, { errors: [{ in: 'body', pointer, detail: 'must be in the future' }] })
  return at
}

export interface RaterInput {
  relationship: Relationship
  personId?: string | null
  externalName?: string | null
  externalEmail?: string | null
  expiresAt?: Date | null
}

/**
 * Invites one rater to a locked assessment: checks who may rate, issues a token (returned once,
 * stored hashed) and records `invitation.created` (without the token).
 */
export async function inviteRater(changes: ChangeSet, assessment: AssessmentRow, input: RaterInput, pointer = ''): Promise<IssuedInvitationView> {
  const trx = changes.trx
  const field = (name: string, detail: string) => new Problem(422, 'unprocessable', `${name} ${detail}`, { errors: [{ in: 'body', pointer: `${pointer}/${name}`, detail }] })
  let personId = input.personId ?? null
  const external = input.externalName != null || input.externalEmail != null
  if (input.relationship === 'self') {
    if (external) throw field('externalName', 'is not for self: the subject rates themselves')
    personId ??= assessment.subject_id
    if (personId !== assessment.subject_id) throw field('personId', 'must be the subject for a self rating')
  } else if (personId && external) {
    throw field('personId', 'give either personId or externalName and externalEmail, not both')
  } else if (!personId && !(input.externalName && input.externalEmail)) {
    throw field(input.externalName ? 'externalEmail' : 'personId', 'is required: give personId, or externalName and externalEmail')
  } else if (personId === assessment.subject_id) {
    throw field('personId', 'is the subject: the subject is invited as self')
  }
  if (personId) {
    const person = await trx.selectFrom('people').select('id').where('id', '=', personId).executeTakeFirst()
    if (!person) throw new Problem(422, 'invalid-reference', 'personId: no such person', { errors: [{ in: 'body', pointer: `${pointer}/personId`, detail: 'no such person' }] })
  }
  let duplicate = trx.selectFrom('feedback_invitations').select('id').where('assessment_id', '=', assessment.id).where('status', '<>', 'withdrawn')
  duplicate =
    input.relationship === 'self' ? duplicate.where('relationship', '=', 'self')
    : personId ? duplicate.where('person_id', '=', personId)
    : duplicate.where((eb) => eb(eb.fn('lower', ['external_email']), '=', input.externalEmail!.toLowerCase()))
  const existing = await duplicate.executeTakeFirst()
  if (existing) {
    throw new Problem(409, 'invitation-duplicate', `${input.relationship === 'self' ? 'the subject' : 'this rater'} already holds invitation ${existing.id}`, {
      extensions: { invitationId: existing.id }
    })
  }
  if (input.relationship === 'line_manager') {
    // Under the assessment's lock, which every caller holds: two requests cannot both pass.
    const manager = await trx
      .selectFrom('feedback_invitations')
      .select('id')
      .where('assessment_id', '=', assessment.id)
      .where('relationship', '=', 'line_manager')
      .where('status', 'in', LIVE_INVITATION_STATUSES)
      .executeTakeFirst()
    if (manager) {
      throw new Problem(409, 'line-manager-already-invited', `the assessment already has a line manager (invitation ${manager.id}); invite this rater under another relationship, or withdraw that invitation first`, {
        extensions: { invitationId: manager.id }
      })
    }
  }
  const { token, hash } = newRaterToken()
  const { id } = await trx
    .insertInto('feedback_invitations')
    .values({
      assessment_id: assessment.id,
      relationship: input.relationship,
      person_id: personId,
      external_name: personId ? null : input.externalName!,
      external_email: personId ? null : input.externalEmail!,
      token_hash: hash,
      token_expires_at: input.expiresAt ?? null,
      status_reason: null
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  const view = toInvitation(await findInvitation(trx, id))
  changes.record({ action: 'invitation.created', entityType: 'invitation', entityId: id, after: view, event: { ...view, subjectId: assessment.subject_id } })
  return { ...view, token }
}

export async function createInvitation(changes: ChangeSet, assessmentId: string, input: Static<typeof InvitationCreate>): Promise<IssuedInvitationView> {
  const assessment = await lockAssessment(changes.trx, assessmentId)
  assertInviting(assessment, 'raters are invited')
  return inviteRater(changes, assessment, { ...input, expiresAt: expiryFrom(input.expiresAt, '/expiresAt') })
}

/** Locks the invitation's assessment, then the invitation (the module's one lock order). */
async function lockBoth(trx: Trx, invitationId: string, expected: IfMatch) {
  const assessment = await lockAssessment(trx, await assessmentOfInvitation(trx, invitationId))
  const invitation = await lockInvitation(trx, invitationId)
  assertCurrentVersion(expected, invitation.version)
  return { assessment, invitation }
}

function assertWaiting(status: string, what: string) {
  if (status !== 'invited') throw new Problem(409, 'invitation-status', `the invitation is ${status}: only an invitation waiting for an answer is ${what}`)
}

export async function withdrawInvitation(changes: ChangeSet, id: string, reason: string | null, expected: IfMatch): Promise<InvitationView> {
  const trx = changes.trx
  const { assessment, invitation } = await lockBoth(trx, id, expected)
  assertInviting(assessment, 'invitations are withdrawn')
  assertWaiting(invitation.status, 'withdrawn')
  await trx.deleteFrom('feedback_drafts').where('invitation_id', '=', id).execute()
  await trx
    .updateTable('feedback_invitations')
    .set({ status: 'withdrawn', status_reason: reason, version: invitation.version + 1, updated_at: new Date() })
    .where('id', '=', id)
    .execute()
  const after = toInvitation(await findInvitation(trx, id))
  changes.record({ action: 'invitation.withdrawn', entityType: 'invitation', entityId: id, before: toInvitation(invitation), after, event: { ...after, reason } })
  return after
}

/**
 * A new token for a waiting invitation; the old one stops working at once. The draft goes with
 * the old token: whoever reissues holds the new one, and must not read the rater's unsent answers
 * through it, nor submit them as the rater.
 */
export async function reissueToken(changes: ChangeSet, id: string, expiresAt: string | undefined, expected: IfMatch): Promise<IssuedInvitationView> {
  const trx = changes.trx
  const { assessment, invitation } = await lockBoth(trx, id, expected)
  assertInviting(assessment, 'tokens are reissued')
  assertWaiting(invitation.status, 'reissued')
  const expiry = expiryFrom(expiresAt, '/expiresAt')
  await trx.deleteFrom('feedback_drafts').where('invitation_id', '=', id).execute()
  const { token, hash } = newRaterToken()
  await trx
    .updateTable('feedback_invitations')
    .set({
      token_hash: hash,
      token_issued_at: new Date(),
      token_expires_at: expiry,
      version: invitation.version + 1,
      updated_at: new Date()
    })
    .where('id', '=', id)
    .execute()
  const after = toInvitation(await findInvitation(trx, id))
  changes.record({ action: 'invitation.reissued', entityType: 'invitation', entityId: id, before: toInvitation(invitation), after })
  return { ...after, token }
}

export async function recordReminder(changes: ChangeSet, id: string, note: string | null, expected: IfMatch): Promise<InvitationView> {
  const trx = changes.trx
  const { assessment, invitation } = await lockBoth(trx, id, expected)
  if (assessment.status !== 'open') throw new Problem(409, 'assessment-status', `the assessment is ${assessment.status}: reminders are sent only while it is open`)
  assertWaiting(invitation.status, 'reminded')
  await trx
    .updateTable('feedback_invitations')
    .set({ last_reminded_at: new Date(), reminders_sent: invitation.reminders_sent + 1, version: invitation.version + 1, updated_at: new Date() })
    .where('id', '=', id)
    .execute()
  const after = toInvitation(await findInvitation(trx, id))
  changes.record({ action: 'invitation.reminded', entityType: 'invitation', entityId: id, before: toInvitation(invitation), after, event: { ...after, note } })
  return after
}

import type { FastifyBaseLogger } from 'fastify'
import { sql } from 'kysely'
import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import { inTransaction, type Actor, type ChangeSet, type Trx } from '../../platform/changes.js'
import { defineProblem, Problem, type FieldError } from '../../platform/problems.js'
import { lockAssessment, takesAnswers, toAssessment, type AssessmentRow } from './assessments.repository.js'
import { elementsOf, ratedElements, type ElementRow } from './frameworks.js'
import { findInvitation, toInvitation, effectiveExpiry, type InvitationRow } from './invitations.repository.js'
import type { Questionnaire, QuestionnaireAnswers } from './questionnaire.schemas.js'
import type { Answers } from './tables.js'
import { raterTokenRefused } from './tokens.js'

defineProblem('questionnaire-not-open', {
  status: 409,
  title: 'Questionnaire not open yet',
  description: 'The token is good but the assessment does not take answers yet; `detail` says from when. (After the window, every token gets `rater-token-invalid`.)'
})

type AnswersInput = Static<typeof QuestionnaireAnswers>

/** What a rater does is recorded as done by "rater": the invitation names who, the answers never do. */
export const raterActor = (requestId: string): Actor => ({ subject: 'rater', clientId: null, requestId })

/**
 * The invitation a token opens and its assessment, or the one refusal for every kind of dead
 * token. With `trx`, the assessment and then the invitation are locked (the module's lock order).
 */
async function openInvitation(db: Db | Trx, hash: string, lock?: Trx): Promise<{ invitation: InvitationRow; assessment: AssessmentRow }> {
  const found = await db.selectFrom('feedback_invitations').select(['id', 'assessment_id']).where('token_hash', '=', hash).executeTakeFirst()
  if (!found) throw raterTokenRefused()
  let assessment: AssessmentRow
  if (lock) {
    assessment = await lockAssessment(lock, found.assessment_id)
    await lock.selectFrom('feedback_invitations').select('id').where('id', '=', found.id).forUpdate().executeTakeFirst()
  } else {
    assessment = await db.selectFrom('feedback_assessments').selectAll().where('id', '=', found.assessment_id).executeTakeFirstOrThrow()
  }
  const invitation = await findInvitation(lock ?? db, found.id)
  const now = new Date()
  // Re-read under the lock: a reissue or a submission may have won the race for this token.
  if (invitation.token_hash !== hash || invitation.status !== 'invited' || effectiveExpiry(invitation) <= now) throw raterTokenRefused()
  if (assessment.status === 'draft' || (assessment.status === 'open' && now < new Date(assessment.opens_at))) {
    const from = assessment.status === 'open' ? ` from ${new Date(assessment.opens_at).toISOString()}` : ''
    throw new Problem(409, 'questionnaire-not-open', `the questionnaire is not open yet; it takes answers${from || ' once HR opens it'}`)
  }
  if (!takesAnswers(assessment, now)) throw raterTokenRefused()
  return { invitation, assessment }
}

/** The rated behaviours and every element above them, parents first, in framework order. */
function questionnaireElements(all: readonly ElementRow[], rated: readonly ElementRow[]) {
  const byId = new Map(all.map((e) => [e.id, e]))
  const keep = new Set<string>()
  for (const e of rated) {
    for (let at: ElementRow | undefined = e; at && !keep.has(at.id); at = at.parent_id ? byId.get(at.parent_id) : undefined) keep.add(at.id)
  }
  const children = new Map<string | null, ElementRow[]>()
  for (const e of all) if (keep.has(e.id)) children.set(e.parent_id, [...(children.get(e.parent_id) ?? []), e])
  const ratedIds = new Set(rated.map((e) => e.id))
  const ordered: ElementRow[] = []
  const walk = (parent: string | null) => {
    for (const e of (children.get(parent) ?? []).sort((a, b) => a.position - b.position || a.code.localeCompare(b.code))) {
      ordered.push(e)
      walk(e.id)
    }
  }
  walk(null)
  return ordered.map((e) => ({
    id: e.id,
    parentId: e.parent_id,
    kind: e.kind,
    code: e.code,
    title: e.title,
    description: e.description,
    polarity: e.polarity,
    rated: ratedIds.has(e.id)
  }))
}

async function ratedOf(db: Db | Trx, assessment: AssessmentRow) {
  const all = await elementsOf(db, assessment.framework_id)
  return { all, rated: ratedElements(all, assessment.element_ids) }
}

export function toAnswers(stored: Answers, order: readonly ElementRow[]): AnswersInput {
  const position = new Map(order.map((e, i) => [e.id, i]))
  const ratings = Object.entries(stored.ratings)
    .map(([elementId, value]) => ({ elementId, value }))
    .sort((a, b) => (position.get(a.elementId) ?? 0) - (position.get(b.elementId) ?? 0))
  return { ratings, comments: stored.comments.map((c) => ({ elementId: c.elementId, text: c.text })) }
}

/** Field errors of a set of answers against the questionnaire; `complete` asks for every behaviour. */
export function answerErrors(answers: AnswersInput, rated: readonly ElementRow[], assessment: AssessmentRow, complete: boolean): FieldError[] {
  const errors: FieldError[] = []
  const ratedIds = new Set(rated.map((e) => e.id))
  const seen = new Set<string>()
  answers.ratings.forEach((r, i) => {
    if (!ratedIds.has(r.elementId)) errors.push({ in: 'body', pointer: `/ratings/${i}/elementId`, detail: 'is not a behaviour of this questionnaire' })
    else if (seen.has(r.elementId)) errors.push({ in: 'body', pointer: `/ratings/${i}/elementId`, detail: 'is rated twice' })
    seen.add(r.elementId)
    if (r.value === null) {
      if (!assessment.not_observed_allowed) errors.push({ in: 'body', pointer: `/ratings/${i}/value`, detail: 'is required: this scale has no “not observed”' })
    } else if (r.value < assessment.scale_min || r.value > assessment.scale_max) {
      errors.push({ in: 'body', pointer: `/ratings/${i}/value`, detail: `must be from ${assessment.scale_min} to ${assessment.scale_max}${assessment.not_observed_allowed ? ', or null for not observed' : ''}` })
    }
  })
  ;(answers.comments ?? []).forEach((c, i) => {
    if (c.elementId != null && !ratedIds.has(c.elementId)) errors.push({ in: 'body', pointer: `/comments/${i}/elementId`, detail: 'is not a behaviour of this questionnaire' })
  })
  if (complete) {
    const missing = rated.filter((e) => !seen.has(e.id))
    if (missing.length) {
      const codes = missing.slice(0, 10).map((e) => e.code).join(', ')
      errors.push({ in: 'body', pointer: '/ratings', detail: `rates every behaviour before submitting; ${missing.length} without an answer (${codes}${missing.length > 10 ? ', …' : ''}); answer null for not observed` })
    }
  }
  return errors
}

function assertAnswers(errors: FieldError[]) {
  if (errors.length) throw new Problem(422, 'unprocessable', errors.map((e) => `${e.pointer.slice(1)} ${e.detail}`).join('; '), { errors })
}

const stored = (answers: AnswersInput): Answers => ({
  ratings: Object.fromEntries(answers.ratings.map((r) => [r.elementId, r.value])),
  comments: (answers.comments ?? []).map((c) => ({ elementId: c.elementId ?? null, text: c.text }))
})

export async function getQuestionnaire(db: Db, hash: string): Promise<Static<typeof Questionnaire>> {
  const { invitation, assessment } = await openInvitation(db, hash)
  const { all, rated } = await ratedOf(db, assessment)
  const [subject, draft] = await Promise.all([
    db.selectFrom('people').select(['given_name', 'preferred_name', 'family_name']).where('id', '=', assessment.subject_id).executeTakeFirstOrThrow(),
    db.selectFrom('feedback_drafts').select('answers').where('invitation_id', '=', invitation.id).executeTakeFirst()
  ])
  const view = toAssessment(assessment)
  return {
    subjectName: `${subject.preferred_name ?? subject.given_name} ${subject.family_name}`,
    purpose: assessment.purpose,
    relationship: invitation.relationship,
    closesAt: view.closesAt,
    expiresAt: effectiveExpiry(invitation).toISOString(),
    scale: view.scale,
    elements: questionnaireElements(all, rated),
    draft: draft ? toAnswers(draft.answers, all) : null
  }
}

async function raterChange<T>(db: Db, requestId: string, hash: string, work: (changes: ChangeSet, opened: { invitation: InvitationRow; assessment: AssessmentRow }) => Promise<T>) {
  return inTransaction(db, raterActor(requestId), async (changes) => work(changes, await openInvitation(changes.trx, hash, changes.trx)))
}

export async function saveDraft(db: Db, requestId: string, hash: string, answers: AnswersInput) {
  return raterChange(db, requestId, hash, async (changes, { invitation, assessment }) => {
    const { rated } = await ratedOf(changes.trx, assessment)
    assertAnswers(answerErrors(answers, rated, assessment, false))
    const now = new Date()
    await changes.trx
      .insertInto('feedback_drafts')
      .values({ invitation_id: invitation.id, answers: JSON.stringify(stored(answers)), updated_at: now })
      .onConflict((oc) => oc.column('invitation_id').doUpdateSet({ answers: JSON.stringify(stored(answers)), updated_at: now }))
      .execute()
    // Audited (a change was made) without content and without an event.
    changes.record({ action: 'invitation.draft-saved', entityType: 'invitation', entityId: invitation.id, after: { draftSaved: true }, event: false })
    return { status: 'draft_saved' as const, at: now.toISOString() }
  })
}

const today = (now: Date) => now.toISOString().slice(0, 10)

/**
 * Stores the answers as a response that names only the assessment and the rater's group, deletes
 * the draft and marks the invitation submitted, in one transaction. The audit record and event
 * name the invitation, never the response.
 */
export async function submitAnswers(db: Db, requestId: string, hash: string, answers: AnswersInput, log?: FastifyBaseLogger) {
  let responseId = ''
  const receipt = await raterChange(db, requestId, hash, async (changes, { invitation, assessment }) => {
    const trx = changes.trx
    const { rated } = await ratedOf(trx, assessment)
    assertAnswers(answerErrors(answers, rated, assessment, true))
    const answer = stored(answers)
    ;({ id: responseId } = await trx
      .insertInto('feedback_responses')
      .values({ assessment_id: assessment.id, rater_group: invitation.relationship, ratings: JSON.stringify(answer.ratings), comments: JSON.stringify(answer.comments) })
      .returning('id')
      .executeTakeFirstOrThrow())
    const now = await markAnswered(changes, invitation, 'submitted', null)
    return { status: 'submitted' as const, at: now.toISOString() }
  })
  // A new row version in a transaction of its own: the response no longer carries the
  // transaction id (xmin) it shares with the invitation's update and the audit record.
  // The submission is stored by now: a failure here must not tell the rater it was not. The row
  // keeps its xmin until the assessment closes, when every response is rewritten anyway.
  try {
    await sql`update feedback_responses set comments = comments where id = ${responseId}`.execute(db)
  } catch (error) {
    // Neither the response nor the invitation is named: the log must not pair them.
    log?.warn({ code: (error as { code?: unknown }).code ?? null }, 'rewriting a submitted 360° response failed; it is rewritten again when the assessment closes')
  }
  return receipt
}

export async function declineInvitation(db: Db, requestId: string, hash: string, reason: string) {
  return raterChange(db, requestId, hash, async (changes, { invitation }) => {
    const now = await markAnswered(changes, invitation, 'declined', reason)
    return { status: 'declined' as const, at: now.toISOString() }
  })
}

async function markAnswered(changes: ChangeSet, invitation: InvitationRow, status: 'submitted' | 'declined', reason: string | null): Promise<Date> {
  const trx = changes.trx
  const now = new Date()
  await trx.deleteFrom('feedback_drafts').where('invitation_id', '=', invitation.id).execute()
  await trx
    .updateTable('feedback_invitations')
    .set({ status, status_reason: reason, responded_on: today(now), version: invitation.version + 1, updated_at: now })
    .where('id', '=', invitation.id)
    .execute()
  const after = toInvitation(await findInvitation(trx, invitation.id))
  changes.record({
    action: `invitation.${status}`,
    entityType: 'invitation',
    entityId: invitation.id,
    before: toInvitation(invitation),
    after,
    event: status === 'declined' ? { ...after, reason } : after
  })
  return now
}

import type { Static } from 'typebox'
import type { ChangeSet } from '../../platform/changes.js'
import { notFound, Problem, type FieldError } from '../../platform/problems.js'
import type { EnrolmentStatus } from '../programmes/tables.js'
import { lockAssessment, toAssessment } from './assessments.repository.js'
import { insertAssessment, transitionAssessment } from './assessments.service.js'
import type { CohortAssessmentsCreate, CohortAssessmentsResult } from './cohort-assessments.schemas.js'
import { inviteRater, LIVE_INVITATION_STATUSES, type IssuedInvitationView, type RaterInput } from './invitations.service.js'

/** Who takes part in a cohort: the places given, used or completed. */
export const PARTICIPANT_STATUSES: readonly EnrolmentStatus[] = ['selected', 'attended', 'completed']

/**
 * One assessment per participant, in one transaction. Idempotent: a participant who already has a
 * live assessment on this framework version for this cohort keeps it and only gains the raters it
 * lacks, so the same request twice creates nothing the second time.
 */
export async function createCohortAssessments(changes: ChangeSet, cohortId: string, input: Static<typeof CohortAssessmentsCreate>): Promise<Static<typeof CohortAssessmentsResult>> {
  const trx = changes.trx
  const cohort = await trx.selectFrom('cohorts').select(['id', 'title']).where('id', '=', cohortId).forShare().executeTakeFirst()
  if (!cohort) throw notFound('cohort', cohortId)
  const participants = (
    await trx.selectFrom('enrolments').select('person_id').distinct().where('cohort_id', '=', cohortId).where('status', 'in', PARTICIPANT_STATUSES).orderBy('person_id').execute()
  ).map((r) => r.person_id)
  const isParticipant = new Set(participants)

  const peers = new Map<string, string[]>()
  const errors: FieldError[] = []
  const named = new Set<string>()
  ;(input.peers ?? []).forEach((p, i) => {
    if (!isParticipant.has(p.subjectId)) errors.push({ in: 'body', pointer: `/peers/${i}/subjectId`, detail: 'is not a participant of the cohort (selected, attended or completed)' })
    peers.set(p.subjectId, [...(peers.get(p.subjectId) ?? []), ...p.personIds])
    p.personIds.forEach((id) => named.add(id))
  })
  if (named.size) {
    const found = new Set((await trx.selectFrom('people').select('id').where('id', 'in', [...named]).execute()).map((r) => r.id))
    ;(input.peers ?? []).forEach((p, i) => p.personIds.forEach((id, j) => {
      if (!found.has(id)) errors.push({ in: 'body', pointer: `/peers/${i}/personIds/${j}`, detail: 'no such person' })
    }))
  }
  if (errors.length) throw new Problem(422, 'unprocessable', errors.map((e) => `${e.pointer.slice(1)} ${e.detail}`).join('; '), { errors })

  const people = participants.length
    ? await trx.selectFrom('people').select(['id', 'line_manager_id', 'status']).where((eb) => eb.or([eb('id', 'in', participants), eb('line_manager_id', 'in', participants)])).execute()
    : []
  const raters = { self: true, lineManager: true, directReports: true, ...input.raters }
  const tokenExpiresAt = input.tokenExpiresAt ? new Date(input.tokenExpiresAt) : null
  if (tokenExpiresAt && tokenExpiresAt <= new Date()) {
    throw new Problem(422, 'unprocessable', 'tokenExpiresAt must be in the future', { errors: [{ in: 'body', pointer: '/tokenExpiresAt', detail: 'must be in the future' }] })
  }

  const result: Static<typeof CohortAssessmentsResult> = { cohortId, participants: participants.length, created: 0, unchanged: 0, invitationsCreated: 0, assessments: [] }
  for (const subjectId of participants) {
    const existing = await trx
      .selectFrom('feedback_assessments')
      .select('id')
      .where('cohort_id', '=', cohortId)
      .where('subject_id', '=', subjectId)
      .where('framework_id', '=', input.frameworkId)
      .where('status', '<>', 'cancelled')
      .executeTakeFirst()
    let assessment = existing
      ? await lockAssessment(trx, existing.id)
      : await insertAssessment(trx, {
          subjectId,
          frameworkId: input.frameworkId,
          elementIds: input.elementIds,
          purpose: input.purpose ?? cohort.title,
          cohortId,
          opensAt: input.opensAt,
          closesAt: input.closesAt,
          scale: input.scale,
          anonymityThreshold: input.anonymityThreshold,
          lineManagerIdentified: input.lineManagerIdentified
        })
    if (!existing) changes.record({ action: 'assessment.created', entityType: 'assessment', entityId: assessment.id, after: toAssessment(assessment) })

    const wanted = ratersFor(subjectId, people, raters, peers.get(subjectId) ?? [])
    const invitations: IssuedInvitationView[] = []
    if (assessment.status === 'draft' || assessment.status === 'open') {
      const held = await trx.selectFrom('feedback_invitations').select(['person_id', 'relationship', 'status']).where('assessment_id', '=', assessment.id).where('status', '<>', 'withdrawn').execute()
      const invited = new Set(held.map((h) => h.person_id))
      // One line manager per assessment: one already invited (e.g. before a change of manager) is kept.
      const hasManager = held.some((h) => h.relationship === 'line_manager' && (LIVE_INVITATION_STATUSES as readonly string[]).includes(h.status))
      for (const rater of wanted) {
        if (invited.has(rater.personId!)) continue
        if (rater.relationship === 'line_manager' && hasManager) continue
        invitations.push(await inviteRater(changes, assessment, { ...rater, expiresAt: tokenExpiresAt }))
      }
    }
    if (!existing && input.open) {
      await transitionAssessment(changes, assessment.id, 'open', 'opened with the cohort’s assessments', undefined)
      assessment = await lockAssessment(trx, assessment.id)
    }
    if (!existing) result.created++
    else if (invitations.length === 0) result.unchanged++
    result.invitationsCreated += invitations.length
    result.assessments.push({ assessment: toAssessment(assessment), created: !existing, invitations })
  }
  return result
}

type PersonLink = { id: string; line_manager_id: string | null; status: string }

/** Self, line manager, active direct reports and named peers; one invitation per person, the closest relationship first. */
function ratersFor(subjectId: string, people: readonly PersonLink[], raters: { self: boolean; lineManager: boolean; directReports: boolean }, peerIds: readonly string[]): RaterInput[] {
  const out: RaterInput[] = []
  const taken = new Set<string>([subjectId])
  const add = (personId: string, relationship: RaterInput['relationship']) => {
    if (taken.has(personId)) return
    taken.add(personId)
    out.push({ relationship, personId })
  }
  if (raters.self) out.push({ relationship: 'self', personId: subjectId })
  const subject = people.find((p) => p.id === subjectId)
  if (raters.lineManager && subject?.line_manager_id) add(subject.line_manager_id, 'line_manager')
  if (raters.directReports) for (const p of people) if (p.line_manager_id === subjectId && p.status === 'active') add(p.id, 'direct_report')
  for (const id of peerIds) add(id, 'peer')
  return out
}

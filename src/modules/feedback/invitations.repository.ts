import { sql, type Selectable } from 'kysely'
import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import type { Trx } from '../../platform/changes.js'
import { keysetPage, type Page, type SortAllowList } from '../../platform/pagination.js'
import { describeConstraint, notFound } from '../../platform/problems.js'
import type { Invitation, InvitationListQuery, ReminderDueQuery } from './invitations.schemas.js'
import type { FeedbackInvitationsTable, InvitationStatus, Relationship } from './tables.js'

/** An invitation with what its view needs from elsewhere: the window's end and whether a draft exists. */
export type InvitationRow = Selectable<FeedbackInvitationsTable> & { window_closes_at: Date | string; draft_saved: boolean }
export type InvitationView = Static<typeof Invitation>

describeConstraint('feedback_invitations_person', 'this person is already invited to this assessment')
describeConstraint('feedback_invitations_email', 'this email address is already invited to this assessment')
describeConstraint('feedback_invitations_self', 'the subject is already invited to rate themselves')
describeConstraint('feedback_invitations_person_id_fkey', 'personId: no such person')

const iso = (t: Date | string) => new Date(t).toISOString()

export const toInvitation = (r: InvitationRow): InvitationView => ({
  id: r.id,
  assessmentId: r.assessment_id,
  relationship: r.relationship,
  personId: r.person_id,
  externalName: r.external_name,
  externalEmail: r.external_email,
  status: r.status,
  statusReason: r.status_reason,
  expiresAt: iso(effectiveExpiry(r)),
  tokenIssuedAt: iso(r.token_issued_at),
  respondedOn: r.responded_on,
  lastRemindedAt: r.last_reminded_at === null ? null : iso(r.last_reminded_at),
  remindersSent: r.reminders_sent,
  draftSaved: r.draft_saved,
  version: r.version,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at)
})

/** The token dies at its own expiry or when the window closes, whichever is first. */
export function effectiveExpiry(r: { token_expires_at: Date | string | null; window_closes_at: Date | string }): Date {
  const closes = new Date(r.window_closes_at)
  if (r.token_expires_at === null) return closes
  const own = new Date(r.token_expires_at)
  return own < closes ? own : closes
}

function withContext(db: Db | Trx) {
  return db
    .selectFrom('feedback_invitations as i')
    .innerJoin('feedback_assessments as a', 'a.id', 'i.assessment_id')
    .selectAll('i')
    .select([
      'a.closes_at as window_closes_at',
      sql<boolean>`exists (select 1 from feedback_drafts d where d.invitation_id = i.id)`.as('draft_saved')
    ])
}

export async function findInvitation(db: Db | Trx, id: string): Promise<InvitationRow> {
  const row = await withContext(db).where('i.id', '=', id).executeTakeFirst()
  if (!row) throw notFound('invitation', id)
  return row
}

/** Assessment id of an invitation (to take the assessment's lock first), or 404. */
export async function assessmentOfInvitation(db: Db | Trx, id: string): Promise<string> {
  const row = await db.selectFrom('feedback_invitations').select('assessment_id').where('id', '=', id).executeTakeFirst()
  if (!row) throw notFound('invitation', id)
  return row.assessment_id
}

/** The invitation row locked for update (after its assessment's lock). */
export async function lockInvitation(trx: Trx, id: string): Promise<InvitationRow> {
  await trx.selectFrom('feedback_invitations').select('id').where('id', '=', id).forUpdate().executeTakeFirst()
  return findInvitation(trx, id)
}

const sorts: SortAllowList<InvitationRow> = {
  createdAt: { columns: ['i.created_at', 'i.id'], direction: 'asc', key: (r) => [r.created_at, r.id] }
}

export async function listInvitations(
  db: Db,
  assessmentId: string,
  q: Static<typeof InvitationListQuery> & { statuses?: InvitationStatus[] }
): Promise<Page<InvitationRow>> {
  let query = withContext(db).where('i.assessment_id', '=', assessmentId)
  if (q.status) query = query.where('i.status', '=', q.status as InvitationStatus)
  if (q.statuses) query = query.where('i.status', 'in', q.statuses)
  if (q.relationship) query = query.where('i.relationship', '=', q.relationship as Relationship)
  return keysetPage(query, sorts, q, 'createdAt')
}

export type ReminderRow = InvitationRow & { subject_id: string; reason: 'interval' | 'closing_soon' }

/**
 * Invitations still waiting for an answer in an open window whose token still works, and to
 * whom nothing was sent for `intervalDays` — or, once the window closes within
 * `closingWithinDays`, for a day.
 */
export async function listRemindersDue(db: Db, q: Static<typeof ReminderDueQuery>, now = new Date()): Promise<Page<ReminderRow>> {
  const intervalDays = q.intervalDays ?? 7
  const closingWithinDays = q.closingWithinDays ?? 2
  const lastContact = sql`coalesce(i.last_reminded_at, i.token_issued_at)`
  const intervalDue = sql<boolean>`${lastContact} <= ${now}::timestamptz - make_interval(days => ${intervalDays})`
  const closingDue = sql<boolean>`(a.closes_at <= ${now}::timestamptz + make_interval(days => ${closingWithinDays}) and ${lastContact} <= ${now}::timestamptz - interval '1 day')`
  let query = withContext(db)
    .select(['a.subject_id', sql<'interval' | 'closing_soon'>`case when ${intervalDue} then 'interval' else 'closing_soon' end`.as('reason')])
    .where('i.status', '=', 'invited')
    .where('a.status', '=', 'open')
    .where('a.opens_at', '<=', now)
    .where('a.closes_at', '>', now)
    .where((eb) => eb.or([eb('i.token_expires_at', 'is', null), eb('i.token_expires_at', '>', now)]))
    .where(sql<boolean>`(${intervalDue} or ${closingDue})`)
  if (q.assessmentId) query = query.where('i.assessment_id', '=', q.assessmentId)
  return keysetPage(query, sorts as unknown as SortAllowList<ReminderRow>, q, 'createdAt')
}

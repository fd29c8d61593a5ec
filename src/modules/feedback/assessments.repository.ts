import type { Selectable } from 'kysely'
import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import type { Trx } from '../../platform/changes.js'
import { assertCurrentVersion, type IfMatch } from '../../platform/concurrency.js'
import { keysetPage, type Page, type SortAllowList } from '../../platform/pagination.js'
import { defineProblem, describeConstraint, notFound } from '../../platform/problems.js'
import type { Assessment, AssessmentListQuery } from './assessments.schemas.js'
import type { AssessmentStatus, FeedbackAssessmentsTable } from './tables.js'

export type AssessmentRow = Selectable<FeedbackAssessmentsTable>
export type AssessmentView = Static<typeof Assessment>

defineProblem('assessment-status', {
  status: 409,
  title: '360° assessment status does not allow this',
  description:
    'The 360° assessment’s status rules the change out; `detail` names the rule. Raters are invited while it is a draft or open; settings change while it is a draft (an open one changes only its purpose and closing time); a move of the assessment itself that its status does not allow is `illegal-transition`.'
})
describeConstraint('feedback_assessments_external_id_key', 'an assessment with this externalId already exists')
describeConstraint('feedback_assessments_window', 'closesAt must be after opensAt')
describeConstraint('feedback_assessments_scale', 'the scale must have min < max, at most 10 steps apart')
describeConstraint('feedback_assessments_scale_labels', 'the scale needs one label per value from min to max, or none')
describeConstraint('feedback_assessments_cohort_subject', 'this participant already has a live assessment on this framework version for this cohort')
describeConstraint('feedback_assessments_subject_id_fkey', 'subjectId: no such person')
describeConstraint('feedback_assessments_cohort_id_fkey', 'cohortId: no such cohort')

const iso = (t: Date | string) => new Date(t).toISOString()
const isoOrNull = (t: Date | string | null) => (t === null ? null : iso(t))

export const toAssessment = (r: AssessmentRow): AssessmentView => ({
  id: r.id,
  externalId: r.external_id,
  subjectId: r.subject_id,
  frameworkId: r.framework_id,
  elementIds: r.element_ids,
  purpose: r.purpose,
  cohortId: r.cohort_id,
  opensAt: iso(r.opens_at),
  closesAt: iso(r.closes_at),
  scale: { min: r.scale_min, max: r.scale_max, labels: r.scale_labels, notObservedAllowed: r.not_observed_allowed },
  anonymityThreshold: r.anonymity_threshold,
  lineManagerIdentified: r.line_manager_identified,
  status: r.status,
  statusReason: r.status_reason,
  openedAt: isoOrNull(r.opened_at),
  closedAt: isoOrNull(r.closed_at),
  releasedAt: isoOrNull(r.released_at),
  version: r.version,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at)
})

const sorts: SortAllowList<AssessmentRow> = {
  createdAt: { columns: ['created_at', 'id'], direction: 'asc', key: (r) => [r.created_at, r.id] },
  closesAt: { columns: ['closes_at', 'id'], direction: 'asc', key: (r) => [r.closes_at, r.id] }
}

export async function findAssessment(db: Db | Trx, id: string): Promise<AssessmentRow> {
  const row = await db.selectFrom('feedback_assessments').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) throw notFound('assessment', id)
  return row
}

/**
 * The assessment locked until the transaction ends (FOR NO KEY UPDATE, so inserting its
 * invitations and responses is not blocked by the foreign-key check), after If-Match. Every change
 * to an assessment or its invitations takes this lock first: one lock order, no deadlocks.
 */
export async function lockAssessment(trx: Trx, id: string, expected?: IfMatch): Promise<AssessmentRow> {
  const row = await trx.selectFrom('feedback_assessments').selectAll().where('id', '=', id).forNoKeyUpdate().executeTakeFirst()
  if (!row) throw notFound('assessment', id)
  assertCurrentVersion(expected, row.version)
  return row
}

export async function listAssessments(db: Db, q: Static<typeof AssessmentListQuery>): Promise<Page<AssessmentRow>> {
  let query = db.selectFrom('feedback_assessments').selectAll()
  if (q.subjectId) query = query.where('subject_id', '=', q.subjectId)
  if (q.cohortId) query = query.where('cohort_id', '=', q.cohortId)
  if (q.frameworkId) query = query.where('framework_id', '=', q.frameworkId)
  if (q.status) query = query.where('status', '=', q.status as AssessmentStatus)
  if (q.externalId) query = query.where('external_id', '=', q.externalId)
  return keysetPage(query, sorts, q, 'createdAt')
}

/** True while raters may answer: open, and now within the window. */
export function takesAnswers(a: Pick<AssessmentRow, 'status' | 'opens_at' | 'closes_at'>, now = new Date()): boolean {
  return a.status === 'open' && new Date(a.opens_at) <= now && now < new Date(a.closes_at)
}

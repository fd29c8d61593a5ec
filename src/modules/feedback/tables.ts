import type { ColumnType, Generated, JSONColumnType } from 'kysely'
import type { Timestamp } from '../../platform/tables.js'

export type AssessmentStatus = 'draft' | 'open' | 'closed' | 'released' | 'cancelled'
export type Relationship = 'self' | 'line_manager' | 'peer' | 'direct_report' | 'other'
export type InvitationStatus = 'invited' | 'submitted' | 'declined' | 'withdrawn'

/** A rating per element id: a scale value, or null for "not observed". */
export type Ratings = Record<string, number | null>
/** A comment, on one element or (elementId null) on the whole. */
export interface StoredComment {
  elementId: string | null
  text: string
}
export interface Answers {
  ratings: Ratings
  comments: StoredComment[]
}

type Instant = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>

export interface FeedbackAssessmentsTable {
  id: Generated<string>
  external_id: string | null
  subject_id: string
  framework_id: string
  /** The behaviours rated; empty means every behaviour of the framework version. */
  element_ids: ColumnType<string[], string[] | undefined, string[]>
  purpose: string
  cohort_id: string | null
  opens_at: Timestamp
  closes_at: Timestamp
  scale_min: Generated<number>
  scale_max: Generated<number>
  scale_labels: ColumnType<string[], string[] | undefined, string[]>
  not_observed_allowed: Generated<boolean>
  anonymity_threshold: Generated<number>
  line_manager_identified: Generated<boolean>
  status: Generated<AssessmentStatus>
  status_reason: string | null
  opened_at: Instant
  closed_at: Instant
  released_at: Instant
  version: Generated<number>
  created_at: Timestamp
  updated_at: Timestamp
}

export interface FeedbackInvitationsTable {
  id: Generated<string>
  assessment_id: string
  relationship: Relationship
  person_id: string | null
  external_name: string | null
  external_email: string | null
  token_hash: string
  token_issued_at: Timestamp
  token_expires_at: Instant
  status: Generated<InvitationStatus>
  status_reason: string | null
  responded_on: string | null
  last_reminded_at: Instant
  reminders_sent: Generated<number>
  version: Generated<number>
  created_at: Timestamp
  updated_at: Timestamp
}

export interface FeedbackDraftsTable {
  invitation_id: string
  answers: JSONColumnType<Answers>
  updated_at: Timestamp
}

/** No invitation, rater or time: see migrations/0006_feedback.ts. */
export interface FeedbackResponsesTable {
  id: Generated<string>
  assessment_id: string
  rater_group: Relationship
  ratings: JSONColumnType<Ratings>
  comments: JSONColumnType<StoredComment[]>
}

/** Tables of the feedback module. */
export interface FeedbackTables {
  feedback_assessments: FeedbackAssessmentsTable
  feedback_invitations: FeedbackInvitationsTable
  feedback_drafts: FeedbackDraftsTable
  feedback_responses: FeedbackResponsesTable
}

import type { ColumnType, Generated } from 'kysely'
import type { Timestamp } from '../../platform/tables.js'

export type LearningKind = 'lesson_identified' | 'notable_practice'
export type SourceKind =
  | 'operational_debrief' | 'employment_tribunal' | 'health_and_safety' | 'inspection' | 'audit' | 'scrutiny'
  | 'complaint' | 'high_profile_event' | 'risk_assessment' | 'peer_assessment' | 'corporate_tasking' | 'other'
export type Stage = 'origin' | 'challenge' | 'accountability' | 'platform' | 'delivery' | 'review' | 'closed'
export type Dissemination = 'internal_unit' | 'organisation' | 'public'
export type ChallengeDecision = 'action_required' | 'no_action' | 'duplicate'
export type AccountabilityLevel = 'ocu' | 'business_group' | 'management_board' | 'corporate'
export type Integration = 'fully' | 'partly' | 'not'
export type ClosureKind = 'no_action' | 'duplicate' | 'reviewed'
export type TrailKind = 'created' | 'moved' | 'reopened' | 'owner_changed' | 'linked' | 'unlinked' | 'noted' | 'updated'
export type ChangeStage = 'platform' | 'delivery'
export type ChangeKind = 'policy' | 'sop' | 'process' | 'training' | 'it' | 'role'
export type LinkKind = 'duplicate_of' | 'related' | 'produced_by' | 'addressed_by'

type TextList = ColumnType<string[], string[] | undefined, string[]>

export interface LearningLogReferenceCountersTable {
  year: number
  last_number: number
}

export interface LearningLogEntriesTable {
  id: Generated<string>
  external_id: string | null
  reference: string
  title: string
  summary: string
  notes: string | null
  kind: LearningKind
  source_kind: SourceKind
  source_reference: string | null
  event_date: string | null
  org_unit_id: string
  identified_by_id: string | null
  identified_on: string
  dissemination: Generated<Dissemination>
  tags: TextList
  stage: Generated<Stage>
  stage_entered_at: Timestamp
  challenge_decision: ChallengeDecision | null
  action_by_org_unit_id: string | null
  action_by_person_id: string | null
  challenged_at: Timestamp | null
  owner_id: string | null
  level: AccountabilityLevel | null
  smt_lead_id: string | null
  platform_none_needed_reason: string | null
  delivery_none_needed_reason: string | null
  review_integrated: Integration | null
  review_improvement_seen: boolean | null
  review_evidence: string | null
  reviewed_at: Timestamp | null
  closure_kind: ClosureKind | null
  closure_reason: string | null
  closed_at: Timestamp | null
  duplicate_of_id: string | null
  trail_notes: string | null
  /** Generated from title (A), summary (B), notes and trail notes (C); never written. */
  search: ColumnType<string, never, never>
  version: Generated<number>
  created_at: Timestamp
  updated_at: Timestamp
}

export interface LearningLogTrailTable {
  id: Generated<number>
  entry_id: string
  kind: TrailKind
  from_stage: Stage | null
  to_stage: Stage | null
  actor: string
  note: string | null
  data: unknown
  occurred_at: Timestamp
}

export interface LearningLogChangesTable {
  id: Generated<string>
  entry_id: string
  trail_id: number
  stage: ChangeStage
  kind: ChangeKind
  reference: string
  description: string | null
  position: number
  created_at: Timestamp
}

export interface LearningLogLinksTable {
  id: Generated<string>
  entry_id: string
  kind: LinkKind
  recommendation_id: string | null
  programme_id: string | null
  cohort_id: string | null
  linked_entry_id: string | null
  target_id: ColumnType<string, never, never>
  note: string | null
  created_by: string
  created_at: Timestamp
}

/** Tables of the learning-logs module (migration 0008). */
export interface LearningLogsTables {
  learning_log_reference_counters: LearningLogReferenceCountersTable
  learning_log_entries: LearningLogEntriesTable
  learning_log_trail: LearningLogTrailTable
  learning_log_changes: LearningLogChangesTable
  learning_log_links: LearningLogLinksTable
}

import type { ColumnType, Generated } from 'kysely'
import type { Timestamp } from '../../platform/tables.js'

export type FrameworkKind = 'competency' | 'values' | 'role_profile'
export type FrameworkStatus = 'draft' | 'published' | 'retired'
export type ElementKind = 'cluster' | 'competency' | 'value' | 'behaviour'
export type Polarity = 'positive' | 'negative'

export interface FrameworksTable {
  id: Generated<string>
  code: string
  /** The framework's own version (1, 2, …); `version` is the row's concurrency version. */
  version_number: number
  name: string
  kind: FrameworkKind
  description: string | null
  status: Generated<FrameworkStatus>
  based_on_id: string | null
  published_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
  version: Generated<number>
  created_at: Timestamp
  updated_at: Timestamp
}

export interface FrameworkElementsTable {
  id: Generated<string>
  framework_id: string
  parent_id: string | null
  /** Shared by an element and its copies in later versions of the framework. */
  lineage_id: string
  kind: ElementKind
  code: string
  title: string
  description: string | null
  polarity: Generated<Polarity>
  position: Generated<number>
  version: Generated<number>
  created_at: Timestamp
  updated_at: Timestamp
}

export type InstrumentKind = 'personality' | 'motivation' | 'ability' | 'interests' | 'other'
export type InstrumentStatus = 'active' | 'retired'
export type ScoreKind = 'sten' | 'stanine' | 'percentile' | 't_score' | 'raw'

/** numeric columns arrive as numbers (see src/db/database.ts). */
type Score = ColumnType<number, number, number>

export interface InstrumentsTable {
  id: Generated<string>
  code: string
  name: string
  kind: InstrumentKind
  description: string | null
  provider: string | null
  status: Generated<InstrumentStatus>
  version: Generated<number>
  created_at: Timestamp
  updated_at: Timestamp
}

export interface InstrumentScalesTable {
  id: Generated<string>
  instrument_id: string
  code: string
  name: string
  description: string | null
  score_kind: ScoreKind
  min_score: Score
  max_score: Score
  position: Generated<number>
}

export interface PsychometricResultsTable {
  id: Generated<string>
  external_id: string | null
  instrument_id: string
  person_id: string
  assessor_id: string | null
  taken_on: ColumnType<string, string, string>
  norm_group: string | null
  provider_reference: string | null
  version: Generated<number>
  created_at: Timestamp
  updated_at: Timestamp
}

export interface PsychometricScoresTable {
  result_id: string
  scale_id: string
  score: Score
}

export interface AssessmentsTables {
  frameworks: FrameworksTable
  framework_elements: FrameworkElementsTable
  instruments: InstrumentsTable
  instrument_scales: InstrumentScalesTable
  psychometric_results: PsychometricResultsTable
  psychometric_scores: PsychometricScoresTable
}

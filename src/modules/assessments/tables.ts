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

export interface AssessmentsTables {
  frameworks: FrameworksTable
  framework_elements: FrameworkElementsTable
}

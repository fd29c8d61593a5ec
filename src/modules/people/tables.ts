import type { Generated } from 'kysely'
import type { Timestamp } from '../../platform/tables.js'

export type StaffType = 'officer' | 'staff' | 'pcso' | 'special_constable'
export type OrgUnitKind = 'service' | 'business_group' | 'borough' | 'ocu' | 'department' | 'team' | 'board'

export interface OrgUnitsTable {
  id: Generated<string>
  external_id: string | null
  name: string
  kind: OrgUnitKind
  parent_id: string | null
  status: Generated<'active' | 'closed'>
  version: Generated<number>
  created_at: Timestamp
  updated_at: Timestamp
}

export interface GradesTable {
  id: Generated<string>
  external_id: string | null
  code: string
  name: string
  staff_type: StaffType
  level: number
  version: Generated<number>
  created_at: Timestamp
  updated_at: Timestamp
}

export interface PeopleTable {
  id: Generated<string>
  external_id: string | null
  given_name: string
  family_name: string
  preferred_name: string | null
  email: string | null
  staff_type: StaffType
  grade_id: string | null
  org_unit_id: string | null
  line_manager_id: string | null
  status: Generated<'active' | 'left'>
  start_date: string | null
  leaving_date: string | null
  version: Generated<number>
  created_at: Timestamp
  updated_at: Timestamp
}

export interface DiversityRecordsTable {
  person_id: string
  ethnicity: string | null
  ethnicity_self_defined: string | null
  sex: string | null
  gender_identity_same_as_birth: string | null
  disability: string | null
  sexual_orientation: string | null
  religion_or_belief: string | null
  version: Generated<number>
  created_at: Timestamp
  updated_at: Timestamp
}

export interface PeopleTables {
  org_units: OrgUnitsTable
  grades: GradesTable
  people: PeopleTable
  diversity_records: DiversityRecordsTable
}

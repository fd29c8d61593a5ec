import type { StaffType } from '../people/tables.js'

export interface Eligibility {
  eligible_level_min: number | null
  eligible_level_max: number | null
  eligible_staff_types: StaffType[]
}

export interface Candidate {
  staff_type: StaffType
  /** The level of the person's grade; null when they have no grade. */
  level: number | null
}

/**
 * Why a person falls outside a programme's eligibility, or an empty list when they are eligible.
 * A grade level range ("Sergeant to Superintendent and police staff equivalents") compares levels,
 * so ranks and staff bands of the same level are treated alike; an empty staff-type list means any.
 */
export function ineligibilityReasons(programme: Eligibility, person: Candidate): string[] {
  const reasons: string[] = []
  const { eligible_level_min: min, eligible_level_max: max } = programme
  if (min !== null || max !== null) {
    if (person.level === null) reasons.push('the person has no grade, and the programme is limited to a grade range')
    else if (min !== null && person.level < min) reasons.push(`grade level ${person.level} is below the programme’s minimum ${min}`)
    else if (max !== null && person.level > max) reasons.push(`grade level ${person.level} is above the programme’s maximum ${max}`)
  }
  if (programme.eligible_staff_types.length > 0 && !programme.eligible_staff_types.includes(person.staff_type)) {
    reasons.push(`staff type ${person.staff_type} is not among ${programme.eligible_staff_types.join(', ')}`)
  }
  return reasons
}

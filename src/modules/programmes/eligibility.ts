import type { ExpressionBuilder } from 'kysely'
import type { Database } from '../../db/types.js'
import type { StaffType } from '../people/tables.js'

// One rule, in the two forms it is asked in: why a person falls outside a programme
// (ineligibilityReasons, at nomination) and which programmes admit a person (programmesAdmitting,
// a list filter); programmeReach (reach.repository.ts) counts the people a programme admits by the
// same rule. A grade level range ("Sergeant to Superintendent and police staff equivalents")
// compares levels, so ranks and staff bands of the same level are treated alike; a person without
// a grade fits only a programme without a level range; an empty staff-type list means any.

export interface Eligibility {
  eligible_level_min: number | null
  eligible_level_max: number | null
  eligible_staff_types: StaffType[]
}

/** Who is matched against eligibility: a staff type, and the level of their grade (null: no grade). */
export interface Candidate {
  staff_type: StaffType
  level: number | null
}

/** Why a person falls outside a programme's eligibility, or an empty list when they are eligible. */
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

/** The programmes a candidate may be nominated for, as a condition on `programmes`: those for which ineligibilityReasons is empty. */
export function programmesAdmitting(candidate: Candidate) {
  return (eb: ExpressionBuilder<Database, 'programmes'>) => {
    const { level, staff_type: staffType } = candidate
    const levelFits =
      level === null
        ? eb.and([eb('programmes.eligible_level_min', 'is', null), eb('programmes.eligible_level_max', 'is', null)])
        : eb.and([
            eb.or([eb('programmes.eligible_level_min', 'is', null), eb('programmes.eligible_level_min', '<=', level)]),
            eb.or([eb('programmes.eligible_level_max', 'is', null), eb('programmes.eligible_level_max', '>=', level)])
          ])
    const staffTypeFits = eb.or([
      eb(eb.fn('cardinality', ['programmes.eligible_staff_types']), '=', 0),
      eb(eb.val(staffType), '=', eb.fn.any('programmes.eligible_staff_types'))
    ])
    return eb.and([levelFits, staffTypeFits])
  }
}

import { defineScope } from '../../platform/scopes.js'

export const PROGRAMMES_READ = defineScope('programmes:read', 'Read programmes, cohorts, sessions, enrolments, evaluations and reports')
export const PROGRAMMES_WRITE = defineScope(
  'programmes:write',
  'Learning and development administration (HR): programmes, cohorts, sessions, attendance, selection, any approval, eligibility overrides'
)
export const PROGRAMMES_NOMINATE = defineScope(
  'programmes:nominate',
  'Act as a person (token with person_id): nominate yourself or your direct reports, approve your direct reports, withdraw and evaluate your own enrolments'
)

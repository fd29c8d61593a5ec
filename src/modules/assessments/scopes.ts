import { defineScope } from '../../platform/scopes.js'

export const ASSESSMENTS_READ = defineScope(
  'assessments:read',
  'Read frameworks, instruments, psychometric results, 360° assessments, invitations and reports (never a rater’s answers)'
)
export const ASSESSMENTS_WRITE = defineScope(
  'assessments:write',
  'Manage frameworks, instruments, psychometric results and 360° assessments: invite raters, open, close and release'
)

import { defineScope } from '../../platform/scopes.js'

export const DEVELOPMENT_PLANS_READ = defineScope('development-plans:read', 'Read anyone’s development plans, templates and reports')
export const DEVELOPMENT_PLANS_WRITE = defineScope(
  'development-plans:write',
  'HR: create, change, agree and return anyone’s development plans; manage templates'
)

import { defineScope } from '../../platform/scopes.js'

export const DEVELOPMENT_PLANS_READ = defineScope('development-plans:read', 'Read anyone’s development plans, templates and reports')
export const DEVELOPMENT_PLANS_WRITE = defineScope(
  'development-plans:write',
  'HR: create, change, agree and return anyone’s development plans; manage templates'
)
export const DEVELOPMENT_PLANS_OWN = defineScope(
  'development-plans:own',
  'Act as a person (token with person_id): draft, submit and record progress on your own plans; read, agree, return and reopen your direct reports’ plans; read suggestions from your own released 360 report'
)

import { defineScope } from '../../platform/scopes.js'

export const PEOPLE_READ = defineScope('people:read', 'Read org units, grades and people')
export const PEOPLE_WRITE = defineScope('people:write', 'Create, change and import org units, grades and people')
export const DIVERSITY_READ = defineScope('diversity:read', 'Read individual diversity monitoring records (special category data)')
export const DIVERSITY_WRITE = defineScope('diversity:write', 'Record and erase diversity monitoring records')
export const DIVERSITY_REPORT = defineScope('diversity:report', 'Read suppressed aggregates of diversity monitoring data only')

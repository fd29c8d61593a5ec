import { defineScope } from '../../platform/scopes.js'

export const LEARNING_READ = defineScope('learning:read', 'Read and search learning log entries, their trail and reports')
export const LEARNING_WRITE = defineScope('learning:write', 'Record learning log entries, move them through the stages, link and import them')

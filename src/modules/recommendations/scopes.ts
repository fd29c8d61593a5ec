import { defineScope } from '../../platform/scopes.js'

export const RECOMMENDATIONS_READ = defineScope('recommendations:read', 'Read sources, recommendations, evidence, actions, panels, indicators, themes and reports')
export const RECOMMENDATIONS_WRITE = defineScope(
  'recommendations:write',
  'Record sources and recommendations, evidence, actions, indicators and themes; move statuses other than to embedded'
)
export const PANEL_REVIEW = defineScope('panel:review', 'Record challenge panel reviews and their verdicts (the only route to embedded)')

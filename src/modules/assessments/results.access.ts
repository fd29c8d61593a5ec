import type { Principal } from '../../platform/auth/tokens.js'
import { notFound } from '../../platform/problems.js'
import { grants } from '../../platform/scopes.js'
import { ASSESSMENTS_READ } from './scopes.js'

/**
 * Psychometric results are personal data: read by holders of assessments:read, by the person
 * themself and by their assessor (tokens acting for a person, `person_id`). Anyone else is told
 * there is no such result, so its existence is not revealed either.
 */
export const readsAllResults = (principal: Principal) => grants(principal.scopes, ASSESSMENTS_READ)

export function assertMayReadResult(principal: Principal, result: { id: string; person_id: string; assessor_id: string | null }) {
  if (readsAllResults(principal)) return
  if (principal.personId && (principal.personId === result.person_id || principal.personId === result.assessor_id)) return
  throw notFound('psychometric result', result.id)
}

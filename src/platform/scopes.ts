/** Scopes a token may carry; modules register theirs so the contract and client validation list them all. */
const scopes = new Map<string, string>()

export function defineScope(name: string, description: string): string {
  scopes.set(name, description)
  return name
}

export function knownScopes(): ReadonlyMap<string, string> {
  return scopes
}

export const ADMIN = defineScope('admin', 'Everything, including API clients; implies every other scope')
export const AUDIT_READ = defineScope('audit:read', 'Read the audit trail')
export const EVENTS_READ = defineScope('events:read', 'Read the change feed')

/** `admin` implies every scope and `x:write` implies `x:read`. */
export function grants(held: ReadonlySet<string>, needed: string): boolean {
  if (held.has(ADMIN) || held.has(needed)) return true
  if (needed.endsWith(':read')) return held.has(needed.slice(0, -':read'.length) + ':write')
  return false
}

/** OpenAPI security requirement for an operation needing all of `needed` (an empty list means public). */
export function requireScopes(...needed: string[]): Array<Record<string, string[]>> {
  return needed.length === 0 ? [] : [{ oauth2: needed }]
}

/** Any valid token; the handler checks the relationship (e.g. the job's owner). */
export function signedIn(): Array<Record<string, string[]>> {
  return [{ oauth2: [] }]
}

/**
 * Reached with a 360° rater's invitation token (header `X-Rater-Token`) and no JWT; the handler
 * verifies the token (see the auth plugin).
 */
export function raterToken(): Array<Record<string, string[]>> {
  return [{ raterToken: [] }]
}

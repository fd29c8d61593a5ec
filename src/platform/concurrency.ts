import type { FastifyReply, FastifyRequest } from 'fastify'
import { Problem } from './problems.js'

export const etagOf = (version: number) => `"${version}"`

/** What If-Match asked for: one version, a list of versions, or nothing (no header, or `*`). */
export type IfMatch = number | number[] | undefined

/** The version named by If-Match, or undefined when absent or `*` (any current version). */
export function ifMatchVersion(request: FastifyRequest): IfMatch {
  const header = request.headers['if-match']
  if (header === undefined || header.trim() === '*') return undefined
  const tags = header.split(',').map((tag) => /^\s*(?:W\/)?"(\d{1,9})"\s*$/.exec(tag)?.[1])
  const versions = tags.filter((v): v is string => v !== undefined).map(Number)
  if (versions.length === 0) {
    // A tag we never issued can never match: that is a failed precondition, not a bad request.
    throw new Problem(412, 'precondition-failed', 'If-Match does not name a current version of this resource')
  }
  return versions.length === 1 ? versions[0] : versions
}

/** If-Match may list several tags (RFC 9110): it holds when any of them is the current version. */
export function assertCurrentVersion(expected: IfMatch, actual: number) {
  if (expected === undefined) return
  const list = Array.isArray(expected) ? expected : [expected]
  if (!list.includes(actual)) {
    throw new Problem(412, 'precondition-failed', `If-Match names version ${list.join(', ')}, the current version is ${actual}`, {
      headers: { etag: etagOf(actual) }
    })
  }
}

export function withEtag<T extends { version: number }>(reply: FastifyReply, resource: T): T {
  reply.header('etag', etagOf(resource.version))
  return resource
}

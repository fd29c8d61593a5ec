import type { FastifyReply, FastifyRequest } from 'fastify'
import { Problem } from './problems.js'

export const etagOf = (version: number) => `"${version}"`

/** The version named by If-Match, or undefined when absent or `*` (any current version). */
export function ifMatchVersion(request: FastifyRequest): number | undefined {
  const header = request.headers['if-match']
  if (header === undefined || header.trim() === '*') return undefined
  const match = /^\s*(?:W\/)?"(\d{1,9})"\s*$/.exec(header)
  if (!match) {
    // A tag we never issued can never match: that is a failed precondition, not a bad request.
    throw new Problem(412, 'precondition-failed', 'If-Match does not name a current version of this resource')
  }
  return Number(match[1])
}

export function assertCurrentVersion(expected: number | undefined, actual: number) {
  if (expected !== undefined && expected !== actual) {
    throw new Problem(412, 'precondition-failed', `If-Match names version ${expected}, the current version is ${actual}`, {
      headers: { etag: etagOf(actual) }
    })
  }
}

export function withEtag<T extends { version: number }>(reply: FastifyReply, resource: T): T {
  reply.header('etag', etagOf(resource.version))
  return resource
}

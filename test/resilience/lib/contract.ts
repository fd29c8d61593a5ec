import { readFileSync } from 'node:fs'
import { ContractChecker, type OpenApiDocument, type OpenApiOperation } from '../../helpers/contract.js'

export { ContractChecker }
export type { OpenApiDocument, OpenApiOperation }

/** The committed contract, read at run time: operations added by new modules are covered as they land. */
export function loadContract(file = 'openapi/openapi.json'): OpenApiDocument {
  return JSON.parse(readFileSync(file, 'utf8')) as OpenApiDocument
}

export interface Op extends OpenApiOperation {
  method: string
  path: string
}

export function operations(doc: OpenApiDocument): Op[] {
  const ops: Op[] = []
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue
      ops.push({ ...op, method: method.toUpperCase(), path })
    }
  }
  return ops
}

export const isPublic = (op: Op) => Array.isArray(op.security) && op.security.length === 0
export const isRaterOnly = (op: Op) =>
  Array.isArray(op.security) && op.security.length > 0 && op.security.every((req) => Object.keys(req).length === 1 && 'raterToken' in req)
/** The scopes an operation needs (any one requirement), or [] for any signed-in caller. */
export const requiredScopes = (op: Op): string[][] => (op.security ?? [{ oauth2: ['admin'] }]).map((req) => Object.values(req).flat())

/** A path with its parameters filled: `{id}` and other ids by `fill`, anything else by a word. */
export function fillPath(path: string, fill: (name: string) => string): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(fill(name)))
}

import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'

// ajv-formats is CommonJS; under tsx its default export arrives as the module object or the function.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => void

/** The parts of an OpenAPI 3.1 document the checks read. */
export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>
  components?: { schemas?: Record<string, unknown>; securitySchemes?: Record<string, unknown> }
}

export interface OpenApiOperation {
  operationId?: string
  parameters?: Array<{ in: string; name: string; required?: boolean; schema?: unknown }>
  requestBody?: { required?: boolean; content?: Record<string, { schema?: unknown }> }
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>
  security?: Array<Record<string, string[]>>
  tags?: string[]
}

export interface ResponseToCheck {
  method: string
  /** The OpenAPI path template (`/v1/people/{id}`), or fastify's (`/v1/people/:id`). */
  route: string
  status: number
  contentType: string | undefined
  /** The body as text; undefined when it was streamed and is not available. */
  body: string | undefined
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']

/** fastify `/v1/people/:id` → OpenAPI `/v1/people/{id}`. */
export const openApiPath = (route: string) => route.replace(/:([A-Za-z0-9_]+)/g, '{$1}')

/**
 * Checks responses against an OpenAPI document: the status is one the operation documents, the
 * media type is one documented for that status, and a JSON body validates against its schema
 * (with `$ref`s to components resolved). Compiled lazily, one validator per schema, and cached.
 */
export class ContractChecker {
  readonly #ajv: Ajv2020
  readonly #validators = new Map<unknown, ValidateFunction>()
  readonly operations = new Map<string, OpenApiOperation & { method: string; path: string }>()

  constructor(readonly document: OpenApiDocument) {
    this.#ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true })
    addFormats(this.#ajv)
    // The components as one schema document, so `#/components/schemas/X` resolves inside it.
    this.#ajv.addSchema({ $id: 'contract', components: { schemas: document.components?.schemas ?? {} } })
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        if (!METHODS.includes(method)) continue
        this.operations.set(`${method.toUpperCase()} ${path}`, { ...operation, method: method.toUpperCase(), path })
      }
    }
  }

  operation(method: string, route: string) {
    return this.operations.get(`${method.toUpperCase()} ${openApiPath(route)}`)
  }

  /** A validator for a schema taken from the document (its `$ref`s point into the components). */
  validator(schema: unknown): ValidateFunction {
    let v = this.#validators.get(schema)
    if (!v) {
      v = this.#ajv.compile({ $id: `contract-part-${this.#validators.size}`, ...rebase(schema) as object })
      this.#validators.set(schema, v)
    }
    return v
  }

  /** What is wrong with a response, or an empty list. Responses of undocumented routes are not checked. */
  check(response: ResponseToCheck): string[] {
    const operation = this.operation(response.method, response.route)
    if (!operation) return []
    const where = `${response.method} ${openApiPath(response.route)} (${operation.operationId}) → ${response.status}`
    const documented = operation.responses?.[String(response.status)] ?? operation.responses?.[`${String(response.status)[0]}XX`] ?? operation.responses?.default
    if (!documented) {
      return [`${where}: status ${response.status} is not documented (documented: ${Object.keys(operation.responses ?? {}).join(', ')})${excerpt(response.body)}`]
    }
    // fastify sends no body with 204 and 304, whatever the handler returned.
    if (response.status === 204 || response.status === 304) return []
    const content = documented.content
    const hasBody = response.body !== undefined && response.body !== ''
    if (!content || Object.keys(content).length === 0) {
      return hasBody ? [`${where}: documented without a body, but one was sent (${response.contentType ?? 'no content-type'})${excerpt(response.body)}`] : []
    }
    const mediaType = (response.contentType ?? '').split(';')[0].trim().toLowerCase()
    const isJson = (type: string) => /^application\/(json|[\w.-]+\+json)$/.test(type)
    // A stream (CSV, NDJSON) may be empty; a JSON document may not.
    if (!hasBody && response.body !== undefined && (!mediaType || isJson(mediaType))) return [`${where}: the response has no body; documented ${Object.keys(content).join(', ')}`]
    const entry = content[mediaType]
    if (!entry) return [`${where}: content-type ${mediaType || '(none)'} is not documented (documented: ${Object.keys(content).join(', ')})`]
    if (response.body === undefined || !hasBody || !isJson(mediaType) || !entry.schema) return []
    let parsed: unknown
    try {
      parsed = JSON.parse(response.body)
    } catch {
      return [`${where}: the ${mediaType} body is not JSON${excerpt(response.body)}`]
    }
    const validate = this.validator(entry.schema)
    if (validate(parsed)) return []
    const problems = (validate.errors ?? []).slice(0, 8).map((e) => `${e.instancePath || '/'} ${e.message}${e.params && Object.keys(e.params).length ? ' ' + JSON.stringify(e.params) : ''}`)
    return [`${where}: the body does not match the documented schema: ${problems.join('; ')}${excerpt(response.body)}`]
  }
}

function excerpt(body: string | undefined) {
  if (!body) return ''
  return `\n  body: ${body.length > 600 ? body.slice(0, 600) + '…' : body}`
}

/** Points `#/components/...` refs at the components document registered as `contract`. */
function rebase(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(rebase)
  if (schema === null || typeof schema !== 'object') return schema
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(schema)) {
    if (k === '$ref' && typeof v === 'string' && v.startsWith('#/')) out[k] = `contract${v}`
    else if (k === '$id') continue
    else out[k] = rebase(v)
  }
  return out
}

import type { LightMyRequestResponse } from 'fastify'
import { buildTestApp, type TestContext } from '../../helpers/app.js'

/** One app per test file, with a rate limit high enough that the tests never meet it. */
export async function buildPeopleApp(env: Record<string, string> = {}): Promise<Api> {
  const ctx = await buildTestApp({ RATE_LIMIT_PER_MINUTE: '1000000', ...env })
  return new Api(ctx)
}

export interface Call {
  scopes?: string[]
  sub?: string
  headers?: Record<string, string>
}

let counter = 0
/** A short unique suffix, so tests in one file never collide on externalId, code or email. */
export const unique = (prefix = 'x') => `${prefix}-${process.pid}-${++counter}`

export class Api {
  constructor(readonly ctx: TestContext) {}

  get app() {
    return this.ctx.app
  }

  close() {
    return this.ctx.close()
  }

  async request(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, body?: unknown, call: Call = {}): Promise<LightMyRequestResponse> {
    return this.ctx.app.inject({
      method,
      url,
      headers: { ...this.ctx.auth(call.scopes ?? ['admin'], { sub: call.sub }), ...(call.headers ?? {}) },
      ...(body === undefined ? {} : typeof body === 'string' || Buffer.isBuffer(body) ? { payload: body } : { payload: body as object })
    })
  }

  get = (url: string, call?: Call) => this.request('GET', url, undefined, call)
  post = (url: string, body?: unknown, call?: Call) => this.request('POST', url, body, call)
  patch = (url: string, body: unknown, call?: Call) => this.request('PATCH', url, body, call)
  put = (url: string, body: unknown, call?: Call) => this.request('PUT', url, body, call)
  delete = (url: string, call?: Call) => this.request('DELETE', url, undefined, call)

  /** POSTs and insists on 201, returning the created record. */
  async create<T = Record<string, any>>(url: string, body: unknown): Promise<T> {
    const res = await this.post(url, body)
    if (res.statusCode !== 201) throw new Error(`POST ${url} → ${res.statusCode}: ${res.body}`)
    return res.json() as T
  }

  orgUnit(fields: Record<string, unknown> = {}) {
    return this.create<OrgUnit>('/v1/org-units', { name: unique('Unit'), kind: 'team', ...fields })
  }

  grade(fields: Record<string, unknown> = {}) {
    const code = unique('G').replace(/[^A-Za-z0-9_.-]/g, '_')
    return this.create<Grade>('/v1/grades', { code, name: `Grade ${code}`, staffType: 'officer', level: 10, ...fields })
  }

  person(fields: Record<string, unknown> = {}) {
    return this.create<Person>('/v1/people', { givenName: 'Alex', familyName: unique('Smith'), staffType: 'officer', ...fields })
  }

  /** Every item of a list, following the cursor; fails on anything but 200. */
  async all<T = Record<string, any>>(url: string, call?: Call): Promise<T[]> {
    const items: T[] = []
    let next: string | null = url
    while (next) {
      const res = await this.get(next, call)
      if (res.statusCode !== 200) throw new Error(`GET ${next} → ${res.statusCode}: ${res.body}`)
      const body = res.json() as { data: T[]; page: { nextCursor: string | null } }
      items.push(...body.data)
      next = body.page.nextCursor ? `${url}${url.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(body.page.nextCursor)}` : null
    }
    return items
  }

  /** Ids of the items a list returns (one page of up to 500). */
  async ids(url: string): Promise<string[]> {
    const res = await this.get(url + (url.includes('?') ? '&' : '?') + 'limit=500')
    if (res.statusCode !== 200) throw new Error(`GET ${url} → ${res.statusCode}: ${res.body}`)
    return (res.json().data as Array<{ id: string }>).map((x) => x.id).sort()
  }

  /** POSTs an import body with the content type; `query` like `dryRun=true`. */
  import(resource: string, body: string, contentType: string, query = '', call: Call = {}) {
    return this.request('POST', `/v1/${resource}/import${query ? `?${query}` : ''}`, body, {
      ...call,
      headers: { 'content-type': contentType, ...(call.headers ?? {}) }
    })
  }

  /**
   * Where the audit trail and the change feed stand now (newest audit id, last event sequence),
   * read through the API: a change that changes nothing must leave both where they were.
   */
  async trailMark(): Promise<{ audit: number; events: number }> {
    const audit = await this.get('/v1/audit-records?limit=1')
    if (audit.statusCode !== 200) throw new Error(`audit-records → ${audit.statusCode}: ${audit.body}`)
    const newest = audit.json().data[0]
    let after = 0
    for (;;) {
      const res = await this.get(`/v1/events?after=${after}&limit=500`)
      if (res.statusCode !== 200) throw new Error(`events → ${res.statusCode}: ${res.body}`)
      const page = res.json().page
      after = page.lastSequence
      if (!page.nextCursor) break
    }
    return { audit: newest ? Number(newest.id) : 0, events: after }
  }

  /**
   * Reads `url`, then PATCHes it with each body (If-Match: the ETag read) and returns what the
   * answers said and where the trail stood before and after: a PATCH that changes nothing must
   * answer 200 with the same ETag and version and leave the audit trail and change feed as they were.
   */
  async patchesChangingNothing(url: string, bodies: unknown[], call: Call = {}) {
    const read = await this.get(url, call)
    if (read.statusCode !== 200) throw new Error(`GET ${url} → ${read.statusCode}: ${read.body}`)
    const before = await this.trailMark()
    const answers: Array<{ status: number; etag: unknown; version: unknown }> = []
    for (const body of bodies) {
      const res = await this.patch(url, body, { ...call, headers: { ...(call.headers ?? {}), 'if-match': String(read.headers.etag) } })
      answers.push({ status: res.statusCode, etag: res.headers.etag, version: res.statusCode === 200 ? res.json().version : res.body })
    }
    const after = await this.trailMark()
    const again = await this.get(url, call)
    return { etag: read.headers.etag, version: read.json().version as number, answers, before, after, versionAfter: again.json().version as number }
  }

  /** Polls an import job until it finishes (or fails the test after `timeoutMs`). */
  async waitForJob(location: string, timeoutMs = 60_000, call?: Call): Promise<Record<string, any>> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const res = await this.get(location, call)
      if (res.statusCode !== 200) throw new Error(`GET ${location} → ${res.statusCode}: ${res.body}`)
      const job = res.json()
      if (job.state === 'succeeded' || job.state === 'failed') return job
      if (Date.now() > deadline) throw new Error(`job ${location} still ${job.state} after ${timeoutMs} ms`)
      await new Promise((r) => setTimeout(r, 50))
    }
  }
}

export interface OrgUnit {
  id: string
  externalId: string | null
  name: string
  kind: string
  parentId: string | null
  status: string
  version: number
}

export interface Grade {
  id: string
  externalId: string | null
  code: string
  name: string
  staffType: string
  level: number
  version: number
}

export interface Person {
  id: string
  externalId: string | null
  givenName: string
  familyName: string
  email: string | null
  staffType: string
  gradeId: string | null
  orgUnitId: string | null
  lineManagerId: string | null
  status: string
  version: number
}

/** A CSV body from a header and rows; cells are quoted when they need it. */
export function csv(columns: string[], rows: Array<Record<string, unknown>>): string {
  const cell = (v: unknown) => {
    if (v === undefined || v === null) return ''
    const s = String(v)
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
  }
  return [columns.join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\n') + '\n'
}

export const ndjson = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n'

import { randomUUID } from 'node:crypto'
import type { LightMyRequestResponse } from 'fastify'
import { buildTestApp } from '../../helpers/app.js'
import { ProgrammesApi } from '../programmes/factories.js'
import { unique } from '../people/factories.js'

export { unique }

/** One app per test file; the rater rate limit is high unless a test asks for a low one. */
export async function buildFeedbackApp(env: Record<string, string> = {}): Promise<FeedbackApi> {
  const ctx = await buildTestApp({ RATE_LIMIT_PER_MINUTE: '1000000', RATER_RATE_LIMIT_PER_MINUTE: '1000000', ...env })
  return new FeedbackApi(ctx)
}

export interface ElementSpec {
  code: string
  kind: 'cluster' | 'competency' | 'value' | 'behaviour'
  polarity?: 'positive' | 'negative'
  parent?: string
}

export interface TestFramework {
  id: string
  code: string
  /** Element ids by code. */
  ids: Record<string, string>
  lineage: Record<string, string>
}

/**
 * The values framework used by most tests: two values, each with positive and negative behaviours.
 * V1: B1, B2 (+), N1 (−); V2: B3, B4 (+), N2 (−).
 */
export const VALUES_TREE: ElementSpec[] = [
  { code: 'V1', kind: 'value' },
  { code: 'B1', kind: 'behaviour', parent: 'V1' },
  { code: 'B2', kind: 'behaviour', parent: 'V1' },
  { code: 'N1', kind: 'behaviour', parent: 'V1', polarity: 'negative' },
  { code: 'V2', kind: 'value' },
  { code: 'B3', kind: 'behaviour', parent: 'V2' },
  { code: 'B4', kind: 'behaviour', parent: 'V2' },
  { code: 'N2', kind: 'behaviour', parent: 'V2', polarity: 'negative' }
]

export type Rating = number | null
export type Issued = Record<string, any> & { id: string; token: string; version: number }

export class FeedbackApi extends ProgrammesApi {
  /**
   * A framework version written straight to the assessments module's tables (their API is built
   * beside this module): published unless `status` says otherwise.
   */
  async framework(tree: ElementSpec[] = VALUES_TREE, status: 'draft' | 'published' | 'retired' = 'published'): Promise<TestFramework> {
    const db = this.ctx.database.db
    const code = unique('FW').replace(/[^A-Za-z0-9_.-]/g, '_')
    const framework = await db
      .insertInto('frameworks')
      .values({ code, version_number: 1, name: `Framework ${code}`, kind: 'values', description: null, status, based_on_id: null, published_at: status === 'draft' ? null : new Date() })
      .returning('id')
      .executeTakeFirstOrThrow()
    const ids: Record<string, string> = {}
    const lineage: Record<string, string> = {}
    for (const [position, e] of tree.entries()) {
      lineage[e.code] = randomUUID()
      const row = await db
        .insertInto('framework_elements')
        .values({
          framework_id: framework.id,
          parent_id: e.parent ? ids[e.parent] : null,
          lineage_id: lineage[e.code],
          kind: e.kind,
          code: e.code,
          title: `Title of ${e.code}`,
          description: null,
          polarity: e.polarity ?? 'positive',
          position
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      ids[e.code] = row.id
    }
    return { id: framework.id, code, ids, lineage }
  }

  /** A draft assessment of `subjectId` (window: opened an hour ago, closing in a week) moved to `status`. */
  async assessment(subjectId: string, frameworkId: string, fields: Record<string, unknown> = {}): Promise<Record<string, any>> {
    return this.create('/v1/assessments', {
      subjectId,
      frameworkId,
      purpose: 'Development workshop',
      opensAt: new Date(Date.now() - 3_600_000).toISOString(),
      closesAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
      ...fields
    })
  }

  async moveAssessment(id: string, to: string, reason?: string): Promise<Record<string, any>> {
    const res = await this.post(`/v1/assessments/${id}/transitions`, { to, ...(reason ? { reason } : {}) })
    if (res.statusCode !== 200) throw new Error(`assessment ${id} → ${to}: ${res.statusCode} ${res.body}`)
    return res.json()
  }

  async invite(assessmentId: string, body: Record<string, unknown>): Promise<Issued> {
    return this.create<Issued>(`/v1/assessments/${assessmentId}/invitations`, body)
  }

  /** A rater's request: only the token header (from `ip`, so rate-limit tests can use their own address). */
  rater(method: 'GET' | 'PUT' | 'POST', url: string, token: string | null, body?: unknown, ip = '10.0.0.1'): Promise<LightMyRequestResponse> {
    return this.app.inject({
      method,
      url,
      remoteAddress: ip,
      headers: token === null ? {} : { 'x-rater-token': token },
      ...(body === undefined ? {} : { payload: body as object })
    })
  }

  questionnaire = (token: string | null, ip?: string) => this.rater('GET', '/v1/questionnaire', token, undefined, ip)
  saveDraft = (token: string, body: unknown, ip?: string) => this.rater('PUT', '/v1/questionnaire/draft', token, body, ip)
  submit = (token: string, body: unknown, ip?: string) => this.rater('POST', '/v1/questionnaire/submission', token, body, ip)
  decline = (token: string, reason: string, ip?: string) => this.rater('POST', '/v1/questionnaire/declination', token, { reason }, ip)

  /** Answers from `{ code: value }` (null: not observed) with the framework's ids, and comments. */
  answers(fw: TestFramework, ratings: Record<string, Rating>, comments: Array<{ code?: string; text: string }> = []) {
    return {
      ratings: Object.entries(ratings).map(([code, value]) => ({ elementId: fw.ids[code], value })),
      comments: comments.map((c) => ({ elementId: c.code ? fw.ids[c.code] : null, text: c.text }))
    }
  }

  /** Submits and insists on 200. */
  async respond(token: string, fw: TestFramework, ratings: Record<string, Rating>, comments: Array<{ code?: string; text: string }> = []) {
    const res = await this.submit(token, this.answers(fw, ratings, comments))
    if (res.statusCode !== 200) throw new Error(`submit → ${res.statusCode}: ${res.body}`)
    return res.json()
  }
}

import { randomUUID } from 'node:crypto'
import type { LightMyRequestResponse } from 'fastify'
import { buildTestApp } from '../../helpers/app.js'
import { ProgrammesApi, unique, type Call, type Person } from '../programmes/factories.js'

export { csv, ndjson, unique } from '../programmes/factories.js'
export type { Call, Cohort, Person, Programme } from '../programmes/factories.js'

/** One app per test file, with a rate limit high enough that the tests never meet it. */
export async function buildPlansApp(env: Record<string, string> = {}): Promise<PlansApi> {
  const ctx = await buildTestApp({ RATE_LIMIT_PER_MINUTE: '1000000', ...env })
  return new PlansApi(ctx)
}

/** HR: development-plans:write (and programmes:write, to nominate anyone). */
export const HR: Call = { scopes: ['development-plans:write', 'programmes:write'], sub: 'hr-pdr' }
/** HR without any programmes scope. */
export const HR_PLANS_ONLY: Call = { scopes: ['development-plans:write'], sub: 'hr-plans-only' }
export const READER: Call = { scopes: ['development-plans:read'], sub: 'plans-reader' }

export interface Plan {
  id: string
  ownerId: string
  period: string
  startsOn: string
  endsOn: string
  title: string
  templateId: string | null
  cohortId: string | null
  status: string
  submittedAt: string | null
  agreedBy: string | null
  agreedAt: string | null
  completedAt: string | null
  reviewComment: string | null
  objectives: Objective[]
  version: number
  [field: string]: unknown
}

export interface Objective {
  id: string
  planId: string
  position: number
  title: string
  status: string
  dueOn: string | null
  overdue: boolean
  priority: string
  source: { kind: string; assessmentId: string | null; elementId: string | null; psychometricResultId: string | null; enrolmentId: string | null; detail: any }
  frameworkElementIds: string[]
  activities: Activity[]
  version: number
  [field: string]: unknown
}

export interface Activity {
  id: string
  objectiveId: string
  planId: string
  kind: string
  title: string
  status: string
  programmeId: string | null
  enrolment: { id: string; cohortId: string; status: string } | null
  version: number
  [field: string]: unknown
}

export interface FrameworkElement {
  id: string
  lineageId: string
  code: string
  parentId: string | null
}

export class PlansApi extends ProgrammesApi {
  /** A call by a token acting for `person` (development-plans:own unless other scopes are given). */
  as(person: Pick<Person, 'id'>, scopes: string[] = ['development-plans:own']): Call {
    const token = this.ctx.token(scopes, { sub: `user-${person.id.slice(0, 8)}`, personId: person.id })
    return { headers: { authorization: `Bearer ${token}` } }
  }

  /** A manager with two direct reports, and a second manager (for changes of line manager). */
  async team() {
    const unit = await this.orgUnit()
    const manager = await this.person({ orgUnitId: unit.id })
    const otherManager = await this.person({ orgUnitId: unit.id })
    const owner = await this.person({ orgUnitId: unit.id, lineManagerId: manager.id })
    const colleague = await this.person({ orgUnitId: unit.id, lineManagerId: manager.id })
    return { unit, manager, otherManager, owner, colleague }
  }

  /** Sends and insists on the status; returns the body. */
  async expect<T = any>(status: number, res: Promise<LightMyRequestResponse>): Promise<T> {
    const r = await res
    if (r.statusCode !== status) throw new Error(`expected ${status}, got ${r.statusCode}: ${r.body}`)
    return (r.body ? r.json() : undefined) as T
  }

  plan(ownerId: string, fields: Record<string, unknown> = {}, call: Call = HR): Promise<Plan> {
    return this.expect(201, this.post('/v1/development-plans', { ownerId, period: '2026/27', ...fields }, call))
  }

  objective(planId: string, fields: Record<string, unknown> = {}, call: Call = HR): Promise<Objective> {
    return this.expect(201, this.post(`/v1/development-plans/${planId}/objectives`, { title: unique('Objective'), source: 'self', ...fields }, call))
  }

  getPlan(id: string, call: Call = HR): Promise<Plan> {
    return this.expect(200, this.get(`/v1/development-plans/${id}`, call))
  }

  move(id: string, action: string, call: Call = HR, comment?: string) {
    return this.post(`/v1/development-plans/${id}/transitions`, { action, ...(comment ? { comment } : {}) }, call)
  }

  /** A plan with one objective, moved by HR to `status` (draft, submitted, agreed, completed, lapsed). */
  async planIn(ownerId: string, status: string, fields: Record<string, unknown> = {}): Promise<Plan> {
    const plan = await this.plan(ownerId, fields)
    await this.objective(plan.id)
    const path: Record<string, string[]> = { draft: [], submitted: ['submit'], agreed: ['submit', 'agree'], completed: ['submit', 'agree', 'complete'], lapsed: ['lapse'] }
    for (const action of path[status]) await this.expect(200, this.move(plan.id, action, HR, 'moved by the test'))
    return this.getPlan(plan.id)
  }

  /**
   * A published framework written straight to the database (the assessments module's own API is
   * not what these tests are about): `tree` lists [code, parentCode, kind, polarity]. The same
   * `lineages` map gives copies in a later version the lineage of their earlier selves.
   */
  async framework(tree: Array<[string, string | null, string, 'positive' | 'negative']>, lineages: Map<string, string> = new Map(), code = unique('FW')) {
    const db = this.ctx.database.db
    const framework = await db
      .insertInto('frameworks')
      .values({ code, version_number: 1, name: `Framework ${code}`, kind: 'competency', status: 'published', published_at: new Date() })
      .returning('id')
      .executeTakeFirstOrThrow()
    const elements = new Map<string, FrameworkElement>()
    for (const [i, [elementCode, parentCode, kind, polarity]] of tree.entries()) {
      const lineageId = lineages.get(elementCode) ?? randomUUID()
      lineages.set(elementCode, lineageId)
      const parentId = parentCode ? elements.get(parentCode)!.id : null
      const row = await db
        .insertInto('framework_elements')
        .values({ framework_id: framework.id, parent_id: parentId, lineage_id: lineageId, kind: kind as never, code: elementCode, title: `Title of ${elementCode}`, polarity, position: i })
        .returning('id')
        .executeTakeFirstOrThrow()
      elements.set(elementCode, { id: row.id, lineageId, code: elementCode, parentId })
    }
    return { id: framework.id, elements, lineages }
  }

  /**
   * A 360° assessment of `subjectId` on `frameworkId` written straight to the database, in
   * `status` (released by default), with these anonymous responses (the feedback module's own
   * report computes the figures from them).
   */
  async assessmentWithResponses(subjectId: string, frameworkId: string, responses: Array<{ group: string; ratings: Record<string, number | null> }>, status = 'released') {
    const db = this.ctx.database.db
    const row = await db
      .insertInto('feedback_assessments')
      .values({
        subject_id: subjectId,
        framework_id: frameworkId,
        purpose: 'development workshop',
        opens_at: new Date('2026-01-05T09:00:00Z'),
        closes_at: new Date('2026-01-30T17:00:00Z'),
        status: status as never,
        ...(status === 'released' ? { opened_at: new Date('2026-01-05T09:00:00Z'), closed_at: new Date('2026-01-30T17:00:00Z'), released_at: new Date('2026-02-02T09:00:00Z') } : {})
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    if (responses.length) {
      await db
        .insertInto('feedback_responses')
        .values(responses.map((r) => ({ assessment_id: row.id, rater_group: r.group as never, ratings: JSON.stringify(r.ratings) as never, comments: JSON.stringify([]) as never })))
        .execute()
    }
    return row.id
  }

  /** Events of these types about one entity, oldest first. */
  async eventsAbout(entityId: string, types: string) {
    return this.eventsOf(entityId, types)
  }
}

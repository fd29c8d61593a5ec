import type { LightMyRequestResponse } from 'fastify'
import { buildTestApp } from '../../helpers/app.js'
import { ProgrammesApi, unique, type Call, type Cohort, type Person, type Programme } from './factories.js'

export { csv, ndjson, unique } from './factories.js'
export type { Cohort, CohortSession, Person, Programme } from './factories.js'

/** One app per test file, with a rate limit high enough that the tests never meet it. */
export async function buildEnrolmentsApp(env: Record<string, string> = {}): Promise<EnrolmentsApi> {
  const ctx = await buildTestApp({ RATE_LIMIT_PER_MINUTE: '1000000', ...env })
  return new EnrolmentsApi(ctx)
}

export interface Enrolment {
  id: string
  externalId: string | null
  cohortId: string
  personId: string
  status: string
  nominationSource: string
  nominatedBy: string
  firstApprover: string | null
  secondApprover: string | null
  outcomeReason: string | null
  waitlistedAt: string | null
  waitlistPosition: number | null
  attendance: 'none' | 'partial' | 'full'
  priorUnsuccessful?: Array<{ enrolmentId: string; cohortId: string; status: string; reason: string | null; at: string }>
  version: number
  [field: string]: unknown
}

/** The calls an HR / L&D administrator makes. */
export const HR: Call = { scopes: ['programmes:write'], sub: 'hr-officer' }
/** A second administrator, for two-stage approval. */
export const HR2: Call = { scopes: ['programmes:write'], sub: 'hr-officer-2' }
/** A reader (reports, dashboards). */
export const READER: Call = { scopes: ['programmes:read'], sub: 'reader' }

/** The statuses an enrolment passes through on the way to each, by the HR actions that get it there. */
const PATH: Record<string, string[]> = {
  nominated: [],
  approved: ['approve'],
  selected: ['approve', 'select'],
  waitlisted: ['approve', 'waitlist'],
  not_selected: ['approve', 'reject'],
  declined: ['decline']
}

export class EnrolmentsApi extends ProgrammesApi {
  /** A call made by a token acting for `person` with `programmes:nominate` (and any other scopes). */
  as(person: Pick<Person, 'id'>, scopes: string[] = ['programmes:nominate']): Call {
    const token = this.ctx.token(scopes, { sub: `user-${person.id.slice(0, 8)}`, personId: person.id })
    return { headers: { authorization: `Bearer ${token}` } }
  }

  /** An active programme with selection and 12 places a cohort unless `fields` say otherwise. */
  programmeWithPlaces(fields: Record<string, unknown> = {}): Promise<Programme> {
    return this.activeProgramme({ selectionRequired: true, defaultCapacity: 12, ...fields })
  }

  /**
   * An open cohort (capacity 12 unless given) of a new active programme; `programme` fields go to
   * the programme (eligibility, selectionRequired, secondApprovalRequired …), `cohort` to the cohort.
   */
  async openCohort(programme: Record<string, unknown> = {}, cohort: Record<string, unknown> = {}): Promise<Cohort & { programme: Programme }> {
    const made = await this.programmeWithPlaces(programme)
    const run = await this.cohort({ programmeId: made.id, status: 'open', ...cohort })
    return { ...run, programme: made }
  }

  /** A line manager and one direct report (an officer at level 30 unless `report` says otherwise). */
  async team(report: Record<string, unknown> = {}): Promise<{ manager: Person; member: Person }> {
    const manager = await this.person({ externalId: unique('MGR') })
    const member = await this.person({ externalId: unique('P'), lineManagerId: manager.id, ...report })
    return { manager, member }
  }

  nominate(cohortId: string, body: Record<string, unknown>, call: Call = HR): Promise<LightMyRequestResponse> {
    return this.post(`/v1/cohorts/${cohortId}/enrolments`, body, call)
  }

  transition(enrolmentId: string, action: string, reason?: string, call: Call = HR): Promise<LightMyRequestResponse> {
    return this.post(`/v1/enrolments/${enrolmentId}/transitions`, { action, ...(reason ? { reason } : {}) }, call)
  }

  /** Moves an enrolment by HR actions, insisting on 200 each time. */
  async move(enrolmentId: string, ...actions: string[]): Promise<Enrolment> {
    let last: Enrolment | undefined
    for (const action of actions) {
      const res = await this.transition(enrolmentId, action, `because ${action}`)
      if (res.statusCode !== 200) throw new Error(`${action} ${enrolmentId}: ${res.statusCode} ${res.body}`)
      last = res.json()
    }
    return last ?? (await this.get(`/v1/enrolments/${enrolmentId}`)).json()
  }

  /** An HR nomination of a new (or the given) person on the cohort, moved on to `status` by HR. */
  async enrol(cohort: Pick<Cohort, 'id'>, status = 'nominated', person?: Person): Promise<Enrolment & { person: Person }> {
    const who = person ?? (await this.person({ externalId: unique('P') }))
    const res = await this.nominate(cohort.id, { personId: who.id, source: 'hr' })
    if (res.statusCode !== 201) throw new Error(`nominate: ${res.statusCode} ${res.body}`)
    const enrolment = await this.move(res.json().id, ...PATH[status])
    return { ...enrolment, person: who }
  }

  /** Records attendance through the attendance sheet import (JSON rows). */
  async attendance(rows: Array<Record<string, unknown>>): Promise<LightMyRequestResponse> {
    const body = rows.map((r) => ({ externalId: unique('ATT'), ...r }))
    return this.import('session-attendance', JSON.stringify(body), 'application/json', '', HR)
  }

  /** Events of these types since `after`, oldest first. */
  async events(types: string, after = 0): Promise<Array<{ sequence: number; type: string; entityId: string; actor: string; data: any }>> {
    const res = await this.get(`/v1/events?after=${after}&type=${encodeURIComponent(types)}&limit=500`)
    if (res.statusCode !== 200) throw new Error(`events: ${res.statusCode} ${res.body}`)
    return res.json().data
  }

  async history(enrolmentId: string, call?: Call): Promise<Array<{ fromStatus: string | null; toStatus: string; action: string; actor: string; reason: string | null; occurredAt: string }>> {
    return this.all(`/v1/enrolments/${enrolmentId}/transitions`, call)
  }
}

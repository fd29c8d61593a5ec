import { buildTestApp } from '../../helpers/app.js'
import { Api, unique, type Grade, type Person } from '../people/factories.js'

export { csv, ndjson, unique } from '../people/factories.js'
export type { Call, Grade, OrgUnit, Person } from '../people/factories.js'

/** One app per test file, with a rate limit high enough that the tests never meet it. */
export async function buildProgrammesApp(env: Record<string, string> = {}): Promise<ProgrammesApi> {
  const ctx = await buildTestApp({ RATE_LIMIT_PER_MINUTE: '1000000', ...env })
  return new ProgrammesApi(ctx)
}

export type ProgrammeStatus = 'draft' | 'pilot' | 'active' | 'retired'
export type CohortStatus = 'planned' | 'open' | 'closed' | 'running' | 'completed' | 'cancelled'

/** The moves from draft that reach each programme status. */
const PROGRAMME_PATH: Record<ProgrammeStatus, ProgrammeStatus[]> = {
  draft: [],
  pilot: ['pilot'],
  active: ['active'],
  retired: ['active', 'retired']
}

/** The moves from planned that reach each cohort status. */
const COHORT_PATH: Record<CohortStatus, CohortStatus[]> = {
  planned: [],
  open: ['open'],
  closed: ['open', 'closed'],
  running: ['open', 'closed', 'running'],
  completed: ['open', 'closed', 'running', 'completed'],
  cancelled: ['cancelled']
}

/**
 * Factories for the programmes module. Other test files of the module import these and may add
 * their own methods (keep changes additive: new methods, new optional fields).
 */
export class ProgrammesApi extends Api {
  /** Moves a programme, insisting on 200; returns the programme. */
  async moveProgramme(id: string, to: ProgrammeStatus, reason?: string): Promise<Programme> {
    const res = await this.post(`/v1/programmes/${id}/transitions`, { to, ...(reason ? { reason } : {}) })
    if (res.statusCode !== 200) throw new Error(`programme ${id} → ${to}: ${res.statusCode} ${res.body}`)
    return res.json()
  }

  /**
   * A programme (a draft unless `status` says otherwise: it is moved there through the
   * transitions). Defaults: a course with a unique code and title, no eligibility limits.
   */
  async programme(fields: Record<string, unknown> & { status?: ProgrammeStatus } = {}): Promise<Programme> {
    const { status = 'draft', ...rest } = fields
    const code = unique('PRG').replace(/[^A-Za-z0-9_.-]/g, '_')
    let programme = await this.create<Programme>('/v1/programmes', { code, title: `Programme ${code}`, kind: 'course', ...rest })
    for (const to of PROGRAMME_PATH[status]) programme = await this.moveProgramme(programme.id, to)
    return programme
  }

  /** An active programme (cohorts can open). */
  activeProgramme(fields: Record<string, unknown> = {}) {
    return this.programme({ ...fields, status: 'active' })
  }

  /** Moves a cohort, insisting on 200; returns the cohort. */
  async moveCohort(id: string, to: CohortStatus, reason?: string): Promise<Cohort> {
    const res = await this.post(`/v1/cohorts/${id}/transitions`, { to, ...(reason ? { reason } : {}) })
    if (res.statusCode !== 200) throw new Error(`cohort ${id} → ${to}: ${res.statusCode} ${res.body}`)
    return res.json()
  }

  /**
   * A cohort of `programmeId` (of a new active programme when not given), planned unless
   * `status` says otherwise. Defaults: a one-day run on 2030-03-04.
   */
  async cohort(fields: Record<string, unknown> & { programmeId?: string; status?: CohortStatus } = {}): Promise<Cohort> {
    const { status = 'planned', programmeId, ...rest } = fields
    const programme = programmeId ? ((await this.get(`/v1/programmes/${programmeId}`)).json() as Programme) : await this.activeProgramme({ defaultCapacity: 12 })
    // A programme without a default capacity needs one on each cohort.
    const capacity = programme.defaultCapacity === null ? { capacity: 12 } : {}
    let cohort = await this.create<Cohort>('/v1/cohorts', { programmeId: programme.id, startsOn: '2030-03-04', endsOn: '2030-03-04', ...capacity, ...rest })
    for (const to of COHORT_PATH[status]) cohort = await this.moveCohort(cohort.id, to)
    return cohort
  }

  /** An agenda session of a cohort; defaults to 09:00–10:00 UTC on the cohort's first day. */
  async session(cohort: Pick<Cohort, 'id' | 'startsOn'>, fields: Record<string, unknown> = {}): Promise<CohortSession> {
    return this.create<CohortSession>(`/v1/cohorts/${cohort.id}/sessions`, {
      title: unique('Session'),
      startsAt: `${cohort.startsOn}T09:00:00.000Z`,
      endsAt: `${cohort.startsOn}T10:00:00.000Z`,
      ...fields
    })
  }

  /**
   * An enrolment written straight to the database in any status: a shortcut for tests of
   * cohorts, sessions and attendance that need enrolments without walking the nomination flow.
   */
  async enrolment(cohortId: string, personId: string, status: string, fields: Record<string, unknown> = {}): Promise<{ id: string; status: string; version: number }> {
    return this.ctx.database.db
      .insertInto('enrolments')
      .values({ cohort_id: cohortId, person_id: personId, status: status as never, nomination_source: 'hr', nominated_by: 'test-setup', ...fields })
      .returning(['id', 'status', 'version'])
      .executeTakeFirstOrThrow()
  }

  /** An enrolment's row as stored (status, attendance, version, outcome_reason …). */
  async enrolmentRow(id: string) {
    return this.ctx.database.db.selectFrom('enrolments').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  }

  /** Events of these types (comma-separated, `x.*` prefixes allowed) about one entity, oldest first. */
  async eventsOf(entityId: string, types: string): Promise<Array<{ type: string; data: any }>> {
    const events = await this.all<{ type: string; entityId: string; data: any }>(`/v1/events?type=${encodeURIComponent(types)}&limit=500`)
    return events.filter((e) => e.entityId === entityId)
  }

  /**
   * A person holding a grade of this level and staff type (a new grade each time, so tests never
   * share one); `person` fields go to the person.
   */
  async personWithGrade(level: number, staffType = 'officer', person: Record<string, unknown> = {}): Promise<{ person: Person; grade: Grade }> {
    const grade = await this.grade({ level, staffType })
    return { person: await this.person({ staffType, gradeId: grade.id, ...person }), grade }
  }
}

export interface Programme {
  id: string
  externalId: string | null
  code: string
  title: string
  kind: string
  aim: string | null
  keyFeatures: string[]
  eligibility: { levelMin: number | null; levelMax: number | null; staffTypes: string[]; notes: string | null }
  targetGroups: string[]
  selectionRequired: boolean
  secondApprovalRequired: boolean
  defaultCapacity: number | null
  minParticipants: number | null
  costPerEvent: number | null
  costPerPerson: number | null
  status: ProgrammeStatus
  version: number
  [field: string]: unknown
}

export interface Cohort {
  id: string
  externalId: string | null
  programmeId: string
  title: string
  stream: string | null
  startsOn: string
  endsOn: string
  venue: string | null
  capacity: number
  cost: number | null
  facilitators: string[]
  nominationsCloseOn: string | null
  status: CohortStatus
  version: number
  [field: string]: unknown
}

export interface CohortSession {
  id: string
  externalId: string | null
  cohortId: string
  startsAt: string
  endsAt: string
  title: string
  purpose: string | null
  method: string | null
  version: number
}

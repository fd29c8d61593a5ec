import { buildTestApp } from '../../helpers/app.js'
import { ProgrammesApi } from '../programmes/factories.js'

export { unique } from '../people/factories.js'

/** One app per test file, with a rate limit high enough that the tests never meet it. */
export async function buildLearningApp(env: Record<string, string> = {}): Promise<LearningApi> {
  const ctx = await buildTestApp({ RATE_LIMIT_PER_MINUTE: '1000000', ...env })
  return new LearningApi(ctx)
}

export type Stage = 'origin' | 'challenge' | 'accountability' | 'platform' | 'delivery' | 'review' | 'closed'

export interface Entry {
  id: string
  reference: string
  title: string
  summary: string
  notes: string | null
  stage: Stage
  version: number
  dissemination: string
  orgUnitId: string
  identifiedById: string | null
  [key: string]: any
}

/** The outcome each forward move needs, keyed by the stage being left (people and units filled in by `walk`). */
export function outcomeOf(from: Stage, who: { unitId: string; ownerId: string }): Record<string, unknown> {
  switch (from) {
    case 'challenge':
      return { challenge: { decision: 'action_required', actionByOrgUnitId: who.unitId } }
    case 'accountability':
      return { accountability: { ownerId: who.ownerId, level: 'business_group' } }
    case 'platform':
      return { platform: { changes: [{ kind: 'sop', reference: 'SOP-TEST-1' }] } }
    case 'delivery':
      return { delivery: { changes: [{ kind: 'training', reference: 'COURSE-TEST-1' }] } }
    case 'review':
      return { review: { integrated: 'fully', improvementSeen: true, evidence: 'Audit of 20 cases' } }
    default:
      return {}
  }
}

const FORWARD: Stage[] = ['origin', 'challenge', 'accountability', 'platform', 'delivery', 'review', 'closed']

/** Factories for the learning-logs module, on top of those of people and programmes. */
export class LearningApi extends ProgrammesApi {
  /** A unit, a person in it, and an entry at origin identified by that person. */
  async entry(fields: Record<string, unknown> = {}): Promise<Entry> {
    let orgUnitId = fields.orgUnitId as string | undefined
    if (!orgUnitId) orgUnitId = (await this.orgUnit({ kind: 'ocu' })).id
    let identifiedById = fields.identifiedById as string | null | undefined
    if (identifiedById === undefined) identifiedById = (await this.person({ orgUnitId })).id
    return this.create<Entry>('/v1/learning-log-entries', {
      title: 'Cordon briefing lacked a clear rendezvous point',
      summary: 'Officers arriving at the scene did not know where to report.',
      sourceKind: 'operational_debrief',
      ...fields,
      orgUnitId,
      ...(identifiedById ? { identifiedById } : {})
    })
  }

  /** POSTs a transition (with If-Match when `version` is given). */
  move(id: string, body: Record<string, unknown>, version?: number) {
    return this.request('POST', `/v1/learning-log-entries/${id}/transitions`, body, version === undefined ? {} : { headers: { 'if-match': `"${version}"` } })
  }

  /** Moves an entry forward to `to` with default outcomes, insisting on 200 at each move. */
  async walk(entry: Entry, to: Stage, who?: { unitId: string; ownerId: string }): Promise<Entry> {
    const people = who ?? { unitId: entry.orgUnitId, ownerId: entry.identifiedById ?? (await this.person()).id }
    let current = entry
    while (current.stage !== to) {
      const next = FORWARD[FORWARD.indexOf(current.stage) + 1]
      const res = await this.move(current.id, { to: next, ...outcomeOf(current.stage, people) })
      if (res.statusCode !== 200) throw new Error(`${current.reference} ${current.stage} → ${next}: ${res.statusCode} ${res.body}`)
      current = res.json()
    }
    return current
  }

  async trail(id: string) {
    return this.all<{ kind: string; fromStage: Stage | null; toStage: Stage | null; actor: string; note: string | null; data: any; occurredAt: string }>(
      `/v1/learning-log-entries/${id}/trail`
    )
  }
}

import { buildTestApp } from '../../helpers/app.js'
import { Api, unique } from '../people/factories.js'

export { csv, ndjson, unique } from '../people/factories.js'

/** One app per test file, with a rate limit high enough that the tests never meet it. */
export async function buildRecommendationsApp(): Promise<RecommendationsApi> {
  const ctx = await buildTestApp({ RATE_LIMIT_PER_MINUTE: '1000000' })
  return new RecommendationsApi(ctx)
}

export const WRITE = ['recommendations:write']
export const READ = ['recommendations:read']
export const PANEL = ['panel:review']

export const today = () => new Date().toISOString().slice(0, 10)
export const daysFrom = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10)

export class RecommendationsApi extends Api {
  source(fields: Record<string, unknown> = {}) {
    const code = unique('SRC').replace(/[^A-Za-z0-9_.-]/g, '_')
    return this.create<Record<string, any>>('/v1/recommendation-sources', { code, title: `Source ${code}`, kind: 'inquiry', ...fields })
  }

  theme(fields: Record<string, unknown> = {}) {
    const code = unique('TH').replace(/[^A-Za-z0-9_.-]/g, '_')
    return this.create<Record<string, any>>('/v1/themes', { code, title: `Theme ${code}`, ...fields })
  }

  /** A recommendation of `sourceId` (of a new source when not given). */
  async recommendation(fields: Record<string, unknown> = {}) {
    const sourceId = (fields.sourceId as string | undefined) ?? (await this.source()).id
    return this.create<Record<string, any>>('/v1/recommendations', { number: unique('n').replace(/\D/g, '').slice(-6) || '1', title: 'Do the thing', ...fields, sourceId })
  }

  evidence(recommendationId: string, fields: Record<string, unknown> = {}) {
    return this.create<Record<string, any>>(`/v1/recommendations/${recommendationId}/evidence`, { kind: 'document', title: 'Policy', effectiveOn: '2006-01-01', ...fields })
  }

  async panel(members: Array<Record<string, unknown>> = [{ name: 'Chair', membership: 'internal', role: 'chair' }, { name: 'Ext', membership: 'external', organisation: 'CRE' }]) {
    const code = unique('P').replace(/[^A-Za-z0-9_.-]/g, '_')
    const panel = await this.create<Record<string, any>>('/v1/challenge-panels', { code, name: `Panel ${code}` })
    const added: Array<Record<string, any>> = []
    for (const m of members) added.push(await this.create(`/v1/challenge-panels/${panel.id}/members`, m))
    return { panel, members: added }
  }

  review(recommendationId: string, body: Record<string, unknown>, scopes = PANEL) {
    return this.post(`/v1/recommendations/${recommendationId}/panel-reviews`, body, { scopes })
  }

  /** Moves a recommendation, insisting on 200. */
  async move(id: string, to: string, rationale = 'because', extra: Record<string, unknown> = {}) {
    const res = await this.post(`/v1/recommendations/${id}/transitions`, { to, rationale, ...extra })
    if (res.statusCode !== 200) throw new Error(`recommendation ${id} → ${to}: ${res.statusCode} ${res.body}`)
    return res.json()
  }

  /** An embedded recommendation, through the only route: evidence and a panel verdict. */
  async embedded(fields: Record<string, unknown> = {}) {
    const rec = await this.recommendation(fields)
    const evidence = await this.evidence(rec.id)
    const { panel, members } = await this.panel()
    const res = await this.review(rec.id, { panelId: panel.id, reviewedOn: today(), memberIds: members.map((m) => m.id), evidenceIds: [evidence.id], verdict: 'embedded', rationale: 'shown' })
    if (res.statusCode !== 201) throw new Error(`review: ${res.statusCode} ${res.body}`)
    return { rec: (await this.get(`/v1/recommendations/${rec.id}`)).json(), evidence, panel, members, review: res.json() }
  }

  history(id: string) {
    return this.all<Record<string, any>>(`/v1/recommendations/${id}/history`)
  }

  /** Rows of the audit trail and events about one entity. */
  async trailOf(entityId: string) {
    const audit = await this.all<Record<string, any>>(`/v1/audit-records?entityId=${entityId}&limit=500`)
    const events = (await this.all<Record<string, any>>('/v1/events?limit=500')).filter((e) => e.entityId === entityId)
    return { audit, events }
  }
}

import { buildTestApp } from '../../helpers/app.js'
import { Api, unique } from '../people/factories.js'

export { csv, ndjson, unique } from '../people/factories.js'
export type { Call, Person } from '../people/factories.js'

/** One app per test file, with a rate limit high enough that the tests never meet it. */
export async function buildAssessmentsApp(): Promise<AssessmentsApi> {
  return new AssessmentsApi(await buildTestApp({ RATE_LIMIT_PER_MINUTE: '1000000' }))
}

export interface Framework {
  id: string
  code: string
  versionNumber: number
  name: string
  kind: string
  description: string | null
  status: 'draft' | 'published' | 'retired'
  basedOnId: string | null
  publishedAt: string | null
  elementCount: number
  version: number
}

export interface FrameworkElement {
  id: string
  frameworkId: string
  parentId: string | null
  lineageId: string
  kind: string
  code: string
  title: string
  description: string | null
  polarity: 'positive' | 'negative'
  position: number
  version: number
}

export interface Instrument {
  id: string
  code: string
  name: string
  kind: string
  status: string
  scales: Array<{ id: string; code: string; name: string; scoreKind: string; minScore: number; maxScore: number; position: number }>
  version: number
}

export const frameworkCode = () => unique('FW').replace(/[^A-Za-z0-9_.-]/g, '_')

/** A small sound values tree: one value with a positive and a negative behaviour. */
export const valuesTree = [
  {
    code: 'V1',
    kind: 'value',
    title: 'We will be proud to deliver quality policing',
    children: [
      { code: 'V1-P1', kind: 'behaviour', title: 'make time to get the little things right', polarity: 'positive' },
      { code: 'V1-N1', kind: 'behaviour', title: 'forget that we are here to serve', polarity: 'negative' }
    ]
  }
]

export class AssessmentsApi extends Api {
  /** A draft framework (version 1). */
  framework(fields: Record<string, unknown> = {}) {
    const code = frameworkCode()
    return this.create<Framework>('/v1/frameworks', { code, name: `Framework ${code}`, kind: 'values', ...fields })
  }

  element(frameworkId: string, fields: Record<string, unknown> = {}) {
    return this.create<FrameworkElement>(`/v1/frameworks/${frameworkId}/elements`, { code: unique('E').replace(/[^A-Za-z0-9_.-]/g, '_'), kind: 'behaviour', title: 'A behaviour', ...fields })
  }

  /** A draft imported whole from a JSON document (default: the small values tree). */
  async importedFramework(fields: Record<string, unknown> = {}): Promise<Framework> {
    const code = frameworkCode()
    return this.create<Framework>('/v1/frameworks/import', { code, name: `Framework ${code}`, kind: 'values', elements: valuesTree, ...fields })
  }

  async publish(id: string): Promise<Framework> {
    const res = await this.post(`/v1/frameworks/${id}/transitions`, { to: 'published' })
    if (res.statusCode !== 200) throw new Error(`publish ${id}: ${res.statusCode} ${res.body}`)
    return res.json()
  }

  /** A published framework with the small values tree. */
  async publishedFramework(fields: Record<string, unknown> = {}): Promise<Framework> {
    return this.publish((await this.importedFramework(fields)).id)
  }

  async tree(id: string): Promise<{ framework: Framework; elements: Array<Record<string, any>> }> {
    const res = await this.get(`/v1/frameworks/${id}/tree`)
    if (res.statusCode !== 200) throw new Error(`tree ${id}: ${res.statusCode} ${res.body}`)
    return res.json()
  }

  /** An instrument with sten scales A and B (or the given scales). */
  instrument(fields: Record<string, unknown> = {}) {
    const code = unique('INS').replace(/[^A-Za-z0-9_.-]/g, '_')
    return this.create<Instrument>('/v1/instruments', {
      code,
      name: `Instrument ${code}`,
      kind: 'personality',
      scales: [
        { code: 'A', name: 'Scale A', scoreKind: 'sten' },
        { code: 'B', name: 'Scale B', scoreKind: 'percentile' }
      ],
      ...fields
    })
  }
}

/** The id of a framework element that exists (for other modules' tests that link elements). */
export async function existingFrameworkElementId(api: Api): Promise<string> {
  const code = frameworkCode()
  const res = await api.post('/v1/frameworks/import', { code, name: `Framework ${code}`, kind: 'values', elements: valuesTree })
  if (res.statusCode !== 201) throw new Error(`framework import: ${res.statusCode} ${res.body}`)
  const tree = await api.get(`/v1/frameworks/${res.json().id}/tree`)
  return tree.json().elements[0].children[0].id
}

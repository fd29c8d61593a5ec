import type { Client } from './http.js'

let n = 0
export const unique = (prefix: string) => `${prefix}-${process.pid}-${Date.now().toString(36)}-${++n}`

/** POST that must answer 201; returns the created record. */
export async function create<T = any>(api: Client, path: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
  const res = await api.post(path, { body, headers })
  if (res.status !== 201) throw new Error(`POST ${path} → ${res.status}: ${res.text}`)
  return res.json<T>()
}

export async function ok<T = any>(promise: Promise<{ status: number; text: string; json<U>(): U }>, expected = 200, what = 'request'): Promise<T> {
  const res = await promise
  if (res.status !== expected) throw new Error(`${what} → ${res.status} (expected ${expected}): ${res.text}`)
  return res.json<T>()
}

export const orgUnit = (api: Client, fields: Record<string, unknown> = {}) => create(api, '/v1/org-units', { name: unique('Unit'), kind: 'team', ...fields })

export const grade = (api: Client, fields: Record<string, unknown> = {}) => {
  const code = unique('G')
  return create(api, '/v1/grades', { code, name: `Grade ${code}`, staffType: 'officer', level: 10, ...fields })
}

export const person = (api: Client, fields: Record<string, unknown> = {}) =>
  create(api, '/v1/people', { givenName: 'Alex', familyName: unique('Smith'), staffType: 'officer', externalId: unique('P'), ...fields })

export async function activeProgramme(api: Client, fields: Record<string, unknown> = {}) {
  const code = unique('PRG')
  const programme = await create(api, '/v1/programmes', { code, title: `Programme ${code}`, kind: 'course', selectionRequired: true, defaultCapacity: 12, ...fields })
  return ok(api.post(`/v1/programmes/${programme.id}/transitions`, { body: { to: 'active' } }), 200, 'activate programme')
}

export async function openCohort(api: Client, capacity: number, fields: Record<string, unknown> = {}) {
  const programme = await activeProgramme(api)
  const cohort = await create(api, '/v1/cohorts', { programmeId: programme.id, startsOn: '2031-03-04', endsOn: '2031-03-04', capacity, ...fields })
  return ok(api.post(`/v1/cohorts/${cohort.id}/transitions`, { body: { to: 'open' } }), 200, 'open cohort')
}

const PATH: Record<string, string[]> = { nominated: [], approved: ['approve'], selected: ['approve', 'select'], waitlisted: ['approve', 'waitlist'] }

export async function enrol(api: Client, cohortId: string, status: keyof typeof PATH) {
  const who = await person(api)
  let enrolment = await create(api, `/v1/cohorts/${cohortId}/enrolments`, { personId: who.id, source: 'hr' })
  for (const action of PATH[status]) {
    enrolment = await ok(api.post(`/v1/enrolments/${enrolment.id}/transitions`, { body: { action, reason: `because ${action}` } }), 200, action)
  }
  return enrolment
}

import t from 'tap'
import { expectProblem } from '../../platform/expect-problem.js'
import { buildProgrammesApp, unique, type Cohort, type CohortStatus } from './factories.js'

const api = await buildProgrammesApp()
t.teardown(() => api.close())

const MISSING = '00000000-0000-4000-8000-000000000000'
const pointers = (body: { errors?: Array<{ pointer: string }> }) => (body.errors ?? []).map((e) => e.pointer).sort()
const ids = (...items: Array<{ id: string }>) => items.map((x) => x.id).sort()

t.test('a cohort is planned with capacity and cost from its programme unless it gives its own', async (t) => {
  const programme = await api.activeProgramme({ title: 'Consultation training', defaultCapacity: 12, costPerEvent: 2400 })
  const res = await api.post('/v1/cohorts', { programmeId: programme.id, startsOn: '2030-09-14', endsOn: '2030-09-14', stream: 'policy' })
  t.equal(res.statusCode, 201, res.body)
  const cohort = res.json() as Cohort
  t.equal(res.headers.location, `/v1/cohorts/${cohort.id}`)
  t.equal(res.headers.etag, '"1"')
  t.match(cohort, { programmeId: programme.id, title: 'Consultation training, 2030-09-14', capacity: 12, cost: 2400, status: 'planned', stream: 'policy', facilitators: [], version: 1 })
  t.same((await api.get(`/v1/cohorts/${cohort.id}`)).json(), cohort)

  const own = await api.create<Cohort>('/v1/cohorts', {
    programmeId: programme.id,
    externalId: unique('c'),
    title: 'Safer Neighbourhoods run',
    stream: 'safer-neighbourhoods',
    startsOn: '2030-10-12',
    endsOn: '2030-10-12',
    venue: 'Civil Service Sports Club, Victoria',
    capacity: 14,
    cost: null,
    facilitators: ['Dialogue by Design'],
    nominationsCloseOn: '2030-09-30'
  })
  t.match(own, { capacity: 14, cost: null, venue: 'Civil Service Sports Club, Victoria', facilitators: ['Dialogue by Design'], nominationsCloseOn: '2030-09-30' })
})

t.test('creation is refused for a missing or retired programme and for dates out of order', async (t) => {
  t.same(pointers(expectProblem(t, await api.post('/v1/cohorts', { programmeId: MISSING, startsOn: '2030-01-01', endsOn: '2030-01-01', capacity: 5 }), 422, 'invalid-reference')), ['/programmeId'])
  const retired = await api.programme({ status: 'retired', defaultCapacity: 10 })
  t.match(expectProblem(t, await api.post('/v1/cohorts', { programmeId: retired.id, startsOn: '2030-01-01', endsOn: '2030-01-01' }), 409, 'programme-status').detail, /retired/)
  const programme = await api.activeProgramme({ defaultCapacity: 10 })
  t.same(pointers(expectProblem(t, await api.post('/v1/cohorts', { programmeId: programme.id, startsOn: '2030-01-02', endsOn: '2030-01-01' }), 422, 'unprocessable')), ['/endsOn'])
  const late = await api.post('/v1/cohorts', { programmeId: programme.id, startsOn: '2030-01-02', endsOn: '2030-01-03', nominationsCloseOn: '2030-01-03' })
  t.same(pointers(expectProblem(t, late, 422, 'unprocessable')), ['/nominationsCloseOn'])
  const noCapacity = await api.activeProgramme()
  t.same(pointers(expectProblem(t, await api.post('/v1/cohorts', { programmeId: noCapacity.id, startsOn: '2030-01-02', endsOn: '2030-01-02' }), 422, 'unprocessable')), ['/capacity'])
  const invalid = expectProblem(t, await api.post('/v1/cohorts', { programmeId: 'x', startsOn: '2030-13-01', endsOn: 'soon', capacity: 0, status: 'open' }), 400, 'validation')
  t.same(pointers(invalid), ['/capacity', '/endsOn', '/programmeId', '/startsOn', '/status'])
  const draft = await api.programme({ defaultCapacity: 10 })
  t.equal((await api.post('/v1/cohorts', { programmeId: draft.id, startsOn: '2030-01-02', endsOn: '2030-01-02' })).statusCode, 201, 'a draft programme may plan cohorts')
})

t.test('a cohort changes under If-Match; its programme and status do not change by PATCH', async (t) => {
  const cohort = await api.cohort()
  const res = await api.patch(`/v1/cohorts/${cohort.id}`, { venue: 'Hendon', capacity: 10, endsOn: '2030-03-05', facilitators: ['A. Trainer', 'B. Trainer'] }, { headers: { 'if-match': '"1"' } })
  t.equal(res.statusCode, 200, res.body)
  t.match(res.json(), { venue: 'Hendon', capacity: 10, endsOn: '2030-03-05', facilitators: ['A. Trainer', 'B. Trainer'], version: 2 })
  expectProblem(t, await api.patch(`/v1/cohorts/${cohort.id}`, { venue: 'Stale' }, { headers: { 'if-match': '"1"' } }), 412, 'precondition-failed')
  expectProblem(t, await api.patch(`/v1/cohorts/${cohort.id}`, { programmeId: MISSING }), 400, 'validation')
  expectProblem(t, await api.patch(`/v1/cohorts/${cohort.id}`, { status: 'open' }), 400, 'validation')
  t.same(pointers(expectProblem(t, await api.patch(`/v1/cohorts/${cohort.id}`, { startsOn: '2030-03-06' }), 422, 'unprocessable')), ['/endsOn'])
  expectProblem(t, await api.patch(`/v1/cohorts/${MISSING}`, { venue: 'X' }), 404, 'not-found')
  const audit = (await api.get(`/v1/audit-records?entityType=cohort&entityId=${cohort.id}&sort=id`)).json().data
  t.match(audit.at(-1), { action: 'cohort.updated', before: { venue: null }, after: { venue: 'Hendon' } })
})

t.test('a cohort’s status moves only along its transitions', async (t) => {
  const allowed: Record<CohortStatus, CohortStatus[]> = {
    planned: ['open', 'cancelled'],
    open: ['planned', 'closed', 'cancelled'],
    closed: ['open', 'running', 'cancelled'],
    running: ['completed', 'cancelled'],
    completed: [],
    cancelled: []
  }
  const statuses = Object.keys(allowed) as CohortStatus[]
  const programme = await api.activeProgramme({ defaultCapacity: 12 })
  for (const from of statuses) {
    for (const to of statuses) {
      const cohort = await api.cohort({ programmeId: programme.id, status: from })
      const res = await api.post(`/v1/cohorts/${cohort.id}/transitions`, { to })
      if (allowed[from].includes(to)) {
        t.equal(res.statusCode, 200, `${from} → ${to} allowed`)
        t.match(res.json(), { status: to, version: cohort.version + 1 })
      } else {
        t.match(expectProblem(t, res, 409, 'illegal-transition'), { from, to, allowed: allowed[from] }, `${from} → ${to} refused`)
      }
    }
  }
})

t.test('a cohort opens only while its programme is a pilot or active', async (t) => {
  const draft = await api.programme({ defaultCapacity: 8 })
  const planned = await api.cohort({ programmeId: draft.id })
  t.match(expectProblem(t, await api.post(`/v1/cohorts/${planned.id}/transitions`, { to: 'open' }), 409, 'programme-status').detail, /draft/)
  await api.moveProgramme(draft.id, 'pilot')
  t.equal((await api.post(`/v1/cohorts/${planned.id}/transitions`, { to: 'open' })).statusCode, 200, 'a pilot runs cohorts')
  await api.moveCohort(planned.id, 'closed')
  await api.moveProgramme(draft.id, 'retired')
  t.match(expectProblem(t, await api.post(`/v1/cohorts/${planned.id}/transitions`, { to: 'open' }), 409, 'programme-status').detail, /retired/, 'nor reopens once it is retired')
  t.equal((await api.post(`/v1/cohorts/${planned.id}/transitions`, { to: 'running' })).statusCode, 200, 'a cohort already under way runs to its end')
})

t.test('an open cohort goes back to planned only while no nominations are in play', async (t) => {
  const cohort = await api.cohort({ status: 'open' })
  const { person } = await api.personWithGrade(2)
  const nominated = await api.enrolment(cohort.id, person.id, 'nominated')
  const refused = expectProblem(t, await api.post(`/v1/cohorts/${cohort.id}/transitions`, { to: 'planned' }), 409, 'illegal-transition')
  t.match(refused.detail, /nominations in play/)
  await api.ctx.database.db.updateTable('enrolments').set({ status: 'withdrawn' }).where('id', '=', nominated.id).execute()
  t.equal((await api.post(`/v1/cohorts/${cohort.id}/transitions`, { to: 'planned' })).statusCode, 200)
})

t.test('cancelling a cohort cancels its enrolments in play, each with a transition and an event', async (t) => {
  const cohort = await api.cohort({ status: 'running' })
  const statuses = ['nominated', 'manager_approved', 'approved', 'selected', 'waitlisted', 'attended', 'withdrawn', 'declined']
  const enrolments = new Map<string, string>()
  for (const status of statuses) {
    const { person } = await api.personWithGrade(2)
    enrolments.set(status, (await api.enrolment(cohort.id, person.id, status)).id)
  }
  const res = await api.post(`/v1/cohorts/${cohort.id}/transitions`, { to: 'cancelled', reason: 'Trainer unavailable' }, { sub: 'hr-admin' })
  t.equal(res.statusCode, 200)
  t.equal(res.json().status, 'cancelled')

  for (const [was, id] of enrolments) {
    const row = await api.enrolmentRow(id)
    const cancelled = ['nominated', 'manager_approved', 'approved', 'selected', 'waitlisted'].includes(was)
    t.equal(row.status, cancelled ? 'cancelled' : was, `${was} → ${row.status}`)
    const trail = await api.ctx.database.db.selectFrom('enrolment_transitions').selectAll().where('enrolment_id', '=', id).execute()
    const events = await api.eventsOf(id, 'enrolment.cancelled')
    if (cancelled) {
      t.equal(row.outcome_reason, 'Trainer unavailable')
      t.equal(row.version, 2, 'a new version')
      t.match(trail, [{ from_status: was, to_status: 'cancelled', action: 'cohort-cancelled', actor: 'hr-admin', reason: 'Trainer unavailable' }])
      t.match(events, [
        {
          type: 'enrolment.cancelled',
          data: { id, cohortId: cohort.id, status: 'cancelled', transition: { fromStatus: was, toStatus: 'cancelled', action: 'cohort-cancelled', actor: 'hr-admin', reason: 'Trainer unavailable' } }
        }
      ])
    } else {
      t.same(trail, [], `${was}: no transition`)
      t.same(events, [], `${was}: no event`)
    }
  }
  const cohortEvents = await api.eventsOf(cohort.id, 'cohort.*')
  t.same(cohortEvents.map((e) => e.type), ['cohort.created', 'cohort.open', 'cohort.closed', 'cohort.running', 'cohort.cancelled'])
  t.match(cohortEvents.at(-1)!.data, { status: 'cancelled', previousStatus: 'running', reason: 'Trainer unavailable', enrolmentsCancelled: 5 })
  const audit = (await api.get(`/v1/audit-records?entityType=cohort&entityId=${cohort.id}&sort=id`)).json().data
  t.match(audit.at(-1), { action: 'cohort.cancelled', actor: 'hr-admin', before: { status: 'running' }, after: { status: 'cancelled' } })
})

t.test('a cancellation’s enrolment moves are written as every enrolment move is: history, audit, event', async (t) => {
  const cohort = await api.cohort({ status: 'open', capacity: 2 })
  const hr = await api.person()
  // An administrator whose token acts for a person is recorded as that person, as in their own enrolment moves.
  const asHr = { headers: { authorization: `Bearer ${api.ctx.token(['programmes:write'], { sub: 'hr-admin', personId: hr.id })}` } }
  const [leaving, staying, waiting] = await Promise.all(['selected', 'selected', 'waitlisted'].map(async (status) => api.enrolment(cohort.id, (await api.personWithGrade(2)).person.id, status)))
  await api.ctx.database.db.updateTable('enrolments').set({ waitlisted_at: new Date() }).where('id', '=', waiting.id).execute()

  const withdrawn = await api.post(`/v1/enrolments/${leaving.id}/transitions`, { action: 'withdraw', reason: 'posted elsewhere' }, asHr)
  t.equal(withdrawn.statusCode, 200, withdrawn.body)
  t.equal((await api.enrolmentRow(waiting.id)).status, 'selected', 'the waitlisted took the freed place')
  t.equal((await api.post(`/v1/cohorts/${cohort.id}/transitions`, { to: 'cancelled', reason: 'Venue closed' }, asHr)).statusCode, 200)

  const [byRequest] = await api.eventsOf(leaving.id, 'enrolment.withdrawn')
  const [byCancellation] = await api.eventsOf(staying.id, 'enrolment.cancelled')
  t.same(Object.keys(byCancellation.data).sort(), Object.keys(byRequest.data).sort(), 'the same event payload as a move by request')
  t.match(byRequest.data.transition, { action: 'withdraw', actor: `person:${hr.id}` })
  t.match(byCancellation.data, {
    id: staying.id,
    status: 'cancelled',
    outcomeReason: 'Venue closed',
    version: 2,
    transition: { fromStatus: 'selected', toStatus: 'cancelled', action: 'cohort-cancelled', actor: `person:${hr.id}`, reason: 'Venue closed' }
  })
  t.match((await api.eventsOf(waiting.id, 'enrolment.*')).map((e) => [e.type, e.data.transition.actor]), [['enrolment.selected', 'system:waitlist'], ['enrolment.cancelled', `person:${hr.id}`]])
  const history = (await api.get(`/v1/enrolments/${staying.id}/transitions`)).json().data
  t.match(history, [{ fromStatus: 'selected', toStatus: 'cancelled', action: 'cohort-cancelled', actor: `person:${hr.id}`, reason: 'Venue closed' }])
  const audit = (await api.get(`/v1/audit-records?entityType=enrolment&entityId=${staying.id}&sort=id`)).json().data
  t.match(audit, [{ action: 'enrolment.cancelled', actor: 'hr-admin', before: { status: 'selected', version: 1 }, after: { status: 'cancelled', version: 2 } }])
})

t.test('a transition honours If-Match and names a known status', async (t) => {
  const cohort = await api.cohort()
  expectProblem(t, await api.post(`/v1/cohorts/${cohort.id}/transitions`, { to: 'open' }, { headers: { 'if-match': '"5"' } }), 412, 'precondition-failed')
  t.equal((await api.post(`/v1/cohorts/${cohort.id}/transitions`, { to: 'open' }, { headers: { 'if-match': '"1"' } })).statusCode, 200)
  expectProblem(t, await api.post(`/v1/cohorts/${cohort.id}/transitions`, { to: 'full' }), 400, 'validation')
  expectProblem(t, await api.post(`/v1/cohorts/${MISSING}/transitions`, { to: 'open' }), 404, 'not-found')
})

t.test('capacity cannot go below the places taken', async (t) => {
  const cohort = await api.cohort({ capacity: 3, status: 'closed' })
  for (const status of ['selected', 'attended', 'waitlisted']) {
    const { person } = await api.personWithGrade(2)
    await api.enrolment(cohort.id, person.id, status)
  }
  const res = expectProblem(t, await api.patch(`/v1/cohorts/${cohort.id}`, { capacity: 1 }), 409, 'capacity-below-places-taken')
  t.match(res.detail, /2 places are taken/)
  t.same(pointers(res), ['/capacity'])
  t.equal((await api.patch(`/v1/cohorts/${cohort.id}`, { capacity: 2 })).json().capacity, 2, 'down to the places taken is fine')
})

t.test('new dates must still hold the agenda', async (t) => {
  const cohort = await api.cohort({ startsOn: '2030-05-01', endsOn: '2030-05-03' })
  await api.session(cohort, { startsAt: '2030-05-03T13:00:00Z', endsAt: '2030-05-03T16:00:00Z' })
  const res = expectProblem(t, await api.patch(`/v1/cohorts/${cohort.id}`, { endsOn: '2030-05-02' }), 422, 'session-outside-cohort')
  t.same(pointers(res), ['/endsOn'])
  t.equal((await api.patch(`/v1/cohorts/${cohort.id}`, { startsOn: '2030-04-30', endsOn: '2030-05-04' })).statusCode, 200, 'widening is fine')
})

t.test('list filters: programme, status, stream, dates; sorted by start date', async (t) => {
  const programme = await api.activeProgramme({ defaultCapacity: 12 })
  const other = await api.activeProgramme({ defaultCapacity: 12 })
  const sep = await api.cohort({ programmeId: programme.id, startsOn: '2031-09-14', endsOn: '2031-09-14', stream: 'policy', status: 'open' })
  const oct = await api.cohort({ programmeId: programme.id, startsOn: '2031-10-12', endsOn: '2031-10-12', stream: 'safer-neighbourhoods' })
  const nov = await api.cohort({ programmeId: programme.id, startsOn: '2031-11-09', endsOn: '2031-11-10', stream: 'policy', status: 'cancelled' })
  const elsewhere = await api.cohort({ programmeId: other.id, startsOn: '2031-10-01', endsOn: '2031-10-20' })
  const q = (s: string) => api.ids(`/v1/cohorts?${s}`)
  t.same(await q(`programmeId=${programme.id}`), ids(sep, oct, nov))
  t.same(await q(`programmeId=${programme.id}&stream=policy`), ids(sep, nov))
  t.same(await q(`programmeId=${programme.id}&status=open`), ids(sep))
  t.same(await q('from=2031-10-10&to=2031-10-31'), ids(oct, elsewhere), 'cohorts overlapping October 10–31')
  t.same(await q('from=2031-11-10&to=2031-12-31'), ids(nov), 'a cohort ending on `from` overlaps it')
  const ordered = await api.all<Cohort>(`/v1/cohorts?programmeId=${programme.id}&limit=1`)
  t.same(ordered.map((c) => c.startsOn), ['2031-09-14', '2031-10-12', '2031-11-09'])
  for (const query of ['status=full', 'from=yesterday', 'sort=title', 'programmeId=x']) expectProblem(t, await api.get(`/v1/cohorts?${query}`), 400, 'validation')
})

t.test('scopes: cohorts are read with programmes:read or programmes:nominate, changed with programmes:write', async (t) => {
  const cohort = await api.cohort()
  t.equal((await api.get('/v1/cohorts', { scopes: ['programmes:nominate'] })).statusCode, 200)
  t.equal((await api.get(`/v1/cohorts/${cohort.id}`, { scopes: ['programmes:read'] })).statusCode, 200)
  expectProblem(t, await api.get('/v1/cohorts', { scopes: ['people:read'] }), 403, 'forbidden')
  const read = { scopes: ['programmes:read', 'programmes:nominate'] }
  expectProblem(t, await api.post('/v1/cohorts', { programmeId: cohort.programmeId, startsOn: '2030-01-01', endsOn: '2030-01-01' }, read), 403, 'forbidden')
  expectProblem(t, await api.patch(`/v1/cohorts/${cohort.id}`, { venue: 'X' }, read), 403, 'forbidden')
  expectProblem(t, await api.post(`/v1/cohorts/${cohort.id}/transitions`, { to: 'open' }, read), 403, 'forbidden')
  t.equal((await api.post(`/v1/cohorts/${cohort.id}/transitions`, { to: 'open' }, { scopes: ['programmes:write'] })).statusCode, 200)
})

t.test('the contract names the resource of a path’s first segment {id}, as the people module does', async (t) => {
  type Operation = { tags?: string[]; parameters?: Array<{ in: string; name: string }> }
  const doc = api.ctx.app.swagger() as unknown as { paths: Record<string, Record<string, Operation>> }
  const nested = Object.entries(doc.paths).filter(([path, operations]) => /^\/v1\/[a-z-]+\/\{/.test(path) && Object.values(operations).some((o) => o.tags?.includes('programmes')))
  t.ok(nested.some(([path]) => path === '/v1/cohorts/{id}/enrolments'), 'nominations are under /v1/cohorts/{id}/enrolments')
  t.ok(nested.some(([path]) => path === '/v1/people/{id}/enrolments'), 'a person’s enrolments are under /v1/people/{id}/enrolments')
  for (const [path, operations] of nested) {
    t.match(path, /^\/v1\/[a-z-]+\/\{id\}/, path)
    for (const [method, operation] of Object.entries(operations)) {
      t.ok(operation.parameters?.some((p) => p.in === 'path' && p.name === 'id'), `${method.toUpperCase()} ${path} declares {id}`)
    }
  }
})

t.test('one problem type for a change a cohort’s status rules out, whichever part of the module refuses it', async (t) => {
  const kind = await api.get('/problems/cohort-status')
  t.equal(kind.statusCode, 200)
  t.match(kind.json().description, /cancelled cohort is final/)
  t.match(kind.json().description, /selected or waitlisted for a completed or cancelled cohort/)
  t.equal((await api.get('/problems/cohort-finished')).statusCode, 404, 'no second type for the same thing')
  const titles = ((await api.get('/problems')).json().data as Array<{ title: string }>).map((p) => p.title)
  t.equal(new Set(titles).size, titles.length, 'every kind of problem has a title of its own')
})

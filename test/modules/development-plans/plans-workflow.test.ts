import t from 'tap'
import { expectProblem } from '../../platform/expect-problem.js'
import { buildPlansApp, HR, READER, type Plan } from './factories.js'

const api = await buildPlansApp()
t.teardown(() => api.close())

const count = async (table: 'development_plans' | 'development_objectives') =>
  Number((await api.ctx.database.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)

t.test('the owner drafts and submits; only their line manager at the time of the request agrees, even after a change of manager', async (t) => {
  const { manager, otherManager, owner, colleague } = await api.team()
  const asOwner = api.as(owner)

  const created = await api.post('/v1/development-plans', { ownerId: owner.id, period: '2026/27' }, asOwner)
  t.equal(created.statusCode, 201, created.body)
  const plan = created.json() as Plan
  t.equal(created.headers.location, `/v1/development-plans/${plan.id}`)
  t.equal(created.headers.etag, '"1"')
  t.match(plan, { ownerId: owner.id, status: 'draft', period: '2026/27', startsOn: '2026-04-01', endsOn: '2027-03-31', title: 'Development plan 2026/27', createdBy: `person:${owner.id}` })

  expectProblem(t, await api.move(plan.id, 'submit', asOwner), 409, 'plan-empty')
  await api.objective(plan.id, { title: 'Lead a community meeting', successMeasure: 'Chaired two meetings', dueOn: '2026-09-30' }, asOwner)
  const submitted = await api.move(plan.id, 'submit', asOwner)
  t.equal(submitted.statusCode, 200, submitted.body)
  t.equal(submitted.json().status, 'submitted')
  t.ok(submitted.json().submittedAt)

  expectProblem(t, await api.move(plan.id, 'agree', asOwner), 403, 'forbidden')
  expectProblem(t, await api.get(`/v1/development-plans/${plan.id}`, api.as(colleague)), 404, 'not-found')
  expectProblem(t, await api.move(plan.id, 'agree', api.as(colleague)), 404, 'not-found')
  t.equal((await api.get(`/v1/development-plans/${plan.id}`, api.as(manager))).statusCode, 200, 'the line manager reads it')
  const awaiting = await api.get(`/v1/development-plans?awaitingAgreementBy=${manager.id}`, api.as(manager))
  t.same(awaiting.json().data.map((p: Plan) => p.id), [plan.id], 'it awaits the manager’s agreement')

  // The owner moves to another manager while the plan awaits agreement.
  const person = await api.get(`/v1/people/${owner.id}`)
  const moved = await api.patch(`/v1/people/${owner.id}`, { lineManagerId: otherManager.id }, { headers: { 'if-match': person.headers.etag as string } })
  t.equal(moved.statusCode, 200, moved.body)

  expectProblem(t, await api.move(plan.id, 'agree', api.as(manager)), 404, 'not-found')
  t.same((await api.get(`/v1/development-plans?awaitingAgreementBy=${manager.id}`, api.as(manager))).json().data, [], 'nothing awaits the old manager')
  t.same(
    (await api.get(`/v1/development-plans?awaitingAgreementBy=${otherManager.id}`, api.as(otherManager))).json().data.map((p: Plan) => p.id),
    [plan.id],
    'it awaits the new one'
  )
  const agreed = await api.move(plan.id, 'agree', api.as(otherManager), 'Good plan; start with the meetings')
  t.equal(agreed.statusCode, 200, agreed.body)
  t.match(agreed.json(), { status: 'agreed', agreedBy: `person:${otherManager.id}`, reviewComment: 'Good plan; start with the meetings' })
  t.ok(agreed.json().agreedAt)

  const history = (await api.get(`/v1/development-plans/${plan.id}/transitions`, asOwner)).json().data
  t.same(
    history.map((h: any) => [h.action, h.fromStatus, h.toStatus, h.actor]),
    [
      ['create', null, 'draft', `person:${owner.id}`],
      ['submit', 'draft', 'submitted', `person:${owner.id}`],
      ['agree', 'submitted', 'agreed', `person:${otherManager.id}`]
    ]
  )
  const events = await api.eventsAbout(plan.id, 'development-plan.*')
  t.same(events.map((e) => e.type), ['development-plan.created', 'development-plan.submitted', 'development-plan.agreed'])
  t.equal(events[2].data.transition.actor, `person:${otherManager.id}`)
})

t.test('nobody agrees their own plan, whatever their scopes; HR agrees anyone else’s', async (t) => {
  const { owner } = await api.team()
  const plan = await api.planIn(owner.id, 'submitted')
  const hrOwner = api.as(owner, ['development-plans:write', 'development-plans:own'])
  expectProblem(t, await api.move(plan.id, 'agree', hrOwner), 403, 'forbidden')
  const agreed = await api.move(plan.id, 'agree', HR)
  t.equal(agreed.statusCode, 200)
  t.equal(agreed.json().agreedBy, 'hr-pdr')
})

t.test('an agreed plan is read-only except its progress', async (t) => {
  const { manager, owner } = await api.team()
  const plan = await api.planIn(owner.id, 'agreed')
  const objective = plan.objectives[0]
  const asOwner = api.as(owner)
  expectProblem(t, await api.post(`/v1/development-objectives/${objective.id}/activities`, { kind: 'coaching', title: 'Coaching' }, HR), 409, 'plan-not-editable')

  expectProblem(t, await api.patch(`/v1/development-plans/${plan.id}`, { title: 'New title' }, asOwner), 409, 'plan-not-editable')
  expectProblem(t, await api.post(`/v1/development-plans/${plan.id}/objectives`, { title: 'More', source: 'self' }, asOwner), 409, 'plan-not-editable')
  expectProblem(t, await api.patch(`/v1/development-objectives/${objective.id}`, { title: 'Renamed' }, asOwner), 409, 'plan-not-editable')
  expectProblem(t, await api.patch(`/v1/development-objectives/${objective.id}`, { title: 'Renamed', status: 'in_progress' }, asOwner), 409, 'plan-not-editable')
  expectProblem(t, await api.delete(`/v1/development-objectives/${objective.id}`, asOwner), 409, 'plan-not-editable')

  const progressed = await api.patch(`/v1/development-objectives/${objective.id}`, { status: 'in_progress' }, asOwner)
  t.equal(progressed.statusCode, 200, progressed.body)
  t.equal(progressed.json().status, 'in_progress')
  const note = await api.post(`/v1/development-objectives/${objective.id}/progress-notes`, { note: 'Chaired the first meeting', status: 'achieved' }, api.as(manager))
  t.equal(note.statusCode, 201, note.body)
  t.match(note.json(), { statusFrom: 'in_progress', statusTo: 'achieved', author: `person:${manager.id}` })
  const notes = (await api.get(`/v1/development-objectives/${objective.id}/progress-notes`, asOwner)).json().data
  t.same(notes.map((n: any) => n.note), ['Chaired the first meeting'])
  t.equal((await api.getPlan(plan.id)).objectives[0].status, 'achieved')
  expectProblem(t, await api.delete(`/v1/development-objectives/${objective.id}`, HR), 409, 'plan-not-editable')

  // Completed: no more progress until reopened; reopening clears the agreement.
  t.equal((await api.move(plan.id, 'complete', asOwner)).statusCode, 200)
  expectProblem(t, await api.post(`/v1/development-objectives/${objective.id}/progress-notes`, { note: 'late' }, asOwner), 409, 'plan-closed')
  expectProblem(t, await api.move(plan.id, 'reopen', asOwner, 'I want to add more'), 403, 'forbidden')
  expectProblem(t, await api.move(plan.id, 'reopen', api.as(manager)), 400, 'validation')
  const reopened = await api.move(plan.id, 'reopen', api.as(manager), 'Add the second half of the year')
  t.equal(reopened.statusCode, 200, reopened.body)
  t.match(reopened.json(), { status: 'draft', agreedBy: null, agreedAt: null, completedAt: null, reviewComment: 'Add the second half of the year' })
  t.equal((await api.patch(`/v1/development-plans/${plan.id}`, { title: 'Second half' }, asOwner)).statusCode, 200, 'a reopened plan is editable again')
})

t.test('return needs a comment; moves not open from a status are 409; stale If-Match is 412', async (t) => {
  const { manager, owner } = await api.team()
  const plan = await api.planIn(owner.id, 'submitted')
  expectProblem(t, await api.move(plan.id, 'return', api.as(manager)), 400, 'validation')
  const body = expectProblem(t, await api.move(plan.id, 'complete', api.as(manager)), 409, 'illegal-transition')
  t.same(body.allowed, ['return', 'agree', 'lapse'], 'names the actions open from submitted')
  t.match(body, { from: 'submitted', to: 'completed' })

  const stale = await api.request('POST', `/v1/development-plans/${plan.id}/transitions`, { action: 'return', comment: 'x' }, { ...api.as(manager), headers: { ...api.as(manager).headers, 'if-match': '"1"' } })
  expectProblem(t, stale, 412, 'precondition-failed')
  const current = await api.get(`/v1/development-plans/${plan.id}`)
  const returned = await api.request('POST', `/v1/development-plans/${plan.id}/transitions`, { action: 'return', comment: 'Make objective 1 measurable' }, {
    headers: { ...api.as(manager).headers, 'if-match': current.headers.etag as string }
  })
  t.equal(returned.statusCode, 200, returned.body)
  t.match(returned.json(), { status: 'draft', reviewComment: 'Make objective 1 measurable' })
  expectProblem(t, await api.move(plan.id, 'agree', api.as(manager)), 409, 'illegal-transition')
  const lapsed = await api.move(plan.id, 'lapse', api.as(manager), 'Left the unit')
  t.equal(lapsed.json().status, 'lapsed')
  // A lapsed plan does not block a new one for the same period.
  t.equal((await api.post('/v1/development-plans', { ownerId: owner.id, period: '2026/27' }, api.as(owner))).statusCode, 201)
})

t.test('who may start a plan; bad input writes nothing', async (t) => {
  const { manager, owner, colleague } = await api.team()
  const before = await count('development_plans')
  expectProblem(t, await api.app.inject({ method: 'POST', url: '/v1/development-plans', payload: { ownerId: owner.id, period: '2026/27' } }), 401, 'unauthorized')
  expectProblem(t, await api.post('/v1/development-plans', { ownerId: owner.id, period: '2026/27' }, READER), 403, 'forbidden')
  expectProblem(t, await api.post('/v1/development-plans', { ownerId: owner.id, period: '2026/27' }, api.as(colleague)), 403, 'forbidden')
  expectProblem(t, await api.post('/v1/development-plans', { ownerId: owner.id, period: '2026/27' }, api.as(manager)), 403, 'forbidden')
  const badPeriod = expectProblem(t, await api.post('/v1/development-plans', { ownerId: owner.id, period: '2026/28' }, HR), 400, 'validation')
  t.same(badPeriod.errors, [{ in: 'body', pointer: '/period', detail: 'must be a PDR year such as 2026/27' }])
  expectProblem(t, await api.post('/v1/development-plans', { ownerId: owner.id, period: 2026 }, HR), 400, 'validation')
  const unknown = expectProblem(t, await api.post('/v1/development-plans', { ownerId: '00000000-0000-4000-8000-000000000000', period: '2026/27' }, HR), 422, 'invalid-reference')
  t.same(unknown.errors?.map((e) => e.pointer), ['/ownerId'])
  t.equal(await count('development_plans'), before, 'nothing written')

  const first = await api.plan(owner.id)
  const dup = expectProblem(t, await api.post('/v1/development-plans', { ownerId: owner.id, period: '2026/27' }, HR), 409, 'plan-duplicate')
  t.equal(dup.planId, first.id)
})

t.test('Idempotency-Key replays a creation', async (t) => {
  const { owner } = await api.team()
  const call = { ...HR, headers: { 'idempotency-key': `plan-${owner.id}` } }
  const a = await api.post('/v1/development-plans', { ownerId: owner.id, period: '2027/28' }, call)
  const b = await api.post('/v1/development-plans', { ownerId: owner.id, period: '2027/28' }, call)
  t.equal(a.statusCode, 201)
  t.equal(b.statusCode, 201)
  t.equal(b.json().id, a.json().id, 'the same plan')
  expectProblem(t, await api.post('/v1/development-plans', { ownerId: owner.id, period: '2028/29' }, call), 422, 'idempotency-key-reused')
})

t.test('lists: a person sees their own and their direct reports’ plans only; readers see all', async (t) => {
  const { manager, owner, colleague } = await api.team()
  const mine = await api.plan(owner.id, { period: '2030/31' })
  const theirs = await api.plan(colleague.id, { period: '2030/31' })
  const ids = async (url: string, call: Parameters<typeof api.get>[1]) => ((await api.get(url, call)).json().data as Plan[]).map((p) => p.id).sort()
  t.same(await ids('/v1/development-plans?period=2030/31', api.as(owner)), [mine.id])
  t.same(await ids(`/v1/development-plans?period=2030/31&ownerId=${colleague.id}`, api.as(owner)), [], 'filters cannot widen what a person sees')
  t.same(await ids(`/v1/development-plans?period=2030/31&directReportsOf=${manager.id}`, api.as(manager)), [mine.id, theirs.id].sort())
  t.same(await ids('/v1/development-plans?period=2030/31', READER), [mine.id, theirs.id].sort())
  expectProblem(t, await api.get('/v1/development-plans', { scopes: ['programmes:read'] }), 403, 'forbidden')
})

/**
 * A PATCH that changes nothing (an empty body, or every value as it already is) is not a change:
 * 200 with the same version and ETag, and no audit record or event (src/platform/patches.ts).
 * Plans, objectives, activities and templates. For objectives and activities only what differs
 * counts: a field sent as it already is no content change, so it neither needs a draft nor
 * drafting rights, and a line manager's empty PATCH leaves the owner's ETag valid.
 */
import t from 'tap'
import { expectProblem } from '../../platform/expect-problem.js'
import { expectNothingChanged } from '../../helpers/patches.js'
import { buildPlansApp, HR } from './factories.js'

const api = await buildPlansApp()
t.teardown(() => api.close())

const { manager, owner } = await api.team()
const framework = await api.framework([['C1', null, 'competency', 'positive'], ['B1', 'C1', 'behaviour', 'positive']])
const element = framework.elements.get('B1')!.id

t.test('plan: empty and same-valued PATCHes change nothing; a real one does', async (t) => {
  const plan = await api.plan(owner.id, { period: '2031/32', title: 'My plan', externalId: 'PLAN-NOOP-1' }, api.as(owner))
  expectNothingChanged(t, await api.patchesChangingNothing(`/v1/development-plans/${plan.id}`, [{}, { title: 'My plan', externalId: 'PLAN-NOOP-1' }], api.as(owner)))
  const before = await api.trailMark()
  const changed = await api.patch(`/v1/development-plans/${plan.id}`, { title: 'My better plan' }, api.as(owner))
  t.equal(changed.statusCode, 200, changed.body)
  t.equal(changed.json().version, plan.version + 1)
  const after = await api.trailMark()
  t.ok(after.audit > before.audit && after.events > before.events, 'a real change is audited and published')
})

t.test('objective: empty and same-valued PATCHes change nothing, by the owner or the line manager', async (t) => {
  const plan = await api.plan(owner.id, { period: '2032/33' }, api.as(owner))
  const objective = await api.objective(
    plan.id,
    { title: 'Chair meetings', description: 'Community meetings', successMeasure: 'Two chaired', dueOn: '2033-01-31', priority: 'high', frameworkElementIds: [element] },
    api.as(owner)
  )
  const url = `/v1/development-objectives/${objective.id}`
  const same = { title: 'Chair meetings', description: 'Community meetings', successMeasure: 'Two chaired', dueOn: '2033-01-31', priority: 'high', frameworkElementIds: [element], status: 'not_started' }
  expectNothingChanged(t, await api.patchesChangingNothing(url, [{}, same], api.as(owner)))

  await api.expect(200, api.move(plan.id, 'submit', api.as(owner)))
  await api.expect(200, api.move(plan.id, 'agree', api.as(manager)))
  const agreed = await api.get(url, api.as(owner))
  // The line manager's empty PATCH leaves the owner's ETag valid.
  expectNothingChanged(t, await api.patchesChangingNothing(url, [{}, { status: 'not_started' }], api.as(manager)))
  // Content sent as it is, with a new status, on an agreed plan: progress only, not a draft change.
  const progress = await api.patch(url, { ...same, status: 'in_progress' }, { ...api.as(owner), headers: { ...api.as(owner).headers, 'if-match': String(agreed.headers.etag) } })
  t.equal(progress.statusCode, 200, progress.body)
  t.equal(progress.json().version, agreed.json().version + 1)
  t.equal(progress.json().status, 'in_progress')
  // A content change that differs still needs a draft.
  expectProblem(t, await api.patch(url, { title: 'Chair more meetings' }, api.as(owner)), 409, 'plan-not-editable')
})

t.test('activity: empty and same-valued PATCHes change nothing', async (t) => {
  const plan = await api.plan(owner.id, { period: '2033/34' }, api.as(owner))
  const objective = await api.objective(plan.id, { activities: [{ kind: 'coaching', title: 'Coaching', dueOn: '2034-01-31' }] }, api.as(owner))
  const activity = objective.activities[0]
  expectNothingChanged(
    t,
    await api.patchesChangingNothing(`/v1/development-activities/${activity.id}`, [{}, { title: 'Coaching', dueOn: '2034-01-31', status: 'planned' }], api.as(owner))
  )
})

t.test('template: empty and same-valued PATCHes (the objectives list as it is) change nothing', async (t) => {
  const template = await api.expect(
    201,
    api.post(
      '/v1/development-plan-templates',
      {
        code: 'NOOP-T',
        title: 'Template',
        objectives: [{ title: 'Prepare', priority: 'high', dueInMonths: 3, frameworkElementIds: [element], activities: [{ kind: 'coaching', title: 'Coaching' }] }, { title: 'Placement' }]
      },
      HR
    )
  )
  const url = `/v1/development-plan-templates/${template.id}`
  expectNothingChanged(t, await api.patchesChangingNothing(url, [{}, { title: 'Template', status: 'active', objectives: template.objectives }, { objectives: [{ title: 'Prepare', priority: 'high', dueInMonths: 3, frameworkElementIds: [element], activities: [{ kind: 'coaching', title: 'Coaching' }] }, { title: 'Placement' }] }], HR))
  const changed = await api.patch(url, { objectives: [{ title: 'Placement' }] }, HR)
  t.equal(changed.statusCode, 200, changed.body)
  t.equal(changed.json().version, template.version + 1, 'a changed list is a new version')
})

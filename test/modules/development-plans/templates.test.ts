import { sql } from 'kysely'
import t from 'tap'
import { expectProblem } from '../../platform/expect-problem.js'
import { buildPlansApp, HR, READER, type Plan } from './factories.js'

const api = await buildPlansApp()
t.teardown(() => api.close())
const db = api.ctx.database.db

const framework = await api.framework([['C1', null, 'competency', 'positive'], ['C1.1', 'C1', 'behaviour', 'positive']])
const programme = await api.activeProgramme({ title: 'Promotability Programme for BME and female Managers', defaultCapacity: 12 })
const coaching = await api.activeProgramme({ title: 'Corporate coaching', defaultCapacity: 12 })
const cohort = await api.cohort({ programmeId: programme.id, status: 'open', startsOn: '2030-05-10', endsOn: '2030-05-11' })

const { manager } = await api.team()
const people = await Promise.all([0, 1, 2, 3, 4, 5].map(() => api.person({ lineManagerId: manager.id })))
// Participants hold a place, attended or completed; a nominee, a withdrawn one and a leaver are not made plans.
const statuses = ['selected', 'selected', 'attended', 'completed', 'nominated', 'withdrawn']
for (const [i, p] of people.entries()) await api.enrolment(cohort.id, p.id, statuses[i])
const leaver = await api.person({ lineManagerId: manager.id, status: 'left' })
await api.enrolment(cohort.id, leaver.id, 'selected')
const participants = people.slice(0, 4).map((p) => p.id).sort()

const TEMPLATE = {
  code: 'PROMO-MGR',
  title: 'Promotability (managers)',
  description: 'Modular workshops on the gaps found, coaching, and a placement',
  objectives: [
    {
      title: 'Prepare for the promotion process',
      successMeasure: 'Application submitted with manager support',
      priority: 'high',
      dueInMonths: 3,
      frameworkElementIds: [framework.elements.get('C1')!.id],
      activities: [
        { kind: 'programme', title: 'Promotability workshops', programmeId: programme.id, dueInMonths: 2 },
        { kind: 'coaching', title: 'Coaching throughout the programme' }
      ]
    },
    { title: 'Community placement', dueInMonths: 12, activities: [{ kind: 'placement', title: 'Project or placement in the community' }, { kind: 'programme', title: 'Coaching', programmeId: coaching.id }] }
  ]
}

t.test('templates: validated on write, readable by anyone who may hold a plan', async (t) => {
  const bad = expectProblem(t, await api.post('/v1/development-plan-templates', {
    ...TEMPLATE,
    code: 'BAD',
    objectives: [{ title: 'x', frameworkElementIds: ['00000000-0000-4000-8000-000000000000'], activities: [{ kind: 'programme', title: 'x' }, { kind: 'coaching', title: 'y', programmeId: programme.id }] }]
  }, HR), 422, 'unprocessable')
  t.same(bad.errors?.map((e) => e.pointer), ['/objectives/0/frameworkElementIds/0', '/objectives/0/activities/0/programmeId', '/objectives/0/activities/1/programmeId'])
  expectProblem(t, await api.post('/v1/development-plan-templates', TEMPLATE, READER), 403, 'forbidden')
  const created = await api.post('/v1/development-plan-templates', TEMPLATE, HR)
  t.equal(created.statusCode, 201, created.body)
  t.match(created.json(), { code: 'PROMO-MGR', status: 'active', objectives: [{ title: 'Prepare for the promotion process', activities: [{ kind: 'programme' }, { kind: 'coaching' }] }, {}] })
  expectProblem(t, await api.post('/v1/development-plan-templates', TEMPLATE, HR), 409, 'conflict')
  t.equal((await api.get(`/v1/development-plan-templates/${created.json().id}`, api.as(people[0]))).statusCode, 200)
})

t.test('applying a template makes one plan per participant, once, with the enrolment followed', async (t) => {
  const template = (await api.get('/v1/development-plan-templates?code=PROMO-MGR')).json().data[0]
  expectProblem(t, await api.post(`/v1/development-plan-templates/${template.id}/apply`, { cohortId: cohort.id }, api.as(manager)), 403, 'forbidden')
  expectProblem(t, await api.post(`/v1/development-plan-templates/${template.id}/apply`, { cohortId: '00000000-0000-4000-8000-000000000000' }, HR), 422, 'invalid-reference')

  const res = await api.post(`/v1/development-plan-templates/${template.id}/apply`, { cohortId: cohort.id }, HR)
  t.equal(res.statusCode, 200, res.body)
  const result = res.json()
  t.match(result, { period: '2030/31', created: 4, existing: 0 })
  t.same(result.plans.map((p: any) => p.personId), participants)

  const plans = (await api.get(`/v1/development-plans?templateId=${template.id}&cohortId=${cohort.id}&limit=500`, READER)).json().data as Plan[]
  t.equal(plans.length, 4)
  const plan = plans.find((p) => p.ownerId === people[2].id)!
  t.match(plan, { status: 'draft', title: 'Promotability (managers) 2030/31', templateId: template.id, cohortId: cohort.id, startsOn: '2030-04-01' })
  t.same(plan.objectives.map((o) => [o.title, o.dueOn, o.priority, o.source.kind]), [
    ['Prepare for the promotion process', '2030-06-30', 'high', 'template'],
    ['Community placement', '2031-03-31', 'medium', 'template']
  ])
  t.same(plan.objectives[0].frameworkElementIds, [framework.elements.get('C1')!.id])
  const [workshops, coachingActivity] = plan.objectives[0].activities
  t.match(workshops, { kind: 'programme', programmeId: programme.id, dueOn: '2030-05-31', status: 'started', enrolment: { cohortId: cohort.id, status: 'attended' } })
  t.match(coachingActivity, { kind: 'coaching', status: 'planned' })
  t.match(plan.objectives[1].activities[1], { kind: 'programme', programmeId: coaching.id, enrolment: null }, 'another programme’s activity waits for an enrolment')

  const mark = await api.trailMark()
  const again = (await api.post(`/v1/development-plan-templates/${template.id}/apply`, { cohortId: cohort.id }, HR)).json()
  t.match(again, { created: 0, existing: 4 })
  t.same(again.plans.map((p: any) => p.planId).sort(), result.plans.map((p: any) => p.planId).sort())
  t.same(await api.trailMark(), mark, 'applying again writes nothing')
})

t.test('applying is atomic: one refused plan and none is made', async (t) => {
  const template = (await api.post('/v1/development-plan-templates', { ...TEMPLATE, code: 'PROMO-2' }, HR)).json()
  const before = Number((await db.selectFrom('development_plans').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)
  // A plan the database refuses for the third participant, as a constraint would.
  await sql`create function refuse_one_plan() returns trigger language plpgsql as $$
    begin
      if new.owner_id = ${sql.lit(participants[2])}::uuid then raise exception 'refused' using errcode = '23514'; end if;
      return new;
    end $$`.execute(db)
  await sql`create trigger refuse_one_plan before insert on development_plans for each row execute function refuse_one_plan()`.execute(db)
  try {
    expectProblem(t, await api.post(`/v1/development-plan-templates/${template.id}/apply`, { cohortId: cohort.id }, HR), 422, 'unprocessable')
  } finally {
    await sql`drop trigger refuse_one_plan on development_plans`.execute(db)
    await sql`drop function refuse_one_plan()`.execute(db)
  }
  t.equal(Number((await db.selectFrom('development_plans').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n), before, 'no plan written')
  t.equal((await api.post(`/v1/development-plan-templates/${template.id}/apply`, { cohortId: cohort.id }, HR)).json().created, 4, 'it works once nothing refuses')
})

t.test('a retired template makes no plans; a person may start a plan from an active one', async (t) => {
  const template = (await api.post('/v1/development-plan-templates', { ...TEMPLATE, code: 'PROMO-3' }, HR)).json()
  const owner = people[4]
  const own = await api.post('/v1/development-plans', { ownerId: owner.id, period: '2030/31', templateId: template.id }, api.as(owner))
  t.equal(own.statusCode, 201, own.body)
  t.equal(own.json().objectives.length, 2)
  const current = await api.get(`/v1/development-plan-templates/${template.id}`)
  const retired = await api.request('PATCH', `/v1/development-plan-templates/${template.id}`, { status: 'retired' }, { ...HR, headers: { 'if-match': current.headers.etag as string } })
  t.equal(retired.statusCode, 200, retired.body)
  expectProblem(t, await api.post(`/v1/development-plan-templates/${template.id}/apply`, { cohortId: cohort.id }, HR), 409, 'template-retired')
  expectProblem(t, await api.post('/v1/development-plans', { ownerId: people[5].id, period: '2030/31', templateId: template.id }, HR), 409, 'template-retired')
  t.equal((await api.getPlan(own.json().id)).objectives.length, 2, 'plans keep what they copied')
})

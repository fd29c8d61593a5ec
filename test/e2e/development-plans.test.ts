/**
 * From a released 360° report to a completed development plan, end to end through the client
 * generated from the committed contract (test/sdk/schema.d.ts) against the app on a real socket:
 * HR publishes a values framework and two programmes linked to it; a 360° is run (self and three
 * peers answer with their rater tokens) and released; the subject reads the programmes suggested
 * for their largest gaps, drafts a plan with objectives from those gaps and an activity that enrols
 * them on the best-suggested programme's open cohort; their line manager sees it awaiting
 * agreement and agrees; the enrolment goes through the programmes module (approval, attendance,
 * completion) and the activity follows it; progress is recorded and the plan completed.
 *
 * Peers' ratings (1–5): B1 2,2,2 (need 0.75); B2 4,4,4 (0.25); B3, negative, 2,2,2 (seen: 0.25);
 * B4 3,3,3 (0.5). Largest gaps: B1, B4, B2, B3. IMPACT (linked to B1) scores 0.75 and ranks above
 * Respect at Work (linked to value W, so B4) at 0.5.
 */
import t, { type Test } from 'tap'
import type { components } from '../sdk/schema.js'
import { buildTestApp } from '../helpers/app.js'
import { sdkFor } from '../helpers/sdk.js'

type Plan = components['schemas']['DevelopmentPlan']

const ctx = await buildTestApp({ RATE_LIMIT_PER_MINUTE: '1000000' })
t.teardown(() => ctx.close())
const { clientWith, baseUrl } = await sdkFor(ctx)

const admin = clientWith(ctx.token(['admin'], { sub: 'e2e-admin' }))
const hr = clientWith(
  ctx.token(['assessments:write', 'development-plans:write', 'programmes:write'], { sub: 'e2e-hr' })
)
const actingFor = (personId: string, scopes = ['development-plans:own']) => clientWith(ctx.token(scopes, { sub: `e2e-${personId.slice(0, 8)}`, personId }))

const ids: Record<string, string> = {}
const ok = (t: Test, res: { response: Response; error?: unknown }, status = 200) => t.equal(res.response.status, status, JSON.stringify(res.error ?? ''))

t.test('HR sets up the people, a values framework and programmes linked to it', async (t) => {
  const unit = await admin.POST('/v1/org-units', { body: { name: 'Booting Borough', kind: 'borough' } })
  const grade = await admin.POST('/v1/grades', { body: { code: 'E2E-PS', name: 'Sergeant', staffType: 'officer', level: 4 } })
  const person = async (key: string, lineManagerId?: string) => {
    const res = await admin.POST('/v1/people', {
      body: { givenName: key, familyName: 'E2E', staffType: 'officer', gradeId: grade.data!.id, orgUnitId: unit.data!.id, ...(lineManagerId ? { lineManagerId } : {}) }
    })
    ok(t, res, 201)
    ids[key] = res.data!.id
  }
  await person('manager')
  await person('subject', ids.manager)
  for (const peer of ['peer1', 'peer2', 'peer3']) await person(peer, ids.manager)

  const framework = await hr.POST('/v1/frameworks', { body: { code: 'E2E-VALUES', name: 'Values and behaviours', kind: 'values' } })
  ok(t, framework, 201)
  ids.framework = framework.data!.id
  const element = async (key: string, kind: 'value' | 'behaviour', parent: string | null, polarity: 'positive' | 'negative' = 'positive') => {
    const res = await hr.POST('/v1/frameworks/{id}/elements', {
      params: { path: { id: ids.framework } },
      body: { code: key, kind, title: `Behaviour ${key}`, polarity, ...(parent ? { parentId: ids[parent] } : {}) }
    })
    ok(t, res, 201)
    ids[key] = res.data!.id
  }
  await element('V', 'value', null)
  await element('B1', 'behaviour', 'V')
  await element('B2', 'behaviour', 'V')
  await element('B3', 'behaviour', 'V', 'negative')
  await element('W', 'value', null)
  await element('B4', 'behaviour', 'W')
  ok(t, await hr.POST('/v1/frameworks/{id}/transitions', { params: { path: { id: ids.framework } }, body: { to: 'published' } }))

  const programme = async (key: string, title: string, elements: string[]) => {
    const res = await hr.POST('/v1/programmes', { body: { code: `E2E-${key}`, title, kind: 'workshop', defaultCapacity: 12, frameworkElementIds: elements.map((e) => ids[e]) } })
    ok(t, res, 201)
    ids[key] = res.data!.id
    ok(t, await hr.POST('/v1/programmes/{id}/transitions', { params: { path: { id: ids[key] } }, body: { to: 'active' } }))
  }
  await programme('IMPACT', 'IMPACT development workshop', ['B1'])
  await programme('RESPECT', 'Respect at Work', ['W'])
  const cohort = await hr.POST('/v1/cohorts', { body: { programmeId: ids.IMPACT, startsOn: '2031-05-12', endsOn: '2031-05-12' } })
  ok(t, cohort, 201)
  ids.cohort = cohort.data!.id
  ok(t, await hr.POST('/v1/cohorts/{id}/transitions', { params: { path: { id: ids.cohort } }, body: { to: 'open' } }))
})

t.test('a 360° is run and its report released', async (t) => {
  const now = Date.now()
  const assessment = await hr.POST('/v1/assessments', {
    body: { subjectId: ids.subject, frameworkId: ids.framework, purpose: 'IMPACT development workshop', opensAt: new Date(now - 3_600_000).toISOString(), closesAt: new Date(now + 86_400_000).toISOString() }
  })
  ok(t, assessment, 201)
  ids.assessment = assessment.data!.id
  ok(t, await hr.POST('/v1/assessments/{id}/transitions', { params: { path: { id: ids.assessment } }, body: { to: 'open' } }))
  const answer = async (relationship: 'self' | 'peer', personId: string, values: Record<string, number>) => {
    const invitation = await hr.POST('/v1/assessments/{id}/invitations', { params: { path: { id: ids.assessment } }, body: { relationship, personId } })
    ok(t, invitation, 201)
    const ratings = Object.entries(values).map(([key, value]) => ({ elementId: ids[key], value }))
    const res = await fetch(`${baseUrl}/v1/questionnaire/submission`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-rater-token': invitation.data!.token },
      body: JSON.stringify({ ratings })
    })
    t.equal(res.status, 200, await res.clone().text())
  }
  await answer('self', ids.subject, { B1: 4, B2: 4, B3: 1, B4: 4 })
  for (const peer of ['peer1', 'peer2', 'peer3']) await answer('peer', ids[peer], { B1: 2, B2: 4, B3: 2, B4: 3 })
  for (const to of ['closed', 'released'] as const) ok(t, await hr.POST('/v1/assessments/{id}/transitions', { params: { path: { id: ids.assessment } }, body: { to } }))
})

t.test('the subject reads the suggestions for their largest gaps', async (t) => {
  const res = await actingFor(ids.subject).GET('/v1/assessments/{id}/suggestions', { params: { path: { id: ids.assessment }, query: { top: 5 } } })
  ok(t, res)
  const body = res.data!
  t.same(body.gaps.map((g) => [g.code, g.need]), [['B1', 0.75], ['B4', 0.5], ['B2', 0.25], ['B3', 0.25]])
  t.same(body.suggestions.map((s) => [s.programmeId, s.score]), [[ids.IMPACT, 0.75], [ids.RESPECT, 0.5]])
  t.same(body.suggestions[0].openCohorts.map((c) => c.id), [ids.cohort])
  const stranger = await actingFor(ids.peer1).GET('/v1/assessments/{id}/suggestions', { params: { path: { id: ids.assessment } } })
  t.equal(stranger.response.status, 404, 'a peer cannot see them')
})

t.test('the subject drafts a plan from the gaps, enrols on the suggested programme and submits', async (t) => {
  const subject = actingFor(ids.subject)
  const plan = await subject.POST('/v1/development-plans', { body: { ownerId: ids.subject, period: '2031/32' } })
  ok(t, plan, 201)
  ids.plan = plan.data!.id
  const objectives = await subject.POST('/v1/development-plans/{id}/gap-objectives', { params: { path: { id: ids.plan } }, body: { assessmentId: ids.assessment, count: 2, dueOn: '2031-12-31' } })
  ok(t, objectives, 201)
  t.same(objectives.data!.data.map((o) => [o.source.elementId, o.source.kind]), [[ids.B1, 'feedback_gap'], [ids.B4, 'feedback_gap']])
  ids.objective = objectives.data!.data[0].id
  const activity = await subject.POST('/v1/development-objectives/{id}/activities', { params: { path: { id: ids.objective } }, body: { kind: 'programme', cohortId: ids.cohort } })
  ok(t, activity, 201)
  t.match(activity.data, { programmeId: ids.IMPACT, status: 'planned', enrolment: { cohortId: ids.cohort, status: 'nominated' } })
  ids.activity = activity.data!.id
  ids.enrolment = activity.data!.enrolment!.id
  ok(t, await subject.POST('/v1/development-plans/{id}/transitions', { params: { path: { id: ids.plan } }, body: { action: 'submit' } }))
})

t.test('the line manager sees it awaiting agreement and agrees; the subject cannot', async (t) => {
  const manager = actingFor(ids.manager, ['development-plans:own', 'programmes:nominate'])
  const awaiting = await manager.GET('/v1/development-plans', { params: { query: { awaitingAgreementBy: ids.manager } } })
  ok(t, awaiting)
  t.same(awaiting.data!.data.map((p: Plan) => p.id), [ids.plan])
  const own = await actingFor(ids.subject).POST('/v1/development-plans/{id}/transitions', { params: { path: { id: ids.plan } }, body: { action: 'agree' } })
  t.equal(own.response.status, 403)
  const agreed = await manager.POST('/v1/development-plans/{id}/transitions', { params: { path: { id: ids.plan } }, body: { action: 'agree', comment: 'Agreed at the PDR' } })
  ok(t, agreed)
  t.match(agreed.data, { status: 'agreed', agreedBy: `person:${ids.manager}` })
  // The manager also approves the nomination, in the programmes module.
  ok(t, await manager.POST('/v1/enrolments/{id}/transitions', { params: { path: { id: ids.enrolment } }, body: { action: 'approve' } }))
})

t.test('the enrolment runs its course in the programmes module and the activity follows it', async (t) => {
  const session = await hr.POST('/v1/cohorts/{id}/sessions', {
    params: { path: { id: ids.cohort } },
    body: { title: 'Workshop day', startsAt: '2031-05-12T08:00:00.000Z', endsAt: '2031-05-12T16:00:00.000Z' }
  })
  ok(t, session, 201)
  for (const to of ['closed', 'running'] as const) ok(t, await hr.POST('/v1/cohorts/{id}/transitions', { params: { path: { id: ids.cohort } }, body: { to } }))
  ok(t, await hr.PUT('/v1/cohorts/{id}/sessions/{sessionId}/attendance', { params: { path: { id: ids.cohort, sessionId: session.data!.id } }, body: { entries: [{ enrolmentId: ids.enrolment, present: true }] } }))
  ok(t, await hr.POST('/v1/enrolments/{id}/transitions', { params: { path: { id: ids.enrolment } }, body: { action: 'attend' } }))
  const started = await actingFor(ids.subject).GET('/v1/development-activities/{id}', { params: { path: { id: ids.activity } } })
  t.match(started.data, { status: 'started', enrolment: { status: 'attended' } })
  ok(t, await hr.POST('/v1/enrolments/{id}/transitions', { params: { path: { id: ids.enrolment } }, body: { action: 'complete' } }))
  const done = await actingFor(ids.subject).GET('/v1/development-activities/{id}', { params: { path: { id: ids.activity } } })
  t.match(done.data, { status: 'done', enrolment: { status: 'completed' } })
})

t.test('progress is recorded and the plan completed', async (t) => {
  const subject = actingFor(ids.subject)
  const note = await subject.POST('/v1/development-objectives/{id}/progress-notes', { params: { path: { id: ids.objective } }, body: { note: 'Completed IMPACT; using the tools in team meetings', status: 'achieved' } })
  ok(t, note, 201)
  const edit = await subject.PATCH('/v1/development-objectives/{id}', { params: { path: { id: ids.objective } }, body: { title: 'Changed after agreement' } })
  t.equal(edit.response.status, 409, 'the agreed content is read-only')
  ok(t, await subject.POST('/v1/development-plans/{id}/transitions', { params: { path: { id: ids.plan } }, body: { action: 'complete' } }))
  const plan = await subject.GET('/v1/development-plans/{id}', { params: { path: { id: ids.plan } } })
  t.match(plan.data, { status: 'completed', objectives: [{ status: 'achieved', activities: [{ status: 'done' }] }, { status: 'not_started' }] })
  const uptake = await hr.GET('/v1/development-plan-reports/activity-uptake', { params: { query: { period: '2031/32' } } })
  t.match(uptake.data?.totals, { agreedPlans: 1, withActivityStarted: 1, share: 1 })
  const events = await admin.GET('/v1/events', { params: { query: { type: 'development-plan.*', limit: 500 } } })
  t.same(events.data!.data.filter((e) => e.entityId === ids.plan).map((e) => e.type), ['development-plan.created', 'development-plan.submitted', 'development-plan.agreed', 'development-plan.completed'])
})

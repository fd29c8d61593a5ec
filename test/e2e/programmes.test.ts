/**
 * A consultation course from nomination to report, end to end through the client generated from
 * the committed contract (test/sdk/schema.d.ts) against the app on a real socket: an administrator
 * sets up the organisation, a programme and an open cohort with its agenda; HR imports the
 * nominations as CSV; each line manager approves or declines with a token acting for them; HR
 * selects (one goes to the waitlist); the attendance sheet is imported as CSV; HR marks attended,
 * no-show and completed; participants evaluate with their own tokens; the cohort report then
 * shows exactly what happened.
 */
import t from 'tap'
import type { components } from '../sdk/schema.js'
import { buildTestApp } from '../helpers/app.js'
import { sdkFor, type Client } from '../helpers/sdk.js'

type Enrolment = components['schemas']['Enrolment']

const ctx = await buildTestApp({ RATE_LIMIT_PER_MINUTE: '1000000' })
t.teardown(() => ctx.close())
const { clientWith } = await sdkFor(ctx)

const admin = clientWith(ctx.token(['admin'], { sub: 'e2e-admin' }))
const hr = clientWith(ctx.token(['programmes:write', 'programmes:read'], { sub: 'e2e-hr' }))
const reader = clientWith(ctx.token(['programmes:read'], { sub: 'e2e-reader' }))
/** A token acting for a person, as the organisation's identity provider would issue it. */
const actingFor = (personId: string) => clientWith(ctx.token(['programmes:nominate'], { sub: `e2e-person-${personId.slice(0, 8)}`, personId }))

const csvBody = { bodySerializer: (body: unknown) => body as string, headers: { 'content-type': 'text/csv' } }

// ---- The organisation -----------------------------------------------------------------------------

/** Two inspectors, each managing seven sergeants and constables who plan consultations. */
const TEAMS = [
  { manager: 'P-E2E-M1', name: ['Grace', 'Okafor'], reports: ['P-E2E-01', 'P-E2E-02', 'P-E2E-03', 'P-E2E-04', 'P-E2E-05', 'P-E2E-06', 'P-E2E-07'] },
  { manager: 'P-E2E-M2', name: ['Tom', 'Hughes'], reports: ['P-E2E-08', 'P-E2E-09', 'P-E2E-10', 'P-E2E-11', 'P-E2E-12', 'P-E2E-13', 'P-E2E-14'] }
] as const
const people = new Map<string, { id: string; managerExternalId: string | null }>()
const personId = (externalId: string) => people.get(externalId)!.id

t.test('an administrator creates org units, grades and people', async (t) => {
  const borough = await admin.POST('/v1/org-units', { body: { externalId: 'OU-E2E-BOROUGH', name: 'Booting Borough', kind: 'borough' } })
  t.equal(borough.response.status, 201, JSON.stringify(borough.error))
  const team = await admin.POST('/v1/org-units', { body: { externalId: 'OU-E2E-SNT', name: 'Booting Safer Neighbourhoods Team', kind: 'team', parentId: borough.data!.id } })
  t.equal(team.response.status, 201, JSON.stringify(team.error))
  const grade = async (code: string, name: string, level: number) => {
    const res = await admin.POST('/v1/grades', { body: { externalId: `GR-E2E-${code}`, code: `E2E-${code}`, name, staffType: 'officer', level } })
    t.equal(res.response.status, 201, JSON.stringify(res.error))
    return res.data!.id
  }
  const inspector = await grade('INSP', 'Inspector', 5)
  const sergeant = await grade('PS', 'Sergeant', 4)
  const constable = await grade('PC', 'Constable', 3)

  for (const [t2, teamDef] of TEAMS.entries()) {
    const manager = await admin.POST('/v1/people', {
      body: { externalId: teamDef.manager, givenName: teamDef.name[0], familyName: teamDef.name[1], staffType: 'officer', gradeId: inspector, orgUnitId: borough.data!.id }
    })
    t.equal(manager.response.status, 201, JSON.stringify(manager.error))
    people.set(teamDef.manager, { id: manager.data!.id, managerExternalId: null })
    for (const [i, externalId] of teamDef.reports.entries()) {
      const res = await admin.POST('/v1/people', {
        body: {
          externalId,
          givenName: `Officer${t2 * 7 + i + 1}`,
          familyName: 'Booting',
          staffType: 'officer',
          gradeId: i < 3 ? sergeant : constable,
          orgUnitId: team.data!.id,
          lineManagerId: manager.data!.id
        }
      })
      t.equal(res.response.status, 201, JSON.stringify(res.error))
      people.set(externalId, { id: res.data!.id, managerExternalId: teamDef.manager })
    }
  }
  t.equal(people.size, 16)
})

// ---- The programme and its open cohort --------------------------------------------------------------

let programmeId = ''
let cohortId = ''
const COHORT = 'COH-E2E-CONSULT-2004-09-14'
/** The training day of seed 004, in UTC (British Summer Time in September). */
const AGENDA = [
  ['08:30', '08:45', 'Purpose, method and introductions', 'Background to the event; the training agenda', null],
  ['08:45', '09:10', 'Session 1: Overview of consultation processes', 'To find out where people are and what their experience is', 'Facilitated plenary discussion'],
  ['09:10', '10:00', 'Session 1: Purposes, contexts and constraints', 'The key purposes, contexts and constraints of consultation for MPS', 'Small group discussion followed by 20 minutes de-brief'],
  ['10:15', '11:45', 'Session 2: Planning consultation', 'To familiarise participants with using the process planning matrix', 'The London Borough of Booting scenario, teams of 3-4'],
  ['12:30', '14:00', 'Session 3: Consultation process planning in practice', 'Plan a real upcoming consultation', 'In pairs, using the process planning matrix'],
  ['14:15', '15:30', 'Session 4: Review of plans', null, null],
  ['15:30', '15:45', 'Evaluation of training', 'Post-course evaluation', null]
] as const
const sessionExternalId = (i: number) => `${COHORT}-S${i + 1}`

t.test('the administrator creates the programme, and an open cohort with its agenda', async (t) => {
  const programme = await admin.POST('/v1/programmes', {
    body: {
      externalId: 'PRG-E2E-CONSULT',
      code: 'E2E-CONSULT',
      title: 'Planning and Managing Corporate Consultations',
      kind: 'course',
      aim: 'Professional training for MPS consultation practitioners',
      keyFeatures: ['Tools to help plan a consultation activity', 'Plan a real consultation to implement on return to the workplace'],
      provider: 'Dialogue by Design',
      delivery: 'classroom',
      duration: '1 day',
      durationDays: 1,
      eligibility: { levelMin: 3, levelMax: 5, staffTypes: [], notes: 'Consultation practitioners' },
      selectionRequired: true,
      defaultCapacity: 12,
      costPerEvent: 2400,
      costPerPerson: 200
    }
  })
  t.equal(programme.response.status, 201, JSON.stringify(programme.error))
  t.equal(programme.data?.status, 'draft')
  programmeId = programme.data!.id
  const active = await admin.POST('/v1/programmes/{id}/transitions', { params: { path: { id: programmeId } }, body: { to: 'active', reason: 'Endorsed for roll out' } })
  t.equal(active.response.status, 200, JSON.stringify(active.error))
  t.equal(active.data?.status, 'active')

  const cohort = await admin.POST('/v1/cohorts', {
    body: {
      programmeId,
      externalId: COHORT,
      startsOn: '2004-09-14',
      endsOn: '2004-09-14',
      stream: 'policy',
      venue: 'Civil Service Sports Club, Victoria',
      facilitators: ['Dialogue by Design']
    }
  })
  t.equal(cohort.response.status, 201, JSON.stringify(cohort.error))
  t.match(cohort.data, { status: 'planned', capacity: 12, cost: 2400 }, 'capacity and cost come from the programme')
  cohortId = cohort.data!.id

  for (const [i, [start, end, title, purpose, method]] of AGENDA.entries()) {
    const session = await admin.POST('/v1/cohorts/{id}/sessions', {
      params: { path: { id: cohortId } },
      body: { externalId: sessionExternalId(i), startsAt: `2004-09-14T${start}:00Z`, endsAt: `2004-09-14T${end}:00Z`, title, purpose, method }
    })
    t.equal(session.response.status, 201, JSON.stringify(session.error))
  }
  const agenda = await reader.GET('/v1/cohorts/{id}/sessions', { params: { path: { id: cohortId }, query: {} } })
  t.same(agenda.data?.data.map((s) => s.title), AGENDA.map((a) => a[2]), 'the agenda in time order')

  const open = await admin.POST('/v1/cohorts/{id}/transitions', { params: { path: { id: cohortId } }, body: { to: 'open', reason: 'Nominations open' } })
  t.equal(open.response.status, 200, JSON.stringify(open.error))
  t.equal(open.data?.status, 'open')
})

// ---- Nominations, approvals, selection ----------------------------------------------------------------

const nominees = TEAMS.flatMap((team) => team.reports)
const SELF_NOMINATED = new Set(['P-E2E-04', 'P-E2E-11'])
const DECLINED = 'P-E2E-14'

t.test('HR imports the cohort’s nominations as CSV', async (t) => {
  const csv =
    ['externalId,cohortExternalId,personExternalId,source,note', ...nominees.map((p) => `ENR-E2E-${p},${COHORT},${p},${SELF_NOMINATED.has(p) ? 'self' : 'line_manager'},Plans ward panel consultations`)].join(
      '\n'
    ) + '\n'
  const dry = await hr.POST('/v1/enrolments/import', { params: { query: { dryRun: true } }, body: csv, ...csvBody })
  t.equal(dry.response.status, 200, JSON.stringify(dry.error))
  t.match((dry.data as components['schemas']['ImportResult']).counts, { read: 14, created: 14, failed: 0 }, 'a dry run validates every row')
  const res = await hr.POST('/v1/enrolments/import', { params: { query: {} }, body: csv, ...csvBody })
  t.equal(res.response.status, 200, JSON.stringify(res.error))
  const result = res.data as components['schemas']['ImportResult']
  t.match(result, { committed: true, counts: { read: 14, created: 14, updated: 0, unchanged: 0, failed: 0 } })

  const again = await hr.POST('/v1/enrolments/import', { params: { query: {} }, body: csv, ...csvBody })
  t.match((again.data as components['schemas']['ImportResult']).counts, { read: 14, created: 0, unchanged: 14 }, 'the same sheet again changes nothing')
})

/** A person's enrolment on the cohort, as whoever `client` acts for may read it. */
async function enrolmentOf(client: Client, externalId: string): Promise<Enrolment> {
  const res = await client.GET('/v1/people/{id}/enrolments', { params: { path: { id: personId(externalId) }, query: {} } })
  if (res.response.status !== 200) throw new Error(`enrolments of ${externalId}: ${JSON.stringify(res.error)}`)
  const found = res.data!.data.find((e) => e.cohortId === cohortId)
  if (!found) throw new Error(`${externalId} has no enrolment on the cohort`)
  return found
}

t.test('each line manager approves their own reports, with a token acting for them', async (t) => {
  const [first, second] = TEAMS.map((team) => actingFor(personId(team.manager)))
  const someoneElses = await enrolmentOf(first, 'P-E2E-01')
  const refused = await second.POST('/v1/enrolments/{id}/transitions', { params: { path: { id: someoneElses.id } }, body: { action: 'approve' } })
  t.equal(refused.response.status, 403, 'another manager may not approve')
  t.match(refused.error?.type, /\/problems\/forbidden$/)

  for (const [i, team] of TEAMS.entries()) {
    const manager = [first, second][i]
    for (const report of team.reports) {
      const enrolment = await enrolmentOf(manager, report)
      t.equal(enrolment.status, 'nominated')
      const body = report === DECLINED ? { action: 'decline' as const, reason: 'Operational demands on the team this month' } : { action: 'approve' as const }
      const moved = await manager.POST('/v1/enrolments/{id}/transitions', { params: { path: { id: enrolment.id } }, body })
      t.equal(moved.response.status, 200, `${report}: ${JSON.stringify(moved.error)}`)
      t.equal(moved.data?.status, report === DECLINED ? 'declined' : 'approved')
      t.equal(report === DECLINED ? moved.data?.outcomeReason : moved.data?.firstApprover, report === DECLINED ? body.reason : `person:${personId(team.manager)}`)
    }
  }
})

const WAITLISTED = 'P-E2E-13'

t.test('HR selects twelve; the thirteenth goes to the waitlist', async (t) => {
  const approved = await hr.GET('/v1/cohorts/{id}/enrolments', { params: { path: { id: cohortId }, query: { status: ['approved'], limit: 50 } } })
  t.equal(approved.response.status, 200, JSON.stringify(approved.error))
  const byPerson = new Map(approved.data!.data.map((e) => [e.personId, e]))
  t.equal(byPerson.size, 13)
  const selected = nominees.filter((p) => p !== DECLINED && p !== WAITLISTED)
  for (const p of selected) {
    const res = await hr.POST('/v1/enrolments/{id}/transitions', { params: { path: { id: byPerson.get(personId(p))!.id } }, body: { action: 'select' } })
    t.equal(res.data?.status, 'selected', `${p}: ${JSON.stringify(res.error)}`)
  }
  const last = byPerson.get(personId(WAITLISTED))!
  const full = await hr.POST('/v1/enrolments/{id}/transitions', { params: { path: { id: last.id } }, body: { action: 'select' } })
  t.equal(full.response.status, 409, 'every place is taken')
  t.match(full.error?.type, /\/problems\/enrolment-capacity$/)
  const waitlisted = await hr.POST('/v1/enrolments/{id}/transitions', { params: { path: { id: last.id } }, body: { action: 'waitlist' } })
  t.match(waitlisted.data, { status: 'waitlisted', waitlistPosition: 1 })

  for (const to of ['closed', 'running'] as const) {
    const moved = await hr.POST('/v1/cohorts/{id}/transitions', { params: { path: { id: cohortId } }, body: { to } })
    t.equal(moved.data?.status, to, JSON.stringify(moved.error))
  }
})

// ---- The day: attendance, outcomes, evaluations ---------------------------------------------------------

const NO_SHOW = 'P-E2E-07'
const LEFT_AT_LUNCH = 'P-E2E-09'
const participants = nominees.filter((p) => p !== DECLINED && p !== WAITLISTED)

t.test('the attendance sheet is imported as CSV', async (t) => {
  const lines = participants.flatMap((p) =>
    AGENDA.map((_, s) => {
      const present = p !== NO_SHOW && !(p === LEFT_AT_LUNCH && s >= 4)
      return `${sessionExternalId(s)}:${p},${sessionExternalId(s)},${p},${present}`
    })
  )
  const csv = ['externalId,sessionExternalId,personExternalId,present', ...lines].join('\n') + '\n'
  const res = await hr.POST('/v1/session-attendance/import', { params: { query: {} }, body: csv, ...csvBody })
  t.equal(res.response.status, 200, JSON.stringify(res.error))
  t.match((res.data as components['schemas']['ImportResult']).counts, { read: 84, created: 84, failed: 0 })

  const early = await enrolmentOf(hr, LEFT_AT_LUNCH)
  t.equal(early.attendance, 'partial', 'left at lunch: partial')
  t.equal((await enrolmentOf(hr, 'P-E2E-01')).attendance, 'full')
  t.equal((await enrolmentOf(hr, NO_SHOW)).attendance, 'none')
})

t.test('HR marks attended and no-show, then completes', async (t) => {
  const move = async (p: string, action: 'attend' | 'no_show' | 'complete') =>
    hr.POST('/v1/enrolments/{id}/transitions', { params: { path: { id: (await enrolmentOf(hr, p)).id } }, body: { action } })
  const refused = await move(NO_SHOW, 'attend')
  t.equal(refused.response.status, 409, 'nobody is marked attended without attendance')
  t.match(refused.error?.type, /\/problems\/no-session-attended$/)
  for (const p of participants) {
    const res = await move(p, p === NO_SHOW ? 'no_show' : 'attend')
    t.equal(res.data?.status, p === NO_SHOW ? 'no_show' : 'attended', `${p}: ${JSON.stringify(res.error)}`)
  }
  // Completion is for those who stayed the whole day.
  for (const p of participants.filter((p) => p !== NO_SHOW && p !== LEFT_AT_LUNCH)) {
    const res = await move(p, 'complete')
    t.equal(res.data?.status, 'completed', `${p}: ${JSON.stringify(res.error)}`)
  }
  const history = await hr.GET('/v1/enrolments/{id}/transitions', { params: { path: { id: (await enrolmentOf(hr, 'P-E2E-01')).id }, query: {} } })
  t.same(
    history.data?.data.map((m) => [m.action, m.toStatus, m.actor]),
    [
      ['nominate', 'nominated', 'e2e-hr'],
      ['approve', 'approved', `person:${personId('P-E2E-M1')}`],
      ['select', 'selected', 'e2e-hr'],
      ['attend', 'attended', 'e2e-hr'],
      ['complete', 'completed', 'e2e-hr']
    ],
    'the history says who did what'
  )
})

/** Nine of the eleven who attended evaluate: relevance, trainer, length, confidence to apply. */
const EVALUATIONS: Array<[string, number, number, number, number]> = [
  ['P-E2E-01', 5, 5, 4, 4],
  ['P-E2E-02', 5, 4, 4, 5],
  ['P-E2E-03', 5, 5, 3, 4],
  ['P-E2E-04', 4, 5, 4, 4],
  ['P-E2E-05', 5, 4, 5, 4],
  ['P-E2E-06', 4, 5, 4, 5],
  ['P-E2E-08', 5, 5, 4, 4],
  ['P-E2E-09', 5, 4, 3, 4],
  ['P-E2E-10', 4, 5, 4, 3]
]

t.test('participants evaluate with their own tokens', async (t) => {
  const noShow = actingFor(personId(NO_SHOW))
  const refused = await noShow.POST('/v1/enrolments/{id}/evaluation', {
    params: { path: { id: (await enrolmentOf(noShow, NO_SHOW)).id } },
    body: { relevance: 1, trainer: 1, length: 1, confidenceToApply: 1 }
  })
  t.equal(refused.response.status, 409, 'no evaluation without attendance')
  t.match(refused.error?.type, /\/problems\/evaluation-requires-attendance$/)

  const someoneElse = await actingFor(personId('P-E2E-11')).POST('/v1/enrolments/{id}/evaluation', {
    params: { path: { id: (await enrolmentOf(hr, 'P-E2E-01')).id } },
    body: { relevance: 1, trainer: 1, length: 1, confidenceToApply: 1 }
  })
  t.equal(someoneElse.response.status, 403, 'nobody evaluates for someone else')

  for (const [p, relevance, trainer, length, confidenceToApply] of EVALUATIONS) {
    const participant = actingFor(personId(p))
    const res = await participant.POST('/v1/enrolments/{id}/evaluation', {
      params: { path: { id: (await enrolmentOf(participant, p)).id } },
      body: { relevance, trainer, length, confidenceToApply, comments: p === 'P-E2E-01' ? 'The process planning matrix will change how I run ward panels.' : null }
    })
    t.equal(res.response.status, 201, `${p}: ${JSON.stringify(res.error)}`)
  }
  const done = await hr.POST('/v1/cohorts/{id}/transitions', { params: { path: { id: cohortId } }, body: { to: 'completed' } })
  t.equal(done.data?.status, 'completed', JSON.stringify(done.error))
})

// ---- The report -----------------------------------------------------------------------------------------

t.test('the cohort report shows the right figures', async (t) => {
  const res = await reader.GET('/v1/cohorts/{id}/report', { params: { path: { id: cohortId } } })
  t.equal(res.response.status, 200, JSON.stringify(res.error))
  const report = res.data!
  t.same(report.enrolments, {
    nominated: 0, manager_approved: 0, approved: 0, declined: 1, selected: 0, waitlisted: 1, not_selected: 0,
    attended: 1, no_show: 1, completed: 10, withdrawn: 0, cancelled: 0
  })
  t.match(report, {
    cohortId,
    programmeId,
    status: 'completed',
    startsOn: '2004-09-14',
    capacity: 12,
    placesTaken: 12,
    fillRate: 1,
    waitlist: 1,
    participants: 11,
    completions: 10,
    completionRate: 0.8333,
    noShows: 1,
    attendance: { full: 10, partial: 1, none: 0 },
    cost: 2400,
    costSource: 'cohort',
    costPerParticipant: 218.18,
    costPerCompletion: 240
  })
  // Sums over the nine evaluations: relevance 42, trainer 42, length 35, confidence 37.
  t.same(report.evaluations.means, { relevance: 4.67, trainer: 4.67, length: 3.89, confidenceToApply: 4.11 })
  t.equal(report.evaluations.count, 9)
  t.same(report.evaluations.distribution.relevance, { 1: 0, 2: 0, 3: 0, 4: 3, 5: 6 })
  t.same(report.evaluations.distribution.length, { 1: 0, 2: 0, 3: 2, 4: 6, 5: 1 })
  t.notOk(JSON.stringify(report).includes('ward panels'), 'comments are not part of the report')
})

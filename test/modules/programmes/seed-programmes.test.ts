import t from 'tap'
import { existingFrameworkElementId } from '../assessments/factories.js'
import { buildProgrammesApp, unique, type Cohort, type CohortSession, type Programme } from './factories.js'

/**
 * The programmes of the source documents (seeds 000, 001, 003, 004), entered through the API
 * and read back: the model holds each of them as written.
 */
const api = await buildProgrammesApp()
t.teardown(() => api.close())

// The IMPACT programme links an element of the competency framework (programmes refuse unknown ones).
const impactElement = await existingFrameworkElementId(api)
const tag = unique('seed').replace(/[^a-z0-9]/gi, '')
const code = (c: string) => `${c}-${tag}`
/** Grade levels: 1 constable / band E, 2 sergeant / band D, 3 inspector / band C, 4 chief inspector / band B, 5 superintendent / band A, 6 chief superintendent / senior staff. */
const ladder = { constable: 1, bandE: 1, sergeant: 2, bandD: 2, inspector: 3, bandC: 3, chiefInspector: 4, bandB: 4, superintendent: 5, bandA: 5, chiefSuperintendent: 6 }

const seeds: Record<string, Record<string, unknown>> = {
  impact: {
    code: code('IMPACT'),
    title: 'IMPACT development programme',
    kind: 'programme',
    aim: `Help middle to senior managers on the civilian side identify and achieve development objectives that enhance their management skills ${tag}`,
    keyFeatures: [
      'Development workouts to provide feedback and promote development planning',
      'Short work placements or individual coaching to develop skills in context',
      'Psychometric feedback: Quintax personality measure and measures of career motivation',
      'Multi-rater feedback against the MPS competency framework',
      'Draft development plans discussed with the line manager'
    ],
    provider: 'DBM and partner',
    delivery: 'blended',
    duration: 'Development workshop, then placement or coaching',
    eligibility: { levelMin: ladder.bandC, levelMax: ladder.bandA, staffTypes: ['staff'], notes: 'Middle to senior managers on the civilian side' },
    pilotSize: 40,
    annualTarget: 100,
    targetYears: 4,
    frameworkElementIds: [impactElement]
  },
  promotabilityManagers: {
    code: code('PD-PROMO-MGR'),
    title: 'Promotability Programme for BME and female Managers',
    kind: 'programme',
    aim: `To provide managers with the skills, knowledge and experience to plan and prepare for promotion ${tag}`,
    keyFeatures: [
      'Based on key behaviours within the relevant role profile',
      'Participants assess themselves and undergo 360 degree feedback against those behaviours',
      'Modular workshops or ‘master classes’ based on the gaps identified',
      'Where the development required is ‘experiential’ HR Directorate (Workforce Planning) may be able to find a suitable posting',
      'coaching/ buddying/mentoring',
      'access to learning/networking events throughout the placement',
      'project or placement in the community'
    ],
    eligibility: { levelMin: ladder.sergeant, levelMax: ladder.superintendent, staffTypes: [], notes: 'Sergeant to Superintendent and police staff equivalents; highest potential, identified via PDR and a ‘gateway’ event' },
    targetGroups: ['minority_ethnic', 'women'],
    selectionRequired: true,
    defaultCapacity: 12,
    minParticipants: 10
  },
  promotabilityNonManagerial: {
    code: code('PD-PROMO-NM'),
    title: 'Promotability Programme (non-managerial)',
    kind: 'programme',
    aim: `To equip BME and female police staff in non-managerial roles with the skills and experience to apply successfully for band D/ equivalent roles ${tag}`,
    keyFeatures: ['Selection on the generic junior manager role profile', '10-12 participants', 'Leadership academy training', 'PALP training', 'Followed by a 6 month placement in acting management role', 'coaching/buddying throughout the placement', 'volunteer placement in the community'],
    eligibility: { levelMax: ladder.bandE, staffTypes: ['staff'], notes: 'Selection on the generic junior manager role profile' },
    targetGroups: ['minority_ethnic', 'women'],
    selectionRequired: true,
    defaultCapacity: 12,
    minParticipants: 10
  },
  path: {
    code: code('PATH'),
    title: 'Introductory Certificate in Management (PATH National)',
    kind: 'qualification',
    aim: `To equip non-managers with the skills, knowledge and confidence to apply for managerial roles ${tag}`,
    keyFeatures: ['Accredited by the institute of leadership and management', 'Delivered over 11 days', 'Covers for example management skills, coaching and employment law', 'Sponsored by the London Development Agency'],
    accreditation: 'Institute of Leadership and Management',
    duration: '11 days',
    durationDays: 11,
    eligibility: { levelMax: ladder.constable }
  },
  palp: {
    code: code('PALP'),
    title: 'Positive Action Leadership Programme (PALP)',
    kind: 'course',
    aim: `To encourage police officers and staff from underrepresented groups to apply for development and progression opportunities ${tag}`,
    keyFeatures: ['targeted at non-managerial bands/ranks with at least one course for BME women in police staff bands E and below', 'a four day course'],
    duration: '4 days',
    durationDays: 4,
    eligibility: { levelMax: ladder.bandE },
    targetGroups: ['minority_ethnic', 'women']
  },
  seniorWomen: {
    code: code('LDSW'),
    title: 'Leadership Development for Senior Women',
    kind: 'course',
    aim: `To support the career development of women by enhancing their leadership skills ${tag}`,
    provider: 'CENTREX',
    delivery: 'residential',
    duration: '5 days',
    durationDays: 5,
    keyFeatures: ['a national 5 day course run by CENTREX', 'opportunity to develop personal impact, self awareness and assertiveness', 'career planning and exploration of work/life balance issues'],
    eligibility: { levelMin: ladder.chiefInspector, levelMax: ladder.chiefSuperintendent, notes: 'Female Chief Inspectors, Superintendents and Chief Superintendents and equivalent police staff' },
    targetGroups: ['women']
  },
  transform: {
    code: code('TRANSFORM'),
    title: 'Transform programme',
    kind: 'programme',
    aim: `To enable senior police staff managers to encourage sustainable change; to increase the numbers of female and BME staff applying for senior roles ${tag}`,
    keyFeatures: ['For Bands A and B', 'Initial feedback assessment', '2-day Career Management Workouts', 'Highly individualised development plans', 'Supported self-learning', 'Targeted 5-10 day attachments to a pre-selected external organisation'],
    eligibility: { levelMin: ladder.bandB, levelMax: ladder.bandA, staffTypes: ['staff'] },
    targetGroups: ['women', 'minority_ethnic']
  },
  conferences: {
    code: code('CMC'),
    title: 'Career Management Conferences for BME and female staff',
    kind: 'conference',
    aim: `To provide BME and female staff with information to help them plan their career development ${tag}`,
    keyFeatures: ['Break out seminars on topics such as managing my career', 'Presentations from inspirational BME or female speakers', 'Celebrate diversity and present awards'],
    targetGroups: ['minority_ethnic', 'women']
  },
  workExperience: {
    code: code('WORKEXP'),
    title: 'Internal ‘work experience’ programme',
    kind: 'shadowing',
    aim: `To allow BME and female staff to find out what managerial and/ or specialist roles are really like ${tag}`,
    duration: 'up to a week',
    keyFeatures: ['shadow managers for up to a week', 'structured briefing/ debriefing', 'those shadowed pre-selected and trained'],
    targetGroups: ['minority_ethnic', 'women']
  },
  foundationLeadership: {
    code: code('FLM'),
    title: 'Foundation Leadership Modules',
    kind: 'course',
    aim: `Leadership foundation training for first and second line supervisors ${tag}`,
    provider: 'MPS Leadership Academy',
    eligibility: { levelMin: ladder.sergeant, levelMax: ladder.inspector, notes: '1st and 2nd line supervisors' }
  },
  consultation: {
    code: code('CONSULT'),
    title: 'Planning and Managing Corporate Consultations',
    kind: 'course',
    aim: `Professional training for MPS consultation practitioners who plan and manage consultation activities (about 400 staff in policy development or Safer Neighbourhoods postings) ${tag}`,
    keyFeatures: ['Understanding the role of consultation within the MPS', 'Tools to help plan a consultation activity', 'Plan a real consultation to implement on return to the workplace', 'Consultation guidelines as a reference manual'],
    provider: 'Dialogue by Design',
    delivery: 'classroom',
    duration: '1 day',
    durationDays: 1,
    eligibility: { notes: 'Consultation practitioners: policy writers and Safer Neighbourhoods team managers' },
    defaultCapacity: 12,
    costPerEvent: 2400,
    costPerPerson: 200,
    rolloutStartsOn: '2004-09-01'
  }
}

const created: Record<string, Programme> = {}

t.test('every programme of the seeds is held as written', async (t) => {
  for (const [name, body] of Object.entries(seeds)) {
    const res = await api.post('/v1/programmes', body)
    t.equal(res.statusCode, 201, `${name}: ${res.body}`)
    created[name] = res.json()
    const read = (await api.get(`/v1/programmes/${created[name].id}`)).json()
    const { eligibility, ...rest } = body as { eligibility?: Record<string, unknown> }
    t.match(read, rest, `${name} reads back as written`)
    if (eligibility) t.match(read.eligibility, eligibility, `${name}: eligibility`)
  }
})

t.test('IMPACT: a pilot of 40, then about 100 participants a year for 4 years', async (t) => {
  const impact = created.impact
  await api.moveProgramme(impact.id, 'pilot', 'Trialled, piloted and evaluated with 40 participants')
  const active = await api.moveProgramme(impact.id, 'active', 'Roll out to about 100 a year over the next 4 years')
  t.match(active, { status: 'active', pilotSize: 40, annualTarget: 100, targetYears: 4 })
  t.equal(active.pilotSize as number + (active.annualTarget as number) * (active.targetYears as number), 440, 'participants planned in all')
})

t.test('the Promotability Programme: Sergeant to Superintendent and staff equivalents, BME and women, selected, 10–12', async (t) => {
  const promo = created.promotabilityManagers
  t.match(promo, { targetGroups: ['minority_ethnic', 'women'], selectionRequired: true, minParticipants: 10, defaultCapacity: 12, eligibility: { levelMin: 2, levelMax: 5, staffTypes: [] } })
  const q = (person: { id: string }) => api.ids(`/v1/programmes?q=${tag}&eligibleFor=${person.id}`)
  const bandD = await api.personWithGrade(ladder.bandD, 'staff')
  const sergeant = await api.personWithGrade(ladder.sergeant, 'officer')
  const chiefSupt = await api.personWithGrade(ladder.chiefSuperintendent, 'officer')
  t.ok((await q(bandD.person)).includes(promo.id), 'band D, a sergeant’s equivalent, is eligible')
  t.ok((await q(sergeant.person)).includes(promo.id), 'a sergeant is eligible')
  t.notOk((await q(chiefSupt.person)).includes(promo.id), 'a chief superintendent is above the range')
  t.same(
    await api.ids(`/v1/programmes?q=${tag}&targetGroup=women&eligibleFor=${(await api.personWithGrade(ladder.bandB, 'staff')).person.id}`),
    [promo.id, created.seniorWomen.id, created.transform.id, created.conferences.id, created.workExperience.id].sort(),
    'what a band B woman in police staff may be offered under positive action'
  )
  t.same(
    await api.ids(`/v1/programmes?q=${tag}&eligibleFor=${(await api.personWithGrade(ladder.constable, 'officer')).person.id}`),
    [created.path.id, created.palp.id, created.conferences.id, created.workExperience.id, created.consultation.id].sort(),
    'what a constable may be nominated for'
  )
})

t.test('the consultation course: £2,400 an event, about £200 a person, monthly cohorts alternating streams, a one-day agenda', async (t) => {
  const course = await api.moveProgramme(created.consultation.id, 'active', 'Endorsed for roll out from September 2004')
  t.equal((course.costPerEvent as number) / (course.defaultCapacity as number), course.costPerPerson, '£2,400 for 12 places is £200 a person')
  const months = ['2004-09-14', '2004-10-12', '2004-11-09', '2004-12-07', '2005-01-11', '2005-02-08', '2005-03-08']
  const cohorts: Cohort[] = []
  for (const [i, startsOn] of months.entries()) {
    cohorts.push(
      await api.cohort({
        programmeId: course.id,
        externalId: `${tag}-consult-${startsOn}`,
        startsOn,
        endsOn: startsOn,
        stream: i % 2 === 0 ? 'policy' : 'safer-neighbourhoods',
        venue: 'Civil Service Sports Club, Victoria',
        facilitators: ['Dialogue by Design'],
        status: 'open'
      })
    )
  }
  const listed = await api.all<Cohort>(`/v1/cohorts?programmeId=${course.id}`)
  t.same(listed.map((c) => c.stream), ['policy', 'safer-neighbourhoods', 'policy', 'safer-neighbourhoods', 'policy', 'safer-neighbourhoods', 'policy'], 'streams alternate month by month')
  t.equal(listed.reduce((sum, c) => sum + (c.cost ?? 0), 0), 16800, 'seven courses between September and March cost £16,800')
  t.ok(listed.every((c) => c.capacity === 12 && c.cost === 2400), 'each takes the programme’s capacity and cost')
  t.same((await api.ids(`/v1/cohorts?programmeId=${course.id}&stream=policy`)).length, 4)

  // The outline of the training day (British Summer Time, UTC+1, in September).
  const first = cohorts[0]
  const at = (hhmm: string) => `${first.startsOn}T${String(Number(hhmm.slice(0, 2)) - 1).padStart(2, '0')}:${hhmm.slice(3)}:00Z`
  const agenda = [
    { starts: '09:30', ends: '09:45', title: 'Purpose, method and introductions', purpose: 'Background to the event, training agenda, introduction to training notes', method: null },
    { starts: '09:45', ends: '10:10', title: 'Session 1: Overview of consultation processes', purpose: 'To find out where people are and what their experience is', method: 'Facilitated plenary discussion: what is consultation? Review of consultation experience' },
    { starts: '10:10', ends: '11:00', title: 'Session 1: Purposes, contexts and constraints', purpose: 'What do you see as the key purposes, contexts and constraints of consultation for MPS?', method: 'Small group discussion followed by 20 minutes de-brief' },
    { starts: '11:15', ends: '12:45', title: 'Session 2: Planning consultation', purpose: 'To familiarise participants with using process planning matrix', method: "Using the 'London Borough of Booting' scenario, teams of 3-4 discuss in turn the process bridge: stakeholders and issues, purposes and products, the process planning matrix" },
    { starts: '13:30', ends: '15:00', title: 'Session 3: Consultation process planning in practice', purpose: 'Plan a real upcoming consultation: the process and why, the dilemmas and options, what could go wrong and contingencies', method: 'In pairs, on real upcoming consultation processes, using the process planning matrix' },
    { starts: '15:15', ends: '16:30', title: 'Session 4: Review of plans', purpose: null, method: null },
    { starts: '16:30', ends: '16:45', title: 'Evaluation of training', purpose: 'Post-course evaluation', method: null }
  ]
  for (const s of agenda.slice().reverse()) {
    await api.session(first, { startsAt: at(s.starts), endsAt: at(s.ends), title: s.title, purpose: s.purpose, method: s.method })
  }
  const sessions = await api.all<CohortSession>(`/v1/cohorts/${first.id}/sessions`)
  t.same(sessions.map((s) => s.title), agenda.map((s) => s.title), 'the agenda reads in time order')
  t.match(sessions[3], { startsAt: '2004-09-14T10:15:00.000Z', endsAt: '2004-09-14T11:45:00.000Z', purpose: /process planning matrix/, method: /London Borough of Booting/ })
  t.ok(sessions.filter((s) => s.purpose && s.method).length >= 4, 'the working sessions carry a purpose and a method')
})

t.test('the Leadership Academy products wait as drafts, subject to funding', async (t) => {
  const flm = created.foundationLeadership
  t.match(flm, { status: 'draft', provider: 'MPS Leadership Academy', eligibility: { levelMin: 2, levelMax: 3 } })
  t.same(await api.ids(`/v1/programmes?q=${tag}&status=draft&kind=course`), [created.palp.id, created.seniorWomen.id, flm.id].sort())
})

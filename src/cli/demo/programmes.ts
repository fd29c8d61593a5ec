/**
 * The programmes of the seed papers, as the demo holds them: IMPACT (seed 000), the Promoting
 * Difference menu (seed 001, appendix 1), the Leadership Academy products (seed 003) and the
 * consultation training course (seed 004). Aims and key features are the papers' own words
 * (trimmed); what a paper does not say (a venue, a capacity) is left empty unless a cohort needs it,
 * and then it is marked as the demo's assumption in a comment.
 *
 * Each programme carries its cohorts: dates, streams, agendas (sessions with purpose and method),
 * and who the demo puts forward for each run (`audience`, within the programme's eligibility).
 * Whether a cohort is planned, open, closed, running, completed or cancelled follows from its
 * dates and the demo's date, AS_OF (1 April 2009), see cohortStage.
 */
import type { Static } from 'typebox'
import type { ProgrammeImportRow } from '../../modules/programmes/programmes.schemas.js'
import type { NominationSource } from '../../modules/programmes/tables.js'
import type { StaffType } from '../../modules/people/tables.js'
import { addDays, daysBetween, londonTime, nthWeekday, weekly, workingDays } from './calendar.js'
import { AS_OF } from './people.js'

export type ProgrammeRow = Static<typeof ProgrammeImportRow>

/** A person as the demo's nominations see them (from the plan; nothing here is read from diversity records). */
export interface Candidate {
  externalId: string
  level: number
  staffType: StaffType
  /** The person's org unit and its name; `command` is the borough, OCU or department it belongs to. */
  unit: string
  unitName: string
  command: string
  /** Has direct reports. */
  manages: boolean
  /** The line manager's externalId. */
  lineManager: string | null
  female: boolean
  /** Of a minority ethnic background (the plan's ethnicity, not a monitoring answer). */
  minorityEthnic: boolean
  startDate: string
}

/** How likely a person is to be put forward for a run: 0 never, higher more often. */
export type Audience = (c: Candidate) => number

export interface SessionDef {
  externalId: string
  startsAt: string
  endsAt: string
  title: string
  purpose: string | null
  method: string | null
}

export interface CohortDef {
  externalId: string
  title: string
  stream: string | null
  startsOn: string
  endsOn: string
  venue: string | null
  facilitators: string[]
  /** Places; the programme's default when left out. */
  capacity?: number
  sessions: SessionDef[]
  audience: Audience
  /** Who puts people forward, by weight. */
  sources: ReadonlyArray<readonly [NominationSource, number]>
  /** Set when the run was called off, with the reason recorded on the cohort's cancellation. */
  cancelled?: string
  /** One person outside the eligibility whom HR enrols anyway, with the reason (an eligibility override). */
  override?: { audience: Audience; reason: string }
}

export interface ProgrammeDef {
  row: ProgrammeRow
  /** The org unit whose head administers the programme (selects, marks attendance). */
  administeredBy: string
  /** Nominations sought per place: more where places are given by selection. */
  demand: number
  /**
   * How the people the demo organisation has for it are shared between runs: spread over them
   * (default), or each run filled in turn until nobody is left to send (the runs after are not held).
   */
  fill?: 'spread' | 'in-turn'
  /** Evaluation scores 1–5 by weight, per question. */
  ratings: Ratings
  cohorts: CohortDef[]
}

export interface Ratings {
  relevance: number[]
  trainer: number[]
  length: number[]
  confidenceToApply: number[]
  comments: string[]
}

/** The demo's date: cohorts before it have run, later ones are taking nominations or planned. */
export const DEMO_DATE = AS_OF

export type CohortStage = 'planned' | 'open' | 'closed' | 'running' | 'completed' | 'cancelled'

/**
 * Where a cohort stands on the demo's date: run and completed when it ended before, running when
 * the date falls within it, closed for selection in the month before it starts, open for
 * nominations up to four months ahead, planned beyond that.
 */
export function cohortStage(cohort: Pick<CohortDef, 'startsOn' | 'endsOn' | 'cancelled'>): CohortStage {
  if (cohort.cancelled) return 'cancelled'
  if (cohort.endsOn < DEMO_DATE) return 'completed'
  if (cohort.startsOn <= DEMO_DATE) return 'running'
  const ahead = daysBetween(DEMO_DATE, cohort.startsOn)
  return ahead <= 30 ? 'closed' : ahead <= 120 ? 'open' : 'planned'
}

// ---- Building blocks ------------------------------------------------------------------------------

const programmeId = (code: string) => `PRG-${code}`
const cohortId = (code: string, startsOn: string, stream?: string | null) => `COH-${code}-${startsOn}${stream ? `-${stream}` : ''}`

type Item = readonly [start: string, end: string, title: string, purpose?: string | null, method?: string | null]

/** Agenda items on given days (London time): `days[i]` holds the items of day i. */
function agenda(cohort: string, days: ReadonlyArray<readonly [date: string, items: readonly Item[]]>): SessionDef[] {
  const sessions: SessionDef[] = []
  for (const [date, items] of days) {
    for (const [start, end, title, purpose, method] of items) {
      sessions.push({
        externalId: `${cohort}-S${String(sessions.length + 1).padStart(2, '0')}`,
        startsAt: londonTime(date, start),
        endsAt: londonTime(date, end),
        title,
        purpose: purpose ?? null,
        method: method ?? null
      })
    }
  }
  return sessions
}

/** One whole-day session per date, titled in turn. */
const dayPerSession = (cohort: string, dates: string[], items: ReadonlyArray<readonly [title: string, purpose?: string | null, method?: string | null]>, from = '09:30', to = '16:30') =>
  agenda(cohort, dates.map((d, i) => [d, [[from, to, ...items[i]]]] as const))

const level = (min: number | null, max: number | null) => (c: Candidate) => (min === null || c.level >= min) && (max === null || c.level <= max)
const inTargetGroups = (c: Candidate) => c.female || c.minorityEthnic
/** Positive action: the target groups first, others too where the option is not limited to them. */
const positiveAction = (others: number) => (c: Candidate) => (inTargetGroups(c) ? 1 : others)

const ratings = (relevance: number[], trainer: number[], length: number[], confidenceToApply: number[], comments: string[]): Ratings => ({
  relevance, trainer, length, confidenceToApply, comments
})
// Weights of the scores 1, 2, 3, 4, 5.
const GOOD = [1, 3, 14, 46, 36]
const FAIR = [3, 9, 30, 40, 18]

const PD_PROVIDER = 'MPS Human Resources Directorate (Career Management Unit)'
const LA_PROVIDER = 'MPS Leadership Academy'

// ---- Seed 004: the consultation training course -----------------------------------------------------

const CONSULT = 'CONSULT'
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']
const consultVenue = 'Civil Service Sports Club, Victoria'

/** The outline of the training day (Appendix 1 of seed 004); arrival, breaks and lunch are not sessions. */
const CONSULT_DAY: readonly Item[] = [
  ['09:30', '09:45', 'Purpose, method and introductions', 'Background to the event; the training agenda: agenda for the day, introduction to the training notes'],
  [
    '09:45', '10:10', 'Session 1: Overview of consultation processes',
    'To find out where people are and what their experience is',
    'Facilitated plenary discussion: what is ‘consultation’? Review of consultation experience: review of language, review of the context of consultation generally'
  ],
  [
    '10:10', '11:00', 'Session 1: Purposes, contexts and constraints',
    'To find out where people are and what their experience is: “What do you see as the key purposes, contexts and constraints of consultation for MPS?”',
    'Small group discussion followed by 20 minutes de-brief'
  ],
  [
    '11:15', '12:45', 'Session 2: Planning consultation',
    'To familiarise participants with using the process planning matrix',
    'Using the ‘London Borough of Booting’ scenario, teams of 3-4 discuss in turn the process bridge: Tower 1, stakeholders and issues; Tower 2, purposes and products; the Span, the process planning matrix and the advantages and disadvantages of different consultation methods'
  ],
  [
    '13:30', '15:00', 'Session 3: Consultation process planning in practice',
    'To plan a real upcoming consultation from planning to implementation: the process to use and why, the dilemmas faced and options for resolving them, what could go wrong and the contingency plans',
    'In pairs, on real upcoming consultation processes, using the process planning matrix; each pair works on one process plan in detail or two in outline, depending on personal needs'
  ],
  ['15:15', '16:30', 'Session 4: Review of plans', 'To review the consultation plans drawn up in session 3 with the trainers’ advice and guidance'],
  ['16:30', '16:45', 'Evaluation of training', 'Post-course evaluation, administered by the MPS Strategic Consultation Unit']
]

const inUnit = (c: Candidate, prefix: string) => c.unit === prefix || c.unit.startsWith(`${prefix}-`)
/** Policy writers: police staff managers in the corporate departments, the Strategic Consultation Unit first. */
const policyPractitioners: Audience = (c) =>
  inUnit(c, 'OU-DOR-CPG') ? 6
  : c.staffType === 'staff' && c.level >= 4 && c.level <= 6 && !c.command.startsWith('OU-TP-') ? 1
  : inUnit(c, 'OU-DCP-DCFD') && c.level >= 4 && c.level <= 6 ? 2
  : 0
/**
 * Officers managing Safer Neighbourhoods teams first, then the Safer Neighbourhoods Unit, those
 * carrying out engagement in the teams, and borough inspectors and chief inspectors.
 */
const saferNeighbourhoodsPractitioners: Audience = (c) =>
  /Safer Neighbourhoods/.test(c.unitName) && c.level >= 4 && c.level <= 6 ? 6
  : inUnit(c, 'OU-TP-SNU') && c.level >= 3 ? 3
  : /Safer Neighbourhoods/.test(c.unitName) ? 1
  : c.command.startsWith('OU-TP-') && c.staffType === 'officer' && (c.level === 5 || c.level === 6) ? 1
  : 0

function consultationCourse(): ProgrammeDef {
  const run = (startsOn: string, stream: 'policy' | 'safer-neighbourhoods' | null, label: string): CohortDef => {
    const externalId = cohortId(CONSULT, startsOn, stream)
    return {
      externalId,
      title: `Planning and Managing Corporate Consultations, ${label}`,
      stream,
      startsOn,
      endsOn: startsOn,
      venue: consultVenue,
      facilitators: ['Dialogue by Design'],
      sessions: agenda(externalId, [[startsOn, CONSULT_DAY]]),
      audience:
        stream === 'policy' ? policyPractitioners
        : stream === 'safer-neighbourhoods' ? saferNeighbourhoodsPractitioners
        : (c) => policyPractitioners(c) + saferNeighbourhoodsPractitioners(c),
      sources: [['line_manager', 3], ['self', 1]]
    }
  }
  const month = (d: string) => `${MONTHS[Number(d.slice(5, 7)) - 1]} ${d.slice(0, 4)}`
  // Pilot in May 2004; roll-out from September 2004, monthly, policy and Safer Neighbourhoods
  // practitioners in alternate months; seven courses to March 2005 (£16,800), then monthly again
  // after the need was assessed, while there are practitioners left to train.
  const rollout = [
    ...[9, 10, 11, 12].map((m) => nthWeekday(2004, m, 2, 2)),
    ...[1, 2, 3].map((m) => nthWeekday(2005, m, 2, 2)),
    ...[4, 5, 6, 7, 9, 10, 11, 12].map((m) => nthWeekday(2005, m, 2, 2)),
    ...[1, 2, 3].map((m) => nthWeekday(2006, m, 2, 2))
  ]
  return {
    row: {
      externalId: programmeId(CONSULT),
      code: CONSULT,
      title: 'Planning and Managing Corporate Consultations',
      kind: 'course',
      aim:
        'Professional training and advice for MPS consultation practitioners who plan and manage consultation activities, so that the MPS has professionally trained practitioners and minimum standards and best practice are adhered to. About 400 staff in policy development or Safer Neighbourhoods postings are to be trained.',
      keyFeatures: [
        'Understanding the role of consultation within the MPS',
        'Tools to help plan a consultation activity: stakeholder analysis, the process planning matrix, the advantages and disadvantages of different consultation methods',
        'Using the tools learnt to plan a real consultation the participant needs to implement on return to the workplace',
        'Consultation guidelines used as course material and as a standalone reference manual',
        'Run monthly, in alternate months for policy and Safer Neighbourhoods participants, for networking and cross fertilisation of ideas',
        'Administration and post-course evaluation by the MPS Strategic Consultation Unit'
      ],
      provider: 'Dialogue by Design',
      delivery: 'classroom',
      duration: '1 day',
      durationDays: 1,
      eligibilityNotes: 'Consultation practitioners: staff who plan and manage consultation activities in a policy development or Safer Neighbourhoods posting',
      defaultCapacity: 12,
      costPerEvent: 2400,
      costPerPerson: 200,
      rolloutStartsOn: '2004-09-01',
      ownerOrgUnitExternalId: 'OU-DOR-CPG',
      status: 'active'
    },
    administeredBy: 'OU-DOR-CPG',
    demand: 1.2,
    fill: 'in-turn',
    ratings: ratings([0, 0, 2, 38, 60], [0, 0, 3, 27, 70], [0, 2, 12, 56, 30], [0, 1, 8, 51, 40], [
      'Totally relevant to my daily role; I left with my ward panel consultation planned.',
      'The process planning matrix is the most useful tool I have been given in years.',
      'Highly credible trainers who clearly run consultations themselves.',
      'Good length for a one-day course; the afternoon on our own plans was the best part.',
      'Networking with colleagues from other units was valuable.',
      'The guidelines will stay on my desk as a reference.'
    ]),
    cohorts: [
      run('2004-05-18', null, 'pilot, May 2004'),
      ...rollout.map((d, i) => run(d, i % 2 === 0 ? 'policy' : 'safer-neighbourhoods', `${month(d)} (${i % 2 === 0 ? 'policy' : 'Safer Neighbourhoods'})`))
    ]
  }
}

// ---- Seed 000: IMPACT ---------------------------------------------------------------------------------

function impact(): ProgrammeDef {
  const code = 'IMPACT'
  const workshop = (startsOn: string, label: string, capacity?: number, override?: CohortDef['override']): CohortDef => {
    const externalId = cohortId(code, startsOn)
    const [first, second] = workingDays(startsOn, 2)
    return {
      externalId,
      title: `IMPACT development workshop, ${label}`,
      stream: null,
      startsOn,
      endsOn: second,
      venue: null,
      facilitators: ['DBM', 'partner consultancy'],
      capacity,
      sessions: agenda(externalId, [
        [first, [
          ['09:30', '12:30', 'Psychometric feedback', 'Feedback from the Quintax personality measure and measures of career motivation', 'Individual feedback, with individual and small group exercises to develop delegates’ understanding of it'],
          ['13:30', '17:00', 'Multi-rater feedback', 'Feedback against the MPS competency framework, from a bespoke multi-rater process', 'Individual reports, worked through in small group exercises']
        ]],
        [second, [
          ['09:30', '12:30', 'Development planning', 'To identify development objectives with both personal and organisational value, on the principles of work-based learning', 'Tools to plan development activities in the delegate’s own working context'],
          ['13:30', '16:00', 'Placements, coaching and next steps', 'To choose short work placements or individual coaching to develop skills in context, and prepare to discuss the draft plan with the line manager', 'Individual planning with the facilitators']
        ]]
      ]),
      audience: () => 1,
      sources: [['line_manager', 4], ['self', 1]],
      override
    }
  }
  return {
    row: {
      externalId: programmeId(code),
      code,
      title: 'IMPACT development programme',
      kind: 'workshop',
      aim:
        'To assist middle to senior managers on the civilian side of the MPS in identifying and achieving development objectives that will enhance their management skills. Managers take responsibility for their own personal and career development, with organisational support to achieve it.',
      keyFeatures: [
        'Development ‘workouts’ to provide feedback and promote development planning',
        'Short work placements or individual coaching to develop skills in context',
        'An interactive development workshop combining psychometric and multi-rater feedback',
        'Psychometric feedback from the Quintax personality measure and measures of career motivation',
        'Multi-rater feedback against the MPS competency framework, in a bespoke process with its own reporting package',
        'Individual and small group exercises to develop delegates’ understanding of their feedback',
        'Development planning on the principles of work-based learning, in the delegate’s own working context',
        'Draft development plans discussed with the line manager to identify priorities of personal and organisational value'
      ],
      provider: 'DBM and partner consultancy',
      delivery: 'blended',
      duration: 'Development workshop, then a short work placement or individual coaching',
      levelMin: 6,
      levelMax: 9,
      staffTypes: ['staff'],
      eligibilityNotes: 'Middle to senior managers on the civilian side: police staff band C and above',
      defaultCapacity: 12,
      pilotSize: 40,
      annualTarget: 100,
      targetYears: 4,
      rolloutStartsOn: '2007-04-01',
      ownerOrgUnitExternalId: 'OU-HRD-LA',
      status: 'active'
    },
    administeredBy: 'OU-HRD-LA',
    demand: 1.2,
    ratings: ratings(GOOD, [0, 1, 10, 44, 45], FAIR, GOOD, [
      'The 360 feedback against the competency framework was an eye-opener.',
      'Useful psychometric feedback; I now have a development plan my manager has agreed.',
      'Two days well spent; the placement idea is the part I will act on first.',
      'Would have liked more time on the career motivation results.'
    ]),
    // The pilot (2006/07, 40 places) and the roll-out years from April 2007 (about 100 a year for 4 years).
    cohorts: [
      workshop('2006-10-10', 'pilot, October 2006', 10),
      workshop('2007-02-13', 'pilot, February 2007', 10),
      workshop('2007-10-09', 'October 2007', undefined, {
        audience: (c) => (c.staffType === 'staff' && c.level === 4 && c.manages ? 1 : 0),
        reason: 'Acting band C manager on temporary promotion; HR accepted the line manager’s case'
      }),
      workshop('2008-10-14', 'October 2008'),
      workshop('2009-06-16', 'June 2009'),
      workshop('2010-06-15', 'June 2010')
    ]
  }
}

// ---- Seed 001: the Promoting Difference menu ------------------------------------------------------------

function careerConferences(): ProgrammeDef {
  const code = 'PD-CMC'
  const themes = [
    ['women', 'for women', (c: Candidate) => (c.female ? 1 : 0)],
    ['bme-constables', 'for BME constables', (c: Candidate) => (c.minorityEthnic && c.level === 3 ? 1 : 0)],
    ['bme-managers', 'for BME managers', (c: Candidate) => (c.minorityEthnic && c.level >= 4 ? 1 : 0)]
  ] as const
  const conference = (startsOn: string, [stream, label, audience]: (typeof themes)[number]): CohortDef => {
    const externalId = cohortId(code, startsOn, stream)
    return {
      externalId,
      title: `Career Management Conference ${label}, ${startsOn.slice(0, 4)}`,
      stream,
      startsOn,
      endsOn: startsOn,
      venue: null,
      facilitators: ['Career Management Unit'],
      sessions: agenda(externalId, [[startsOn, [
        ['09:30', '10:30', 'Welcome and inspirational speakers', 'Presentations from inspirational BME or female speakers; what development and support the MPS can offer'],
        ['10:45', '12:30', 'Break-out seminars', 'Seminars on managing my career, how do I plan my development, how to prepare for applying for roles', 'Break-out groups'],
        ['13:30', '14:30', 'The PDR and promotion processes; business groups with representation issues', 'How the PDR and promotions processes work; presentations from business groups and OCUs with representation issues', 'Presentations'],
        ['14:45', '15:45', 'Your feedback to HR Directorate', 'Collective feedback on barriers faced within careers and what the MPS could do to remove or minimise them', 'Facilitated discussion'],
        ['15:45', '16:30', 'Networking and awards', 'To exchange ideas and experiences, network, celebrate diversity and present awards for achievements in careers']
      ]]]),
      capacity: 40,
      audience,
      sources: [['self', 3], ['line_manager', 1]]
    }
  }
  return {
    row: {
      externalId: programmeId(code),
      code,
      title: 'Career Management Conferences for BME and female staff',
      kind: 'conference',
      aim: 'To provide BME and female staff with information to help them plan their career development. The Promoting Difference programme is launched annually through these conferences.',
      keyFeatures: [
        'Separate themed conferences, e.g. for women, BME constables, BME managers',
        'Information regarding what development and/or support the MPS can offer',
        '‘Break out’ seminars on topics such as ‘managing my career’, ‘how do I plan my development’ or ‘how to prepare for applying for roles’',
        'An opportunity for HR Directorate to receive collective feedback from under represented groups on barriers faced within their careers',
        'Presentations from inspirational BME or female speakers',
        'Information on how the PDR and promotions processes work',
        'Presentations from business groups/ OCUs with representation issues (e.g. the Specialist Operations careers consultancy)',
        'An opportunity for participants to exchange ideas/experiences and network',
        'To celebrate diversity and present awards to individuals e.g. for achievements in their careers'
      ],
      provider: PD_PROVIDER,
      delivery: 'classroom',
      duration: '1 day',
      durationDays: 1,
      eligibilityNotes: 'BME and female officers and staff',
      targetGroups: ['minority_ethnic', 'women'],
      defaultCapacity: 40,
      ownerOrgUnitExternalId: 'OU-HRD-CMU',
      status: 'active'
    },
    administeredBy: 'OU-HRD-CMU',
    demand: 1.15,
    ratings: ratings(GOOD, GOOD, FAIR, FAIR, [
      'Inspiring speakers; I came away with a plan for my next PDR.',
      'The break-out on applying for roles was practical and honest.',
      'Good to be asked about the barriers we face.'
    ]),
    cohorts: ['2007-09-18', '2008-09-16', '2009-09-15'].flatMap((d) => themes.map((theme, i) => conference(addDays(d, i), theme)))
  }
}

const PROMOTABILITY_LEVELS = [
  ['sergeant-band-d', 'Sergeant and band D', 4],
  ['inspector', 'Inspector', 5],
  ['chief-inspector-band-c', 'Chief Inspector and band C', 6],
  ['superintendent-band-b', 'Superintendent and band B', 7]
] as const

function promotabilityManagers(): ProgrammeDef {
  const code = 'PD-PROMO-MGR'
  const intake = (year: number, [stream, label, lvl]: (typeof PROMOTABILITY_LEVELS)[number]): CohortDef => {
    const startsOn = nthWeekday(year, 6, 1, 1)
    const endsOn = nthWeekday(year + 1, 3, 5, 4)
    const externalId = cohortId(code, startsOn, stream)
    const at = (months: number) => nthWeekday(year + Math.floor((5 + months) / 12), ((5 + months) % 12) + 1, 2, 2)
    return {
      externalId,
      title: `Promotability Programme ${year}/${String((year + 1) % 100).padStart(2, '0')}: ${label}`,
      stream,
      startsOn,
      endsOn,
      venue: null,
      facilitators: ['Career Management Unit', 'Workforce Planning'],
      sessions: dayPerSession(externalId, [startsOn, at(2), at(4), at(6), at(8)], [
        ['Launch: the role profile behaviours, self-assessment and 360 degree feedback', 'Participants assess themselves and undergo 360 degree feedback against the key behaviours of the relevant role profile'],
        ['Master class: self esteem and assertiveness', 'Modular workshop on a gap identified by the 360 degree feedback'],
        ['Master class: how to make an impact', 'Modular workshop on a gap identified by the 360 degree feedback'],
        ['Master class: achieving your career goals', 'Modular workshop on a gap identified by the 360 degree feedback'],
        ['Review of placements, coaching and community projects', 'To review experiential development: postings, coaching, buddying and mentoring, and the project or placement in the community']
      ]),
      audience: (c) => (c.level === lvl && inTargetGroups(c) ? 1 : 0),
      sources: [['gateway_event', 3], ['line_manager', 2]]
    }
  }
  return {
    row: {
      externalId: programmeId(code),
      code,
      title: 'Promotability Programme for BME and female Managers',
      kind: 'programme',
      aim:
        'To provide managers with the skills, knowledge and experience to plan and prepare for promotion. A group of 10-12 BME and/or female officers/staff from each key impact level with the highest potential to succeed has access to an intensive development programme.',
      keyFeatures: [
        'Based on key behaviours within the relevant role profile',
        'Participants assess themselves and undergo 360 degree feedback against those behaviours',
        'Modular workshops or ‘master classes’ based on the gaps identified (e.g. on topics such as self esteem/assertiveness, how to make an impact, achieving your career goals)',
        'Where the development required is ‘experiential’ Human Resources Directorate (Workforce Planning) may be able to find a suitable posting',
        'coaching/ buddying/mentoring',
        'access to learning/networking events throughout the placement',
        'project or placement in the community'
      ],
      provider: PD_PROVIDER,
      delivery: 'blended',
      duration: 'June to March: master classes, placements and coaching',
      levelMin: 4,
      levelMax: 7,
      eligibilityNotes:
        'Sergeant to Superintendent and police staff equivalents, one group per key impact level; the highest potential, identified via PDR and a ‘gateway’ event. Those whose managers feel less certain they can progress beyond the next level have access to other elements of the Promoting Difference programme.',
      targetGroups: ['minority_ethnic', 'women'],
      selectionRequired: true,
      defaultCapacity: 12,
      minParticipants: 10,
      rolloutStartsOn: '2007-06-01',
      ownerOrgUnitExternalId: 'OU-HRD-CMU',
      status: 'active'
    },
    administeredBy: 'OU-HRD-CMU',
    demand: 1.6,
    ratings: ratings(GOOD, GOOD, FAIR, GOOD, [
      'The master class on making an impact has changed how I approach boards.',
      'My placement gave me the experience my last promotion board said I lacked.',
      'Coaching throughout was the most valuable part.'
    ]),
    cohorts: [2007, 2008, 2009].flatMap((year) => PROMOTABILITY_LEVELS.map((l) => intake(year, l)))
  }
}

function promotabilityNonManagerial(): ProgrammeDef {
  const code = 'PD-PROMO-NM'
  const intake = (startsOn: string, endsOn: string, label: string): CohortDef => {
    const externalId = cohortId(code, startsOn)
    const [la, ...palp] = [startsOn, ...workingDays(addDays(startsOn, 28), 4)]
    const brief = addDays(startsOn, 56)
    const mid = addDays(brief, 91)
    return {
      externalId,
      title: `Promotability Programme (non-managerial), ${label}`,
      stream: null,
      startsOn,
      endsOn,
      venue: null,
      facilitators: ['Leadership Academy', 'Career Management Unit'],
      sessions: dayPerSession(externalId, [la, ...palp, brief, mid, endsOn], [
        ['Leadership Academy training', 'Leadership training for junior manager roles'],
        ['PALP training, day 1 of 4', 'Positive Action Leadership Programme'],
        ['PALP training, day 2 of 4', 'Positive Action Leadership Programme'],
        ['PALP training, day 3 of 4', 'Positive Action Leadership Programme'],
        ['PALP training, day 4 of 4', 'Positive Action Leadership Programme'],
        ['Placement briefing', 'The 6 month placement in an acting management role, co-ordinated by business group leads and workforce planning; coaching and buddying arrangements'],
        ['Placement review: mid-point', 'Progress in the acting role; the volunteer placement in the community', 'One-to-one reviews with coaches and buddies'],
        ['Placement review and next steps', 'Evidence for applications to band D/ equivalent roles']
      ]),
      audience: (c) => (c.staffType === 'staff' && inTargetGroups(c) ? 1 : 0),
      sources: [['line_manager', 2], ['self', 2]]
    }
  }
  return {
    row: {
      externalId: programmeId(code),
      code,
      title: 'Promotability Programme (non-managerial)',
      kind: 'programme',
      aim: 'To equip BME and female police staff in non-managerial roles with the skills and experience to apply successfully for band D/ equivalent roles.',
      keyFeatures: [
        'Selection on the generic junior manager role profile',
        '10-12 participants',
        'Leadership academy training',
        'PALP training',
        'Followed by a 6 month placement in acting management role (co-ordinated by business group leads and workforce planning as is the case with the IDP)',
        'coaching/buddying throughout the placement',
        'access to learning/networking events throughout the placement',
        'volunteer placement in the community'
      ],
      provider: PD_PROVIDER,
      delivery: 'blended',
      duration: 'Training, then a 6 month placement in an acting management role',
      levelMax: 3,
      staffTypes: ['staff'],
      eligibilityNotes: 'BME and female police staff in non-managerial roles (bands E and below); selection on the generic junior manager role profile',
      targetGroups: ['minority_ethnic', 'women'],
      selectionRequired: true,
      defaultCapacity: 12,
      minParticipants: 10,
      ownerOrgUnitExternalId: 'OU-HRD-CMU',
      status: 'active'
    },
    administeredBy: 'OU-HRD-CMU',
    demand: 1.6,
    ratings: ratings(GOOD, GOOD, FAIR, GOOD, ['The acting role was hard work and exactly what I needed.', 'PALP gave me the confidence to apply.']),
    cohorts: [intake('2008-01-14', '2008-09-26', '2008'), intake('2008-10-06', '2009-06-26', '2008/09')]
  }
}

function promotabilityWorkshops(): ProgrammeDef {
  const code = 'PD-PROMO-WS'
  const workshop = (startsOn: string): CohortDef => {
    const externalId = cohortId(code, startsOn)
    return {
      externalId,
      title: `Promotability Workshop (non-managerial), ${startsOn}`,
      stream: null,
      startsOn,
      endsOn: startsOn,
      venue: null,
      facilitators: ['Diversity and Citizen Focus Directorate', 'Career Management Unit'],
      sessions: agenda(externalId, [[startsOn, [
        ['09:30', '11:00', 'How to identify your skills', 'To plan development so as to be better equipped to apply for managerial roles'],
        ['11:15', '12:45', 'How to plan your career and your development'],
        ['13:30', '15:00', 'How to fill in an application form; interview technique', null, 'Practical exercises'],
        ['15:15', '16:30', 'Positive thinking, motivation']
      ]]]),
      audience: positiveAction(0.5),
      sources: [['self', 3], ['line_manager', 1]]
    }
  }
  return {
    row: {
      externalId: programmeId(code),
      code,
      title: 'Promotability Workshops (non-managerial)',
      kind: 'workshop',
      aim: 'To enable non-managerial staff and officers to plan their development so that they are better equipped to apply for managerial roles.',
      keyFeatures: [
        'Workshops run jointly by Diversity and Citizen Focus Directorate and the Career Management Unit',
        'how to identify your skills',
        'how to plan your career',
        'how to plan your development',
        'how to fill in an application form, interview technique, etc.',
        'positive thinking, motivation'
      ],
      provider: 'Diversity and Citizen Focus Directorate and the Career Management Unit',
      delivery: 'classroom',
      duration: '1 day',
      durationDays: 1,
      levelMax: 3,
      eligibilityNotes: 'Non-managerial staff and officers',
      defaultCapacity: 20,
      ownerOrgUnitExternalId: 'OU-HRD-CMU',
      status: 'active'
    },
    administeredBy: 'OU-HRD-CMU',
    demand: 1.5,
    ratings: ratings(GOOD, GOOD, FAIR, FAIR, ['Practical tips on the application form that I used the following week.', 'Well run and motivating.']),
    cohorts: ['2007-11-13', '2008-03-11', '2008-07-08', '2008-11-11', '2009-03-10', '2009-05-12', '2009-09-08'].map(workshop)
  }
}

function path(): ProgrammeDef {
  const code = 'PD-PATH'
  const days: ReadonlyArray<readonly [string, string?]> = [
    ['Introduction to management', 'What managers do; the ILM certificate and how it is assessed'],
    ['Management skills: planning and organising work'],
    ['Management skills: leading and motivating a team'],
    ['Management skills: communication'],
    ['Coaching'],
    ['Employment law'],
    ['Self empowerment: challenging situations in the workplace'],
    ['Self empowerment: assertiveness'],
    ['Meeting career aspirations: presentation skills'],
    ['Meeting career aspirations: interview and application form technique'],
    ['Review and assessment', 'Completing the work for the ILM Introductory Certificate in Management']
  ]
  const run = (startsOn: string): CohortDef => {
    const externalId = cohortId(code, startsOn)
    const dates = weekly(startsOn, 11)
    return {
      externalId,
      title: `Introductory Certificate in Management (PATH National), from ${startsOn}`,
      stream: null,
      startsOn,
      endsOn: dates[10],
      venue: null,
      facilitators: ['PATH National'],
      sessions: dayPerSession(externalId, dates, days.map(([title, purpose], i) => [`Day ${i + 1}: ${title}`, purpose ?? null] as const)),
      audience: positiveAction(0.6),
      sources: [['self', 3], ['line_manager', 1]]
    }
  }
  return {
    row: {
      externalId: programmeId(code),
      code,
      title: 'Introductory Certificate in Management (PATH National)',
      kind: 'qualification',
      aim: 'To equip non-managers with the skills, knowledge and confidence to apply for managerial roles.',
      keyFeatures: [
        'Accredited by the institute of leadership and management',
        'Delivered over 11 days',
        'Covers for example management skills, coaching and employment law',
        'Additional modules on ‘self empowerment’ (challenging situations in the workplace and assertiveness) as well as ‘meeting career aspirations’ (presentation skills, interview and application form technique)',
        'Sponsored by the London Development Agency'
      ],
      provider: 'PATH National',
      delivery: 'classroom',
      duration: '11 days',
      durationDays: 11,
      accreditation: 'Institute of Leadership and Management',
      levelMax: 3,
      eligibilityNotes: 'Non-managers',
      defaultCapacity: 15,
      ownerOrgUnitExternalId: 'OU-HRD-CMU',
      status: 'active'
    },
    administeredBy: 'OU-HRD-CMU',
    demand: 1.2,
    ratings: ratings(GOOD, GOOD, [2, 8, 30, 40, 20], GOOD, ['Eleven days is a commitment but worth it for the certificate.', 'Employment law day was eye-opening.']),
    cohorts: ['2008-01-09', '2008-09-03', '2009-02-04', '2009-09-02'].map(run)
  }
}

function palp(): ProgrammeDef {
  const code = 'PD-PALP'
  const course = (startsOn: string, stream: string | null = null): CohortDef => {
    const externalId = cohortId(code, startsOn, stream)
    const dates = workingDays(startsOn, 4)
    return {
      externalId,
      title: `Positive Action Leadership Programme, ${startsOn}${stream ? ' (BME women, police staff bands E and below)' : ''}`,
      stream,
      startsOn,
      endsOn: dates[3],
      venue: null,
      facilitators: ['Leadership Academy'],
      sessions: dayPerSession(externalId, dates, [
        ['Day 1 of 4', 'To encourage police officers and staff from underrepresented groups to apply for development and progression opportunities'],
        ['Day 2 of 4'],
        ['Day 3 of 4'],
        ['Day 4 of 4', 'Personal development and progression plans']
      ]),
      audience: stream ? (c) => (c.staffType === 'staff' && c.female && c.minorityEthnic ? 1 : 0) : positiveAction(0.3),
      sources: [['line_manager', 2], ['self', 2]]
    }
  }
  return {
    row: {
      externalId: programmeId(code),
      code,
      title: 'Positive Action Leadership Programme (PALP)',
      kind: 'course',
      aim: 'To encourage police officers and staff from underrepresented groups to apply for development and progression opportunities.',
      keyFeatures: [
        'targeted at non-managerial bands/ranks with at least one course for BME women in police staff bands E and below',
        'to be used for Positive Progression Programme participants',
        'a four day course'
      ],
      provider: LA_PROVIDER,
      delivery: 'classroom',
      duration: '4 days',
      durationDays: 4,
      levelMax: 3,
      eligibilityNotes: 'Non-managerial bands and ranks from underrepresented groups',
      targetGroups: ['minority_ethnic', 'women'],
      defaultCapacity: 16,
      ownerOrgUnitExternalId: 'OU-HRD-CMU',
      status: 'active'
    },
    administeredBy: 'OU-HRD-CMU',
    demand: 1.3,
    ratings: ratings(GOOD, GOOD, FAIR, GOOD, ['I have applied for my first development post since the course.', 'Four days felt long but the last day pulled it together.']),
    cohorts: [course('2007-10-08'), course('2008-03-03'), course('2008-06-09', 'bme-women-staff'), course('2008-10-06'), course('2009-01-19'), course('2009-04-20'), course('2009-10-05')]
  }
}

function leadershipSeniorWomen(): ProgrammeDef {
  const code = 'PD-LDSW'
  const course = (startsOn: string): CohortDef => {
    const externalId = cohortId(code, startsOn)
    const dates = workingDays(startsOn, 5)
    return {
      externalId,
      title: `Leadership Development for Senior Women, ${startsOn} (MPS places)`,
      stream: null,
      startsOn,
      endsOn: dates[4],
      venue: 'CENTREX (national course)',
      facilitators: ['CENTREX'],
      sessions: dayPerSession(externalId, dates, [
        ['Personal impact', 'To develop personal impact'],
        ['Self awareness', 'To develop self awareness'],
        ['Assertiveness', 'To develop assertiveness'],
        ['Career planning', 'Strategies to support future career aspirations'],
        ['Work/life balance', 'Exploration of work/life balance issues']
      ]),
      capacity: 6,
      audience: (c) => (c.female ? 1 : 0),
      sources: [['line_manager', 2], ['hr', 1]]
    }
  }
  return {
    row: {
      externalId: programmeId(code),
      code,
      title: 'Leadership Development for Senior Women',
      kind: 'course',
      aim: 'To support the career development of women by enhancing their leadership skills and helping them develop strategies to support future career aspirations.',
      keyFeatures: [
        'a national 5 day course run by CENTREX',
        'aimed at female Chief Inspectors, Superintendents and Chief Superintendents and equivalent police staff',
        'opportunity to develop personal impact, self awareness and assertiveness',
        'provides career planning and exploration of work/life balance issues'
      ],
      provider: 'CENTREX',
      delivery: 'residential',
      duration: '5 days',
      durationDays: 5,
      levelMin: 6,
      levelMax: 8,
      eligibilityNotes: 'Female Chief Inspectors, Superintendents and Chief Superintendents and equivalent police staff',
      targetGroups: ['women'],
      defaultCapacity: 6,
      ownerOrgUnitExternalId: 'OU-HRD-CMU',
      status: 'active'
    },
    administeredBy: 'OU-HRD-CMU',
    demand: 1.2,
    ratings: ratings(GOOD, [0, 1, 8, 40, 51], FAIR, GOOD, ['A rare chance to reflect with senior women from other forces.', 'The work/life balance session was very honest.']),
    cohorts: ['2007-11-05', '2008-05-12', '2008-11-10', '2009-05-11'].map(course)
  }
}

function highPotential(): ProgrammeDef {
  const code = 'PD-HPDS'
  const intake = (year: number, startsOn: string, endsOn: string): CohortDef => {
    const externalId = cohortId(code, startsOn)
    return {
      externalId,
      title: `High Potential Development Scheme, ${year} intake`,
      stream: null,
      startsOn,
      endsOn,
      venue: null,
      facilitators: ['Career Management Unit'],
      sessions: dayPerSession(externalId, [startsOn, addDays(startsOn, 1), addDays(startsOn, 98), endsOn], [
        ['Induction', 'The scheme, its fast-track placements and what is expected of members'],
        ['Development centre', 'Strengths and development needs against the next role', 'Exercises observed by trained assessors'],
        ['Development review', 'Progress against individual development plans'],
        ['End of year review', 'Readiness for the next placement or promotion']
      ]),
      capacity: 20,
      audience: (c) => (c.level >= 3 ? 1 : 0.2),
      sources: [['self', 5], ['line_manager', 1]]
    }
  }
  return {
    row: {
      externalId: programmeId(code),
      code,
      title: 'High Potential Development Scheme',
      kind: 'programme',
      aim: 'To fast track individuals with the potential for senior managerial roles.',
      keyFeatures: [
        'All can apply up to Chief Inspector/ Band C',
        'The Career Management Unit hold information sessions targeted at BME and female staff',
        'SAMURAI and BPA are working with the CMU regarding attracting more BME applicants'
      ],
      provider: PD_PROVIDER,
      delivery: 'blended',
      levelMax: 6,
      eligibilityNotes: 'Officers and staff up to Chief Inspector/ Band C; applications supported by the line manager, endorsed by the Career Management Unit, then selection',
      selectionRequired: true,
      secondApprovalRequired: true,
      defaultCapacity: 20,
      ownerOrgUnitExternalId: 'OU-HRD-CMU',
      status: 'active'
    },
    administeredBy: 'OU-HRD-CMU',
    demand: 2,
    ratings: ratings(GOOD, GOOD, FAIR, GOOD, ['The development centre feedback was tough and fair.']),
    cohorts: [intake(2008, '2008-09-01', '2009-03-27'), intake(2009, '2009-07-06', '2010-03-26')]
  }
}

function transform(): ProgrammeDef {
  const code = 'PD-TRANSFORM'
  const workout = (startsOn: string): CohortDef => {
    const externalId = cohortId(code, startsOn)
    const [first, second] = workingDays(startsOn, 2)
    return {
      externalId,
      title: `Transform: Career Management Workout, ${startsOn}`,
      stream: null,
      startsOn,
      endsOn: second,
      venue: null,
      facilitators: ['Career Management Unit'],
      sessions: agenda(externalId, [
        [first, [
          ['09:00', '12:30', 'Initial feedback assessment', 'Feedback to start highly individualised development plans'],
          ['13:30', '17:00', 'Career Management Workout, part 1', 'To access and apply knowledge to encourage sustainable change throughout the organisation']
        ]],
        [second, [['09:00', '16:00', 'Career Management Workout, part 2', 'Individual development plans; supported self-learning; choosing a 5-10 day attachment to a pre-selected external organisation']]]
      ]),
      capacity: 12,
      audience: positiveAction(0.5),
      sources: [['hr', 2], ['line_manager', 1]]
    }
  }
  return {
    row: {
      externalId: programmeId(code),
      code,
      title: 'Transform programme',
      kind: 'programme',
      aim:
        'To enable senior police staff managers to access and apply their knowledge to encourage a sustainable change throughout the organisation; to increase the numbers of female and BME staff applying for senior roles.',
      keyFeatures: [
        'For Bands A and B',
        'Initial feedback assessment',
        '2-day Career Management Workouts',
        'Highly individualised development plans',
        'Supported self-learning',
        'Targeted 5-10 day attachments to a pre-selected external organisation'
      ],
      provider: PD_PROVIDER,
      delivery: 'blended',
      duration: '2-day workout, self-learning and a 5-10 day attachment',
      levelMin: 7,
      levelMax: 8,
      staffTypes: ['staff'],
      eligibilityNotes: 'Police staff bands A and B',
      targetGroups: ['women', 'minority_ethnic'],
      defaultCapacity: 12,
      ownerOrgUnitExternalId: 'OU-HRD-CMU',
      status: 'active'
    },
    administeredBy: 'OU-HRD-CMU',
    demand: 1.1,
    ratings: ratings(GOOD, GOOD, FAIR, GOOD, ['The attachment has been arranged; looking forward to it.']),
    cohorts: ['2008-02-11', '2009-06-15'].map(workout)
  }
}

function specialisms(): ProgrammeDef {
  const code = 'PD-SPECIALISMS'
  const day = (startsOn: string, stream: string, title: string): CohortDef => {
    const externalId = cohortId(code, startsOn, stream)
    return {
      externalId,
      title,
      stream,
      startsOn,
      endsOn: startsOn,
      venue: null,
      facilitators: ['Career Management Unit'],
      sessions: agenda(externalId, [[startsOn, [
        ['10:00', '12:30', 'What the roles are really like', 'To find out about specialist roles where BME and/or female staff are under-represented', 'Presentations and meeting specialists'],
        ['13:30', '15:30', 'Routes in and development', 'How to prepare for selection into the specialism']
      ]]]),
      capacity: 30,
      audience: (c) => (c.level >= 3 && c.level <= 5 ? positiveAction(0.4)(c) : 0),
      sources: [['self', 1]]
    }
  }
  return {
    row: {
      externalId: programmeId(code),
      code,
      title: 'Positive Action – Specialisms',
      kind: 'other',
      aim: 'To develop a representative workforce within specialist departments.',
      keyFeatures: [
        'CMU will identify specialist roles or business groups where BME and/or female staff are under-represented',
        'CMU will work with key stakeholders to design their own action plans e.g. Specialist Operations, Specialist Crime Directorate or Central Operations ‘taster’ sessions or open days'
      ],
      provider: PD_PROVIDER,
      delivery: 'workplace',
      duration: 'Taster sessions and open days',
      targetGroups: ['minority_ethnic', 'women'],
      defaultCapacity: 30,
      ownerOrgUnitExternalId: 'OU-HRD-CMU',
      status: 'active'
    },
    administeredBy: 'OU-HRD-CMU',
    demand: 1,
    ratings: ratings(GOOD, GOOD, GOOD, FAIR, ['Now considering an application to the specialism.']),
    cohorts: [
      day('2008-06-17', 'specialist-operations', 'Specialist Operations taster day'),
      day('2008-11-18', 'specialist-crime', 'Specialist Crime Directorate open day'),
      day('2009-06-16', 'central-operations', 'Central Operations taster day')
    ]
  }
}

/** Options of the menu run without cohorts here: ongoing schemes, awards, resources and recruitment. */
function promotingDifferenceOptions(): ProgrammeDef[] {
  const option = (code: string, row: Omit<ProgrammeRow, 'externalId' | 'code'>): ProgrammeDef => ({
    row: { externalId: programmeId(code), code, provider: PD_PROVIDER, ownerOrgUnitExternalId: 'OU-HRD-CMU', ...row },
    administeredBy: row.ownerOrgUnitExternalId ?? 'OU-HRD-CMU',
    demand: 1,
    ratings: ratings(GOOD, GOOD, GOOD, GOOD, []),
    cohorts: []
  })
  return [
    option('PD-WORKEXP', {
      title: 'Internal ‘work experience’ programme (for BME and female staff)',
      kind: 'shadowing',
      aim: 'To allow BME and female staff to find out what managerial and/ or specialist roles are really like by providing ‘taster’ sessions.',
      keyFeatures: [
        'provides the opportunity to shadow managers for up to a week',
        'It has been used widely in other organisations and must involve structured briefing/ debriefing',
        'Those being shadowed will have been pre-selected and trained to ensure they have the appropriate skills'
      ],
      delivery: 'workplace',
      duration: 'up to a week',
      durationDays: 5,
      eligibilityNotes: 'BME and female staff',
      targetGroups: ['minority_ethnic', 'women'],
      status: 'active'
    }),
    option('PD-ACDP', {
      title: 'Active Career Development Programme (mentoring)',
      kind: 'mentoring',
      aim: 'To support and develop ethnic minority officers and staff to reach their full potential.',
      keyFeatures: [
        'the Active Career Development Programme (launched in 1999 for Inspectors to Superintendents only) provides mentors for BME managers',
        'DCFD will evaluate the ACDP and research options for refining/ refreshing it',
        'There is currently a gap in the programme in that police staff and constables/sergeants are not catered for'
      ],
      provider: 'Diversity and Citizen Focus Directorate',
      delivery: 'workplace',
      levelMin: 5,
      levelMax: 7,
      staffTypes: ['officer'],
      eligibilityNotes: 'BME managers, Inspectors to Superintendents',
      targetGroups: ['minority_ethnic'],
      ownerOrgUnitExternalId: 'OU-DCP-DCFD',
      status: 'active'
    }),
    option('PD-RECRUIT-D', {
      title: 'Direct targeted Recruitment campaign at Band D level (BME and women)',
      kind: 'recruitment',
      aim: 'To increase representation of BME and female staff in the first managerial bands by recruiting graduates directly into band D roles.',
      keyFeatures: [
        'Most colleges have positive action programmes for BME students seeking careers in management roles; the MPS has links with those programmes and aims to select those with potential for senior management roles',
        'After joining the organisation, they would have priority access to the positive action programmes or events (e.g. coaching, buddying, learning events)',
        'This will be a pilot programme within DOI initially; it may be extended following evaluation'
      ],
      delivery: 'workplace',
      eligibilityNotes: 'Graduates recruited directly into band D roles; a pilot within the Directorate of Information',
      targetGroups: ['minority_ethnic', 'women'],
      selectionRequired: true,
      ownerOrgUnitExternalId: 'OU-DOI-TECH',
      status: 'pilot'
    }),
    option('PD-OSPRE', {
      title: 'OSPRE: equal opportunity to succeed',
      kind: 'other',
      aim: 'To ensure all staff have an equal opportunity to succeed at OSPRE.',
      keyFeatures: [
        'HR Directorate will monitor pass rates and conduct other research to check for disproportionality',
        'Interventions (such as study support programmes) will be provided to remove any barriers to equal opportunity revealed by the research'
      ],
      levelMin: 3,
      levelMax: 4,
      staffTypes: ['officer'],
      eligibilityNotes: 'Constables and sergeants taking the OSPRE promotion examinations',
      status: 'active'
    }),
    option('PD-IDP', {
      title: 'Intensive Development Programme',
      kind: 'placement',
      aim: 'To fast track individuals with the potential for senior managerial roles.',
      keyFeatures: ['Placements in acting roles co-ordinated by business group leads and workforce planning', 'All can apply up to Chief Inspector/ Band C'],
      delivery: 'workplace',
      levelMax: 6,
      selectionRequired: true,
      status: 'active'
    }),
    option('PD-BURSARY', {
      title: 'Bursary scheme (first degree)',
      kind: 'qualification',
      aim: 'To increase the number of MPS staff/ officers with qualifications relevant to their role so that they may be better equipped to progress in their career.',
      keyFeatures: [
        'Annual application process',
        'Ten days study leave available via line managers',
        'Aimed at those seeking a first degree',
        'Applications particularly encouraged from BME and female staff/officers who do not have a first degree'
      ],
      delivery: 'blended',
      eligibilityNotes: 'Officers and staff seeking a first degree',
      targetGroups: ['minority_ethnic', 'women'],
      selectionRequired: true,
      status: 'active'
    }),
    option('PD-NVQ', {
      title: 'Business administration NVQ for BME police staff',
      kind: 'qualification',
      aim: 'To increase the number of MPS staff with qualifications relevant to their role so that they may be better equipped to progress in their career.',
      keyFeatures: ['Places are available for BME police staff on the business administration NVQ'],
      delivery: 'workplace',
      accreditation: 'NVQ in Business Administration',
      staffTypes: ['staff'],
      eligibilityNotes: 'BME police staff',
      targetGroups: ['minority_ethnic'],
      status: 'active'
    }),
    option('PD-CAREERS-ONLINE', {
      title: 'On line careers guidance',
      kind: 'e_learning',
      aim: 'An intranet resource to help you plan your career.',
      keyFeatures: [
        'How to manage your career/ plan your development',
        'Self assessment tools',
        'Development opportunities available',
        'Facility to pose a question to CMU project managers'
      ],
      delivery: 'online',
      status: 'active'
    })
  ]
}

// ---- Seed 003: Leadership Academy products --------------------------------------------------------------

function foundationLeadership(): ProgrammeDef {
  const code = 'LA-FLM'
  const run = (startsOn: string, cancelled?: string): CohortDef => {
    const externalId = cohortId(code, startsOn)
    const dates = weekly(startsOn, 4)
    return {
      externalId,
      title: `Foundation Leadership Modules, from ${startsOn}`,
      stream: null,
      startsOn,
      endsOn: dates[3],
      venue: null,
      facilitators: ['Leadership Academy'],
      sessions: dayPerSession(externalId, dates, [
        ['Module 1: Quality policing', 'We will be proud to deliver quality policing: put the needs of individuals and communities first, make the best use of resources, lead by example', 'Workshop on the MPS values and behaviours'],
        ['Module 2: Building trust', 'We will build trust by listening and responding: be accessible and approachable, encourage constructive feedback, act with integrity', 'Workshop and practical exercises'],
        ['Module 3: Respect and support', 'We will respect and support each other and work as a team: challenge inappropriate behaviour, value everyone’s contribution', 'Case studies and role play'],
        ['Module 4: Learning from experience', 'We will learn from experience and find ways to be even better: take considered risks, learn from mistakes, develop future talent', 'Action learning']
      ]),
      capacity: 16,
      audience: (c) => (c.manages ? 2 : 1),
      sources: [['hr', 2], ['line_manager', 2]],
      cancelled
    }
  }
  return {
    row: {
      externalId: programmeId(code),
      code,
      title: 'Foundation Leadership Modules',
      kind: 'course',
      aim: 'Leadership foundation training for 1st and 2nd line supervisors, embedding the MPS values and behaviours; leadership is the primary means of delivering cultural change.',
      keyFeatures: [
        'Design and delivery of leadership foundation training (1st and 2nd line supervisors)',
        'Built on the MPS values and their underpinning behaviours, positive and negative',
        'Part of the MPS Leadership Pathway'
      ],
      provider: LA_PROVIDER,
      delivery: 'classroom',
      duration: '4 modules over 4 weeks',
      durationDays: 4,
      levelMin: 4,
      levelMax: 5,
      eligibilityNotes: '1st and 2nd line supervisors: sergeants, inspectors and police staff equivalents',
      defaultCapacity: 16,
      rolloutStartsOn: '2007-04-01',
      ownerOrgUnitExternalId: 'OU-HRD-LA',
      status: 'active'
    },
    administeredBy: 'OU-HRD-LA',
    demand: 1.25,
    ratings: ratings(GOOD, GOOD, FAIR, GOOD, [
      'Module 3 on challenging inappropriate behaviour was the most useful.',
      'Good to discuss the values with supervisors from other boroughs.',
      'Four separate days made it easier to get released from the team.'
    ]),
    cohorts: [
      run('2007-05-01'), run('2007-09-04'), run('2008-01-08'), run('2008-05-06'),
      run('2008-07-15', 'Cancelled: the facilitators were redeployed; nominees were offered places on later runs'),
      run('2008-09-02'), run('2009-01-13'), run('2009-03-17'), run('2009-04-28'), run('2009-06-09'), run('2009-09-08'), run('2010-01-12')
    ]
  }
}

function leadershipAcademyProducts(): ProgrammeDef[] {
  const product = (code: string, row: Omit<ProgrammeRow, 'externalId' | 'code'>): ProgrammeDef => ({
    row: { externalId: programmeId(code), code, provider: LA_PROVIDER, ownerOrgUnitExternalId: 'OU-HRD-LA', ...row },
    administeredBy: 'OU-HRD-LA',
    demand: 1,
    ratings: ratings(GOOD, GOOD, GOOD, GOOD, []),
    cohorts: []
  })
  const funded = 'Planned deliverable for financial year 2006/2007 within the Together programme, subject to funding (growth bid of £2.5M; £1M approved by the MPS Investment Board)'
  return [
    product('LA-CLP', {
      title: 'Commissioner’s Leadership Programme (CLP)',
      kind: 'programme',
      aim: 'Leadership development through which the MPS values and behaviours are embedded: CLP delivery and evaluation.',
      keyFeatures: ['CLP delivery and evaluation', funded],
      eligibilityNotes: 'Senior leaders (the source does not state the grades)',
      status: 'active'
    }),
    product('LA-SLDP', {
      title: 'Senior Leadership Development Programme (SLDP)',
      kind: 'programme',
      aim: 'SLDP delivery within the MPS Leadership Pathway.',
      keyFeatures: ['SLDP / CLDP delivery', funded],
      status: 'active'
    }),
    product('LA-CLDP', {
      title: 'Core Leadership Development Programme (CLDP)',
      kind: 'programme',
      aim: 'CLDP delivery within the MPS Leadership Pathway.',
      keyFeatures: ['SLDP / CLDP delivery', funded],
      status: 'active'
    }),
    product('LA-WORKPLACE', {
      title: 'Workplace (OCU level) leadership development',
      kind: 'programme',
      aim: 'Leadership development delivered in the workplace, at OCU level, to embed the MPS values and behaviours.',
      keyFeatures: ['Workplace (OCU level) leadership development programmes', funded],
      delivery: 'workplace',
      status: 'pilot'
    }),
    product('LA-COACHING', {
      title: 'Corporate coaching and mentoring framework',
      kind: 'coaching',
      aim: 'Development of coaching within the MPS.',
      keyFeatures: [
        'The Leadership Academy manage a corporate coaching/mentoring framework',
        'Mentors are trained at all levels within the organisation; in addition external mentors are available through London First (a business network)',
        'Human Resources Directorate will provide advice on how to run a successful learning or buddy group, as well as accommodation'
      ],
      delivery: 'workplace',
      status: 'active'
    }),
    product('LA-ACTION-LEARNING', {
      title: 'Action learning',
      kind: 'other',
      aim: 'Development of action learning within the MPS.',
      keyFeatures: ['Development of action learning within the MPS', funded],
      delivery: 'workplace',
      status: 'pilot'
    }),
    product('LA-PORTAL', {
      title: 'Web based learning portal',
      kind: 'e_learning',
      aim: 'Creation of a web based learning portal.',
      keyFeatures: ['Creation of a web based learning portal', funded],
      delivery: 'online',
      status: 'draft'
    }),
    product('LA-HYDRA', {
      title: 'Hydra operations',
      kind: 'course',
      aim: 'Development of Hydra operations and operational research capability.',
      keyFeatures: ['Development of Hydra Operations and operational research capability', funded],
      delivery: 'classroom',
      status: 'draft'
    })
  ]
}

/** Every programme of the demo, with its cohorts. */
export function demoProgrammes(): ProgrammeDef[] {
  return [
    impact(),
    careerConferences(),
    promotabilityManagers(),
    promotabilityNonManagerial(),
    promotabilityWorkshops(),
    path(),
    palp(),
    leadershipSeniorWomen(),
    highPotential(),
    transform(),
    specialisms(),
    ...promotingDifferenceOptions(),
    foundationLeadership(),
    ...leadershipAcademyProducts(),
    consultationCourse()
  ]
}

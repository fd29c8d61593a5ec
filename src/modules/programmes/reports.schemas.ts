import { Type, type TSchema } from 'typebox'
import { DateOnly, Nullable, ref, Uuid } from '../../platform/schemas.js'
import type { CohortStatus, EnrolmentStatus } from './tables.js'
import { describeTargetGroup, TARGET_GROUPS } from './target-groups.js'

/** Every enrolment status, in pipeline order (a Record so a new status cannot be forgotten here). */
const STATUS_ORDER: Record<EnrolmentStatus, number> = {
  nominated: 0, manager_approved: 1, approved: 2, declined: 3, selected: 4, waitlisted: 5, not_selected: 6,
  attended: 7, no_show: 8, completed: 9, withdrawn: 10, cancelled: 11
}
export const ENROLMENT_STATUSES = (Object.keys(STATUS_ORDER) as EnrolmentStatus[]).sort((a, b) => STATUS_ORDER[a] - STATUS_ORDER[b])

const Count = (description: string) => Type.Integer({ minimum: 0, description })
const Rate = (description: string) => Nullable(Type.Number({ minimum: 0, description: `${description}. A fraction rounded to 4 decimals; null when the denominator is 0` }))
const Money = (description: string) => Nullable(Type.Number({ description: `${description}. Pounds, rounded to pence` }))

export const EnrolmentStatusCounts = Type.Object(
  Object.fromEntries(ENROLMENT_STATUSES.map((s) => [s, Count(`Enrolments now ${s}`)])) as Record<EnrolmentStatus, ReturnType<typeof Count>>,
  { $id: 'EnrolmentStatusCounts', description: 'Enrolments by current status, keyed by the status as the API spells it; every status is present', additionalProperties: false }
)

export const AttendanceCounts = Type.Object(
  {
    full: Count('Participants who attended every session'),
    partial: Count('Participants who attended some sessions'),
    none: Count('Participants marked attended or completed with no session attendance recorded')
  },
  { $id: 'AttendanceCounts', description: 'Participants (attended or completed) by recorded attendance; the three add up to participants', additionalProperties: false }
)

export const ScoreDistribution = Type.Object(
  { 1: Count('Answers of 1'), 2: Count('Answers of 2'), 3: Count('Answers of 3'), 4: Count('Answers of 4'), 5: Count('Answers of 5') },
  { $id: 'ScoreDistribution', description: 'How many evaluations gave each score', additionalProperties: false }
)

const QUESTIONS = {
  relevance: 'Relevance to the participant’s role',
  trainer: 'The trainer or facilitator',
  length: 'The length of the course',
  confidenceToApply: 'Confidence to apply what was learnt'
} as const

const Mean = (question: string) => Nullable(Type.Number({ minimum: 1, maximum: 5, description: `${question}: mean score 1–5, to 2 decimals; null with no evaluations` }))

export const EvaluationSummary = Type.Object(
  {
    count: Count('Evaluations submitted'),
    means: Type.Object(Object.fromEntries(Object.entries(QUESTIONS).map(([k, q]) => [k, Mean(q)])) as Record<keyof typeof QUESTIONS, ReturnType<typeof Mean>>, {
      additionalProperties: false
    }),
    distribution: Type.Object(Object.fromEntries(Object.keys(QUESTIONS).map((k) => [k, ref(ScoreDistribution)])) as Record<keyof typeof QUESTIONS, ReturnType<typeof ref<typeof ScoreDistribution>>>, {
      additionalProperties: false
    })
  },
  {
    $id: 'EvaluationSummary',
    description: 'Participants’ ratings in aggregate. Counts of opinions, not special category data, so not suppressed; free-text comments are never part of a report.',
    additionalProperties: false
  }
)

/** The figures a cohort and a programme report share; each is defined once, in the field description. */
const deliveryFigures = {
  capacity: Count('Places: the cohort’s capacity (for a programme, the sum over cohorts that are not cancelled)'),
  enrolments: ref(EnrolmentStatusCounts),
  placesTaken: Count('Enrolments holding a place: selected + attended + no_show + completed (for a programme, on cohorts that are not cancelled)'),
  fillRate: Rate('placesTaken / capacity; null for a cancelled cohort. Above 1 only if capacity was cut after places were given'),
  waitlist: Count('Enrolments now waitlisted'),
  participants: Count('Enrolments that attended or completed (places used; a person on two cohorts counts twice)'),
  completions: Count('Enrolments completed'),
  completionRate: Rate('completed / (selected + attended + no_show + completed): of those given a place, how many completed. People selected for a cohort yet to run count in the denominator'),
  noShows: Count('Enrolments marked no_show'),
  attendance: ref(AttendanceCounts),
  evaluations: ref(EvaluationSummary)
}

const COHORT_STATUSES: Record<CohortStatus, true> = { planned: true, open: true, closed: true, running: true, completed: true, cancelled: true }
const CohortStatusName = Type.Enum(Object.keys(COHORT_STATUSES) as CohortStatus[], { description: 'The cohort’s status' })

export const CohortReport = Type.Object(
  {
    cohortId: Uuid,
    programmeId: Uuid,
    title: Type.String(),
    status: CohortStatusName,
    startsOn: DateOnly,
    endsOn: DateOnly,
    ...deliveryFigures,
    cost: Money('The cohort’s own cost if recorded, otherwise the programme’s cost per event; a cancelled cohort is never assumed to cost the per-event price (only a cost recorded on it, such as a cancellation charge, counts)'),
    costSource: Type.Union([Type.Literal('cohort'), Type.Literal('programme'), Type.Null()], { description: 'Where `cost` came from: the cohort’s own cost or the programme’s cost per event; null when unknown' }),
    costPerParticipant: Money('cost / participants; null when there are none or the cost is unknown'),
    costPerCompletion: Money('cost / completions; null when there are none or the cost is unknown')
  },
  { $id: 'CohortReport', description: 'Fill, completion, attendance, evaluation and cost of one cohort', additionalProperties: false }
)

export const ProgrammeReportCohort = Type.Object(
  {
    cohortId: Uuid,
    title: Type.String(),
    stream: Nullable(Type.String()),
    status: CohortStatusName,
    startsOn: DateOnly,
    capacity: Count('The cohort’s capacity'),
    placesTaken: Count('selected + attended + no_show + completed'),
    fillRate: Rate('placesTaken / capacity; null when cancelled'),
    waitlist: Count('Now waitlisted'),
    participants: Count('Attended or completed'),
    completions: Count('Completed'),
    completionRate: Rate('completed / (selected + attended + no_show + completed)'),
    noShows: Count('no_show'),
    evaluationCount: Count('Evaluations submitted'),
    ran: Type.Boolean({ description: 'True when the cohort is running or completed, or anyone attended it (never when cancelled)' }),
    cost: Money('As in the cohort report'),
    costPerParticipant: Money('cost / participants'),
    costPerCompletion: Money('cost / completions')
  },
  { $id: 'ProgrammeReportCohort', description: 'One cohort’s line in a programme report, defined as in the cohort report', additionalProperties: false }
)

export const ProgrammeReport = Type.Object(
  {
    programmeId: Uuid,
    code: Type.String(),
    title: Type.String(),
    cohortCounts: Type.Object(
      {
        total: Count('All cohorts'),
        ran: Count('Cohorts that ran: running or completed, or anyone attended'),
        planned: Count('Cohorts not cancelled that have not run yet'),
        cancelled: Count('Cancelled cohorts: left out of capacity and fill')
      },
      { additionalProperties: false }
    ),
    ...deliveryFigures,
    distinctParticipants: Count('People who attended or completed at least one cohort, each counted once'),
    cost: Type.Object(
      {
        spent: Money('Cost of the cohorts that ran, plus costs recorded on cancelled cohorts; null when no cost is known'),
        planned: Money('Cost of the cohorts still to run'),
        perParticipant: Money('spent / participants'),
        perCompletion: Money('spent / completions'),
        perPersonTarget: Money('The programme’s planned cost per person, if set'),
        perPersonVariance: Money('perParticipant − perPersonTarget: positive when each place cost more than planned; null unless both are known')
      },
      { additionalProperties: false }
    ),
    cohorts: Type.Array(ref(ProgrammeReportCohort), { description: 'Every cohort, by start date' })
  },
  { $id: 'ProgrammeReport', description: 'A programme’s cohorts in aggregate, with a line per cohort. Counts and evaluations cover every cohort; capacity and fill leave cancelled cohorts out', additionalProperties: false }
)

export const YearStart = Type.Union([Type.Literal('april'), Type.Literal('january')], {
  $id: 'YearStart',
  description: '`april`: UK financial years, 1 April to 31 March, named by the calendar year they start in (2024 = 2024-25); `january`: calendar years'
})

export const RolloutQuery = Type.Object(
  {
    from: Type.Optional(Type.Integer({ minimum: 1900, maximum: 2999, description: 'First year (for financial years, the year it starts in). Default: the pilot year, else the first rollout year, else the first cohort’s year' })),
    to: Type.Optional(Type.Integer({ minimum: 1900, maximum: 2999, description: 'Last year; a range covers at most 50 years. Default: the last target year or the last cohort’s year, whichever is later' })),
    yearStart: Type.Optional(Type.Union([Type.Literal('april'), Type.Literal('january')], { default: 'april', description: 'Financial (April–March, the default) or calendar years' }))
  },
  { additionalProperties: false }
)

export const RolloutPhase = Type.Union([Type.Literal('before'), Type.Literal('pilot'), Type.Literal('rollout'), Type.Literal('after')], {
  $id: 'RolloutPhase',
  description: '`pilot`: the year before the rollout starts, when the programme has a pilot size; `rollout`: one of the target years; `before`/`after`: outside them'
})

export const RolloutYear = Type.Object(
  {
    year: Type.Integer({ description: 'The calendar year, or the year the financial year starts in' }),
    label: Type.String({ description: 'For people: "2024" or "2024-25"' }),
    startsOn: DateOnly,
    endsOn: DateOnly,
    phase: ref(RolloutPhase),
    target: Nullable(Count('Participants planned this year: the pilot size in the pilot year, the annual target in a rollout year')),
    participants: Count('People who attended or completed at least one cohort starting this year, each counted once'),
    completions: Count('People who completed at least one cohort starting this year, each counted once'),
    againstTarget: Nullable(Type.Number({ minimum: 0, description: 'participants / target, 4 decimals; above 1 when the target is beaten; null without a target' })),
    cohortsRun: Count('Cohorts starting this year that ran'),
    cohortsPlanned: Count('Cohorts starting this year, not cancelled, not yet run'),
    costSpent: Money('Cost of the cohorts that ran this year, plus costs recorded on cancelled ones; 0 when none ran; null when some ran and no cost is known'),
    cumulativeParticipants: Nullable(Count('People who participated from the first rollout year to the end of this year, each counted once; null before the rollout')),
    cumulativeTarget: Nullable(Count('annual target × rollout years so far (at most target years); null before the rollout')),
    cumulativeProgress: Nullable(Type.Number({ minimum: 0, description: 'cumulativeParticipants / (annual target × target years), 4 decimals; null without both' }))
  },
  { $id: 'RolloutYear', additionalProperties: false }
)

export const ProgrammeRollout = Type.Object(
  {
    programmeId: Uuid,
    yearStart: ref(YearStart),
    from: Type.Integer(),
    to: Type.Integer(),
    annualTarget: Nullable(Count('Participants a year during the rollout')),
    pilotSize: Nullable(Count('Participants planned for the pilot')),
    targetYears: Nullable(Count('Years of rollout; null for open-ended')),
    rolloutStartsOn: Nullable(DateOnly),
    pilotYear: Nullable(Type.Integer({ description: 'The year before the first rollout year, when the programme has a pilot size' })),
    firstRolloutYear: Nullable(Type.Integer({ description: 'The year rolloutStartsOn falls in; without it, the first cohort’s year (the year after it when there is a pilot)' })),
    rolloutTarget: Nullable(Count('annual target × target years: the rollout’s goal, not counting the pilot')),
    years: Type.Array(ref(RolloutYear))
  },
  {
    $id: 'ProgrammeRollout',
    description: 'Participants, completions, cohorts and cost per year against the programme’s targets. A cohort belongs to the year it starts in.',
    additionalProperties: false
  }
)

export const ReachCount = Type.Object(
  {
    count: Nullable(Type.Integer({ minimum: 0, description: 'Rounded to the nearest 5; null when suppressed' })),
    suppressed: Type.Boolean({ description: 'True when fewer than 5 people: the count is withheld' })
  },
  { $id: 'ReachCount', additionalProperties: false }
)

export const ReachCell = Type.Object(
  {
    count: Nullable(Type.Integer({ minimum: 0, description: 'Rounded to the nearest 5; null when suppressed' })),
    share: Nullable(Type.Number({ minimum: 0, maximum: 1, description: 'Rounded count / rounded population size, 4 decimals; null when either is suppressed' })),
    suppressed: Type.Boolean({ description: 'True when fewer than 5 people: count and share are withheld' })
  },
  { $id: 'ReachCell', additionalProperties: false }
)

export const ReachGroup = Type.Object(
  {
    group: Type.Enum(TARGET_GROUPS, { description: TARGET_GROUPS.map(describeTargetGroup).join('; ') }),
    targeted: Type.Boolean({ description: 'True when the programme names this group as a positive-action target' }),
    participants: ref(ReachCell),
    nominated: ref(ReachCell),
    eligible: ref(ReachCell),
    shareDifference: Nullable(Type.Number({ description: 'participants.share − eligible.share, 4 decimals: positive when the group is better represented among participants than among those eligible' }))
  },
  { $id: 'ReachGroup', additionalProperties: false }
)

export const ProgrammeReach = Type.Object(
  {
    programmeId: Uuid,
    threshold: Type.Integer({ description: 'Counts below this are suppressed' }),
    roundedTo: Type.Integer({ description: 'Shown counts are rounded to a multiple of this' }),
    populations: Type.Object(
      {
        participants: ref(ReachCount),
        nominated: ref(ReachCount),
        eligible: ref(ReachCount)
      },
      { additionalProperties: false, description: 'Population sizes, suppressed and rounded like every other count: the denominators of the shares' }
    ),
    groups: Type.Array(ref(ReachGroup), { description: 'Every target group, in a fixed order' })
  },
  {
    $id: 'ProgrammeReach',
    description:
      'How far a programme reaches each target group. participants: people who attended or completed any cohort; nominated: people with any enrolment, whatever became of it; eligible: active people whose grade and staff type the programme admits today. Shares are of the whole population, including people with no diversity record or who preferred not to say.',
    additionalProperties: false
  }
)

export const reportsSchemas: TSchema[] = [
  EnrolmentStatusCounts, AttendanceCounts, ScoreDistribution, EvaluationSummary,
  CohortReport, ProgrammeReportCohort, ProgrammeReport,
  YearStart, RolloutPhase, RolloutYear, ProgrammeRollout,
  ReachCount, ReachCell, ReachGroup, ProgrammeReach
]

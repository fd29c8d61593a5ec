import { Type, type TSchema } from 'typebox'
import { DateOnly, DateTime, ExternalId, Nullable, PageQuery, pageOf, ref, Uuid, Version } from '../../platform/schemas.js'
import { ListColumn, ListItem } from './programmes.schemas.js'
import { transitionBody } from './transitions.js'

export const COHORT_STATUSES = ['planned', 'open', 'closed', 'running', 'completed', 'cancelled'] as const
const statusOptions = {
  description:
    'planned → open (nominations open) → closed (nominations closed, selection) → running → completed; planned, open, closed or running → cancelled; open → planned; closed → open (reopen). Changed only through the transitions operation.'
}
export const CohortStatus = Type.Enum(COHORT_STATUSES, { $id: 'CohortStatus', ...statusOptions })

const Title = Type.String({ minLength: 1, maxLength: 300 })
const Stream = Type.String({ minLength: 1, maxLength: 100, description: 'Which run of an alternating series, e.g. `policy` or `safer-neighbourhoods`' })
const Venue = Type.String({ minLength: 1, maxLength: 300 })
const Capacity = Type.Integer({ minimum: 1, maximum: 100000, description: 'Places; defaults to the programme’s defaultCapacity' })
const Cost = Type.Number({ minimum: 0, maximum: 9_999_999_999.99, description: 'What the run costs in pounds (kept to the penny); defaults to the programme’s costPerEvent' })
const Facilitators = Type.Array(ListItem(200), { maxItems: 50, description: 'Trainers or facilitators, by name' })
const NominationsCloseOn = DateOnly

export const Cohort = Type.Object(
  {
    id: Uuid,
    externalId: Nullable(ExternalId),
    programmeId: Uuid,
    title: Title,
    stream: Nullable(Stream),
    startsOn: DateOnly,
    endsOn: DateOnly,
    venue: Nullable(Venue),
    capacity: Capacity,
    cost: Nullable(Cost),
    facilitators: Facilitators,
    nominationsCloseOn: Nullable(NominationsCloseOn),
    status: ref(CohortStatus),
    version: Version,
    createdAt: DateTime,
    updatedAt: DateTime
  },
  { $id: 'Cohort', description: 'One run of a programme: its dates, venue, places and cost', additionalProperties: false }
)

export const CohortCreate = Type.Object(
  {
    programmeId: Uuid,
    externalId: Type.Optional(Nullable(ExternalId)),
    title: Type.Optional(Title),
    stream: Type.Optional(Nullable(Stream)),
    startsOn: DateOnly,
    endsOn: DateOnly,
    venue: Type.Optional(Nullable(Venue)),
    capacity: Type.Optional(Capacity),
    cost: Type.Optional(Nullable(Cost)),
    facilitators: Type.Optional(Facilitators),
    nominationsCloseOn: Type.Optional(Nullable(NominationsCloseOn))
  },
  {
    $id: 'CohortCreate',
    description: 'A new cohort is planned. Title defaults to the programme’s title and the start date, capacity to the programme’s defaultCapacity, cost to its costPerEvent.',
    additionalProperties: false
  }
)

export const CohortUpdate = Type.Object(
  {
    externalId: Type.Optional(Nullable(ExternalId)),
    title: Type.Optional(Title),
    stream: Type.Optional(Nullable(Stream)),
    startsOn: Type.Optional(DateOnly),
    endsOn: Type.Optional(DateOnly),
    venue: Type.Optional(Nullable(Venue)),
    capacity: Type.Optional(Capacity),
    cost: Type.Optional(Nullable(Cost)),
    facilitators: Type.Optional(Facilitators),
    nominationsCloseOn: Type.Optional(Nullable(NominationsCloseOn))
  },
  { $id: 'CohortUpdate', description: 'JSON merge patch; the programme is fixed and the status changes through the transitions operation', additionalProperties: false }
)

export const CohortTransition = transitionBody(COHORT_STATUSES, 'CohortTransition', statusOptions.description)

export const CohortPage = pageOf(ref(Cohort), 'CohortPage')

export const CohortListQuery = Type.Object(
  {
    ...PageQuery,
    programmeId: Type.Optional(Uuid),
    status: Type.Optional(ref(CohortStatus)),
    stream: Type.Optional(Stream),
    externalId: Type.Optional(ExternalId),
    from: Type.Optional(Type.String({ format: 'date', description: 'Cohorts still running on or after this date (endsOn ≥ from)' })),
    to: Type.Optional(Type.String({ format: 'date', description: 'Cohorts starting on or before this date (startsOn ≤ to)' })),
    sort: Type.Optional(Type.Union([Type.Literal('startsOn'), Type.Literal('createdAt')], { default: 'startsOn' }))
  },
  { additionalProperties: false }
)

// ---- Agenda sessions --------------------------------------------------------------------------------

const SessionTitle = Type.String({ minLength: 1, maxLength: 300 })
const Purpose = Type.String({ minLength: 1, maxLength: 2000, description: 'What the session is for, e.g. “to find out where people are and what their experience is”' })
const Method = Type.String({ minLength: 1, maxLength: 2000, description: 'How it is run, e.g. “facilitated plenary discussion”, “teams of 3–4 on a scenario”' })
const within = 'Within the cohort’s dates (compared in UTC)'

export const CohortSession = Type.Object(
  {
    id: Uuid,
    externalId: Nullable(ExternalId),
    cohortId: Uuid,
    startsAt: DateTime,
    endsAt: DateTime,
    title: SessionTitle,
    purpose: Nullable(Purpose),
    method: Nullable(Method),
    version: Version,
    createdAt: DateTime,
    updatedAt: DateTime
  },
  { $id: 'CohortSession', description: 'One item of a cohort’s agenda', additionalProperties: false }
)

export const CohortSessionCreate = Type.Object(
  {
    externalId: Type.Optional(Nullable(ExternalId)),
    startsAt: Type.String({ format: 'date-time', description: within }),
    endsAt: Type.String({ format: 'date-time', description: `${within}; after startsAt` }),
    title: SessionTitle,
    purpose: Type.Optional(Nullable(Purpose)),
    method: Type.Optional(Nullable(Method))
  },
  { $id: 'CohortSessionCreate', additionalProperties: false }
)

export const CohortSessionUpdate = Type.Object(
  {
    externalId: Type.Optional(Nullable(ExternalId)),
    startsAt: Type.Optional(Type.String({ format: 'date-time', description: within })),
    endsAt: Type.Optional(Type.String({ format: 'date-time', description: within })),
    title: Type.Optional(SessionTitle),
    purpose: Type.Optional(Nullable(Purpose)),
    method: Type.Optional(Nullable(Method))
  },
  { $id: 'CohortSessionUpdate', description: 'JSON merge patch', additionalProperties: false }
)

export const CohortSessionPage = pageOf(ref(CohortSession), 'CohortSessionPage')

export const CohortSessionParams = Type.Object({ id: Uuid, sessionId: Uuid }, { additionalProperties: false })

// ---- Attendance --------------------------------------------------------------------------------

const Minutes = Type.Integer({ minimum: 0, maximum: 100000, description: 'Minutes present, when less than the whole session matters; at most the session’s length' })
const Note = Type.String({ minLength: 1, maxLength: 1000 })

export const AttendanceEntry = Type.Object(
  {
    enrolmentId: Type.String({ format: 'uuid', description: 'An enrolment of this cohort that is selected, attended, no_show or completed' }),
    present: Type.Boolean(),
    minutesAttended: Type.Optional(Nullable(Minutes)),
    note: Type.Optional(Nullable(Note))
  },
  { $id: 'AttendanceEntry', additionalProperties: false }
)

export const SessionAttendanceInput = Type.Object(
  { entries: Type.Array(ref(AttendanceEntry), { maxItems: 5000, description: 'One entry per enrolment; an enrolment left out has no record for this session' }) },
  { $id: 'SessionAttendanceInput', description: 'The whole register of one session', additionalProperties: false }
)

export const AttendanceRecord = Type.Object(
  {
    enrolmentId: Uuid,
    personId: Uuid,
    present: Type.Boolean(),
    minutesAttended: Nullable(Minutes),
    note: Nullable(Note),
    recordedBy: Type.String({ description: 'Who recorded this entry' }),
    recordedAt: DateTime
  },
  { $id: 'AttendanceRecord', additionalProperties: false }
)

export const SessionAttendance = Type.Object(
  {
    sessionId: Uuid,
    cohortId: Uuid,
    entries: Type.Array(ref(AttendanceRecord), { description: 'By family name' })
  },
  { $id: 'SessionAttendance', description: 'The register of one session', additionalProperties: false }
)

// ---- Import rows --------------------------------------------------------------------------------

export const CohortImportRow = Type.Object(
  {
    externalId: ExternalId,
    programmeExternalId: Type.Optional(Nullable(ExternalId)),
    programmeCode: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 40, description: 'Alternative to programmeExternalId' }))),
    title: Type.Optional(Nullable(Title)),
    stream: Type.Optional(Nullable(Stream)),
    startsOn: DateOnly,
    endsOn: DateOnly,
    venue: Type.Optional(Nullable(Venue)),
    capacity: Type.Optional(Nullable(Capacity)),
    cost: Type.Optional(Nullable(Cost)),
    facilitators: ListColumn(ListItem(200), Type.String({ maxLength: 10000, description: 'Facilitators separated by |' }), 'Facilitators'),
    nominationsCloseOn: Type.Optional(Nullable(NominationsCloseOn)),
    status: Type.Optional(
      Type.Enum(COHORT_STATUSES, {
        description:
          'A new cohort takes it as given (default planned) where its programme allows: open, closed and running need a pilot or active programme, and a retired programme takes only completed or cancelled runs (history). An existing cohort moves along the transitions; left out: unchanged.'
      })
    )
  },
  { $id: 'CohortImportRow', additionalProperties: false }
)

export const CohortSessionImportRow = Type.Object(
  {
    externalId: ExternalId,
    cohortExternalId: ExternalId,
    startsAt: Type.String({ format: 'date-time' }),
    endsAt: Type.String({ format: 'date-time' }),
    title: SessionTitle,
    purpose: Type.Optional(Nullable(Purpose)),
    method: Type.Optional(Nullable(Method))
  },
  { $id: 'CohortSessionImportRow', additionalProperties: false }
)

export const cohortsSchemas: TSchema[] = [
  CohortStatus, Cohort, CohortCreate, CohortUpdate, CohortTransition, CohortPage, CohortImportRow,
  CohortSession, CohortSessionCreate, CohortSessionUpdate, CohortSessionPage, CohortSessionImportRow,
  AttendanceEntry, SessionAttendanceInput, AttendanceRecord, SessionAttendance
]

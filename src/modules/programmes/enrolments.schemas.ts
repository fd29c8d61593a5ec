import { Type, type TSchema } from 'typebox'
import { DateTime, ExternalId, Nullable, PageQuery, pageOf, ref, Uuid, Version } from '../../platform/schemas.js'

export const ENROLMENT_STATUSES = [
  'nominated', 'manager_approved', 'approved', 'declined', 'selected', 'waitlisted', 'not_selected',
  'attended', 'no_show', 'completed', 'withdrawn', 'cancelled'
] as const
export const NOMINATION_SOURCES = ['self', 'line_manager', 'hr', 'gateway_event'] as const
export const ENROLMENT_ACTIONS = ['approve', 'decline', 'select', 'waitlist', 'reject', 'attend', 'no_show', 'complete', 'withdraw', 'cancel'] as const

const statusOptions = {
  description:
    'nominated → manager_approved (when a second approval is required) → approved → selected / waitlisted / not_selected → attended / no_show → completed; ' +
    'declined, withdrawn and cancelled end an enrolment early'
}
const sourceOptions = { description: 'Who put the person forward: themselves, their line manager, HR, or a gateway (talent) event' }

export const EnrolmentStatus = Type.Enum(ENROLMENT_STATUSES, { $id: 'EnrolmentStatus', ...statusOptions })
export const NominationSource = Type.Enum(NOMINATION_SOURCES, { $id: 'NominationSource', ...sourceOptions })
export const EnrolmentAttendance = Type.Enum(['none', 'partial', 'full'], {
  $id: 'EnrolmentAttendance',
  description: 'From session attendance: none, some sessions (partial) or every session (full)'
})
// Import rows are also checked outside fastify (TypeBox, row by row), so they carry their enums inline.
const sourceInline = () => Type.Enum(NOMINATION_SOURCES, sourceOptions)

const Note = Type.String({ minLength: 1, maxLength: 2000 })

/** Recorded identity of whoever acted: `person:<id>` for a token acting for a person, else the token subject; `system:…` for automatic moves. */
const Actor = Type.String({ description: '`person:<id>` when the token acted for a person, otherwise the token subject (`client:<id>` for API clients); `system:waitlist` and `system:selection` for automatic moves' })

export const PriorApplication = Type.Object(
  {
    enrolmentId: Uuid,
    cohortId: Uuid,
    status: Type.Union([Type.Literal('declined'), Type.Literal('not_selected')]),
    reason: Nullable(Type.String()),
    at: DateTime
  },
  { $id: 'PriorApplication', description: 'An earlier unsuccessful application of the same person to a cohort of the same programme', additionalProperties: false }
)

export const Enrolment = Type.Object(
  {
    id: Uuid,
    externalId: Nullable(ExternalId),
    cohortId: Uuid,
    personId: Uuid,
    status: ref(EnrolmentStatus),
    nominationSource: ref(NominationSource),
    nominatedBy: Actor,
    nominationNote: Nullable(Type.String()),
    eligibilityOverrideReason: Nullable(Type.String({ description: 'Set when HR enrolled a person outside the programme’s eligibility' })),
    firstApprover: Nullable(Actor),
    secondApprover: Nullable(Actor),
    outcomeReason: Nullable(Type.String({ description: 'Why the enrolment was declined, not selected, withdrawn or cancelled' })),
    waitlistedAt: Nullable(DateTime),
    waitlistPosition: Nullable(Type.Integer({ minimum: 1, description: 'Place in the cohort’s waitlist (1 is promoted next); null unless waitlisted' })),
    attendance: ref(EnrolmentAttendance),
    priorUnsuccessful: Type.Optional(
      Type.Array(ref(PriorApplication), {
        description: 'Only for callers with `programmes:write` (the selectors): the person’s declined and not-selected enrolments on other cohorts of this programme, newest first'
      })
    ),
    version: Version,
    createdAt: DateTime,
    updatedAt: DateTime
  },
  { $id: 'Enrolment', additionalProperties: false }
)

export const EnrolmentCreate = Type.Object(
  {
    personId: Uuid,
    source: ref(NominationSource),
    note: Type.Optional(Note),
    eligibilityOverrideReason: Type.Optional(
      Type.String({ minLength: 1, maxLength: 2000, description: 'HR only (`programmes:write`): enrol a person outside the programme’s eligibility, saying why' })
    ),
    externalId: Type.Optional(ExternalId)
  },
  { $id: 'EnrolmentCreate', additionalProperties: false }
)

export const EnrolmentTransitionRequest = Type.Object(
  {
    action: Type.Enum(ENROLMENT_ACTIONS, {
      description:
        'approve, decline (line manager or HR); select, waitlist, reject (→ not_selected), attend, no_show, complete, cancel (HR); withdraw (the person, their line manager or HR)'
    }),
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: 2000, description: 'Why; required for decline, reject, withdraw and cancel' }))
  },
  { $id: 'EnrolmentTransitionRequest', additionalProperties: false }
)

export const EnrolmentTransition = Type.Object(
  {
    id: Type.Integer({ description: 'Increases with every transition' }),
    enrolmentId: Uuid,
    fromStatus: Nullable(ref(EnrolmentStatus)),
    toStatus: ref(EnrolmentStatus),
    action: Type.String({ description: '`nominate`, the action of the transition request, or `cohort-cancelled` when the cancellation of its cohort cancelled the enrolment' }),
    actor: Actor,
    reason: Nullable(Type.String()),
    occurredAt: DateTime
  },
  { $id: 'EnrolmentTransition', description: 'One status change: who, when and why', additionalProperties: false }
)

export const EnrolmentPage = pageOf(ref(Enrolment), 'EnrolmentPage')
export const EnrolmentTransitionPage = pageOf(ref(EnrolmentTransition), 'EnrolmentTransitionPage')

const statusFilter = Type.Optional(
  Type.Array(ref(EnrolmentStatus), { maxItems: 12, description: 'Only these statuses; repeat the parameter for several (`status=selected&status=waitlisted`)' })
)

export const CohortEnrolmentListQuery = Type.Object(
  {
    ...PageQuery,
    status: statusFilter,
    personId: Type.Optional(Uuid),
    sort: Type.Optional(
      Type.Union([Type.Literal('createdAt'), Type.Literal('waitlistPosition')], {
        default: 'createdAt',
        description: '`waitlistPosition` lists the waitlist only, in the order places are offered'
      })
    )
  },
  { additionalProperties: false }
)

export const PersonEnrolmentListQuery = Type.Object({ ...PageQuery, status: statusFilter }, { additionalProperties: false })


// ---- Bulk files ----------------------------------------------------------------------------------

export const EnrolmentImportRow = Type.Object(
  {
    externalId: ExternalId,
    cohortExternalId: ExternalId,
    personExternalId: ExternalId,
    source: sourceInline(),
    note: Type.Optional(Nullable(Note)),
    eligibilityOverrideReason: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 2000 }))),
    status: Type.Optional(
      Nullable(
        Type.Enum(ENROLMENT_STATUSES, {
          description: 'Exported for reference; an import creates nominations only, and a status that differs from the stored one is refused (use the transitions operation)'
        })
      )
    )
  },
  { $id: 'EnrolmentImportRow', additionalProperties: false }
)

export const SessionAttendanceImportRow = Type.Object(
  {
    externalId: Type.String({ minLength: 1, maxLength: 400, description: 'A key unique within the sheet for this line, e.g. `<session>:<person>`; attendance is stored per session and person' }),
    sessionExternalId: Type.Optional(Nullable(ExternalId)),
    cohortExternalId: Type.Optional(Nullable(ExternalId)),
    sessionStartsAt: Type.Optional(Nullable(Type.String({ format: 'date-time', description: 'With cohortExternalId, names the session by its start' }))),
    personExternalId: ExternalId,
    present: Type.Boolean(),
    minutesAttended: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 100000 }))),
    note: Type.Optional(Nullable(Note))
  },
  { $id: 'SessionAttendanceImportRow', additionalProperties: false }
)

export const enrolmentsSchemas: TSchema[] = [
  EnrolmentStatus, NominationSource, EnrolmentAttendance, PriorApplication, Enrolment, EnrolmentCreate,
  EnrolmentTransitionRequest, EnrolmentTransition, EnrolmentPage, EnrolmentTransitionPage, EnrolmentImportRow, SessionAttendanceImportRow
]

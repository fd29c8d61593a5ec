import { Type, type TSchema } from 'typebox'
import { DateOnly, DateTime, Nullable, PageQuery, pageOf, ref, Uuid, Version } from '../../platform/schemas.js'

export const PRIORITIES = ['high', 'medium', 'low'] as const
export const OBJECTIVE_STATUSES = ['not_started', 'in_progress', 'achieved', 'not_achieved', 'dropped'] as const
export const OBJECTIVE_SOURCES = ['feedback_gap', 'psychometric_result', 'programme_outcome', 'manager', 'self', 'template'] as const
export const ACTIVITY_KINDS = ['programme', 'placement', 'coaching', 'mentoring', 'shadowing', 'self_study', 'other'] as const
export const ACTIVITY_STATUSES = ['planned', 'started', 'done', 'not_done'] as const
const ENROLMENT_STATUSES = [
  'nominated', 'manager_approved', 'approved', 'declined', 'selected', 'waitlisted', 'not_selected',
  'attended', 'no_show', 'completed', 'withdrawn', 'cancelled'
] as const

export const Priority = Type.Enum(PRIORITIES, { $id: 'DevelopmentPriority' })
export const ObjectiveStatus = Type.Enum(OBJECTIVE_STATUSES, {
  $id: 'DevelopmentObjectiveStatus',
  description: 'Progress of an objective; open objectives (not_started, in_progress) past their due date are overdue'
})
export const ObjectiveSource = Type.Enum(OBJECTIVE_SOURCES, {
  $id: 'DevelopmentObjectiveSource',
  description:
    'Where the objective came from: a gap in a released 360° report (`assessmentId`, `elementId`), a psychometric result (`psychometricResultId`), ' +
    'the outcome of a programme (`enrolmentId`), the line manager, the owner themselves, or the plan’s template'
})
export const ActivityKind = Type.Enum(ACTIVITY_KINDS, {
  $id: 'DevelopmentActivityKind',
  description: '`programme` creates or links an enrolment on a cohort and follows its status; the others are work-based learning tracked by hand'
})
export const ActivityStatus = Type.Enum(ACTIVITY_STATUSES, {
  $id: 'DevelopmentActivityStatus',
  description:
    'planned, started, done or not_done. A programme activity follows its enrolment: none yet or nominated…waitlisted → planned; attended → started; completed → done; declined, not selected, no-show, withdrawn or cancelled → not_done'
})

const Text = (maxLength: number, description?: string) => Type.String({ minLength: 1, maxLength, ...(description ? { description } : {}) })
const ElementIds = Type.Array(Uuid, { maxItems: 50, uniqueItems: true, description: 'Framework elements (competencies, values, behaviours) the objective develops' })

export const ActivityEnrolment = Type.Object(
  {
    id: Uuid,
    cohortId: Uuid,
    status: Type.Enum(ENROLMENT_STATUSES, { description: 'The enrolment’s status now (see the programmes module)' })
  },
  { $id: 'DevelopmentActivityEnrolment', description: 'The enrolment a programme activity follows, as it stands now', additionalProperties: false }
)

export const Activity = Type.Object(
  {
    id: Uuid,
    objectiveId: Uuid,
    planId: Uuid,
    position: Type.Integer({ minimum: 1 }),
    kind: ref(ActivityKind),
    title: Type.String(),
    description: Nullable(Type.String()),
    dueOn: Nullable(DateOnly),
    status: ref(ActivityStatus),
    programmeId: Nullable(Uuid),
    enrolment: Nullable(ref(ActivityEnrolment)),
    version: Version,
    createdAt: DateTime,
    updatedAt: DateTime
  },
  { $id: 'DevelopmentActivity', description: 'Something done towards an objective', additionalProperties: false }
)

const activityFields = {
  title: Type.Optional(Text(300, 'Required except for a programme activity, which defaults to the programme’s title')),
  description: Type.Optional(Nullable(Text(4000))),
  dueOn: Type.Optional(Nullable(DateOnly))
}

export const ActivityCreate = Type.Object(
  {
    kind: ref(ActivityKind),
    ...activityFields,
    status: Type.Optional(ref(ActivityStatus)),
    programmeId: Type.Optional(Type.String({ format: 'uuid', description: 'Programme activities: the programme (implied by cohortId or enrolmentId)' })),
    cohortId: Type.Optional(Type.String({ format: 'uuid', description: 'Programme activities: nominate the owner for this cohort now, through the programmes module’s rules' })),
    enrolmentId: Type.Optional(Type.String({ format: 'uuid', description: 'Programme activities: link the owner’s existing enrolment instead' })),
    nominationNote: Type.Optional(Text(2000))
  },
  { $id: 'DevelopmentActivityCreate', additionalProperties: false }
)

export const ActivityUpdate = Type.Object(
  { ...activityFields, status: Type.Optional(ref(ActivityStatus)) },
  {
    $id: 'DevelopmentActivityUpdate',
    description: 'JSON merge patch. `status` is progress (allowed on an agreed plan; not for programme activities, which follow their enrolment); the other fields change only while the plan is a draft.',
    additionalProperties: false
  }
)

export const ActivityEnrolmentRequest = Type.Object(
  {
    cohortId: Type.Optional(Type.String({ format: 'uuid', description: 'Nominate the owner for this cohort of the activity’s programme' })),
    enrolmentId: Type.Optional(Type.String({ format: 'uuid', description: 'Or link this existing enrolment of the owner' })),
    note: Type.Optional(Text(2000)),
    eligibilityOverrideReason: Type.Optional(Text(2000, 'HR with programmes:write only, as for any nomination'))
  },
  { $id: 'DevelopmentActivityEnrolmentRequest', description: 'Exactly one of cohortId and enrolmentId', additionalProperties: false }
)

export const ObjectiveSourceRef = Type.Object(
  {
    kind: ref(ObjectiveSource),
    assessmentId: Nullable(Uuid),
    elementId: Nullable(Uuid),
    psychometricResultId: Nullable(Uuid),
    enrolmentId: Nullable(Uuid),
    detail: Nullable(Type.Record(Type.String(), Type.Unknown(), { description: 'What the source said when the objective was made: for a gap, the element (code, title, kind, polarity) and the report’s scale; for a psychometric result, the instrument and date. Never a report’s means or needs, nor a result’s scores.' }))
  },
  { $id: 'DevelopmentObjectiveSourceRef', additionalProperties: false }
)

export const Objective = Type.Object(
  {
    id: Uuid,
    planId: Uuid,
    position: Type.Integer({ minimum: 1 }),
    title: Type.String(),
    description: Nullable(Type.String()),
    successMeasure: Nullable(Type.String()),
    dueOn: Nullable(DateOnly),
    priority: ref(Priority),
    status: ref(ObjectiveStatus),
    overdue: Type.Boolean({ description: 'Open (not_started or in_progress) and past its due date' }),
    source: ref(ObjectiveSourceRef),
    frameworkElementIds: ElementIds,
    activities: Type.Array(ref(Activity)),
    version: Version,
    createdAt: DateTime,
    updatedAt: DateTime
  },
  { $id: 'DevelopmentObjective', additionalProperties: false }
)

const objectiveFields = {
  description: Type.Optional(Nullable(Text(4000))),
  successMeasure: Type.Optional(Nullable(Text(2000, 'How the owner and their manager will know it is achieved'))),
  dueOn: Type.Optional(Nullable(DateOnly)),
  priority: Type.Optional(ref(Priority)),
  frameworkElementIds: Type.Optional(ElementIds)
}

export const ObjectiveCreate = Type.Object(
  {
    title: Text(300),
    ...objectiveFields,
    source: ref(ObjectiveSource),
    assessmentId: Type.Optional(Type.String({ format: 'uuid', description: 'source feedback_gap: the released 360° assessment of the owner' })),
    elementId: Type.Optional(Type.String({ format: 'uuid', description: 'source feedback_gap: the element of its report (also linked to the objective)' })),
    psychometricResultId: Type.Optional(Type.String({ format: 'uuid', description: 'source psychometric_result: the owner’s result' })),
    enrolmentId: Type.Optional(Type.String({ format: 'uuid', description: 'source programme_outcome: the owner’s enrolment' })),
    activities: Type.Optional(Type.Array(ref(ActivityCreate), { maxItems: 20 }))
  },
  { $id: 'DevelopmentObjectiveCreate', additionalProperties: false }
)

export const ObjectiveUpdate = Type.Object(
  { title: Type.Optional(Text(300)), ...objectiveFields, status: Type.Optional(ref(ObjectiveStatus)) },
  {
    $id: 'DevelopmentObjectiveUpdate',
    description: 'JSON merge patch. `status` is progress (allowed on an agreed plan); the other fields change only while the plan is a draft.',
    additionalProperties: false
  }
)

export const GapObjectivesRequest = Type.Object(
  {
    assessmentId: Uuid,
    elementIds: Type.Optional(Type.Array(Uuid, { minItems: 1, maxItems: 20, uniqueItems: true, description: 'These behaviours of the report; default: the largest gaps' })),
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: 20, default: 3, description: 'Without elementIds: how many of the largest gaps' })),
    dueOn: Type.Optional(DateOnly),
    priority: Type.Optional(ref(Priority))
  },
  { $id: 'DevelopmentGapObjectivesRequest', description: 'Objectives from the gaps of the owner’s released 360° report', additionalProperties: false }
)

export const ObjectiveList = Type.Object({ data: Type.Array(ref(Objective)) }, { $id: 'DevelopmentObjectiveList', additionalProperties: false })

export const ProgressNote = Type.Object(
  {
    id: Type.Integer(),
    objectiveId: Uuid,
    note: Type.String(),
    statusFrom: Nullable(ref(ObjectiveStatus)),
    statusTo: Nullable(ref(ObjectiveStatus)),
    author: Type.String({ description: '`person:<id>` or the token subject' }),
    createdAt: DateTime
  },
  { $id: 'DevelopmentProgressNote', description: 'An entry of an objective’s progress log (append-only)', additionalProperties: false }
)

export const ProgressNoteCreate = Type.Object(
  { note: Text(4000), status: Type.Optional(ref(ObjectiveStatus)) },
  { $id: 'DevelopmentProgressNoteCreate', description: 'A note, and optionally the objective’s new status', additionalProperties: false }
)

export const ProgressNotePage = pageOf(ref(ProgressNote), 'DevelopmentProgressNotePage')
export const ProgressNoteListQuery = Type.Object({ ...PageQuery }, { additionalProperties: false })

export const contentSchemas: TSchema[] = [
  Priority, ObjectiveStatus, ObjectiveSource, ActivityKind, ActivityStatus, ActivityEnrolment, Activity, ActivityCreate, ActivityUpdate,
  ActivityEnrolmentRequest, ObjectiveSourceRef, Objective, ObjectiveCreate, ObjectiveUpdate, GapObjectivesRequest, ObjectiveList,
  ProgressNote, ProgressNoteCreate, ProgressNotePage
]

import { Type, type TSchema } from 'typebox'
import { DateOnly, DateTime, ExternalId, Nullable, PageQuery, pageOf, ref, Uuid, Version } from '../../platform/schemas.js'
import { transitionBody } from './transitions.js'

export const PROGRAMME_KINDS = [
  'workshop', 'course', 'coaching', 'mentoring', 'placement', 'attachment', 'conference',
  'shadowing', 'qualification', 'e_learning', 'programme', 'recruitment', 'other'
] as const
export const PROGRAMME_STATUSES = ['draft', 'pilot', 'active', 'retired'] as const
export const DELIVERIES = ['classroom', 'online', 'blended', 'workplace', 'residential'] as const
export const TARGET_GROUPS = ['minority_ethnic', 'women', 'disabled', 'lgb'] as const
const STAFF_TYPES = ['officer', 'staff', 'pcso', 'special_constable'] as const

const kindOptions = { description: 'What sort of development it is; `programme` is a bundle of several (workshops, placements, coaching)' }
const statusOptions = { description: 'draft → pilot → active → retired (also draft → active); changed only through the transitions operation' }
const deliveryOptions = { description: 'Where and how it is delivered' }
const targetGroupOptions = {
  description: 'Positive-action target groups: minority ethnic (BME) staff, women, disabled staff, lesbian, gay and bisexual staff'
}

export const ProgrammeKind = Type.Enum(PROGRAMME_KINDS, { $id: 'ProgrammeKind', ...kindOptions })
export const ProgrammeStatus = Type.Enum(PROGRAMME_STATUSES, { $id: 'ProgrammeStatus', ...statusOptions })
export const Delivery = Type.Enum(DELIVERIES, { $id: 'Delivery', ...deliveryOptions })
export const TargetGroup = Type.Enum(TARGET_GROUPS, { $id: 'TargetGroup', ...targetGroupOptions })

const Code = Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9_.-]+$', description: 'Short unique code, e.g. IMPACT or PD-PROMO-MGR' })
const Title = Type.String({ minLength: 1, maxLength: 300 })
const Text = (maxLength: number, description?: string) => Type.String({ minLength: 1, maxLength, ...(description ? { description } : {}) })
/** A list item never holds `|`: lists travel in CSV as one `|`-separated cell. */
export const ListItem = (maxLength: number, description?: string) =>
  Type.String({ minLength: 1, maxLength, pattern: '^[^|]+$', ...(description ? { description } : {}) })
const Money = Type.Number({ minimum: 0, maximum: 9_999_999_999.99, description: 'Pounds sterling; kept to the penny' })
const Count = (description: string) => Type.Integer({ minimum: 0, maximum: 1_000_000, description })
const Level = Type.Integer({ minimum: 0, maximum: 100, description: 'A grade level (see grades): ranks and staff bands of the same level are equivalents' })

const KeyFeatures = Type.Array(ListItem(1000), { maxItems: 50, description: 'The programme’s key features, in order' })
const FrameworkElementIds = Type.Array(Uuid, { maxItems: 200, uniqueItems: true, description: 'Competency or behaviour framework elements it develops' })
const TargetGroups = Type.Array(ref(TargetGroup), { maxItems: 4, uniqueItems: true })
// Inline, not a reference: StaffType is registered in the people module's scope, not this one.
const StaffTypes = Type.Array(Type.Enum(STAFF_TYPES, { description: 'Police officer, police staff, PCSO or special constable' }), {
  maxItems: 4,
  uniqueItems: true,
  description: 'Empty: any staff type'
})

export const Eligibility = Type.Object(
  {
    levelMin: Nullable(Level),
    levelMax: Nullable(Level),
    staffTypes: StaffTypes,
    notes: Nullable(Text(2000, 'Other criteria in words, e.g. “selection on the generic junior manager role profile”'))
  },
  {
    $id: 'Eligibility',
    description: 'Who may be nominated: a grade level range (null ends are open) and staff types. “Sergeant to Superintendent and police staff equivalents” is a level range with no staff-type limit.',
    additionalProperties: false
  }
)

export const EligibilityInput = Type.Object(
  {
    levelMin: Type.Optional(Nullable(Level)),
    levelMax: Type.Optional(Nullable(Level)),
    staffTypes: Type.Optional(StaffTypes),
    notes: Type.Optional(Nullable(Text(2000)))
  },
  { $id: 'EligibilityInput', description: 'Merged into the current eligibility: fields left out keep their value, null clears', additionalProperties: false }
)

const programmeFields = {
  externalId: Nullable(ExternalId),
  code: Code,
  title: Title,
  kind: ref(ProgrammeKind),
  aim: Nullable(Text(4000)),
  keyFeatures: KeyFeatures,
  provider: Nullable(Text(300, 'Who delivers it, e.g. Dialogue by Design, CENTREX, the Leadership Academy')),
  delivery: Nullable(ref(Delivery)),
  duration: Nullable(Text(200, 'In words, e.g. “1 day”, “11 days”, “6 month placement”')),
  durationDays: Nullable(Type.Number({ minimum: 0, maximum: 9999.99, description: 'Days of attendance, for comparisons (kept to two decimals)' })),
  accreditation: Nullable(Text(300, 'e.g. Institute of Leadership and Management'))
}

const rolloutFields = {
  targetGroups: TargetGroups,
  selectionRequired: Type.Boolean({ description: 'Places are given by selection (e.g. PDR and a gateway event), not first come' }),
  secondApprovalRequired: Type.Boolean({ description: 'Nominations need a second approver after the line manager' }),
  defaultCapacity: Nullable(Type.Integer({ minimum: 1, maximum: 100000, description: 'Places per cohort unless the cohort says otherwise (12 for “10–12”)' })),
  minParticipants: Nullable(Count('The fewest participants a cohort runs with (10 for “10–12”)')),
  costPerEvent: Nullable(Money),
  costPerPerson: Nullable(Money),
  annualTarget: Nullable(Count('Participants a year once rolled out')),
  pilotSize: Nullable(Count('Participants of the pilot')),
  targetYears: Nullable(Type.Integer({ minimum: 1, maximum: 50, description: 'Years the annual target runs for' })),
  rolloutStartsOn: Nullable(DateOnly),
  ownerOrgUnitId: Nullable(Uuid),
  frameworkElementIds: FrameworkElementIds
}

export const Programme = Type.Object(
  {
    id: Uuid,
    ...programmeFields,
    eligibility: ref(Eligibility),
    ...rolloutFields,
    status: ref(ProgrammeStatus),
    version: Version,
    createdAt: DateTime,
    updatedAt: DateTime
  },
  { $id: 'Programme', description: 'A development programme or course: what it is, who it is for, what it costs and its rollout targets', additionalProperties: false }
)

const optional = <T extends Record<string, TSchema>>(fields: T) =>
  Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, Type.Optional(v)])) as { [K in keyof T]: ReturnType<typeof Type.Optional<T[K]>> }

export const ProgrammeCreate = Type.Object(
  {
    ...optional(programmeFields),
    ...optional(rolloutFields),
    code: Code,
    title: Title,
    kind: ref(ProgrammeKind),
    eligibility: Type.Optional(ref(EligibilityInput))
  },
  { $id: 'ProgrammeCreate', description: 'A new programme starts as a draft', additionalProperties: false }
)

export const ProgrammeUpdate = Type.Object(
  { ...optional(programmeFields), eligibility: Type.Optional(ref(EligibilityInput)), ...optional(rolloutFields) },
  { $id: 'ProgrammeUpdate', description: 'JSON merge patch; status changes through the transitions operation', additionalProperties: false }
)

export const ProgrammeTransition = transitionBody(
  PROGRAMME_STATUSES,
  'ProgrammeTransition',
  'draft → pilot | active; pilot → active | retired; active → retired'
)

export const ProgrammePage = pageOf(ref(Programme), 'ProgrammePage')

export const ProgrammeListQuery = Type.Object(
  {
    ...PageQuery,
    status: Type.Optional(ref(ProgrammeStatus)),
    kind: Type.Optional(ref(ProgrammeKind)),
    targetGroup: Type.Optional(ref(TargetGroup)),
    eligibleFor: Type.Optional(Type.String({ format: 'uuid', description: 'Only programmes this person may be nominated for (grade level range and staff type)' })),
    gradeId: Type.Optional(Type.String({ format: 'uuid', description: 'Only programmes open to holders of this grade (its level and staff type)' })),
    code: Type.Optional(Code),
    externalId: Type.Optional(ExternalId),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Full-text search (English stemming) of code, title, aim and provider' })),
    sort: Type.Optional(Type.Union([Type.Literal('title'), Type.Literal('createdAt')], { default: 'title' }))
  },
  { additionalProperties: false }
)

// ---- Import rows --------------------------------------------------------------------------------
// CSV cannot nest, so a row is flat, with the same names in CSV and JSON. A list is a JSON array,
// or (in CSV, and in exports) one cell with the items separated by `|`.

const pipeList = (items: string, description: string) =>
  Type.String({ pattern: `^(${items})(\\|(${items}))*$`, description: `${description}, separated by |` })

/** A list column: an array in JSON, or one `|`-separated cell. */
export const ListColumn = <I extends TSchema, C extends TSchema>(item: I, cell: C, description: string) =>
  Type.Optional(Nullable(Type.Union([Type.Array(item, { maxItems: 200 }), cell], { description })))

const enumInline = <const V extends readonly string[]>(values: V, options: { description?: string }) => Type.Enum(values, options)

export const ProgrammeImportRow = Type.Object(
  {
    externalId: ExternalId,
    code: Code,
    title: Title,
    kind: enumInline(PROGRAMME_KINDS, kindOptions),
    aim: Type.Optional(Nullable(Text(4000))),
    keyFeatures: ListColumn(ListItem(1000), Type.String({ maxLength: 20000, description: 'Key features separated by |' }), 'Key features'),
    provider: Type.Optional(Nullable(Text(300))),
    delivery: Type.Optional(Nullable(enumInline(DELIVERIES, deliveryOptions))),
    duration: Type.Optional(Nullable(Text(200))),
    durationDays: Type.Optional(Nullable(Type.Number({ minimum: 0, maximum: 9999.99 }))),
    accreditation: Type.Optional(Nullable(Text(300))),
    levelMin: Type.Optional(Nullable(Level)),
    levelMax: Type.Optional(Nullable(Level)),
    staffTypes: ListColumn(enumInline(STAFF_TYPES, {}), pipeList(STAFF_TYPES.join('|'), 'Staff types'), 'Eligible staff types; empty: any'),
    eligibilityNotes: Type.Optional(Nullable(Text(2000))),
    targetGroups: ListColumn(enumInline(TARGET_GROUPS, {}), pipeList(TARGET_GROUPS.join('|'), 'Target groups'), 'Positive-action target groups'),
    selectionRequired: Type.Optional(Type.Boolean({ default: false })),
    secondApprovalRequired: Type.Optional(Type.Boolean({ default: false })),
    defaultCapacity: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 100000 }))),
    minParticipants: Type.Optional(Nullable(Count('Fewest participants a cohort runs with'))),
    costPerEvent: Type.Optional(Nullable(Money)),
    costPerPerson: Type.Optional(Nullable(Money)),
    annualTarget: Type.Optional(Nullable(Count('Participants a year'))),
    pilotSize: Type.Optional(Nullable(Count('Participants of the pilot'))),
    targetYears: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 50 }))),
    rolloutStartsOn: Type.Optional(Nullable(DateOnly)),
    ownerOrgUnitExternalId: Type.Optional(Nullable(ExternalId)),
    frameworkElementIds: ListColumn(
      Type.String({ format: 'uuid' }),
      pipeList('[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}', 'Framework element ids'),
      'Framework element ids'
    ),
    status: Type.Optional(
      enumInline(PROGRAMME_STATUSES, { description: 'A new programme takes it as given (default draft); a change to an existing one follows the transitions; left out: unchanged' })
    )
  },
  { $id: 'ProgrammeImportRow', additionalProperties: false }
)

export const programmesSchemas: TSchema[] = [
  ProgrammeKind, ProgrammeStatus, Delivery, TargetGroup,
  Eligibility, EligibilityInput, Programme, ProgrammeCreate, ProgrammeUpdate, ProgrammeTransition, ProgrammePage, ProgrammeImportRow
]

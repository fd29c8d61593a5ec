import { Type } from 'typebox'
import { DateOnly, DateTime, ExternalId, Nullable, PageQuery, pageOf, ref, Uuid, Version } from '../../platform/schemas.js'

const STAFF_TYPES = ['officer', 'staff', 'pcso', 'special_constable'] as const
const ORG_UNIT_KINDS = ['service', 'business_group', 'borough', 'ocu', 'department', 'team', 'board'] as const
const staffTypeOptions = { description: 'Police officer, police staff, PCSO or special constable' }
const orgUnitKindOptions = { description: 'service → business group → borough/OCU/department → team; boards sit anywhere' }

export const StaffType = Type.Enum(STAFF_TYPES, { $id: 'StaffType', ...staffTypeOptions })
export const OrgUnitKind = Type.Enum(ORG_UNIT_KINDS, { $id: 'OrgUnitKind', ...orgUnitKindOptions })
// Import rows are also checked outside fastify (TypeBox, row by row), so they carry their enums inline.
const staffTypeInline = () => Type.Enum(STAFF_TYPES, staffTypeOptions)
const orgUnitKindInline = () => Type.Enum(ORG_UNIT_KINDS, orgUnitKindOptions)

const Name = Type.String({ minLength: 1, maxLength: 200 })

// ---- Org units -------------------------------------------------------------------------------

export const OrgUnit = Type.Object(
  {
    id: Uuid,
    externalId: Nullable(ExternalId),
    name: Name,
    kind: ref(OrgUnitKind),
    parentId: Nullable(Uuid),
    status: Type.Union([Type.Literal('active'), Type.Literal('closed')]),
    version: Version,
    createdAt: DateTime,
    updatedAt: DateTime
  },
  { $id: 'OrgUnit', additionalProperties: false }
)

export const OrgUnitCreate = Type.Object(
  {
    externalId: Type.Optional(Nullable(ExternalId)),
    name: Name,
    kind: ref(OrgUnitKind),
    parentId: Type.Optional(Nullable(Uuid)),
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('closed')]))
  },
  { $id: 'OrgUnitCreate', additionalProperties: false }
)

export const OrgUnitUpdate = Type.Object(
  {
    externalId: Type.Optional(Nullable(ExternalId)),
    name: Type.Optional(Name),
    kind: Type.Optional(ref(OrgUnitKind)),
    parentId: Type.Optional(Nullable(Type.String({ format: 'uuid', description: 'Moves the unit (and its subtree); a move under its own subtree is refused' }))),
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('closed')]))
  },
  { $id: 'OrgUnitUpdate', additionalProperties: false }
)

export const OrgUnitPage = pageOf(ref(OrgUnit), 'OrgUnitPage')

export const OrgUnitListQuery = Type.Object(
  {
    ...PageQuery,
    parentId: Type.Optional(Type.String({ description: 'Children of this unit; `root` for top-level units' , pattern: '^(root|[0-9a-fA-F-]{36})$' })),
    descendantsOf: Type.Optional(Type.String({ format: 'uuid', description: 'The whole subtree below this unit (not the unit itself)' })),
    kind: Type.Optional(ref(OrgUnitKind)),
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('closed')])),
    externalId: Type.Optional(ExternalId),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Name contains (case-insensitive)' })),
    sort: Type.Optional(Type.Union([Type.Literal('name'), Type.Literal('createdAt')], { default: 'name' }))
  },
  { additionalProperties: false }
)

export const OrgUnitImportRow = Type.Object(
  {
    externalId: ExternalId,
    name: Name,
    kind: orgUnitKindInline(),
    parentExternalId: Type.Optional(Nullable(ExternalId)),
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('closed')]))
  },
  { $id: 'OrgUnitImportRow', additionalProperties: false }
)

// ---- Grades ----------------------------------------------------------------------------------

const Level = Type.Integer({ minimum: 0, maximum: 100, description: 'Comparable across staff types: constable and band E share a level, so a range covers “and police staff equivalents”' })

export const Grade = Type.Object(
  {
    id: Uuid,
    externalId: Nullable(ExternalId),
    code: Type.String(),
    name: Name,
    staffType: ref(StaffType),
    level: Level,
    version: Version,
    createdAt: DateTime,
    updatedAt: DateTime
  },
  { $id: 'Grade', additionalProperties: false }
)

const GradeCode = Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9_.-]+$', description: 'Short code, e.g. PS or BAND_C' })

export const GradeCreate = Type.Object(
  { externalId: Type.Optional(Nullable(ExternalId)), code: GradeCode, name: Name, staffType: ref(StaffType), level: Level },
  { $id: 'GradeCreate', additionalProperties: false }
)

export const GradeUpdate = Type.Object(
  {
    externalId: Type.Optional(Nullable(ExternalId)),
    code: Type.Optional(GradeCode),
    name: Type.Optional(Name),
    staffType: Type.Optional(ref(StaffType)),
    level: Type.Optional(Level)
  },
  { $id: 'GradeUpdate', additionalProperties: false }
)

export const GradePage = pageOf(ref(Grade), 'GradePage')

export const GradeListQuery = Type.Object(
  {
    ...PageQuery,
    staffType: Type.Optional(ref(StaffType)),
    levelMin: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
    levelMax: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
    sort: Type.Optional(Type.Union([Type.Literal('level'), Type.Literal('code')], { default: 'level' }))
  },
  { additionalProperties: false }
)

export const GradeImportRow = Type.Object(
  { externalId: ExternalId, code: GradeCode, name: Name, staffType: staffTypeInline(), level: Level },
  { $id: 'GradeImportRow', additionalProperties: false }
)

// ---- People ----------------------------------------------------------------------------------

const Email = Type.String({ format: 'email', maxLength: 320 })
const PersonStatus = Type.Union([Type.Literal('active'), Type.Literal('left')])

export const Person = Type.Object(
  {
    id: Uuid,
    externalId: Nullable(ExternalId),
    givenName: Name,
    familyName: Name,
    preferredName: Nullable(Name),
    email: Nullable(Email),
    staffType: ref(StaffType),
    gradeId: Nullable(Uuid),
    orgUnitId: Nullable(Uuid),
    lineManagerId: Nullable(Uuid),
    status: PersonStatus,
    startDate: Nullable(DateOnly),
    leavingDate: Nullable(DateOnly),
    version: Version,
    createdAt: DateTime,
    updatedAt: DateTime
  },
  { $id: 'Person', additionalProperties: false }
)

export const PersonCreate = Type.Object(
  {
    externalId: Type.Optional(Nullable(ExternalId)),
    givenName: Name,
    familyName: Name,
    preferredName: Type.Optional(Nullable(Name)),
    email: Type.Optional(Nullable(Email)),
    staffType: ref(StaffType),
    gradeId: Type.Optional(Nullable(Uuid)),
    orgUnitId: Type.Optional(Nullable(Uuid)),
    lineManagerId: Type.Optional(Nullable(Uuid)),
    status: Type.Optional(PersonStatus),
    startDate: Type.Optional(Nullable(DateOnly)),
    leavingDate: Type.Optional(Nullable(DateOnly))
  },
  { $id: 'PersonCreate', additionalProperties: false }
)

export const PersonUpdate = Type.Object(
  {
    externalId: Type.Optional(Nullable(ExternalId)),
    givenName: Type.Optional(Name),
    familyName: Type.Optional(Name),
    preferredName: Type.Optional(Nullable(Name)),
    email: Type.Optional(Nullable(Email)),
    staffType: Type.Optional(ref(StaffType)),
    gradeId: Type.Optional(Nullable(Uuid)),
    orgUnitId: Type.Optional(Nullable(Uuid)),
    lineManagerId: Type.Optional(Nullable(Uuid)),
    status: Type.Optional(PersonStatus),
    startDate: Type.Optional(Nullable(DateOnly)),
    leavingDate: Type.Optional(Nullable(DateOnly))
  },
  { $id: 'PersonUpdate', additionalProperties: false }
)

export const PersonPage = pageOf(ref(Person), 'PersonPage')

export const PersonListQuery = Type.Object(
  {
    ...PageQuery,
    orgUnitId: Type.Optional(Uuid),
    includeDescendants: Type.Optional(Type.Boolean({ default: false, description: 'With orgUnitId: also people in every unit below it' })),
    gradeId: Type.Optional(Uuid),
    levelMin: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, description: 'Grade level at least' })),
    levelMax: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, description: 'Grade level at most' })),
    staffType: Type.Optional(ref(StaffType)),
    status: Type.Optional(PersonStatus),
    lineManagerId: Type.Optional(Uuid),
    externalId: Type.Optional(ExternalId),
    email: Type.Optional(Type.String({ maxLength: 320 })),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Given, family or preferred name contains (case-insensitive)' })),
    sort: Type.Optional(Type.Union([Type.Literal('familyName'), Type.Literal('createdAt')], { default: 'familyName' }))
  },
  { additionalProperties: false }
)

export const PersonImportRow = Type.Object(
  {
    externalId: ExternalId,
    givenName: Name,
    familyName: Name,
    preferredName: Type.Optional(Nullable(Name)),
    email: Type.Optional(Nullable(Email)),
    staffType: staffTypeInline(),
    gradeExternalId: Type.Optional(Nullable(ExternalId)),
    gradeCode: Type.Optional(Nullable(Type.String({ maxLength: 40, description: 'Alternative to gradeExternalId' }))),
    orgUnitExternalId: Type.Optional(Nullable(ExternalId)),
    lineManagerExternalId: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200, description: 'May name a person later in the same file' }))),
    status: Type.Optional(PersonStatus),
    startDate: Type.Optional(Nullable(DateOnly)),
    leavingDate: Type.Optional(Nullable(DateOnly))
  },
  { $id: 'PersonImportRow', additionalProperties: false }
)

// ---- Diversity monitoring ----------------------------------------------------------------------

/** ONS 2001 census “16+1” categories as used in police monitoring, plus not stated. */
export const ETHNICITY_CODES = {
  W1: 'White – British',
  W2: 'White – Irish',
  W9: 'Any other White background',
  M1: 'White and Black Caribbean',
  M2: 'White and Black African',
  M3: 'White and Asian',
  M9: 'Any other Mixed background',
  A1: 'Asian – Indian',
  A2: 'Asian – Pakistani',
  A3: 'Asian – Bangladeshi',
  A9: 'Any other Asian background',
  B1: 'Black – Caribbean',
  B2: 'Black – African',
  B9: 'Any other Black background',
  O1: 'Chinese',
  O9: 'Any other ethnic group',
  NS: 'Not stated'
} as const

const Answer = <const V extends string[]>(values: V, description: string) => Type.Optional(Nullable(Type.Enum(values, { description })))

const diversityFields = {
  ethnicity: Answer(Object.keys(ETHNICITY_CODES) as Array<keyof typeof ETHNICITY_CODES>, 'ONS 16+1 code: ' + Object.entries(ETHNICITY_CODES).map(([k, v]) => `${k} ${v}`).join('; ')),
  ethnicitySelfDefined: Type.Optional(Nullable(Type.String({ maxLength: 200, description: 'The person’s own description' }))),
  sex: Answer(['female', 'male', 'prefer_not_to_say'], 'Sex'),
  genderIdentitySameAsBirth: Answer(['yes', 'no', 'prefer_not_to_say'], 'Is your gender identity the same as the sex you were registered at birth?'),
  disability: Answer(['yes', 'no', 'prefer_not_to_say'], 'Disability (Equality Act 2010)'),
  sexualOrientation: Answer(['heterosexual', 'gay_or_lesbian', 'bisexual', 'other', 'prefer_not_to_say'], 'Sexual orientation'),
  religionOrBelief: Answer(['none', 'buddhist', 'christian', 'hindu', 'jewish', 'muslim', 'sikh', 'other', 'prefer_not_to_say'], 'Religion or belief')
}

export const DiversityRecordInput = Type.Object(diversityFields, { $id: 'DiversityRecordInput', additionalProperties: false })

export const DiversityRecord = Type.Object(
  { personId: Uuid, ...diversityFields, version: Version, updatedAt: DateTime },
  { $id: 'DiversityRecord', additionalProperties: false }
)

export const DIVERSITY_CHARACTERISTICS = ['ethnicity', 'sex', 'genderIdentitySameAsBirth', 'disability', 'sexualOrientation', 'religionOrBelief'] as const

export const DiversityAggregateQuery = Type.Object(
  {
    characteristic: Type.Enum(DIVERSITY_CHARACTERISTICS),
    groupBy: Type.Optional(Type.Union([Type.Literal('orgUnit'), Type.Literal('grade'), Type.Literal('orgUnitAndGrade'), Type.Literal('none')], { default: 'orgUnit' })),
    orgUnitId: Type.Optional(Type.String({ format: 'uuid', description: 'Only this unit and everything below it' })),
    status: Type.Optional(PersonStatus)
  },
  { additionalProperties: false }
)

export const DiversityAggregateCell = Type.Object(
  {
    orgUnitId: Type.Optional(Nullable(Uuid)),
    gradeId: Type.Optional(Nullable(Uuid)),
    value: Nullable(Type.String({ description: 'The answer; null for people with no record or no answer' })),
    count: Nullable(Type.Integer({ description: 'Rounded to the nearest 5; null when suppressed' })),
    suppressed: Type.Boolean({ description: 'True when fewer than 5 people: the count is withheld' })
  },
  { $id: 'DiversityAggregateCell', additionalProperties: false }
)

export const DiversityAggregate = Type.Object(
  {
    characteristic: Type.String(),
    groupBy: Type.String(),
    threshold: Type.Integer({ description: 'Cells below this count are suppressed' }),
    roundedTo: Type.Integer({ description: 'Shown counts are rounded to a multiple of this, so suppressed cells cannot be derived by subtraction' }),
    cells: Type.Array(ref(DiversityAggregateCell))
  },
  { $id: 'DiversityAggregate', additionalProperties: false }
)

export const peopleSchemas = [
  StaffType, OrgUnitKind,
  OrgUnit, OrgUnitCreate, OrgUnitUpdate, OrgUnitPage, OrgUnitImportRow,
  Grade, GradeCreate, GradeUpdate, GradePage, GradeImportRow,
  Person, PersonCreate, PersonUpdate, PersonPage, PersonImportRow,
  DiversityRecordInput, DiversityRecord, DiversityAggregateCell, DiversityAggregate
]

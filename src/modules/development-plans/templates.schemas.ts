import { Type, type TSchema } from 'typebox'
import { DateTime, ExternalId, Nullable, PageQuery, pageOf, ref, Uuid, Version } from '../../platform/schemas.js'
import { ActivityKind, Priority } from './content.schemas.js'
import { Period } from './plans.schemas.js'

const Text = (maxLength: number, description?: string) => Type.String({ minLength: 1, maxLength, ...(description ? { description } : {}) })
const DueInMonths = Type.Integer({ minimum: 1, maximum: 24, description: 'Due at the end of this month of the plan’s period (1: the end of April)' })

export const TemplateStatus = Type.Enum(['active', 'retired'], { $id: 'DevelopmentPlanTemplateStatus', description: 'Only active templates make new plans' })

export const TemplateActivity = Type.Object(
  {
    kind: ref(ActivityKind),
    title: Text(300),
    description: Type.Optional(Nullable(Text(4000))),
    programmeId: Type.Optional(Nullable(Type.String({ format: 'uuid', description: 'Required for (and only for) programme activities' }))),
    dueInMonths: Type.Optional(Nullable(DueInMonths))
  },
  { $id: 'DevelopmentTemplateActivity', additionalProperties: false }
)

export const TemplateObjective = Type.Object(
  {
    title: Text(300),
    description: Type.Optional(Nullable(Text(4000))),
    successMeasure: Type.Optional(Nullable(Text(2000))),
    priority: Type.Optional(ref(Priority)),
    dueInMonths: Type.Optional(Nullable(DueInMonths)),
    frameworkElementIds: Type.Optional(Type.Array(Uuid, { maxItems: 50, uniqueItems: true })),
    activities: Type.Optional(Type.Array(ref(TemplateActivity), { maxItems: 20 }))
  },
  { $id: 'DevelopmentTemplateObjective', additionalProperties: false }
)

export const Template = Type.Object(
  {
    id: Uuid,
    externalId: Nullable(ExternalId),
    code: Type.String(),
    title: Type.String(),
    description: Nullable(Type.String()),
    status: ref(TemplateStatus),
    objectives: Type.Array(ref(TemplateObjective)),
    version: Version,
    createdAt: DateTime,
    updatedAt: DateTime
  },
  {
    $id: 'DevelopmentPlanTemplate',
    description: 'An organisation-wide plan template (e.g. for a promotability programme): objectives and activities copied into each plan made from it',
    additionalProperties: false
  }
)

const Code = Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9_.-]+$', description: 'Short unique code, e.g. PROMO-MGR-2026' })
const Objectives = Type.Array(ref(TemplateObjective), { minItems: 1, maxItems: 30 })

export const TemplateCreate = Type.Object(
  { code: Code, title: Text(300), description: Type.Optional(Nullable(Text(4000))), externalId: Type.Optional(ExternalId), objectives: Objectives },
  { $id: 'DevelopmentPlanTemplateCreate', additionalProperties: false }
)

export const TemplateUpdate = Type.Object(
  {
    title: Type.Optional(Text(300)),
    description: Type.Optional(Nullable(Text(4000))),
    externalId: Type.Optional(Nullable(ExternalId)),
    status: Type.Optional(ref(TemplateStatus)),
    objectives: Type.Optional(Objectives)
  },
  {
    $id: 'DevelopmentPlanTemplateUpdate',
    description: 'JSON merge patch; `objectives` replaces the whole list. Plans already made keep what they copied.',
    additionalProperties: false
  }
)

export const TemplateApplyRequest = Type.Object(
  {
    cohortId: Uuid,
    period: Type.Optional(Period)
  },
  { $id: 'DevelopmentPlanTemplateApplyRequest', description: '`period` defaults to the PDR year in which the cohort starts', additionalProperties: false }
)

export const TemplateApplyResult = Type.Object(
  {
    templateId: Uuid,
    cohortId: Uuid,
    period: Period,
    created: Type.Integer({ minimum: 0, description: 'Plans made now' }),
    existing: Type.Integer({ minimum: 0, description: 'Participants who already had a plan from this template for the period (left as they are)' }),
    plans: Type.Array(
      Type.Object({ personId: Uuid, planId: Uuid, created: Type.Boolean() }, { additionalProperties: false }),
      { description: 'One per participant, in person id order' }
    )
  },
  { $id: 'DevelopmentPlanTemplateApplyResult', additionalProperties: false }
)

export const TemplatePage = pageOf(ref(Template), 'DevelopmentPlanTemplatePage')
export const TemplateListQuery = Type.Object(
  { ...PageQuery, status: Type.Optional(ref(TemplateStatus)), code: Type.Optional(Code) },
  { additionalProperties: false }
)

export const templatesSchemas: TSchema[] = [TemplateStatus, TemplateActivity, TemplateObjective, Template, TemplateCreate, TemplateUpdate, TemplateApplyRequest, TemplateApplyResult, TemplatePage]

import { Type, type TSchema } from 'typebox'
import { DateTime, Nullable, PageQuery, pageOf, ref, Uuid, Version } from '../../platform/schemas.js'

export const FRAMEWORK_KINDS = ['competency', 'values', 'role_profile'] as const
export const FRAMEWORK_STATUSES = ['draft', 'published', 'retired'] as const
export const ELEMENT_KINDS = ['cluster', 'competency', 'value', 'behaviour'] as const
export const POLARITIES = ['positive', 'negative'] as const

export const FrameworkKind = Type.Enum(FRAMEWORK_KINDS, { $id: 'FrameworkKind', description: 'A competency framework, a values-and-behaviours framework, or a role profile' })
export const FrameworkStatus = Type.Enum(FRAMEWORK_STATUSES, {
  $id: 'FrameworkStatus',
  description: 'draft (editable) → published (frozen) → retired (frozen, not for new use); changed only through the transitions operation'
})
export const ElementKind = Type.Enum(ELEMENT_KINDS, {
  $id: 'FrameworkElementKind',
  description: 'cluster → competency or value → behaviour indicator. Published trees have behaviours only under competencies or values'
})
export const Polarity = Type.Enum(POLARITIES, {
  $id: 'Polarity',
  description: 'positive (“we will”) or negative (“we will not”): negative behaviours are reported as how often they are seen, never averaged with positive ones'
})

/** No slash: element codes are used in JSON pointers (`/elements/<code>`) and CSV parent references. */
export const Code = Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9_.-]+$', description: 'Short code: letters, digits, `_`, `.`, `-`' })
/** Text is stored trimmed with LF line ends, so CSV (which trims cells) round-trips it exactly. */
const Text = (maxLength: number, description?: string) => Type.String({ minLength: 1, maxLength, pattern: '\\S', ...(description ? { description } : {}) })
const VersionNumber = Type.Integer({ minimum: 1, maximum: 100000, description: 'The framework’s own version: 1, 2, … per code' })

export const Framework = Type.Object(
  {
    id: Uuid,
    code: Code,
    versionNumber: VersionNumber,
    name: Text(300),
    kind: ref(FrameworkKind),
    description: Nullable(Text(4000)),
    status: ref(FrameworkStatus),
    basedOnId: Nullable(Type.String({ format: 'uuid', description: 'The version this one was copied from' })),
    publishedAt: Nullable(DateTime),
    elementCount: Type.Integer({ minimum: 0 }),
    version: Version,
    createdAt: DateTime,
    updatedAt: DateTime
  },
  {
    $id: 'Framework',
    description: 'One version of a framework. `versionNumber` counts the framework’s versions; `version` is this record’s concurrency version (ETag), raised by every change to it or its elements.',
    additionalProperties: false
  }
)

export const FrameworkCreate = Type.Object(
  { code: Code, name: Text(300), kind: ref(FrameworkKind), description: Type.Optional(Nullable(Text(4000))) },
  { $id: 'FrameworkCreate', description: 'A new framework: version 1, a draft. Later versions come from `POST /v1/frameworks/{id}/versions`.', additionalProperties: false }
)

export const FrameworkUpdate = Type.Object(
  { name: Type.Optional(Text(300)), kind: Type.Optional(ref(FrameworkKind)), description: Type.Optional(Nullable(Text(4000))) },
  { $id: 'FrameworkUpdate', description: 'JSON merge patch of a draft; code and version number are fixed', additionalProperties: false }
)

export const FrameworkVersionCreate = Type.Object(
  { name: Type.Optional(Text(300)), description: Type.Optional(Nullable(Text(4000))) },
  { $id: 'FrameworkVersionCreate', description: 'Optional changes for the new draft; everything else is copied', additionalProperties: false }
)

export const FrameworkTransition = Type.Object(
  {
    to: Type.Enum(['published', 'retired'] as const, { description: 'draft → published; published → retired' }),
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: 2000, description: 'Why; kept in the audit trail and the event' }))
  },
  { $id: 'FrameworkTransition', description: 'draft → published (the tree must be sound) → retired', additionalProperties: false }
)

export const FrameworkPage = pageOf(ref(Framework), 'FrameworkPage')

export const FrameworkListQuery = Type.Object(
  {
    ...PageQuery,
    code: Type.Optional(Code),
    kind: Type.Optional(ref(FrameworkKind)),
    status: Type.Optional(ref(FrameworkStatus)),
    latestPublished: Type.Optional(Type.Boolean({ description: 'Only the newest published version of each code' })),
    sort: Type.Optional(Type.Union([Type.Literal('code'), Type.Literal('name'), Type.Literal('createdAt')], { default: 'code', description: '`code` orders by code, then version number' }))
  },
  { additionalProperties: false }
)

export const FrameworkElement = Type.Object(
  {
    id: Uuid,
    frameworkId: Uuid,
    parentId: Nullable(Uuid),
    lineageId: Type.String({ format: 'uuid', description: 'Shared by this element and its copies in other versions of the framework' }),
    kind: ref(ElementKind),
    code: Code,
    title: Text(1000),
    description: Nullable(Text(4000)),
    polarity: ref(Polarity),
    position: Type.Integer({ minimum: 0, description: 'Order among its siblings, from 0' }),
    version: Version,
    createdAt: DateTime,
    updatedAt: DateTime
  },
  { $id: 'FrameworkElement', additionalProperties: false }
)

export const FrameworkElementCreate = Type.Object(
  {
    code: Code,
    kind: ref(ElementKind),
    title: Text(1000),
    description: Type.Optional(Nullable(Text(4000))),
    polarity: Type.Optional(ref(Polarity)),
    parentId: Type.Optional(Nullable(Uuid)),
    position: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000, description: 'Where among its siblings (0 first); default last' }))
  },
  { $id: 'FrameworkElementCreate', description: 'An element of a draft framework', additionalProperties: false }
)

export const FrameworkElementUpdate = Type.Object(
  {
    code: Type.Optional(Code),
    kind: Type.Optional(ref(ElementKind)),
    title: Type.Optional(Text(1000)),
    description: Type.Optional(Nullable(Text(4000))),
    polarity: Type.Optional(ref(Polarity)),
    parentId: Type.Optional(Nullable(Type.String({ format: 'uuid', description: 'Move under another element of the same framework (null: top level)' }))),
    position: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000, description: 'Reorder among the siblings (0 first; past the end: last)' }))
  },
  { $id: 'FrameworkElementUpdate', description: 'JSON merge patch of an element of a draft framework; `parentId` moves it with its subtree, `position` reorders it', additionalProperties: false }
)

export const FrameworkElementPage = pageOf(ref(FrameworkElement), 'FrameworkElementPage')

export const FrameworkElementListQuery = Type.Object(
  {
    ...PageQuery,
    kind: Type.Optional(ref(ElementKind)),
    polarity: Type.Optional(ref(Polarity)),
    parentId: Type.Optional(Type.String({ format: 'uuid', description: 'Only the children of this element' })),
    topLevel: Type.Optional(Type.Boolean({ description: 'Only elements without a parent' })),
    lineageId: Type.Optional(Type.String({ format: 'uuid' })),
    sort: Type.Optional(Type.Union([Type.Literal('code'), Type.Literal('position')], { default: 'position', description: '`position`: by parent, then order among siblings' }))
  },
  { additionalProperties: false }
)

// ---- The nested tree (read) and the portable document (import / export) ------------------------

export const FrameworkTreeNode = Type.Object(
  {
    id: Uuid,
    lineageId: Uuid,
    kind: ref(ElementKind),
    code: Code,
    title: Text(1000),
    description: Nullable(Text(4000)),
    polarity: ref(Polarity),
    version: Version,
    children: Type.Array(Type.Ref('FrameworkTreeNode'))
  },
  { $id: 'FrameworkTreeNode', additionalProperties: false }
)

export const FrameworkTree = Type.Object(
  { framework: ref(Framework), elements: Type.Array(Type.Ref('FrameworkTreeNode'), { description: 'Top-level elements in order, each with its children in order' }) },
  { $id: 'FrameworkTree', additionalProperties: false }
)

export const FrameworkDocumentElement = Type.Object(
  {
    code: Code,
    kind: ref(ElementKind),
    title: Text(1000),
    description: Type.Optional(Nullable(Text(4000))),
    polarity: Type.Optional(ref(Polarity)),
    children: Type.Optional(Type.Array(Type.Ref('FrameworkDocumentElement'), { maxItems: 2000 }))
  },
  { $id: 'FrameworkDocumentElement', description: 'An element and its children, in order (order is position)', additionalProperties: false }
)

export const FrameworkDocument = Type.Object(
  {
    code: Code,
    name: Text(300),
    kind: ref(FrameworkKind),
    versionNumber: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000, description: 'On import: the version to create (409 if it exists); left out, the next one for the code' })),
    description: Type.Optional(Nullable(Text(4000))),
    elements: Type.Array(ref(FrameworkDocumentElement), { maxItems: 2000 })
  },
  {
    $id: 'FrameworkDocument',
    description: 'A whole framework as one JSON document, as exported and imported. Ids are not part of it: an import creates new elements, and those whose code matches an element of the newest existing version of the same code share its lineage.',
    additionalProperties: false
  }
)

export const FrameworkExportQuery = Type.Object(
  { format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')], { description: 'Overrides Accept' })) },
  { additionalProperties: false }
)

export const frameworksSchemas: TSchema[] = [
  FrameworkKind, FrameworkStatus, ElementKind, Polarity,
  Framework, FrameworkCreate, FrameworkUpdate, FrameworkVersionCreate, FrameworkTransition, FrameworkPage,
  FrameworkElement, FrameworkElementCreate, FrameworkElementUpdate, FrameworkElementPage,
  FrameworkTreeNode, FrameworkTree, FrameworkDocumentElement, FrameworkDocument
]

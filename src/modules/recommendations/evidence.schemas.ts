import { Type, type TSchema } from 'typebox'
import { DateOnly, DateTime, Nullable, PageQuery, pageOf, ref, Uuid, Version } from '../../platform/schemas.js'
import { Text, Title } from './sources.schemas.js'

export const EVIDENCE_KINDS = ['document', 'data', 'indicator', 'narrative', 'link'] as const
export const EvidenceKind = Type.Enum(EVIDENCE_KINDS, { $id: 'EvidenceKind', description: 'What sort of evidence it is' })

const evidenceFields = {
  kind: ref(EvidenceKind),
  title: Title,
  description: Nullable(Text(8000)),
  reference: Nullable(Text(500, 'A document reference, file number or citation')),
  url: Nullable(Type.String({ format: 'uri', maxLength: 2000 })),
  indicatorId: Nullable(Type.String({ format: 'uuid', description: 'For indicator evidence: the indicator whose values show the outcome' })),
  effectiveOn: DateOnly,
  expiresOn: Nullable(DateOnly),
  submittedByPersonId: Nullable(Type.String({ format: 'uuid', description: 'The person who submitted it, when known' }))
}

export const Evidence = Type.Object(
  {
    id: Uuid,
    recommendationId: Uuid,
    ...evidenceFields,
    submittedBy: Type.String({ description: 'The token subject that recorded it' }),
    current: Type.Boolean({ description: 'Current today (UTC): not withdrawn, effective, not expired' }),
    withdrawnAt: Nullable(DateTime),
    withdrawnBy: Nullable(Type.String()),
    withdrawalReason: Nullable(Type.String()),
    version: Version,
    createdAt: DateTime,
    updatedAt: DateTime
  },
  { $id: 'RecommendationEvidence', description: 'Evidence that a recommendation is being embedded. Never deleted: withdrawn, with a reason.', additionalProperties: false }
)

export const EvidenceCreate = Type.Object(
  {
    kind: ref(EvidenceKind),
    title: Title,
    effectiveOn: DateOnly,
    description: Type.Optional(evidenceFields.description),
    reference: Type.Optional(evidenceFields.reference),
    url: Type.Optional(evidenceFields.url),
    indicatorId: Type.Optional(evidenceFields.indicatorId),
    expiresOn: Type.Optional(evidenceFields.expiresOn),
    submittedByPersonId: Type.Optional(evidenceFields.submittedByPersonId)
  },
  { $id: 'RecommendationEvidenceCreate', additionalProperties: false }
)

export const EvidenceWithdrawal = Type.Object(
  { reason: Text(4000, 'Why the evidence no longer stands') },
  { $id: 'RecommendationEvidenceWithdrawal', additionalProperties: false }
)

export const EvidencePage = pageOf(ref(Evidence), 'RecommendationEvidencePage')
export const EvidenceListQuery = Type.Object(
  {
    ...PageQuery,
    current: Type.Optional(Type.Boolean({ description: 'true: only evidence current today; false: only withdrawn, not yet effective or expired' })),
    includeWithdrawn: Type.Optional(Type.Boolean({ default: true }))
  },
  { additionalProperties: false }
)

export const evidenceSchemas: TSchema[] = [EvidenceKind, Evidence, EvidenceCreate, EvidenceWithdrawal, EvidencePage]

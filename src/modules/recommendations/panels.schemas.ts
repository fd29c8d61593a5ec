import { Type, type TSchema } from 'typebox'
import { DateOnly, DateTime, Nullable, PageQuery, pageOf, ref, Uuid, Version } from '../../platform/schemas.js'
import { Code, optional, RecommendationStatus, Text, Title } from './sources.schemas.js'

export const VERDICTS = ['embedded', 'partially_embedded', 'not_embedded', 'insufficient_evidence'] as const
export const Verdict = Type.Enum(VERDICTS, {
  $id: 'PanelVerdict',
  description:
    'embedded → status embedded (needs current evidence considered); partially_embedded → partially_embedded; not_embedded → continuing_challenge; insufficient_evidence → unchanged, but embedded falls back to partially_embedded'
})
export const Membership = Type.Enum(['internal', 'external'], { $id: 'PanelMembership', description: 'internal (of the organisation) or external (e.g. CRE, Police Foundation, the police authority)' })
export const MemberRole = Type.Enum(['chair', 'member', 'adviser'], { $id: 'PanelMemberRole' })

const panelFields = {
  code: Code,
  name: Title,
  termsOfReference: Nullable(Text(8000)),
  status: Type.Enum(['active', 'dissolved'], { description: 'A dissolved panel records no more reviews' })
}
export const ChallengePanel = Type.Object(
  { id: Uuid, ...panelFields, version: Version, createdAt: DateTime, updatedAt: DateTime },
  { $id: 'ChallengePanel', description: 'A challenge panel that decides whether recommendations are embedded', additionalProperties: false }
)
export const ChallengePanelCreate = Type.Object(
  { code: Code, name: Title, termsOfReference: Type.Optional(panelFields.termsOfReference) },
  { $id: 'ChallengePanelCreate', additionalProperties: false }
)
export const ChallengePanelUpdate = Type.Object(optional(panelFields), { $id: 'ChallengePanelUpdate', description: 'JSON merge patch', additionalProperties: false })
export const ChallengePanelPage = pageOf(ref(ChallengePanel), 'ChallengePanelPage')

const memberFields = {
  name: Text(300),
  membership: ref(Membership),
  organisation: Nullable(Text(300, 'e.g. Commission for Racial Equality, Police Foundation, MPA, MPS')),
  personId: Nullable(Type.String({ format: 'uuid', description: 'For an internal member: the person' })),
  role: ref(MemberRole),
  joinedOn: Nullable(DateOnly),
  leftOn: Nullable(DateOnly)
}
export const PanelMember = Type.Object(
  { id: Uuid, panelId: Uuid, ...memberFields, version: Version, createdAt: DateTime, updatedAt: DateTime },
  { $id: 'PanelMember', description: 'A member of a challenge panel; a member who left keeps their place in past reviews', additionalProperties: false }
)
export const PanelMemberCreate = Type.Object(
  { ...optional(memberFields), name: Text(300), membership: ref(Membership) },
  { $id: 'PanelMemberCreate', additionalProperties: false }
)
export const PanelMemberUpdate = Type.Object(optional(memberFields), { $id: 'PanelMemberUpdate', description: 'JSON merge patch', additionalProperties: false })
export const PanelMemberPage = pageOf(ref(PanelMember), 'PanelMemberPage')
export const PanelMemberListQuery = Type.Object(
  { ...PageQuery, sort: Type.Optional(Type.Literal('name', { default: 'name', description: 'By name, then id' })) },
  { additionalProperties: false }
)
export const MemberParams = Type.Object({ id: Uuid, memberId: Uuid }, { additionalProperties: false })

export const PanelReview = Type.Object(
  {
    id: Uuid,
    panelId: Uuid,
    recommendationId: Uuid,
    reviewedOn: DateOnly,
    memberIds: Type.Array(Uuid, { description: 'Members present' }),
    evidence: Type.Array(
      Type.Object({ evidenceId: Uuid, current: Type.Boolean({ description: 'Current on the review date' }) }, { additionalProperties: false }),
      { description: 'Evidence considered' }
    ),
    verdict: ref(Verdict),
    rationale: Type.String(),
    nextReviewOn: Nullable(DateOnly),
    statusBefore: ref(RecommendationStatus),
    statusAfter: ref(RecommendationStatus),
    applied: Type.Boolean({
      description:
        'Whether this review set the recommendation’s status and next review date. false for a late write-up: a review dated before the latest review already on file when it was recorded. It is kept, but the newer finding stands (statusAfter = statusBefore; its nextReviewOn is not the recommendation’s). Reviews on the same date: the later-recorded one applies.'
    }),
    recordedBy: Type.String(),
    createdAt: DateTime
  },
  { $id: 'PanelReview', description: 'A challenge panel’s review of one recommendation. Never changed: a later review supersedes it.', additionalProperties: false }
)
export const PanelReviewCreate = Type.Object(
  {
    panelId: Uuid,
    reviewedOn: Type.String({ format: 'date', description: 'The date of the panel meeting; not in the future' }),
    memberIds: Type.Array(Uuid, { minItems: 1, maxItems: 50, uniqueItems: true, description: 'Members present: members of that panel on that date' }),
    evidenceIds: Type.Array(Uuid, { maxItems: 200, uniqueItems: true, description: 'Evidence considered: evidence of this recommendation' }),
    verdict: ref(Verdict),
    rationale: Text(8000),
    nextReviewOn: Type.Optional(Nullable(Type.String({ format: 'date', description: 'When the panel should look again; becomes the recommendation’s next review date (not for a late write-up: see PanelReview.applied)' })))
  },
  { $id: 'PanelReviewCreate', additionalProperties: false }
)
export const PanelReviewPage = pageOf(ref(PanelReview), 'PanelReviewPage')
export const PanelListQuery = Type.Object({ ...PageQuery }, { additionalProperties: false })

export const panelsSchemas: TSchema[] = [
  Verdict, Membership, MemberRole, ChallengePanel, ChallengePanelCreate, ChallengePanelUpdate, ChallengePanelPage,
  PanelMember, PanelMemberCreate, PanelMemberUpdate, PanelMemberPage, PanelReview, PanelReviewCreate, PanelReviewPage
]

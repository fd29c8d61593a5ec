import { Type } from 'typebox'
import { DateTime, Nullable, PageQuery, pageOf, ref, Uuid, Version } from '../../platform/schemas.js'
import { Relationship } from './assessments.schemas.js'

export const INVITATION_STATUSES = ['invited', 'submitted', 'declined', 'withdrawn'] as const
export const InvitationStatus = Type.Enum(INVITATION_STATUSES, {
  $id: 'InvitationStatus',
  description: 'invited → submitted | declined (by the rater, with the token) | withdrawn (by HR). All but invited are final.'
})

const Name = Type.String({ minLength: 1, maxLength: 300 })
const Email = Type.String({ format: 'email', maxLength: 320 })
const Reason = Type.String({ minLength: 1, maxLength: 2000 })

const invitationFields = {
  id: Uuid,
  assessmentId: Uuid,
  relationship: ref(Relationship),
  personId: Nullable(Type.String({ format: 'uuid', description: 'The rater, when they are in the people data' })),
  externalName: Nullable(Type.String({ description: 'An external rater’s name' })),
  externalEmail: Nullable(Type.String({ description: 'An external rater’s email address' })),
  status: ref(InvitationStatus),
  statusReason: Nullable(Type.String({ description: 'Why the rater declined, or why HR withdrew the invitation' })),
  expiresAt: Type.String({ format: 'date-time', description: 'When the token stops working: its own expiry, or the assessment’s closing time' }),
  tokenIssuedAt: DateTime,
  respondedOn: Nullable(Type.String({ format: 'date', description: 'The day (UTC) the rater submitted or declined; only the day, so it cannot be matched to anything finer' })),
  lastRemindedAt: Nullable(DateTime),
  remindersSent: Type.Integer({ minimum: 0 }),
  draftSaved: Type.Boolean({ description: 'Whether the rater has saved a draft (never what it says)' }),
  version: Version,
  createdAt: DateTime,
  updatedAt: DateTime
}

export const Invitation = Type.Object(invitationFields, {
  $id: 'Invitation',
  description: 'One rater’s invitation to a 360° assessment. It records whether the rater answered, never what.',
  additionalProperties: false
})

export const IssuedInvitation = Type.Object(
  {
    ...invitationFields,
    token: Type.String({
      description:
        'The rater’s token, shown only in this response (it is stored hashed): send it to the rater, who passes it as the X-Rater-Token header of the questionnaire operations. Reissuing makes a new one and kills this one.'
    })
  },
  { $id: 'IssuedInvitation', description: 'An invitation with its newly issued token', additionalProperties: false }
)

export const InvitationCreate = Type.Object(
  {
    relationship: ref(Relationship),
    personId: Type.Optional(Type.String({ format: 'uuid', description: 'An internal rater. For `self` it defaults to (and must be) the subject.' })),
    externalName: Type.Optional(Name),
    externalEmail: Type.Optional(Email),
    expiresAt: Type.Optional(Type.String({ format: 'date-time', description: 'When the token stops working (in the future); default: when the assessment closes' }))
  },
  {
    $id: 'InvitationCreate',
    description: 'Either personId (a person in the people data) or externalName and externalEmail (someone outside it).',
    additionalProperties: false
  }
)

export const InvitationTransition = Type.Object(
  {
    to: Type.Enum(['withdrawn'] as const, { description: 'HR only withdraws; submitting and declining are the rater’s' }),
    reason: Type.Optional(Reason)
  },
  { $id: 'InvitationTransition', description: 'Withdraw an invitation that has not been answered: its token stops working and its draft is discarded', additionalProperties: false }
)

export const TokenReissue = Type.Object(
  { expiresAt: Type.Optional(Type.String({ format: 'date-time', description: 'When the new token stops working; default: when the assessment closes' })) },
  { $id: 'TokenReissue', additionalProperties: false }
)

export const ReminderRecord = Type.Object(
  { note: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'e.g. the channel or message reference; kept in the audit trail' })) },
  { $id: 'ReminderRecord', description: 'A reminder the HR or mail system has sent', additionalProperties: false }
)

export const InvitationPage = pageOf(ref(Invitation), 'InvitationPage')

export const InvitationListQuery = Type.Object(
  {
    ...PageQuery,
    status: Type.Optional(ref(InvitationStatus)),
    relationship: Type.Optional(ref(Relationship))
  },
  { additionalProperties: false }
)

export const ReminderDue = Type.Object(
  {
    invitation: ref(Invitation),
    subjectId: Uuid,
    closesAt: DateTime,
    reason: Type.Enum(['interval', 'closing_soon'] as const, {
      description: '`interval`: nothing sent for intervalDays (counting from the token’s issue); `closing_soon`: the window closes within closingWithinDays and nothing was sent in the last day'
    })
  },
  { $id: 'ReminderDue', additionalProperties: false }
)

export const ReminderDuePage = pageOf(ref(ReminderDue), 'ReminderDuePage')

export const ReminderDueQuery = Type.Object(
  {
    ...PageQuery,
    assessmentId: Type.Optional(Uuid),
    intervalDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 90, default: 7, description: 'Remind when nothing was sent for this many days' })),
    closingWithinDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 30, default: 2, description: 'Remind daily once the window closes within this many days' }))
  },
  { additionalProperties: false }
)

export const invitationsSchemas = [InvitationStatus, Invitation, IssuedInvitation, InvitationCreate, InvitationTransition, TokenReissue, ReminderRecord, InvitationPage, ReminderDue, ReminderDuePage]

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { actorOf, inTransaction } from '../../platform/changes.js'
import { ifMatchVersion, withEtag } from '../../platform/concurrency.js'
import { sendPage } from '../../platform/pagination.js'
import { errors, IdParams, ref } from '../../platform/schemas.js'
import { requireScopes } from '../../platform/scopes.js'
import { ASSESSMENTS_READ, ASSESSMENTS_WRITE } from '../assessments/scopes.js'
import { findAssessment } from './assessments.repository.js'
import {
  Invitation,
  InvitationCreate,
  InvitationListQuery,
  InvitationPage,
  InvitationTransition,
  IssuedInvitation,
  ReminderDuePage,
  ReminderDueQuery,
  ReminderRecord,
  TokenReissue
} from './invitations.schemas.js'
import { findInvitation, listInvitations, listRemindersDue, toInvitation } from './invitations.repository.js'
import { createInvitation, recordReminder, reissueToken, withdrawInvitation } from './invitations.service.js'

const tags = ['feedback']
/** Answers carrying a token are never stored for replay (the token would be kept in clear). */
const tokenBearing = { idempotent: false }

export const invitationsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/assessments/:id/invitations',
    {
      config: tokenBearing,
      schema: {
        operationId: 'createInvitation',
        tags,
        summary: 'Invite a rater',
        description:
          'By relationship: self (the subject), line_manager, peer, direct_report or other; a person from the people data (`personId`) or someone outside it (`externalName`, `externalEmail`). While the assessment is a draft or open (409 `assessment-status`). ' +
          'The answer carries the rater’s token, once: it is stored only as a hash and appears in no other answer, audit record or event; send it to the rater. A person or email is invited once per assessment (409 `invitation-duplicate`), so a retry cannot make two. An assessment has one line manager: a second live (invited or submitted) `line_manager` invitation is refused (409 `line-manager-already-invited`); a withdrawn or declined one no longer counts. ' +
          'Idempotency-Key is not taken here (a replay store would keep the token). Published as `invitation.created` (without the token).',
        security: requireScopes(ASSESSMENTS_WRITE),
        params: IdParams,
        body: ref(InvitationCreate),
        response: { 201: ref(IssuedInvitation), ...errors(404, 409, 422) }
      }
    },
    async (request, reply) => {
      const issued = await inTransaction(app.db, actorOf(request), (changes) => createInvitation(changes, request.params.id, request.body))
      reply.code(201).header('location', `/v1/invitations/${issued.id}`)
      return withEtag(reply, issued)
    }
  )

  app.get(
    '/assessments/:id/invitations',
    {
      schema: {
        operationId: 'listAssessmentInvitations',
        tags,
        summary: 'List the invitations of an assessment',
        description: 'Who was invited and whether they answered (submitted, declined), never what they answered.',
        security: requireScopes(ASSESSMENTS_READ),
        params: IdParams,
        querystring: InvitationListQuery,
        response: { 200: ref(InvitationPage), ...errors(404) }
      }
    },
    async (request, reply) => {
      await findAssessment(app.db, request.params.id)
      const page = await listInvitations(app.db, request.params.id, request.query)
      return sendPage(request, reply, page.rows.map(toInvitation), page.nextCursor)
    }
  )

  app.get(
    '/assessments/:id/non-respondents',
    {
      schema: {
        operationId: 'listNonRespondents',
        tags,
        summary: 'List the raters who have not answered',
        description: 'Invitations still waiting (neither submitted, declined nor withdrawn), whatever their token’s expiry.',
        security: requireScopes(ASSESSMENTS_READ),
        params: IdParams,
        querystring: InvitationListQuery,
        response: { 200: ref(InvitationPage), ...errors(404) }
      }
    },
    async (request, reply) => {
      await findAssessment(app.db, request.params.id)
      const page = await listInvitations(app.db, request.params.id, { ...request.query, status: undefined, statuses: ['invited'] })
      return sendPage(request, reply, page.rows.map(toInvitation), page.nextCursor)
    }
  )

  app.get(
    '/invitations/reminders-due',
    {
      schema: {
        operationId: 'listRemindersDue',
        tags,
        summary: 'List the reminders due to raters',
        description:
          'Invitations waiting for an answer, in an open assessment whose window runs, with a working token, and either nothing sent for `intervalDays` (counted from the token’s issue or the last reminder: reason `interval`) or a window closing within `closingWithinDays` and nothing sent in the last day (reason `closing_soon`). ' +
          'After sending, record each reminder (`POST /v1/invitations/{id}/reminders`) so it is not due again at once.',
        security: requireScopes(ASSESSMENTS_READ),
        querystring: ReminderDueQuery,
        response: { 200: ref(ReminderDuePage), ...errors() }
      }
    },
    async (request, reply) => {
      const page = await listRemindersDue(app.db, request.query)
      const data = page.rows.map((r) => ({ invitation: toInvitation(r), subjectId: r.subject_id, closesAt: new Date(r.window_closes_at).toISOString(), reason: r.reason }))
      return sendPage(request, reply, data, page.nextCursor)
    }
  )

  app.get(
    '/invitations/:id',
    {
      schema: {
        operationId: 'getInvitation',
        tags,
        summary: 'Get an invitation',
        security: requireScopes(ASSESSMENTS_READ),
        params: IdParams,
        response: { 200: ref(Invitation), ...errors(404) }
      }
    },
    async (request, reply) => withEtag(reply, toInvitation(await findInvitation(app.db, request.params.id)))
  )

  app.post(
    '/invitations/:id/transitions',
    {
      schema: {
        operationId: 'transitionInvitation',
        tags,
        summary: 'Withdraw an invitation',
        description:
          'invited → withdrawn, while the assessment is a draft or open: the token stops working and the draft is discarded. Submitted and declined are the rater’s moves, made with the token (409 `invitation-status` for a final invitation). Published as `invitation.withdrawn`.',
        security: requireScopes(ASSESSMENTS_WRITE),
        params: IdParams,
        body: ref(InvitationTransition),
        response: { 200: ref(Invitation), ...errors(404, 409, 412) }
      }
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request)
      const invitation = await inTransaction(app.db, actorOf(request), (changes) => withdrawInvitation(changes, request.params.id, request.body.reason ?? null, expected))
      return withEtag(reply, invitation)
    }
  )

  app.post(
    '/invitations/:id/token',
    {
      config: tokenBearing,
      schema: {
        operationId: 'reissueInvitationToken',
        tags,
        summary: 'Reissue a rater’s token',
        description:
          'A new token for an invitation still waiting for an answer (409 `invitation-status` otherwise), while the assessment is a draft or open; the old token stops working at once. The rater’s saved draft (answers and comments) is discarded in the same change, so that whoever holds the new token can neither read the rater’s unsent answers nor submit them as the rater: the rater starts again. The answer carries the new token, once. Published as `invitation.reissued` (without the token).',
        security: requireScopes(ASSESSMENTS_WRITE),
        params: IdParams,
        body: ref(TokenReissue),
        response: { 200: ref(IssuedInvitation), ...errors(404, 409, 412, 422) }
      }
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request)
      const issued = await inTransaction(app.db, actorOf(request), (changes) => reissueToken(changes, request.params.id, request.body.expiresAt, expected))
      return withEtag(reply, issued)
    }
  )

  app.post(
    '/invitations/:id/reminders',
    {
      schema: {
        operationId: 'recordInvitationReminder',
        tags,
        summary: 'Record a reminder sent to a rater',
        description: 'For an invitation still waiting, while the assessment is open. Counts it and resets the reminder clock. Published as `invitation.reminded`.',
        security: requireScopes(ASSESSMENTS_WRITE),
        params: IdParams,
        body: ref(ReminderRecord),
        response: { 200: ref(Invitation), ...errors(404, 409, 412) }
      }
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request)
      const invitation = await inTransaction(app.db, actorOf(request), (changes) => recordReminder(changes, request.params.id, request.body.note ?? null, expected))
      return withEtag(reply, invitation)
    }
  )
}

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { principalOf } from '../../platform/auth/plugin.js'
import { importExportRoutes } from '../../platform/bulk/routes.js'
import { actorOf, inTransaction } from '../../platform/changes.js'
import { ifMatchVersion, withEtag } from '../../platform/concurrency.js'
import { sendPage } from '../../platform/pagination.js'
import { errors, IdParams, PageQuery, ref } from '../../platform/schemas.js'
import { requireScopes } from '../../platform/scopes.js'
import type { Db } from '../../db/database.js'
import { assertMayRead, callerOf, type Caller } from './enrolments.access.js'
import { enrolmentImport } from './enrolments.imports.js'
import {
  findEnrolment, findRelationship, listCohortEnrolments, listEnrolmentTransitions, listPersonEnrolments, priorUnsuccessful, toEnrolment, toEnrolmentTransition,
  type EnrolmentRow, type EnrolmentView
} from './enrolments.repository.js'
import {
  CohortEnrolmentListQuery, Enrolment, EnrolmentCreate, EnrolmentPage, EnrolmentTransitionPage, EnrolmentTransitionRequest, PersonEnrolmentListQuery
} from './enrolments.schemas.js'
import { nominate, transitionEnrolment } from './enrolments.service.js'
import { PROGRAMMES_NOMINATE, PROGRAMMES_READ, PROGRAMMES_WRITE } from './scopes.js'
import { sessionAttendanceImport } from './session-attendance.imports.js'

const tags = ['programmes']
const readOrActForPerson = [...requireScopes(PROGRAMMES_READ), ...requireScopes(PROGRAMMES_NOMINATE)]
const writeOrActForPerson = [...requireScopes(PROGRAMMES_WRITE), ...requireScopes(PROGRAMMES_NOMINATE)]

/** Enrolments as the caller may see them: selectors (programmes:write) also see prior unsuccessful applications. */
async function present(db: Db, caller: Caller, rows: EnrolmentRow[]): Promise<EnrolmentView[]> {
  if (!caller.administers) return rows.map((r) => toEnrolment(r))
  const prior = await priorUnsuccessful(db, rows)
  return rows.map((r) => toEnrolment(r, prior.get(r.id)))
}

export const enrolmentsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/cohorts/:id/enrolments',
    {
      schema: {
        operationId: 'createEnrolment',
        tags,
        summary: 'Nominate a person for a cohort',
        description:
          'Creates a `nominated` enrolment. HR (`programmes:write`) nominates anyone from any source; with `programmes:nominate` a token acting for a person nominates that person (`source: self`) or one of their direct reports (`source: line_manager`). ' +
          'Refused with 409 when the cohort is not open (`cohort-not-open`), the person has left (`person-left`), is outside the programme’s eligibility (`enrolment-ineligible`; HR may override with `eligibilityOverrideReason`), ' +
          'already has an enrolment on this cohort that has not ended (`enrolment-duplicate`), or a live enrolment on a cohort whose dates overlap (`enrolment-clash`).',
        security: writeOrActForPerson,
        params: IdParams,
        body: ref(EnrolmentCreate),
        response: { 201: ref(Enrolment), ...errors(404, 409, 422) }
      }
    },
    async (request, reply) => {
      const caller = callerOf(principalOf(request))
      const row = await inTransaction(app.db, actorOf(request), (changes) => nominate(changes, caller, request.params.id, request.body))
      const [view] = await present(app.db, caller, [row])
      reply.code(201).header('location', `/v1/enrolments/${row.id}`)
      return withEtag(reply, view)
    }
  )

  app.get(
    '/cohorts/:id/enrolments',
    {
      schema: {
        operationId: 'listCohortEnrolments',
        tags,
        summary: 'List a cohort’s enrolments',
        description: 'Filter by status (repeatable) and person. `sort=waitlistPosition` lists the waitlist in the order places are offered. Callers with `programmes:write` also get `priorUnsuccessful` on each enrolment.',
        security: requireScopes(PROGRAMMES_READ),
        params: IdParams,
        querystring: CohortEnrolmentListQuery,
        response: { 200: ref(EnrolmentPage), ...errors(404) }
      }
    },
    async (request, reply) => {
      const page = await listCohortEnrolments(app.db, request.params.id, request.query)
      return sendPage(request, reply, await present(app.db, callerOf(principalOf(request)), page.rows), page.nextCursor)
    }
  )

  app.get(
    '/people/:id/enrolments',
    {
      schema: {
        operationId: 'listPersonEnrolments',
        tags,
        summary: 'List a person’s enrolments',
        description: 'Readable with `programmes:read`, or with `programmes:nominate` by the person themselves and by their line manager.',
        security: readOrActForPerson,
        params: IdParams,
        querystring: PersonEnrolmentListQuery,
        response: { 200: ref(EnrolmentPage), ...errors(404) }
      }
    },
    async (request, reply) => {
      const caller = callerOf(principalOf(request))
      assertMayRead(caller, await findRelationship(app.db, request.params.id))
      const page = await listPersonEnrolments(app.db, request.params.id, request.query)
      return sendPage(request, reply, await present(app.db, caller, page.rows), page.nextCursor)
    }
  )

  app.get(
    '/enrolments/:id',
    {
      schema: {
        operationId: 'getEnrolment',
        tags,
        summary: 'Get an enrolment',
        description: 'Readable with `programmes:read`, or with `programmes:nominate` by the person and their line manager. Callers with `programmes:write` also get `priorUnsuccessful`.',
        security: readOrActForPerson,
        params: IdParams,
        response: { 200: ref(Enrolment), ...errors(404) }
      }
    },
    async (request, reply) => {
      const caller = callerOf(principalOf(request))
      const row = await findEnrolment(app.db, request.params.id)
      assertMayRead(caller, await findRelationship(app.db, row.person_id))
      const [view] = await present(app.db, caller, [row])
      return withEtag(reply, view)
    }
  )

  app.post(
    '/enrolments/:id/transitions',
    {
      schema: {
        operationId: 'transitionEnrolment',
        tags,
        summary: 'Move an enrolment through its statuses',
        description: [
          'Actions: `approve` (nominated → approved, or → manager_approved when the programme needs a second approval; then a second `approve` by someone else → approved), `decline` (nominated or manager_approved → declined): the person’s line manager or HR.',
          '`select` (approved or waitlisted → selected; refused with `enrolment-capacity` when every place is taken), `waitlist` (approved → waitlisted), `reject` (approved or waitlisted → not_selected): HR.',
          'When the programme needs no selection, an approval goes on at once to selected if a place is free, else to waitlisted (recorded as separate moves by `system:selection`).',
          '`attend` (selected → attended, with the attendance level from session attendance; refused with `no-session-attended` when the person attended no session), `no_show`, `complete` (attended → completed), `cancel`: HR. `withdraw`: the person, their line manager or HR.',
          'When a selected enrolment is withdrawn or cancelled, the first waitlisted enrolment (by waitlistedAt) takes the place in the same transaction (a move by `system:waitlist`).',
          'A reason is required to decline, reject, withdraw and cancel. A move not open from the current status is a 409 `illegal-transition`. Each move is kept in the history, audited, and published as `enrolment.<new status>` on the change feed. If-Match is honoured.'
        ].join('\n\n'),
        security: writeOrActForPerson,
        params: IdParams,
        body: ref(EnrolmentTransitionRequest),
        response: { 200: ref(Enrolment), ...errors(404, 409, 412) }
      }
    },
    async (request, reply) => {
      const caller = callerOf(principalOf(request))
      const expected = ifMatchVersion(request)
      const row = await inTransaction(app.db, actorOf(request), (changes) => transitionEnrolment(changes, caller, request.params.id, request.body, expected))
      const [view] = await present(app.db, caller, [row])
      return withEtag(reply, view)
    }
  )

  app.get(
    '/enrolments/:id/transitions',
    {
      schema: {
        operationId: 'listEnrolmentTransitions',
        tags,
        summary: 'List an enrolment’s history',
        description: 'Every status change, oldest first: from, to, action, who, when and why. Readable by whoever may read the enrolment.',
        security: readOrActForPerson,
        params: IdParams,
        querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }),
        response: { 200: ref(EnrolmentTransitionPage), ...errors(404) }
      }
    },
    async (request, reply) => {
      const row = await findEnrolment(app.db, request.params.id)
      assertMayRead(callerOf(principalOf(request)), await findRelationship(app.db, row.person_id))
      const page = await listEnrolmentTransitions(app.db, row.id, request.query)
      return sendPage(request, reply, page.rows.map(toEnrolmentTransition), page.nextCursor)
    }
  )

  for (const spec of [enrolmentImport, sessionAttendanceImport]) importExportRoutes(app, spec)
}

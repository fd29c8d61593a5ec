import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { actorOf, inTransaction } from '../../platform/changes.js'
import { ifMatchVersion, withEtag } from '../../platform/concurrency.js'
import { sendPage } from '../../platform/pagination.js'
import { errors, IdParams, PageQuery, ref } from '../../platform/schemas.js'
import { requireScopes } from '../../platform/scopes.js'
import { getRegister, putRegister } from './attendance.js'
import {
  CohortSession,
  CohortSessionCreate,
  CohortSessionPage,
  CohortSessionParams,
  CohortSessionUpdate,
  SessionAttendance,
  SessionAttendanceInput
} from './cohorts.schemas.js'
import { PROGRAMMES_NOMINATE, PROGRAMMES_READ, PROGRAMMES_WRITE } from './scopes.js'
import { createSession, deleteSession, findSession, listSessions, toSession, updateSession } from './sessions.repository.js'

const tags = ['programmes']
const readers = [...requireScopes(PROGRAMMES_READ), ...requireScopes(PROGRAMMES_NOMINATE)]

/** A cohort's agenda (`/cohorts/{id}/sessions`) and each session's register of attendance. */
export const sessionsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/cohorts/:id/sessions',
    {
      schema: {
        operationId: 'listCohortSessions',
        tags,
        summary: 'List a cohort’s agenda sessions, in time order',
        security: readers,
        params: IdParams,
        querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }),
        response: { 200: ref(CohortSessionPage), ...errors(404) }
      }
    },
    async (request, reply) => {
      const page = await listSessions(app.db, request.params.id, request.query)
      return sendPage(request, reply, page.rows.map(toSession), page.nextCursor)
    }
  )

  app.post(
    '/cohorts/:id/sessions',
    {
      schema: {
        operationId: 'createCohortSession',
        tags,
        summary: 'Add a session to a cohort’s agenda',
        description:
          'Start and end fall within the cohort’s dates, compared in UTC (422 `session-outside-cohort`). A cancelled cohort’s agenda is fixed (409 `cohort-status`). Attendance already recorded is computed again: a new session has to be attended too for `full`.',
        security: requireScopes(PROGRAMMES_WRITE),
        params: IdParams,
        body: ref(CohortSessionCreate),
        response: { 201: ref(CohortSession), ...errors(404, 409, 422) }
      }
    },
    async (request, reply) => {
      const session = await inTransaction(app.db, actorOf(request), (changes) => createSession(changes, request.params.id, request.body))
      reply.code(201).header('location', `/v1/cohorts/${request.params.id}/sessions/${session.id}`)
      return withEtag(reply, session)
    }
  )

  app.get(
    '/cohorts/:id/sessions/:sessionId',
    {
      schema: {
        operationId: 'getCohortSession',
        tags,
        summary: 'Get an agenda session',
        security: readers,
        params: CohortSessionParams,
        response: { 200: ref(CohortSession), ...errors(404) }
      }
    },
    async (request, reply) => withEtag(reply, toSession(await findSession(app.db, request.params.id, request.params.sessionId)))
  )

  app.patch(
    '/cohorts/:id/sessions/:sessionId',
    {
      schema: {
        operationId: 'updateCohortSession',
        tags,
        summary: 'Change an agenda session',
        description: 'JSON merge patch; the times stay within the cohort’s dates (422 `session-outside-cohort`).',
        security: requireScopes(PROGRAMMES_WRITE),
        params: CohortSessionParams,
        body: ref(CohortSessionUpdate),
        response: { 200: ref(CohortSession), ...errors(404, 409, 412, 422) }
      }
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request)
      const { id, sessionId } = request.params
      const session = await inTransaction(app.db, actorOf(request), (changes) => updateSession(changes, id, sessionId, request.body, expected))
      return withEtag(reply, session)
    }
  )

  app.delete(
    '/cohorts/:id/sessions/:sessionId',
    {
      schema: {
        operationId: 'deleteCohortSession',
        tags,
        summary: 'Remove a session from a cohort’s agenda',
        description: 'Its register goes with it, and the attendance of the cohort’s enrolments is computed again.',
        security: requireScopes(PROGRAMMES_WRITE),
        params: CohortSessionParams,
        response: { 204: { description: 'Deleted', type: 'null' }, ...errors(404, 409, 412) }
      }
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request)
      const { id, sessionId } = request.params
      await inTransaction(app.db, actorOf(request), (changes) => deleteSession(changes, id, sessionId, expected))
      return reply.code(204).send(null)
    }
  )

  app.get(
    '/cohorts/:id/sessions/:sessionId/attendance',
    {
      schema: {
        operationId: 'getSessionAttendance',
        tags,
        summary: 'Get the register of a session',
        security: requireScopes(PROGRAMMES_READ),
        params: CohortSessionParams,
        response: { 200: ref(SessionAttendance), ...errors(404) }
      }
    },
    async (request) => getRegister(app.db, request.params.id, request.params.sessionId)
  )

  app.put(
    '/cohorts/:id/sessions/:sessionId/attendance',
    {
      schema: {
        operationId: 'putSessionAttendance',
        tags,
        summary: 'Record the register of a session',
        description:
          'Replaces the whole register: listed enrolments get the entry given, enrolments left out lose theirs. Only enrolments of this cohort that are selected, attended, no_show or completed (422 `not-a-participant`, pointing at each refused entry). ' +
          'Each enrolment’s `attendance` is then computed from all the cohort’s registers: `full` when present at every session, `partial` at some, `none` at none. ' +
          'Audited and published as `session-attendance.recorded`, and each changed enrolment as `enrolment.attendance-changed`. Sending the same register again changes nothing.',
        security: requireScopes(PROGRAMMES_WRITE),
        params: CohortSessionParams,
        body: ref(SessionAttendanceInput),
        response: { 200: ref(SessionAttendance), ...errors(404, 409, 422) }
      }
    },
    async (request) => {
      const { id, sessionId } = request.params
      return inTransaction(app.db, actorOf(request), (changes) => putRegister(changes, id, sessionId, request.body.entries))
    }
  )
}

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { principalOf } from '../../platform/auth/plugin.js'
import { importExportRoutes } from '../../platform/bulk/routes.js'
import { actorOf, inTransaction } from '../../platform/changes.js'
import { ifMatchVersion, withEtag } from '../../platform/concurrency.js'
import { sendPage } from '../../platform/pagination.js'
import { errors, IdParams, ref } from '../../platform/schemas.js'
import { requireScopes } from '../../platform/scopes.js'
import { cohortImport, cohortSessionImport } from './cohorts.imports.js'
import { createCohort, findCohort, listCohorts, toCohort } from './cohorts.repository.js'
import { Cohort, CohortCreate, CohortListQuery, CohortPage, CohortTransition, CohortUpdate } from './cohorts.schemas.js'
import { transitionCohort, updateCohort } from './cohorts.service.js'
import { callerOf } from './enrolments.access.js'
import { PROGRAMMES_NOMINATE, PROGRAMMES_READ, PROGRAMMES_WRITE } from './scopes.js'
import { sessionsRoutes } from './sessions.routes.js'
import type { CohortStatus } from './tables.js'

const tags = ['programmes']
/** Whoever may nominate needs to see the runs there are to nominate for. */
const readers = [...requireScopes(PROGRAMMES_READ), ...requireScopes(PROGRAMMES_NOMINATE)]

export const cohortsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/cohorts',
    {
      schema: {
        operationId: 'listCohorts',
        tags,
        summary: 'List cohorts (runs of programmes)',
        description: 'Filter by programme, status, stream, externalId and dates: `from` keeps cohorts ending on or after it, `to` those starting on or before it, so both give the cohorts overlapping a period. Sorted by start date.',
        security: readers,
        querystring: CohortListQuery,
        response: { 200: ref(CohortPage), ...errors() }
      }
    },
    async (request, reply) => {
      const page = await listCohorts(app.db, request.query)
      return sendPage(request, reply, page.rows.map(toCohort), page.nextCursor)
    }
  )

  app.post(
    '/cohorts',
    {
      schema: {
        operationId: 'createCohort',
        tags,
        summary: 'Plan a cohort of a programme',
        description:
          'The programme is named in the body (`programmeId`). The cohort starts planned; capacity defaults to the programme’s defaultCapacity and cost to its costPerEvent. A retired programme takes no new cohorts (409 `programme-status`).',
        security: requireScopes(PROGRAMMES_WRITE),
        body: ref(CohortCreate),
        response: { 201: ref(Cohort), ...errors(409, 422) }
      }
    },
    async (request, reply) => {
      const cohort = await inTransaction(app.db, actorOf(request), (changes) => createCohort(changes, request.body))
      reply.code(201).header('location', `/v1/cohorts/${cohort.id}`)
      return withEtag(reply, cohort)
    }
  )

  app.get(
    '/cohorts/:id',
    {
      schema: {
        operationId: 'getCohort',
        tags,
        summary: 'Get a cohort',
        security: readers,
        params: IdParams,
        response: { 200: ref(Cohort), ...errors(404) }
      }
    },
    async (request, reply) => withEtag(reply, toCohort(await findCohort(app.db, request.params.id)))
  )

  app.patch(
    '/cohorts/:id',
    {
      schema: {
        operationId: 'updateCohort',
        tags,
        summary: 'Change a cohort',
        description:
          'JSON merge patch. New dates must still hold every agenda session (422 `session-outside-cohort`); capacity cannot go below the places taken (409 `capacity-below-places-taken`). ' +
          'Raising the capacity gives the new places to the waitlist at once, first waitlisted first, in the same transaction: each promotion is a move by `system:waitlist`, kept in the enrolment’s history and published as `enrolment.selected`. ' +
          'The status changes through `POST /v1/cohorts/{id}/transitions`.',
        security: requireScopes(PROGRAMMES_WRITE),
        params: IdParams,
        body: ref(CohortUpdate),
        response: { 200: ref(Cohort), ...errors(404, 409, 412, 422) }
      }
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request)
      const cohort = await inTransaction(app.db, actorOf(request), (changes) => updateCohort(changes, request.params.id, request.body, expected))
      return withEtag(reply, cohort)
    }
  )

  app.post(
    '/cohorts/:id/transitions',
    {
      schema: {
        operationId: 'transitionCohort',
        tags,
        summary: 'Move a cohort to another status',
        description:
          'planned → open | cancelled; open → closed | planned | cancelled; closed → running | open (reopen) | cancelled; running → completed | cancelled; completed and cancelled are final. ' +
          'Any other move is a 409 `illegal-transition`, as is going back to planned while nominations are in play. A cohort opens (or reopens) only while its programme is a pilot or active (409 `programme-status`). ' +
          'Cancelling also cancels its nominated, approved, selected and waitlisted enrolments in the same transaction, each a move like any other: kept in the enrolment’s history (action `cohort-cancelled`, by the caller), audited, and published as `enrolment.cancelled`. ' +
          'Every move is audited and published as `cohort.<status>` with `previousStatus` and `reason`.',
        security: requireScopes(PROGRAMMES_WRITE),
        params: IdParams,
        body: ref(CohortTransition),
        response: { 200: ref(Cohort), ...errors(404, 409, 412) }
      }
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request)
      const { to, reason } = request.body
      const { identity } = callerOf(principalOf(request))
      const cohort = await inTransaction(app.db, actorOf(request), (changes) =>
        transitionCohort(changes, request.params.id, to as CohortStatus, reason ?? null, expected, identity)
      )
      return withEtag(reply, cohort)
    }
  )

  await app.register(sessionsRoutes)
  importExportRoutes(app, cohortImport)
  importExportRoutes(app, cohortSessionImport)
}

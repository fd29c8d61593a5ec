import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { importExportRoutes } from '../../platform/bulk/routes.js'
import { actorOf, inTransaction } from '../../platform/changes.js'
import { ifMatchVersion, withEtag } from '../../platform/concurrency.js'
import { sendPage } from '../../platform/pagination.js'
import { errors, IdParams, ref } from '../../platform/schemas.js'
import { requireScopes } from '../../platform/scopes.js'
import { programmeImport } from './programmes.imports.js'
import {
  createProgramme,
  deleteProgramme,
  findProgramme,
  listProgrammes,
  toProgramme,
  transitionProgramme,
  updateProgramme
} from './programmes.repository.js'
import { Programme, ProgrammeCreate, ProgrammeListQuery, ProgrammePage, ProgrammeTransition, ProgrammeUpdate } from './programmes.schemas.js'
import { PROGRAMMES_NOMINATE, PROGRAMMES_READ, PROGRAMMES_WRITE } from './scopes.js'
import type { ProgrammeStatus } from './tables.js'

const tags = ['programmes']
/** Whoever may nominate needs to see what there is to nominate for. */
const readers = [...requireScopes(PROGRAMMES_READ), ...requireScopes(PROGRAMMES_NOMINATE)]

export const programmesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/programmes',
    {
      schema: {
        operationId: 'listProgrammes',
        tags,
        summary: 'List programmes',
        description:
          'Filter by status, kind, positive-action target group, code, externalId, full-text search `q` (English stemming over code, title, aim and provider), and eligibility: `eligibleFor` (a person: their grade level and staff type) or `gradeId` (a grade: its level and staff type). Eligibility compares grade levels, so ranks and staff bands of the same level are equivalents.',
        security: readers,
        querystring: ProgrammeListQuery,
        response: { 200: ref(ProgrammePage), ...errors(422) }
      }
    },
    async (request, reply) => {
      const page = await listProgrammes(app.db, request.query)
      return sendPage(request, reply, page.rows.map(toProgramme), page.nextCursor)
    }
  )

  app.post(
    '/programmes',
    {
      schema: {
        operationId: 'createProgramme',
        tags,
        summary: 'Create a programme (as a draft)',
        security: requireScopes(PROGRAMMES_WRITE),
        body: ref(ProgrammeCreate),
        response: { 201: ref(Programme), ...errors(409, 422) }
      }
    },
    async (request, reply) => {
      const programme = await inTransaction(app.db, actorOf(request), (changes) => createProgramme(changes, request.body))
      reply.code(201).header('location', `/v1/programmes/${programme.id}`)
      return withEtag(reply, programme)
    }
  )

  app.get(
    '/programmes/:id',
    {
      schema: {
        operationId: 'getProgramme',
        tags,
        summary: 'Get a programme',
        security: readers,
        params: IdParams,
        response: { 200: ref(Programme), ...errors(404) }
      }
    },
    async (request, reply) => withEtag(reply, toProgramme(await findProgramme(app.db, request.params.id)))
  )

  app.patch(
    '/programmes/:id',
    {
      schema: {
        operationId: 'updateProgramme',
        tags,
        summary: 'Change a programme',
        description: 'JSON merge patch; `eligibility` is merged field by field. The status changes only through `POST /v1/programmes/{id}/transitions`.',
        security: requireScopes(PROGRAMMES_WRITE),
        params: IdParams,
        body: ref(ProgrammeUpdate),
        response: { 200: ref(Programme), ...errors(404, 409, 412, 422) }
      }
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request)
      const programme = await inTransaction(app.db, actorOf(request), (changes) => updateProgramme(changes, request.params.id, request.body, expected))
      return withEtag(reply, programme)
    }
  )

  app.delete(
    '/programmes/:id',
    {
      schema: {
        operationId: 'deleteProgramme',
        tags,
        summary: 'Delete a draft programme that has no cohorts',
        description: 'Anything else is refused with 409: `programme-status` when it is no longer a draft (retire it instead), `still-referenced` when it has cohorts.',
        security: requireScopes(PROGRAMMES_WRITE),
        params: IdParams,
        response: { 204: { description: 'Deleted', type: 'null' }, ...errors(404, 409, 412) }
      }
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request)
      await inTransaction(app.db, actorOf(request), (changes) => deleteProgramme(changes, request.params.id, expected))
      return reply.code(204).send(null)
    }
  )

  app.post(
    '/programmes/:id/transitions',
    {
      schema: {
        operationId: 'transitionProgramme',
        tags,
        summary: 'Move a programme to another status',
        description:
          'draft → pilot or active; pilot → active or retired; active → retired; retired is final. Any other move is a 409 `illegal-transition` naming the rule. Recorded in the audit trail and as the event `programme.<status>` (with `previousStatus` and `reason`). A retired programme keeps its cohorts but takes no new ones.',
        security: requireScopes(PROGRAMMES_WRITE),
        params: IdParams,
        body: ref(ProgrammeTransition),
        response: { 200: ref(Programme), ...errors(404, 409, 412) }
      }
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request)
      const { to, reason } = request.body
      const programme = await inTransaction(app.db, actorOf(request), (changes) =>
        transitionProgramme(changes, request.params.id, to as ProgrammeStatus, reason ?? null, expected)
      )
      return withEtag(reply, programme)
    }
  )

  importExportRoutes(app, programmeImport)
}

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { principalOf } from '../../platform/auth/plugin.js'
import { importExportRoutes } from '../../platform/bulk/routes.js'
import { actorOf, inTransaction } from '../../platform/changes.js'
import { ifMatchVersion, withEtag } from '../../platform/concurrency.js'
import { sendPage } from '../../platform/pagination.js'
import { notFound } from '../../platform/problems.js'
import { errors, IdParams, ref } from '../../platform/schemas.js'
import { requireScopes, signedIn } from '../../platform/scopes.js'
import { assertMayReadResult, readsAllResults } from './results.access.js'
import { resultImport } from './results.imports.js'
import { createResult, deleteResult, findResult, listResults, personResults, toResults, updateResult } from './results.repository.js'
import {
  PersonResultListQuery,
  PsychometricResult,
  PsychometricResultCreate,
  PsychometricResultListQuery,
  PsychometricResultPage,
  PsychometricResultUpdate
} from './results.schemas.js'
import { ASSESSMENTS_READ, ASSESSMENTS_WRITE } from './scopes.js'

const tags = ['assessments']
const privacy = 'Readable only by holders of `assessments:read`, the person themself and their assessor (a token acting for that person); to anyone else it does not exist (404).'

export const resultsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/psychometric-results',
    {
      schema: {
        operationId: 'listPsychometricResults',
        tags,
        summary: 'List psychometric results',
        description: 'Filter by instrument, person, assessor, norm group, externalId and the date taken (`takenFrom`, `takenTo`, inclusive).',
        security: requireScopes(ASSESSMENTS_READ),
        querystring: PsychometricResultListQuery,
        response: { 200: ref(PsychometricResultPage), ...errors() }
      }
    },
    async (request, reply) => {
      const page = await listResults(app.db, request.query)
      return sendPage(request, reply, await toResults(app.db, page.rows), page.nextCursor)
    }
  )

  app.post(
    '/psychometric-results',
    {
      schema: {
        operationId: 'createPsychometricResult',
        tags,
        summary: 'Record a person’s result on an instrument',
        description: 'Every scale of the instrument is scored once, within its range (422 with a pointer per score otherwise). A retired instrument takes no new results (409 `instrument-retired`). Events and audit records carry ids, never scores.',
        security: requireScopes(ASSESSMENTS_WRITE),
        body: ref(PsychometricResultCreate),
        response: { 201: ref(PsychometricResult), ...errors(409, 422) }
      }
    },
    async (request, reply) => {
      const result = await inTransaction(app.db, actorOf(request), (changes) => createResult(changes, request.body))
      reply.code(201).header('location', `/v1/psychometric-results/${result.id}`)
      return withEtag(reply, result)
    }
  )

  app.get(
    '/psychometric-results/:id',
    {
      schema: {
        operationId: 'getPsychometricResult',
        tags,
        summary: 'Get a psychometric result',
        description: privacy,
        security: signedIn(),
        params: IdParams,
        response: { 200: ref(PsychometricResult), ...errors(404) }
      }
    },
    async (request, reply) => {
      const row = await findResult(app.db, request.params.id)
      if (!row) throw notFound('psychometric result', request.params.id)
      assertMayReadResult(principalOf(request), row)
      return withEtag(reply, (await toResults(app.db, [row]))[0])
    }
  )

  app.patch(
    '/psychometric-results/:id',
    {
      schema: {
        operationId: 'updatePsychometricResult',
        tags,
        summary: 'Correct a psychometric result',
        description: 'JSON merge patch; `scores` replaces the whole set and is checked like a new result’s.',
        security: requireScopes(ASSESSMENTS_WRITE),
        params: IdParams,
        body: ref(PsychometricResultUpdate),
        response: { 200: ref(PsychometricResult), ...errors(404, 409, 412, 422) }
      }
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request)
      return withEtag(reply, await inTransaction(app.db, actorOf(request), (changes) => updateResult(changes, request.params.id, request.body, expected)))
    }
  )

  app.delete(
    '/psychometric-results/:id',
    {
      schema: {
        operationId: 'deletePsychometricResult',
        tags,
        summary: 'Erase a psychometric result and its scores',
        security: requireScopes(ASSESSMENTS_WRITE),
        params: IdParams,
        response: { 204: { description: 'Erased', type: 'null' }, ...errors(404, 412) }
      }
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request)
      await inTransaction(app.db, actorOf(request), (changes) => deleteResult(changes, request.params.id, expected))
      return reply.code(204).send(null)
    }
  )

  app.get(
    '/people/:id/psychometric-results',
    {
      schema: {
        operationId: 'listPersonPsychometricResults',
        tags,
        summary: 'List a person’s psychometric results',
        description: `Holders of \`assessments:read\` and the person see all of them; an assessor sees those they assessed. ${privacy}`,
        security: signedIn(),
        params: IdParams,
        querystring: PersonResultListQuery,
        response: { 200: ref(PsychometricResultPage), ...errors(404) }
      }
    },
    async (request, reply) => {
      const principal = principalOf(request)
      const personId = request.params.id
      let assessedBy: string | undefined
      if (!readsAllResults(principal) && principal.personId !== personId) {
        // Only an assessor of this person's results may look, and only at those results.
        const assessed = principal.personId
          ? await app.db.selectFrom('psychometric_results').select('id').where('person_id', '=', personId).where('assessor_id', '=', principal.personId).limit(1).executeTakeFirst()
          : undefined
        if (!assessed) throw notFound('person', personId)
        assessedBy = principal.personId!
      } else if (!(await app.db.selectFrom('people').select('id').where('id', '=', personId).executeTakeFirst())) {
        throw notFound('person', personId)
      }
      const page = await personResults(app.db, personId, request.query, assessedBy)
      return sendPage(request, reply, await toResults(app.db, page.rows), page.nextCursor)
    }
  )

  importExportRoutes(app, resultImport)
}


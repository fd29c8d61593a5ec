import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { actorOf, inTransaction } from '../../platform/changes.js'
import { ifMatchVersion, withEtag } from '../../platform/concurrency.js'
import { sendPage } from '../../platform/pagination.js'
import { errors, IdParams, ref } from '../../platform/schemas.js'
import { requireScopes } from '../../platform/scopes.js'
import { createGrade, deleteGrade, findGrade, listGrades, toGrade, updateGrade } from './grades.repository.js'
import { Grade, GradeCreate, GradeListQuery, GradePage, GradeUpdate } from './schemas.js'
import { PEOPLE_READ, PEOPLE_WRITE } from './scopes.js'

const tags = ['people']

export const gradeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/grades',
    {
      schema: {
        operationId: 'listGrades',
        tags,
        summary: 'List grades (ranks and staff bands)',
        security: requireScopes(PEOPLE_READ),
        querystring: GradeListQuery,
        response: { 200: ref(GradePage), ...errors() }
      }
    },
    async (request, reply) => {
      const page = await listGrades(app.db, request.query)
      return sendPage(request, reply, page.rows.map(toGrade), page.nextCursor)
    }
  )

  app.post(
    '/grades',
    {
      schema: {
        operationId: 'createGrade',
        tags,
        summary: 'Create a grade',
        security: requireScopes(PEOPLE_WRITE),
        body: ref(GradeCreate),
        response: { 201: ref(Grade), ...errors(409, 422) }
      }
    },
    async (request, reply) => {
      const grade = await inTransaction(app.db, actorOf(request), (changes) => createGrade(changes, request.body))
      reply.code(201).header('location', `/v1/grades/${grade.id}`)
      return withEtag(reply, grade)
    }
  )

  app.get(
    '/grades/:id',
    {
      schema: {
        operationId: 'getGrade',
        tags,
        summary: 'Get a grade',
        security: requireScopes(PEOPLE_READ),
        params: IdParams,
        response: { 200: ref(Grade), ...errors(404) }
      }
    },
    async (request, reply) => withEtag(reply, toGrade(await findGrade(app.db, request.params.id)))
  )

  app.patch(
    '/grades/:id',
    {
      schema: {
        operationId: 'updateGrade',
        tags,
        summary: 'Change a grade',
        security: requireScopes(PEOPLE_WRITE),
        params: IdParams,
        body: ref(GradeUpdate),
        response: { 200: ref(Grade), ...errors(404, 409, 412, 422) }
      }
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request)
      const grade = await inTransaction(app.db, actorOf(request), (changes) => updateGrade(changes, request.params.id, request.body, expected))
      return withEtag(reply, grade)
    }
  )

  app.delete(
    '/grades/:id',
    {
      schema: {
        operationId: 'deleteGrade',
        tags,
        summary: 'Delete a grade nobody holds',
        security: requireScopes(PEOPLE_WRITE),
        params: IdParams,
        response: { 204: { description: 'Deleted', type: 'null' }, ...errors(404, 409, 412) }
      }
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request)
      await inTransaction(app.db, actorOf(request), (changes) => deleteGrade(changes, request.params.id, expected))
      return reply.code(204).send(null)
    }
  )
}

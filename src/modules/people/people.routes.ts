import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { actorOf, inTransaction } from '../../platform/changes.js'
import { ifMatchVersion, withEtag } from '../../platform/concurrency.js'
import { sendPage } from '../../platform/pagination.js'
import { errors, IdParams, PageQuery, ref } from '../../platform/schemas.js'
import { requireScopes } from '../../platform/scopes.js'
import { createPerson, findPerson, listDirectReports, listPeople, toPerson, updatePerson } from './people.repository.js'
import { Person, PersonCreate, PersonListQuery, PersonPage, PersonUpdate } from './schemas.js'
import { PEOPLE_READ, PEOPLE_WRITE } from './scopes.js'

const tags = ['people']

export const personRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/people',
    {
      schema: {
        operationId: 'listPeople',
        tags,
        summary: 'List people',
        description: 'Filter by org unit (with `includeDescendants` for a whole subtree), grade, grade level range, staff type, status, line manager, externalId, email or name.',
        security: requireScopes(PEOPLE_READ),
        querystring: PersonListQuery,
        response: { 200: ref(PersonPage), ...errors() }
      }
    },
    async (request, reply) => {
      const page = await listPeople(app.db, request.query)
      return sendPage(request, reply, page.rows.map(toPerson), page.nextCursor)
    }
  )

  app.post(
    '/people',
    {
      schema: {
        operationId: 'createPerson',
        tags,
        summary: 'Create a person',
        security: requireScopes(PEOPLE_WRITE),
        body: ref(PersonCreate),
        response: { 201: ref(Person), ...errors(409, 422) }
      }
    },
    async (request, reply) => {
      const person = await inTransaction(app.db, actorOf(request), (changes) => createPerson(changes, request.body))
      reply.code(201).header('location', `/v1/people/${person.id}`)
      return withEtag(reply, person)
    }
  )

  app.get(
    '/people/:id',
    {
      schema: {
        operationId: 'getPerson',
        tags,
        summary: 'Get a person',
        security: requireScopes(PEOPLE_READ),
        params: IdParams,
        response: { 200: ref(Person), ...errors(404) }
      }
    },
    async (request, reply) => withEtag(reply, toPerson(await findPerson(app.db, request.params.id)))
  )

  app.patch(
    '/people/:id',
    {
      schema: {
        operationId: 'updatePerson',
        tags,
        summary: 'Change a person',
        description: 'JSON merge patch. A line manager who reports (directly or through others) to the person is refused (422 hierarchy-cycle). People are never deleted: set status `left`.',
        security: requireScopes(PEOPLE_WRITE),
        params: IdParams,
        body: ref(PersonUpdate),
        response: { 200: ref(Person), ...errors(404, 409, 412, 422) }
      }
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request)
      const person = await inTransaction(app.db, actorOf(request), (changes) => updatePerson(changes, request.params.id, request.body, expected))
      return withEtag(reply, person)
    }
  )

  app.get(
    '/people/:id/reports',
    {
      schema: {
        operationId: 'listDirectReports',
        tags,
        summary: 'List a person’s direct reports',
        security: requireScopes(PEOPLE_READ),
        params: IdParams,
        querystring: Type.Object(
          { ...PageQuery, status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('left')])) },
          { additionalProperties: false }
        ),
        response: { 200: ref(PersonPage), ...errors(404) }
      }
    },
    async (request, reply) => {
      const page = await listDirectReports(app.db, request.params.id, request.query)
      return sendPage(request, reply, page.rows.map(toPerson), page.nextCursor)
    }
  )
}

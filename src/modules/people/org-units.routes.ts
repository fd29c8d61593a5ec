import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { actorOf, inTransaction } from '../../platform/changes.js'
import { ifMatchVersion, withEtag } from '../../platform/concurrency.js'
import { sendPage } from '../../platform/pagination.js'
import { errors, IdParams, ref } from '../../platform/schemas.js'
import { requireScopes } from '../../platform/scopes.js'
import { createOrgUnit, deleteOrgUnit, findOrgUnit, listOrgUnits, toOrgUnit, updateOrgUnit } from './org-units.repository.js'
import { OrgUnit, OrgUnitCreate, OrgUnitListQuery, OrgUnitPage, OrgUnitUpdate } from './schemas.js'
import { PEOPLE_READ, PEOPLE_WRITE } from './scopes.js'

const tags = ['people']

export const orgUnitRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/org-units',
    {
      schema: {
        operationId: 'listOrgUnits',
        tags,
        summary: 'List org units',
        description: '`parentId` lists children (`root` for the top); `descendantsOf` lists a whole subtree.',
        security: requireScopes(PEOPLE_READ),
        querystring: OrgUnitListQuery,
        response: { 200: ref(OrgUnitPage), ...errors() }
      }
    },
    async (request, reply) => {
      const page = await listOrgUnits(app.db, request.query)
      return sendPage(request, reply, page.rows.map(toOrgUnit), page.nextCursor)
    }
  )

  app.post(
    '/org-units',
    {
      schema: {
        operationId: 'createOrgUnit',
        tags,
        summary: 'Create an org unit',
        security: requireScopes(PEOPLE_WRITE),
        body: ref(OrgUnitCreate),
        response: { 201: ref(OrgUnit), ...errors(409, 422) }
      }
    },
    async (request, reply) => {
      const unit = await inTransaction(app.db, actorOf(request), (changes) => createOrgUnit(changes, request.body))
      reply.code(201).header('location', `/v1/org-units/${unit.id}`)
      return withEtag(reply, unit)
    }
  )

  app.get(
    '/org-units/:id',
    {
      schema: {
        operationId: 'getOrgUnit',
        tags,
        summary: 'Get an org unit',
        security: requireScopes(PEOPLE_READ),
        params: IdParams,
        response: { 200: ref(OrgUnit), ...errors(404) }
      }
    },
    async (request, reply) => withEtag(reply, toOrgUnit(await findOrgUnit(app.db, request.params.id)))
  )

  app.patch(
    '/org-units/:id',
    {
      schema: {
        operationId: 'updateOrgUnit',
        tags,
        summary: 'Change or move an org unit',
        description: 'JSON merge patch. Setting `parentId` moves the unit with its subtree; a move under itself is refused (422 hierarchy-cycle).',
        security: requireScopes(PEOPLE_WRITE),
        params: IdParams,
        body: ref(OrgUnitUpdate),
        response: { 200: ref(OrgUnit), ...errors(404, 409, 412, 422) }
      }
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request)
      const unit = await inTransaction(app.db, actorOf(request), (changes) => updateOrgUnit(changes, request.params.id, request.body, expected))
      return withEtag(reply, unit)
    }
  )

  app.delete(
    '/org-units/:id',
    {
      schema: {
        operationId: 'deleteOrgUnit',
        tags,
        summary: 'Delete an empty org unit',
        description: 'Only a unit with no child units and no people; otherwise close it (status closed).',
        security: requireScopes(PEOPLE_WRITE),
        params: IdParams,
        response: { 204: { description: 'Deleted', type: 'null' }, ...errors(404, 409, 412) }
      }
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request)
      await inTransaction(app.db, actorOf(request), (changes) => deleteOrgUnit(changes, request.params.id, expected))
      return reply.code(204).send(null)
    }
  )
}

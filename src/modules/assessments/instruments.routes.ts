import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { actorOf, inTransaction } from '../../platform/changes.js'
import { ifMatchVersion, withEtag } from '../../platform/concurrency.js'
import { sendPage } from '../../platform/pagination.js'
import { errors, IdParams, ref } from '../../platform/schemas.js'
import { requireScopes } from '../../platform/scopes.js'
import { addScale, createInstrument, deleteScale, instrumentView, listInstruments, updateInstrument, updateScale } from './instruments.repository.js'
import {
  Instrument,
  InstrumentCreate,
  InstrumentListQuery,
  InstrumentPage,
  InstrumentScaleInput,
  InstrumentScaleParams,
  InstrumentScaleUpdate,
  InstrumentUpdate
} from './instruments.schemas.js'
import { ASSESSMENTS_READ, ASSESSMENTS_WRITE } from './scopes.js'

const tags = ['assessments']

export const instrumentsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/instruments',
    {
      schema: {
        operationId: 'listInstruments',
        tags,
        summary: 'List psychometric instruments with their scales',
        security: requireScopes(ASSESSMENTS_READ),
        querystring: InstrumentListQuery,
        response: { 200: ref(InstrumentPage), ...errors() }
      }
    },
    async (request, reply) => {
      const page = await listInstruments(app.db, request.query)
      return sendPage(request, reply, page.views, page.nextCursor)
    }
  )

  app.post(
    '/instruments',
    {
      schema: {
        operationId: 'createInstrument',
        tags,
        summary: 'Create a psychometric instrument with its scales',
        description: 'Each scale’s range defaults to its score kind’s usual one (sten 1–10, stanine 1–9, percentile 1–99, T-score 20–80); raw scales give minScore and maxScore.',
        security: requireScopes(ASSESSMENTS_WRITE),
        body: ref(InstrumentCreate),
        response: { 201: ref(Instrument), ...errors(409, 422) }
      }
    },
    async (request, reply) => {
      const instrument = await inTransaction(app.db, actorOf(request), (changes) => createInstrument(changes, request.body))
      reply.code(201).header('location', `/v1/instruments/${instrument.id}`)
      return withEtag(reply, instrument)
    }
  )

  app.get(
    '/instruments/:id',
    {
      schema: {
        operationId: 'getInstrument',
        tags,
        summary: 'Get a psychometric instrument with its scales',
        security: requireScopes(ASSESSMENTS_READ),
        params: IdParams,
        response: { 200: ref(Instrument), ...errors(404) }
      }
    },
    async (request, reply) => withEtag(reply, await instrumentView(app.db, request.params.id))
  )

  app.patch(
    '/instruments/:id',
    {
      schema: {
        operationId: 'updateInstrument',
        tags,
        summary: 'Change an instrument (name, kind, description, provider, status)',
        description: 'JSON merge patch. A retired instrument takes no new results; its results stay.',
        security: requireScopes(ASSESSMENTS_WRITE),
        params: IdParams,
        body: ref(InstrumentUpdate),
        response: { 200: ref(Instrument), ...errors(404, 409, 412, 422) }
      }
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request)
      return withEtag(reply, await inTransaction(app.db, actorOf(request), (changes) => updateInstrument(changes, request.params.id, request.body, expected)))
    }
  )

  app.post(
    '/instruments/:id/scales',
    {
      schema: {
        operationId: 'addInstrumentScale',
        tags,
        summary: 'Add a scale to an instrument',
        description: 'Appended last. Refused once the instrument has results (409 `instrument-in-use`). If-Match names the instrument’s version. Answers the whole instrument.',
        security: requireScopes(ASSESSMENTS_WRITE),
        params: IdParams,
        body: ref(InstrumentScaleInput),
        response: { 201: ref(Instrument), ...errors(404, 409, 412, 422) }
      }
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request)
      const instrument = await inTransaction(app.db, actorOf(request), (changes) => addScale(changes, request.params.id, request.body, expected))
      reply.code(201).header('location', `/v1/instruments/${instrument.id}`)
      return withEtag(reply, instrument)
    }
  )

  app.patch(
    '/instruments/:id/scales/:scaleId',
    {
      schema: {
        operationId: 'updateInstrumentScale',
        tags,
        summary: 'Change or reorder a scale of an instrument',
        description: 'Once the instrument has results only name, description and position change (409 `instrument-in-use`). If-Match names the instrument’s version. Answers the whole instrument.',
        security: requireScopes(ASSESSMENTS_WRITE),
        params: InstrumentScaleParams,
        body: ref(InstrumentScaleUpdate),
        response: { 200: ref(Instrument), ...errors(404, 409, 412, 422) }
      }
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request)
      const { id, scaleId } = request.params
      return withEtag(reply, await inTransaction(app.db, actorOf(request), (changes) => updateScale(changes, id, scaleId, request.body, expected)))
    }
  )

  app.delete(
    '/instruments/:id/scales/:scaleId',
    {
      schema: {
        operationId: 'deleteInstrumentScale',
        tags,
        summary: 'Remove a scale from an instrument',
        description: 'Refused once the instrument has results (409 `instrument-in-use`); an instrument keeps one scale at least (422). Answers the whole instrument.',
        security: requireScopes(ASSESSMENTS_WRITE),
        params: InstrumentScaleParams,
        response: { 200: ref(Instrument), ...errors(404, 409, 412, 422) }
      }
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request)
      const { id, scaleId } = request.params
      return withEtag(reply, await inTransaction(app.db, actorOf(request), (changes) => deleteScale(changes, id, scaleId, expected)))
    }
  )
}

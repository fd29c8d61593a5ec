import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { actorOf, inTransaction } from '../../platform/changes.js'
import { ifMatchVersion, withEtag } from '../../platform/concurrency.js'
import { sendPage } from '../../platform/pagination.js'
import { errors, IdParams, ref } from '../../platform/schemas.js'
import { requireScopes } from '../../platform/scopes.js'
import { createIndicator, findIndicator, findValue, indicatorViews, listIndicators, listValues, recordValue, toValue, updateIndicator, updateValue } from './indicators.repository.js'
import {
  AnnualOutcomes,
  AnnualOutcomesQuery,
  Indicator,
  IndicatorCreate,
  IndicatorListQuery,
  IndicatorPage,
  IndicatorSeries,
  IndicatorUpdate,
  IndicatorValue,
  IndicatorValueCreate,
  IndicatorValueListQuery,
  IndicatorValuePage,
  IndicatorValueUpdate,
  SeriesQuery,
  ValueParams
} from './indicators.schemas.js'
import { annualOutcomes, indicatorSeries } from './outcomes.repository.js'
import { RECOMMENDATIONS_WRITE } from './scopes.js'
import { readers } from './sources.routes.js'

const tags = ['recommendations']
const writers = requireScopes(RECOMMENDATIONS_WRITE)

export const indicatorsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/indicators',
    { schema: { operationId: 'listIndicators', tags, summary: 'List indicators (measurable outcomes)', security: readers, querystring: IndicatorListQuery, response: { 200: ref(IndicatorPage), ...errors() } } },
    async (request, reply) => {
      const page = await listIndicators(app.db, request.query)
      return sendPage(request, reply, await indicatorViews(app.db, page.rows), page.nextCursor)
    }
  )
  app.post(
    '/indicators',
    { schema: { operationId: 'createIndicator', tags, summary: 'Define an indicator', security: writers, body: ref(IndicatorCreate), response: { 201: ref(Indicator), ...errors(409, 422) } } },
    async (request, reply) => {
      const indicator = await inTransaction(app.db, actorOf(request), (changes) => createIndicator(changes, request.body))
      reply.code(201).header('location', `/v1/indicators/${indicator.id}`)
      return withEtag(reply, indicator)
    }
  )
  app.get(
    '/indicators/annual-outcomes',
    {
      schema: {
        operationId: 'getAnnualOutcomes',
        tags,
        summary: 'The annual outcomes report per org unit (e.g. per borough), from indicator values',
        security: readers,
        querystring: AnnualOutcomesQuery,
        response: { 200: ref(AnnualOutcomes), ...errors(422) }
      }
    },
    async (request) => annualOutcomes(app.db, request.query)
  )
  app.get(
    '/indicators/:id',
    { schema: { operationId: 'getIndicator', tags, summary: 'Get an indicator', security: readers, params: IdParams, response: { 200: ref(Indicator), ...errors(404) } } },
    async (request, reply) => withEtag(reply, await findIndicator(app.db, request.params.id))
  )
  app.patch(
    '/indicators/:id',
    {
      schema: {
        operationId: 'updateIndicator',
        tags,
        summary: 'Change an indicator (recommendationIds replaces the linked set)',
        security: writers,
        params: IdParams,
        body: ref(IndicatorUpdate),
        response: { 200: ref(Indicator), ...errors(404, 409, 412, 422) }
      }
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request)
      return withEtag(reply, await inTransaction(app.db, actorOf(request), (changes) => updateIndicator(changes, request.params.id, request.body, expected)))
    }
  )
  app.get(
    '/indicators/:id/values',
    {
      schema: {
        operationId: 'listIndicatorValues',
        tags,
        summary: 'An indicator’s values, by period',
        security: readers,
        params: IdParams,
        querystring: IndicatorValueListQuery,
        response: { 200: ref(IndicatorValuePage), ...errors(404) }
      }
    },
    async (request, reply) => {
      const page = await listValues(app.db, request.params.id, request.query)
      return sendPage(request, reply, page.rows.map(toValue), page.nextCursor)
    }
  )
  app.post(
    '/indicators/:id/values',
    {
      schema: {
        operationId: 'recordIndicatorValue',
        tags,
        summary: 'Record a value for an org unit and period',
        security: writers,
        params: IdParams,
        body: ref(IndicatorValueCreate),
        response: { 201: ref(IndicatorValue), ...errors(404, 409, 422) }
      }
    },
    async (request, reply) => {
      const value = await inTransaction(app.db, actorOf(request), (changes) => recordValue(changes, request.params.id, request.body))
      reply.code(201).header('location', `/v1/indicators/${request.params.id}/values/${value.id}`)
      return withEtag(reply, value)
    }
  )
  app.get(
    '/indicators/:id/values/:valueId',
    { schema: { operationId: 'getIndicatorValue', tags, summary: 'Get a recorded value', security: readers, params: ValueParams, response: { 200: ref(IndicatorValue), ...errors(404) } } },
    async (request, reply) => withEtag(reply, toValue(await findValue(app.db, request.params.id, request.params.valueId)))
  )
  app.patch(
    '/indicators/:id/values/:valueId',
    {
      schema: {
        operationId: 'correctIndicatorValue',
        tags,
        summary: 'Correct a recorded value',
        security: writers,
        params: ValueParams,
        body: ref(IndicatorValueUpdate),
        response: { 200: ref(IndicatorValue), ...errors(404, 412, 422) }
      }
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request)
      return withEtag(reply, await inTransaction(app.db, actorOf(request), (changes) => updateValue(changes, request.params.id, request.params.valueId, request.body, expected)))
    }
  )
  app.get(
    '/indicators/:id/series',
    {
      schema: {
        operationId: 'getIndicatorSeries',
        tags,
        summary: 'An indicator’s values over time, one series per org unit, for charts',
        security: readers,
        params: IdParams,
        querystring: SeriesQuery,
        response: { 200: ref(IndicatorSeries), ...errors(404, 422) }
      }
    },
    async (request) => indicatorSeries(app.db, request.params.id, request.query)
  )
}

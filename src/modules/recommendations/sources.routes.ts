import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { actorOf, inTransaction } from '../../platform/changes.js'
import { ifMatchVersion, withEtag } from '../../platform/concurrency.js'
import { sendPage } from '../../platform/pagination.js'
import { errors, IdParams, ref } from '../../platform/schemas.js'
import { requireScopes } from '../../platform/scopes.js'
import { themeRollUp } from './reports.repository.js'
import { PANEL_REVIEW, RECOMMENDATIONS_READ, RECOMMENDATIONS_WRITE } from './scopes.js'
import { createSource, createTheme, findSource, findTheme, listSources, listThemes, toSource, toTheme, updateSource, updateTheme } from './sources.repository.js'
import {
  RecommendationSource,
  RecommendationSourceCreate,
  RecommendationSourceListQuery,
  RecommendationSourcePage,
  RecommendationSourceUpdate,
  Theme,
  ThemeCreate,
  ThemeListQuery,
  ThemePage,
  ThemeRollUp,
  ThemeUpdate
} from './sources.schemas.js'

const tags = ['recommendations']
/** Panel reviewers read what they review. */
export const readers = [...requireScopes(RECOMMENDATIONS_READ), ...requireScopes(PANEL_REVIEW)]
const writers = requireScopes(RECOMMENDATIONS_WRITE)

export const sourcesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/recommendation-sources',
    {
      schema: {
        operationId: 'listRecommendationSources',
        tags,
        summary: 'List sources of recommendations (inquiries, inspections, audits, reviews)',
        security: readers,
        querystring: RecommendationSourceListQuery,
        response: { 200: ref(RecommendationSourcePage), ...errors() }
      }
    },
    async (request, reply) => {
      const page = await listSources(app.db, request.query)
      return sendPage(request, reply, page.rows.map(toSource), page.nextCursor)
    }
  )
  app.post(
    '/recommendation-sources',
    {
      schema: {
        operationId: 'createRecommendationSource',
        tags,
        summary: 'Record a source of recommendations',
        security: writers,
        body: ref(RecommendationSourceCreate),
        response: { 201: ref(RecommendationSource), ...errors(409, 422) }
      }
    },
    async (request, reply) => {
      const source = await inTransaction(app.db, actorOf(request), (changes) => createSource(changes, request.body))
      reply.code(201).header('location', `/v1/recommendation-sources/${source.id}`)
      return withEtag(reply, source)
    }
  )
  app.get(
    '/recommendation-sources/:id',
    { schema: { operationId: 'getRecommendationSource', tags, summary: 'Get a source', security: readers, params: IdParams, response: { 200: ref(RecommendationSource), ...errors(404) } } },
    async (request, reply) => withEtag(reply, toSource(await findSource(app.db, request.params.id)))
  )
  app.patch(
    '/recommendation-sources/:id',
    {
      schema: {
        operationId: 'updateRecommendationSource',
        tags,
        summary: 'Change a source',
        security: writers,
        params: IdParams,
        body: ref(RecommendationSourceUpdate),
        response: { 200: ref(RecommendationSource), ...errors(404, 409, 412, 422) }
      }
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request)
      return withEtag(reply, await inTransaction(app.db, actorOf(request), (changes) => updateSource(changes, request.params.id, request.body, expected)))
    }
  )

  app.get(
    '/themes',
    { schema: { operationId: 'listThemes', tags, summary: 'List themes', security: readers, querystring: ThemeListQuery, response: { 200: ref(ThemePage), ...errors() } } },
    async (request, reply) => {
      const page = await listThemes(app.db, request.query)
      return sendPage(request, reply, page.rows.map(toTheme), page.nextCursor)
    }
  )
  app.post(
    '/themes',
    {
      schema: { operationId: 'createTheme', tags, summary: 'Create a theme', security: writers, body: ref(ThemeCreate), response: { 201: ref(Theme), ...errors(409, 422) } }
    },
    async (request, reply) => {
      const theme = await inTransaction(app.db, actorOf(request), (changes) => createTheme(changes, request.body))
      reply.code(201).header('location', `/v1/themes/${theme.id}`)
      return withEtag(reply, theme)
    }
  )
  app.get(
    '/themes/:id',
    { schema: { operationId: 'getTheme', tags, summary: 'Get a theme', security: readers, params: IdParams, response: { 200: ref(Theme), ...errors(404) } } },
    async (request, reply) => withEtag(reply, toTheme(await findTheme(app.db, request.params.id)))
  )
  app.patch(
    '/themes/:id',
    {
      schema: {
        operationId: 'updateTheme',
        tags,
        summary: 'Change a theme',
        security: writers,
        params: IdParams,
        body: ref(ThemeUpdate),
        response: { 200: ref(Theme), ...errors(404, 409, 412, 422) }
      }
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request)
      return withEtag(reply, await inTransaction(app.db, actorOf(request), (changes) => updateTheme(changes, request.params.id, request.body, expected)))
    }
  )
  app.get(
    '/themes/:id/roll-up',
    {
      schema: {
        operationId: 'getThemeRollUp',
        tags,
        summary: 'Status counts of a theme’s recommendations, across sources and per source',
        security: readers,
        params: IdParams,
        response: { 200: ref(ThemeRollUp), ...errors(404) }
      }
    },
    async (request) => themeRollUp(app.db, request.params.id)
  )
}

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { importExportRoutes } from '../../platform/bulk/routes.js'
import { actorOf, inTransaction } from '../../platform/changes.js'
import { ifMatchVersion, withEtag } from '../../platform/concurrency.js'
import { sendPage } from '../../platform/pagination.js'
import { errors, IdParams, ref } from '../../platform/schemas.js'
import { requireScopes } from '../../platform/scopes.js'
import { learningLogImport } from './entries.imports.js'
import { createEntry, entryView, findEntry, updateEntry } from './entries.repository.js'
import { LearningLogEntry, LearningLogEntryCreate, LearningLogEntryListQuery, LearningLogEntryPage, LearningLogEntryUpdate } from './entries.schemas.js'
import { listEntries, toSummary } from './entries.search.js'
import { LEARNING_READ, LEARNING_WRITE } from './scopes.js'

const tags = ['learning-logs']

export const entriesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/learning-log-entries',
    {
      schema: {
        operationId: 'listLearningLogEntries',
        tags,
        summary: 'Find learning log entries: full-text search and filters',
        description: [
          '`q` searches title (weight A), summary (B) and notes with the trail’s notes (C) with English stemming, in web search syntax (`custody "risk assessment" -training`); results come best first (`sort=relevance`, ts_rank_cd), paged by (rank, id).',
          'Filters combine: stage, sourceKind and level (repeat for several), kind, orgUnitId (with `includeDescendants=true` for the whole subtree), ownerId, minDaysInStage / maxDaysInStage (age in the current stage, whole days), tag (every tag given), dissemination, recommendationId and programmeId (linked entries; a programme also matches links to its cohorts), externalId, reference.',
          'Without `q` the default sort is createdAt (oldest first); also reference and stageEnteredAt (longest in stage first).'
        ].join('\n\n'),
        security: requireScopes(LEARNING_READ),
        querystring: LearningLogEntryListQuery,
        response: { 200: ref(LearningLogEntryPage), ...errors() }
      }
    },
    async (request, reply) => {
      const page = await listEntries(app.db, request.query)
      return sendPage(request, reply, page.rows.map(toSummary), page.nextCursor)
    }
  )

  app.post(
    '/learning-log-entries',
    {
      schema: {
        operationId: 'createLearningLogEntry',
        tags,
        summary: 'Record a lesson identified or notable practice (at origin)',
        description:
          'The reference (OL-<year>-<nnnn>) is assigned from a per-year sequence (the year of identifiedOn). A public entry may name no person (422 `public-entry-names-person`). Recorded in the trail and as the event `learning-log-entry.created`.',
        security: requireScopes(LEARNING_WRITE),
        body: ref(LearningLogEntryCreate),
        response: { 201: ref(LearningLogEntry), ...errors(409, 422) }
      }
    },
    async (request, reply) => {
      const entry = await inTransaction(app.db, actorOf(request), (changes) => createEntry(changes, request.body))
      reply.code(201).header('location', `/v1/learning-log-entries/${entry.id}`)
      return withEtag(reply, entry)
    }
  )

  app.get(
    '/learning-log-entries/:id',
    {
      schema: {
        operationId: 'getLearningLogEntry',
        tags,
        summary: 'Get a learning log entry with the outcome of each stage it has passed',
        security: requireScopes(LEARNING_READ),
        params: IdParams,
        response: { 200: ref(LearningLogEntry), ...errors(404) }
      }
    },
    async (request, reply) => withEtag(reply, await entryView(app.db, await findEntry(app.db, request.params.id)))
  )

  app.patch(
    '/learning-log-entries/:id',
    {
      schema: {
        operationId: 'updateLearningLogEntry',
        tags,
        summary: 'Change an entry’s origin fields, tags or dissemination',
        description:
          'JSON merge patch. The stage moves only through `POST …/transitions`, the owner and level through `PUT …/accountability`. Making an entry public, or changing a public entry’s text, is refused when the text names a person (422 `public-entry-names-person`). If-Match honoured (412 when stale).',
        security: requireScopes(LEARNING_WRITE),
        params: IdParams,
        body: ref(LearningLogEntryUpdate),
        response: { 200: ref(LearningLogEntry), ...errors(404, 409, 412, 422) }
      }
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request)
      const entry = await inTransaction(app.db, actorOf(request), (changes) => updateEntry(changes, request.params.id, request.body, expected))
      return withEtag(reply, entry)
    }
  )

  importExportRoutes(app, learningLogImport)
}

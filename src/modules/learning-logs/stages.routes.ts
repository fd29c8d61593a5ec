import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { actorOf, inTransaction } from '../../platform/changes.js'
import { ifMatchVersion, withEtag } from '../../platform/concurrency.js'
import { sendPage } from '../../platform/pagination.js'
import { errors, IdParams, ref } from '../../platform/schemas.js'
import { requireScopes } from '../../platform/scopes.js'
import { findEntry } from './entries.repository.js'
import { LearningLogEntry } from './entries.schemas.js'
import { LEARNING_READ, LEARNING_WRITE } from './scopes.js'
import { LearningLogAccountabilityChange, LearningLogNoteCreate, LearningLogTrailItem, LearningLogTrailPage, LearningLogTransitionRequest, TrailQuery } from './stages.schemas.js'
import { listTrail, toTrailItem } from './trail.repository.js'
import { addNote, changeAccountability, transitionEntry } from './transitions.service.js'

const tags = ['learning-logs']

export const stagesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/learning-log-entries/:id/transitions',
    {
      schema: {
        operationId: 'transitionLearningLogEntry',
        tags,
        summary: 'Move an entry to the next stage with the outcome of the stage it leaves, or reopen an earlier stage',
        description: [
          'Forward: origin → challenge (needs who identified it); challenge → accountability (`challenge.decision` action_required with `actionByOrgUnitId` and/or `actionByPersonId`) or → closed (`challenge.decision` no_action or duplicate, with `challenge.reason`, and `challenge.duplicateOfId` for a duplicate, which is also linked as duplicate_of); accountability → platform (`accountability.ownerId`, `level`, and `smtLeadId` when corporate; left out: the entry’s current values); platform → delivery (`platform.changes`: policy, sop, process, each with a reference; or `platform.noneNeededReason`); delivery → review (`delivery.changes`: training, it, role, each with a reference, or `delivery.noneNeededReason` — not when platform needed none too; `programmeIds` and `cohortIds` are linked as addressed_by); review → closed (`review.integrated` fully/partly/not, `improvementSeen`, `evidence`).',
          'Back (reopening): to any earlier stage with a `reason`; the outcomes of that stage and the ones after it are cleared (owner and level stay; recorded changes and links stay).',
          'A move not open from the current stage: 409 `illegal-transition`. A move lacking what the stage needs: 409 `learning-log-stage-incomplete`, whose `errors` point at each missing item. The outcome of another stage: 422. Each move records actor, time, note and outcome in the trail, and is published as `learning-log-entry.moved` or `learning-log-entry.reopened`. If-Match honoured.'
        ].join('\n\n'),
        security: requireScopes(LEARNING_WRITE),
        params: IdParams,
        body: ref(LearningLogTransitionRequest),
        response: { 200: ref(LearningLogEntry), ...errors(404, 409, 412, 422) }
      }
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request)
      const entry = await inTransaction(app.db, actorOf(request), (changes) => transitionEntry(changes, request.params.id, request.body, expected))
      return withEtag(reply, entry)
    }
  )

  app.put(
    '/learning-log-entries/:id/accountability',
    {
      schema: {
        operationId: 'changeLearningLogAccountability',
        tags,
        summary: 'Change the owner, level or SMT lead of an entry',
        description:
          'From the accountability stage until the entry closes (409 `learning-log-stage` otherwise). Corporate needs an SMT lead (422). Kept in the trail as owner_changed (before, after, reason) and published as `learning-log-entry.owner-changed`; the same values again change nothing. If-Match honoured.',
        security: requireScopes(LEARNING_WRITE),
        params: IdParams,
        body: ref(LearningLogAccountabilityChange),
        response: { 200: ref(LearningLogEntry), ...errors(404, 409, 412, 422) }
      }
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request)
      const entry = await inTransaction(app.db, actorOf(request), (changes) => changeAccountability(changes, request.params.id, request.body, expected))
      return withEtag(reply, entry)
    }
  )

  app.post(
    '/learning-log-entries/:id/notes',
    {
      schema: {
        operationId: 'addLearningLogNote',
        tags,
        summary: 'Add a note to an entry’s trail',
        description: 'The note is searched with the entry’s notes (weight C). It changes no field, so the entry’s version stays. Published as `learning-log-entry.noted`.',
        security: requireScopes(LEARNING_WRITE),
        params: IdParams,
        body: ref(LearningLogNoteCreate),
        response: { 201: ref(LearningLogTrailItem), ...errors(404) }
      }
    },
    async (request, reply) => {
      const item = await inTransaction(app.db, actorOf(request), (changes) => addNote(changes, request.params.id, request.body.note))
      reply.code(201).header('location', `/v1/learning-log-entries/${request.params.id}/trail`)
      return toTrailItem(item)
    }
  )

  app.get(
    '/learning-log-entries/:id/trail',
    {
      schema: {
        operationId: 'listLearningLogTrail',
        tags,
        summary: 'List an entry’s trail: every stage move, owner change, link and note, oldest first',
        security: requireScopes(LEARNING_READ),
        params: IdParams,
        querystring: TrailQuery,
        response: { 200: ref(LearningLogTrailPage), ...errors(404) }
      }
    },
    async (request, reply) => {
      const entry = await findEntry(app.db, request.params.id)
      const page = await listTrail(app.db, entry.id, request.query)
      return sendPage(request, reply, page.rows.map(toTrailItem), page.nextCursor)
    }
  )
}

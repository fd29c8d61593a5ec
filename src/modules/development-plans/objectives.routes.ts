import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { principalOf } from '../../platform/auth/plugin.js'
import { actorOf, inTransaction } from '../../platform/changes.js'
import { ifMatchVersion, withEtag } from '../../platform/concurrency.js'
import { sendPage } from '../../platform/pagination.js'
import { errors, IdParams, ref } from '../../platform/schemas.js'
import { assertMayRead, planCallerOf, readOwner } from './access.js'
import {
  GapObjectivesRequest, Objective, ObjectiveCreate, ObjectiveList, ObjectiveUpdate, ProgressNote, ProgressNoteCreate, ProgressNoteListQuery, ProgressNotePage
} from './content.schemas.js'
import { findObjective, listProgressNotes, objectiveView, toProgressNote } from './content.repository.js'
import { createGapObjectives } from './gap-objectives.service.js'
import { addProgressNote, createObjective, deleteObjective, updateObjective } from './objectives.service.js'
import { findPlanRow } from './plans.repository.js'
import { readOrOwn, tags, writeOrOwn } from './plans.routes.js'

export const objectivesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  /** The objective, if the caller may read its plan (else 404). */
  async function readable(request: Parameters<typeof principalOf>[0], id: string) {
    const objective = await findObjective(app.db, id)
    const plan = await findPlanRow(app.db, objective.plan_id)
    assertMayRead(planCallerOf(principalOf(request)), await readOwner(app.db, plan.owner_id), 'development objective', id)
    return objective
  }

  app.post(
    '/development-plans/:id/objectives',
    {
      schema: {
        operationId: 'createDevelopmentObjective',
        tags,
        summary: 'Add an objective (and its activities) to a draft plan',
        description:
          'The owner or HR, while the plan is a draft. `source` says where it came from, with its reference: `feedback_gap` needs `assessmentId` (a released 360° assessment of the owner) and `elementId` (an element of its report with a rating from others; linked to the objective; `source.detail` keeps the element and the scale, never the report’s figures) and may be added only by the report’s subject (the owner) or a caller with `assessments:read` (others 403 `forbidden`: the feedback module shows a report to nobody else); ' +
          '`psychometric_result` needs `psychometricResultId` (the owner’s); `programme_outcome` needs `enrolmentId` (the owner’s); `manager` and `self` need none. Activities given here are created as by the activities operation.',
        security: writeOrOwn,
        params: IdParams,
        body: ref(ObjectiveCreate),
        response: { 201: ref(Objective), ...errors(404, 409, 422) }
      }
    },
    async (request, reply) => {
      const caller = planCallerOf(principalOf(request))
      const objective = await inTransaction(app.db, actorOf(request), (changes) => createObjective(changes, caller, request.params.id, request.body))
      reply.code(201).header('location', `/v1/development-objectives/${objective.id}`)
      return withEtag(reply, await objectiveView(app.db, objective.id))
    }
  )

  app.post(
    '/development-plans/:id/gap-objectives',
    {
      schema: {
        operationId: 'createDevelopmentGapObjectives',
        tags,
        summary: 'Add objectives from the gaps of the owner’s released 360° report',
        description:
          'One objective per behaviour: those named in `elementIds`, or the `count` largest gaps (by the gap rule of the suggestions operation). Each is linked to its behaviour, records the behaviour (never the report’s figures, neither in the objective nor in its audit record or event), and is titled after it, with a success measure that names no figure. ' +
          'A behaviour that already has an objective from the same report in this plan is skipped. Only the report’s subject (the plan’s owner) or a caller with `assessments:read` may do this (HR with plan scopes only: 403 `forbidden`), and otherwise the same rights and rules as adding an objective.',
        security: writeOrOwn,
        params: IdParams,
        body: ref(GapObjectivesRequest),
        response: { 201: ref(ObjectiveList), ...errors(404, 409, 422) }
      }
    },
    async (request, reply) => {
      const caller = planCallerOf(principalOf(request))
      const ids = await inTransaction(app.db, actorOf(request), (changes) => createGapObjectives(changes, caller, request.params.id, request.body))
      reply.code(201).header('location', `/v1/development-plans/${request.params.id}`)
      return { data: await Promise.all(ids.map((id) => objectiveView(app.db, id))) }
    }
  )

  app.get(
    '/development-objectives/:id',
    {
      schema: {
        operationId: 'getDevelopmentObjective',
        tags,
        summary: 'Get an objective with its activities',
        security: readOrOwn,
        params: IdParams,
        response: { 200: ref(Objective), ...errors(404) }
      }
    },
    async (request, reply) => {
      await readable(request, request.params.id)
      return withEtag(reply, await objectiveView(app.db, request.params.id))
    }
  )

  app.patch(
    '/development-objectives/:id',
    {
      schema: {
        operationId: 'updateDevelopmentObjective',
        tags,
        summary: 'Change an objective',
        description:
          'Its content (title, description, success measure, due date, priority, framework elements) while the plan is a draft: the owner or HR. `status` alone is progress: the owner, their line manager or HR, also on an agreed plan. ' +
          'Content on a plan that is not a draft is a 409 `plan-not-editable`; progress on a completed or lapsed plan a 409 `plan-closed`. If-Match is honoured.',
        security: writeOrOwn,
        params: IdParams,
        body: ref(ObjectiveUpdate),
        response: { 200: ref(Objective), ...errors(404, 409, 412, 422) }
      }
    },
    async (request, reply) => {
      const caller = planCallerOf(principalOf(request))
      const expected = ifMatchVersion(request)
      const view = await inTransaction(app.db, actorOf(request), (changes) => updateObjective(changes, caller, request.params.id, request.body, expected))
      return withEtag(reply, view)
    }
  )

  app.delete(
    '/development-objectives/:id',
    {
      schema: {
        operationId: 'deleteDevelopmentObjective',
        tags,
        summary: 'Remove an objective (and its activities) from a draft plan',
        description: 'The owner or HR, while the plan is a draft and the objective has no progress notes (else 409; set its status to dropped instead). Enrolments its activities made stay.',
        security: writeOrOwn,
        params: IdParams,
        response: { 204: { description: 'Deleted', type: 'null' }, ...errors(404, 409, 412) }
      }
    },
    async (request, reply) => {
      const caller = planCallerOf(principalOf(request))
      const expected = ifMatchVersion(request)
      await inTransaction(app.db, actorOf(request), (changes) => deleteObjective(changes, caller, request.params.id, expected))
      return reply.code(204).send(null)
    }
  )

  app.post(
    '/development-objectives/:id/progress-notes',
    {
      schema: {
        operationId: 'createDevelopmentProgressNote',
        tags,
        summary: 'Record progress on an objective',
        description:
          'Appends a note (notes are never changed or deleted) and, with `status`, moves the objective. The owner, their line manager or HR, until the plan is completed or lapsed (409 `plan-closed`). ' +
          'Published as `development-objective.progress-noted` (and `development-objective.updated` when the status moves).',
        security: writeOrOwn,
        params: IdParams,
        body: ref(ProgressNoteCreate),
        response: { 201: ref(ProgressNote), ...errors(404, 409) }
      }
    },
    async (request, reply) => {
      const caller = planCallerOf(principalOf(request))
      const note = await inTransaction(app.db, actorOf(request), (changes) => addProgressNote(changes, caller, request.params.id, request.body))
      reply.code(201).header('location', `/v1/development-objectives/${request.params.id}/progress-notes`)
      return toProgressNote(note)
    }
  )

  app.get(
    '/development-objectives/:id/progress-notes',
    {
      schema: {
        operationId: 'listDevelopmentProgressNotes',
        tags,
        summary: 'List an objective’s progress notes, oldest first',
        security: readOrOwn,
        params: IdParams,
        querystring: ProgressNoteListQuery,
        response: { 200: ref(ProgressNotePage), ...errors(404) }
      }
    },
    async (request, reply) => {
      await readable(request, request.params.id)
      const page = await listProgressNotes(app.db, request.params.id, request.query)
      return sendPage(request, reply, page.rows.map(toProgressNote), page.nextCursor)
    }
  )
}

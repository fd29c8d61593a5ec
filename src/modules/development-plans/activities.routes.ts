import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { principalOf } from '../../platform/auth/plugin.js'
import { actorOf, inTransaction } from '../../platform/changes.js'
import { ifMatchVersion, withEtag } from '../../platform/concurrency.js'
import { errors, IdParams, ref } from '../../platform/schemas.js'
import { assertMayRead, planCallerOf, readOwner } from './access.js'
import { createActivity, deleteActivity, enrolActivity, updateActivity } from './activities.service.js'
import { Activity, ActivityCreate, ActivityEnrolmentRequest, ActivityUpdate } from './content.schemas.js'
import { findActivity, toActivity } from './content.repository.js'
import { findPlanRow } from './plans.repository.js'
import { readOrOwn, tags, writeOrOwn } from './plans.routes.js'

const ENROLMENT_RULES =
  'The nomination is the programmes module’s own (`POST /v1/cohorts/{id}/enrolments`): source `self` when the owner asks, `line_manager` when their line manager does, `hr` otherwise (which needs `programmes:write`); ' +
  'its refusals come back as they are (`cohort-not-open`, `enrolment-ineligible`, `enrolment-duplicate`, `enrolment-clash`, …). From then on the activity shows the enrolment’s status as it is when read; nothing is copied.'

export const activitiesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/development-objectives/:id/activities',
    {
      schema: {
        operationId: 'createDevelopmentActivity',
        tags,
        summary: 'Add an activity to an objective of a draft plan',
        description:
          'The owner or HR, while the plan is a draft. Kinds: placement, coaching, mentoring, shadowing, self_study and other are tracked by hand (`status`); a `programme` activity names a programme (`programmeId`), ' +
          'and may at once nominate the owner for a cohort of it (`cohortId`) or link an enrolment the owner holds (`enrolmentId`). ' + ENROLMENT_RULES,
        security: writeOrOwn,
        params: IdParams,
        body: ref(ActivityCreate),
        response: { 201: ref(Activity), ...errors(404, 409, 422) }
      }
    },
    async (request, reply) => {
      const caller = planCallerOf(principalOf(request))
      const activity = await inTransaction(app.db, actorOf(request), (changes) => createActivity(changes, caller, request.params.id, request.body))
      reply.code(201).header('location', `/v1/development-activities/${activity.id}`)
      return withEtag(reply, activity)
    }
  )

  app.get(
    '/development-activities/:id',
    {
      schema: {
        operationId: 'getDevelopmentActivity',
        tags,
        summary: 'Get an activity (a programme activity with its enrolment’s status now)',
        security: readOrOwn,
        params: IdParams,
        response: { 200: ref(Activity), ...errors(404) }
      }
    },
    async (request, reply) => {
      const row = await findActivity(app.db, request.params.id)
      const plan = await findPlanRow(app.db, row.plan_id)
      assertMayRead(planCallerOf(principalOf(request)), await readOwner(app.db, plan.owner_id), 'development activity', row.id)
      return withEtag(reply, toActivity(row))
    }
  )

  app.patch(
    '/development-activities/:id',
    {
      schema: {
        operationId: 'updateDevelopmentActivity',
        tags,
        summary: 'Change an activity, or mark it started, done or not done',
        description:
          'Title, description and due date while the plan is a draft (the owner or HR). `status` alone is progress (the owner, their line manager or HR; also on an agreed plan), ' +
          'except for programme activities, which follow their enrolment (409 `activity-follows-enrolment`). If-Match is honoured.',
        security: writeOrOwn,
        params: IdParams,
        body: ref(ActivityUpdate),
        response: { 200: ref(Activity), ...errors(404, 409, 412) }
      }
    },
    async (request, reply) => {
      const caller = planCallerOf(principalOf(request))
      const expected = ifMatchVersion(request)
      return withEtag(reply, await inTransaction(app.db, actorOf(request), (changes) => updateActivity(changes, caller, request.params.id, request.body, expected)))
    }
  )

  app.delete(
    '/development-activities/:id',
    {
      schema: {
        operationId: 'deleteDevelopmentActivity',
        tags,
        summary: 'Remove an activity from a draft plan',
        description: 'The owner or HR, while the plan is a draft. An enrolment the activity made stays: withdraw it through the programmes module.',
        security: writeOrOwn,
        params: IdParams,
        response: { 204: { description: 'Deleted', type: 'null' }, ...errors(404, 409, 412) }
      }
    },
    async (request, reply) => {
      const caller = planCallerOf(principalOf(request))
      const expected = ifMatchVersion(request)
      await inTransaction(app.db, actorOf(request), (changes) => deleteActivity(changes, caller, request.params.id, expected))
      return reply.code(204).send(null)
    }
  )

  app.post(
    '/development-activities/:id/enrolment',
    {
      schema: {
        operationId: 'enrolDevelopmentActivity',
        tags,
        summary: 'Nominate the owner for a cohort of a programme activity, or link their enrolment',
        description:
          'Progress: the owner, their line manager or HR, also on an agreed plan (not a completed or lapsed one). Exactly one of `cohortId` (a cohort of the activity’s programme) and `enrolmentId` (an enrolment of the owner on one). ' +
          'Refused with 409 `activity-enrolled` while the activity follows an enrolment that has not ended. ' + ENROLMENT_RULES,
        security: writeOrOwn,
        params: IdParams,
        body: ref(ActivityEnrolmentRequest),
        response: { 200: ref(Activity), ...errors(404, 409, 412, 422) }
      }
    },
    async (request, reply) => {
      const caller = planCallerOf(principalOf(request))
      const expected = ifMatchVersion(request)
      return withEtag(reply, await inTransaction(app.db, actorOf(request), (changes) => enrolActivity(changes, caller, request.params.id, request.body, expected)))
    }
  )
}

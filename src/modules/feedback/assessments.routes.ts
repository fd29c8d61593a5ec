import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { principalOf } from '../../platform/auth/plugin.js'
import { actorOf, inTransaction } from '../../platform/changes.js'
import { ifMatchVersion, withEtag } from '../../platform/concurrency.js'
import { sendPage } from '../../platform/pagination.js'
import { defineProblem, Problem } from '../../platform/problems.js'
import { errors, IdParams, ref } from '../../platform/schemas.js'
import { grants, requireScopes, signedIn } from '../../platform/scopes.js'
import { ASSESSMENTS_READ, ASSESSMENTS_WRITE } from '../assessments/scopes.js'
import { findAssessment, listAssessments, toAssessment } from './assessments.repository.js'
import { Assessment, AssessmentCreate, AssessmentListQuery, AssessmentPage, AssessmentTransition, AssessmentUpdate } from './assessments.schemas.js'
import { createAssessment, transitionAssessment, updateAssessment } from './assessments.service.js'
import { CohortAssessmentsCreate, CohortAssessmentsResult } from './cohort-assessments.schemas.js'
import { createCohortAssessments } from './cohort-assessments.service.js'
import { assessmentReport } from './report.js'
import { AssessmentReport } from './report.schemas.js'
import type { AssessmentStatus } from './tables.js'

const tags = ['assessments']

defineProblem('report-not-released', {
  status: 403,
  title: '360° report not yet released to its subject',
  description: 'A 360° report reaches its subject once the assessment is released; until then only holders of assessments:read see it (once it is closed).'
})
defineProblem('report-not-available', {
  status: 409,
  title: '360° report not available at this status',
  description:
    'A 360° report exists only once its assessment is closed (or released): while it is a draft or open, answers still arrive, and two reads around one submission would give away that rater’s answers; a cancelled assessment has no report. Follow the response rates while it is open through `GET /v1/assessments/{id}/invitations` (each invitation’s relationship and status) and `GET /v1/assessments/{id}/non-respondents`.'
})

/** Statuses at which the report is computed: the answers are final. */
const REPORTED: ReadonlySet<AssessmentStatus> = new Set(['closed', 'released'])

export const assessmentsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/assessments',
    {
      schema: {
        operationId: 'createAssessment',
        tags,
        summary: 'Create a 360° assessment (as a draft)',
        description:
          'The framework must be a published version (409 `framework-not-published`); `elementIds`, when given, are behaviours of that version (422 otherwise). The scale defaults to 1–5 with “not observed”, the anonymity threshold to 3 (at least 2). Invite raters next, then open it.',
        security: requireScopes(ASSESSMENTS_WRITE),
        body: ref(AssessmentCreate),
        response: { 201: ref(Assessment), ...errors(409, 422) }
      }
    },
    async (request, reply) => {
      const assessment = await inTransaction(app.db, actorOf(request), (changes) => createAssessment(changes, request.body))
      reply.code(201).header('location', `/v1/assessments/${assessment.id}`)
      return withEtag(reply, assessment)
    }
  )

  app.get(
    '/assessments',
    {
      schema: {
        operationId: 'listAssessments',
        tags,
        summary: 'List 360° assessments',
        description: 'Filter by subject, cohort, framework version, status or externalId.',
        security: requireScopes(ASSESSMENTS_READ),
        querystring: AssessmentListQuery,
        response: { 200: ref(AssessmentPage), ...errors() }
      }
    },
    async (request, reply) => {
      const page = await listAssessments(app.db, request.query)
      return sendPage(request, reply, page.rows.map(toAssessment), page.nextCursor)
    }
  )

  app.get(
    '/assessments/:id',
    {
      schema: {
        operationId: 'getAssessment',
        tags,
        summary: 'Get a 360° assessment',
        security: requireScopes(ASSESSMENTS_READ),
        params: IdParams,
        response: { 200: ref(Assessment), ...errors(404) }
      }
    },
    async (request, reply) => withEtag(reply, toAssessment(await findAssessment(app.db, request.params.id)))
  )

  app.patch(
    '/assessments/:id',
    {
      schema: {
        operationId: 'updateAssessment',
        tags,
        summary: 'Change a 360° assessment',
        description:
          'JSON merge patch with If-Match. A draft changes freely (not its subject or framework version); an open one changes only purpose, externalId and closesAt (to extend or shorten the window; still in the future); closed, released and cancelled ones not at all (409 `assessment-status`). A patch that changes nothing is answered with the assessment as it is: same version and ETag, no audit record, no event.',
        security: requireScopes(ASSESSMENTS_WRITE),
        params: IdParams,
        body: ref(AssessmentUpdate),
        response: { 200: ref(Assessment), ...errors(404, 409, 412, 422) }
      }
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request)
      const assessment = await inTransaction(app.db, actorOf(request), (changes) => updateAssessment(changes, request.params.id, request.body, expected))
      return withEtag(reply, assessment)
    }
  )

  app.post(
    '/assessments/:id/transitions',
    {
      schema: {
        operationId: 'transitionAssessment',
        tags,
        summary: 'Move a 360° assessment to another status',
        description:
          'draft → open | cancelled; open → closed | cancelled; closed → released; released and cancelled are final (409 `illegal-transition` otherwise). Opening needs a window that has not ended. ' +
          'Raters answer while it is open and the window (opensAt–closesAt) runs. Closing or cancelling discards unsubmitted drafts and rewrites the stored responses in a random order, so not even their storage order follows the submissions. ' +
          'Releasing lets the subject read the report. Each move is audited and published as `assessment.<status>` with `previousStatus` and `reason`.',
        security: requireScopes(ASSESSMENTS_WRITE),
        params: IdParams,
        body: ref(AssessmentTransition),
        response: { 200: ref(Assessment), ...errors(404, 409, 412) }
      }
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request)
      const { to, reason } = request.body
      const assessment = await inTransaction(app.db, actorOf(request), (changes) =>
        transitionAssessment(changes, request.params.id, to as AssessmentStatus, reason ?? null, expected)
      )
      return withEtag(reply, assessment)
    }
  )

  app.get(
    '/assessments/:id/report',
    {
      schema: {
        operationId: 'getAssessmentReport',
        tags,
        summary: 'The 360° report of an assessment',
        description:
          'Per behaviour and per competency/value/cluster (roll-up): for each rater group shown, the mean, count and distribution (a count per scale point, from the scale minimum up); anonymous groups under the threshold merged into `others`, and suppressed when still under it; self vs others gap; blind spots and hidden strengths; top and bottom behaviours; negative behaviours as frequencies; comments without attribution in random order; response rates. `rules` states every rule in words. ' +
          'Only once the assessment is closed or released: while it is a draft or open, and when it is cancelled, no figure, distribution or comment is given (409 `report-not-available`), to anybody, so that reading it before and after a submission cannot give away one rater’s answers. Follow the response rates while it is open through the invitations list (`GET /v1/assessments/{id}/invitations`, each with its relationship and status) and `GET /v1/assessments/{id}/non-respondents`. ' +
          'Readable with assessments:read once closed; by the subject (a token whose person is the subject) once released (403 `report-not-released` while closed). Nobody else — line managers included: the subject shares it.',
        security: [...requireScopes(ASSESSMENTS_READ), ...signedIn()],
        params: IdParams,
        response: { 200: ref(AssessmentReport), ...errors(404, 409) }
      }
    },
    async (request, reply) => {
      const principal = principalOf(request)
      const assessment = await findAssessment(app.db, request.params.id)
      const reader = grants(principal.scopes, ASSESSMENTS_READ)
      if (!reader && principal.personId !== assessment.subject_id) throw new Problem(403, 'forbidden', `this operation needs scope ${ASSESSMENTS_READ}, or a token acting for the subject`)
      // Before any figure is computed, for every caller (a subject holding assessments:read too).
      if (!REPORTED.has(assessment.status)) {
        throw new Problem(409, 'report-not-available', `the assessment is ${assessment.status}: its report exists once it is closed${assessment.status === 'cancelled' ? ', and a cancelled one never is' : ''}`)
      }
      if (!reader && assessment.status !== 'released') throw new Problem(403, 'report-not-released', 'the report reaches its subject once the assessment is released')
      // JSON.stringify, not the schema's compiled serializer: for a body this size (~48 KB, 40
      // behaviours × rater groups) the compiled one builds the string piece by piece, and its
      // garbage cost ~20% of the request's CPU (bench: 1,650 → 1,400 µs). It does not drop
      // undocumented fields as the compiled one would: computeReport builds every object field by
      // field, and the test app checks every body against the contract (additionalProperties:
      // false), so a field added without the contract fails the tests. A serializer of one's own
      // leaves the media type unset.
      reply.type('application/json; charset=utf-8').serializer(JSON.stringify)
      return assessmentReport(app.db, assessment)
    }
  )

  app.post(
    '/cohorts/:id/assessments',
    {
      // The answer holds rater tokens: a replay store would keep them in clear. The operation is
      // idempotent by itself instead (see the description).
      config: { idempotent: false },
      schema: {
        operationId: 'createCohortAssessments',
        tags,
        summary: 'Create the 360° assessments of a cohort’s participants',
        description:
          'One assessment per participant (enrolments selected, attended or completed), with invitations for self, the line manager and active direct reports from the people data (each switchable in `raters`) and the peers named per participant; a person is invited once, under the closest relationship, and an assessment that already has a live line manager invitation gains no second one. All or nothing. ' +
          'Idempotent: a participant who already has a live assessment on this framework version for this cohort keeps it and only gains the raters it lacks (while it is a draft or open); repeating the request creates nothing. Tokens are in the answer only, for the invitations it made; Idempotency-Key is not taken here (it would store them).',
        security: requireScopes(ASSESSMENTS_WRITE),
        params: IdParams,
        body: ref(CohortAssessmentsCreate),
        response: { 200: ref(CohortAssessmentsResult), ...errors(404, 409, 422) }
      }
    },
    async (request) => inTransaction(app.db, actorOf(request), (changes) => createCohortAssessments(changes, request.params.id, request.body))
  )
}

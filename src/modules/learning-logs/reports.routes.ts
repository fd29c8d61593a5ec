import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { sendPage } from '../../platform/pagination.js'
import { errors, ref } from '../../platform/schemas.js'
import { requireScopes } from '../../platform/scopes.js'
import { LearningLogEntryPage, STAGES } from './entries.schemas.js'
import { listEntries, toSummary } from './entries.search.js'
import { closedLessons, reviewOutcomes, sourceReport, stageByBusinessGroup, stageDurations, toClosedLesson } from './reports.repository.js'
import {
  ClosedLessonsQuery, LearningLogClosedLessonPage, LearningLogReviewOutcomes, LearningLogSourceReport, LearningLogStageByBusinessGroup,
  LearningLogStageDurations, SourceReportQuery, StageDurationsQuery, StuckQuery
} from './reports.schemas.js'
import { LEARNING_READ } from './scopes.js'

const tags = ['learning-logs']
const security = requireScopes(LEARNING_READ)

export const reportsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/learning-log-reports/stage-by-business-group',
    {
      schema: {
        operationId: 'getLearningLogStageByBusinessGroup',
        tags,
        summary: 'Count entries by stage and business group',
        security,
        response: { 200: ref(LearningLogStageByBusinessGroup), ...errors() }
      }
    },
    async () => stageByBusinessGroup(app.db)
  )

  app.get(
    '/learning-log-reports/stage-durations',
    {
      schema: {
        operationId: 'getLearningLogStageDurations',
        tags,
        summary: 'Median days in each stage, from the trail',
        description: 'A stay runs from the trail item that moved the entry into a stage to the next one that moved it out (forward or back). medianDays is over completed stays; medianDaysSoFar over the entries in the stage now.',
        security,
        querystring: StageDurationsQuery,
        response: { 200: ref(LearningLogStageDurations), ...errors() }
      }
    },
    async (request) => stageDurations(app.db, request.query)
  )

  app.get(
    '/learning-log-reports/stuck',
    {
      schema: {
        operationId: 'listStuckLearningLogEntries',
        tags,
        summary: 'Entries in their current stage for at least `days` days, longest first',
        security,
        querystring: StuckQuery,
        response: { 200: ref(LearningLogEntryPage), ...errors() }
      }
    },
    async (request, reply) => {
      const { days, stage, limit, cursor } = request.query
      const page = await listEntries(app.db, {
        minDaysInStage: days,
        stage: stage?.length ? stage : STAGES.filter((s) => s !== 'closed'),
        sort: 'stageEnteredAt',
        limit,
        cursor
      })
      return sendPage(request, reply, page.rows.map(toSummary), page.nextCursor)
    }
  )

  app.get(
    '/learning-log-reports/sources',
    {
      schema: {
        operationId: 'getLearningLogSourceReport',
        tags,
        summary: 'Which sources produce the most lessons (by source kind, and the individual sources by reference)',
        security,
        querystring: SourceReportQuery,
        response: { 200: ref(LearningLogSourceReport), ...errors() }
      }
    },
    async (request) => sourceReport(app.db, request.query)
  )

  app.get(
    '/learning-log-reports/review-outcomes',
    {
      schema: {
        operationId: 'getLearningLogReviewOutcomes',
        tags,
        summary: 'How closed entries ended: no action, duplicate, or reviewed (integrated fully/partly/not, improvement seen or not)',
        security,
        response: { 200: ref(LearningLogReviewOutcomes), ...errors() }
      }
    },
    async () => reviewOutcomes(app.db)
  )

  app.get(
    '/learning-log-reports/closed-lessons',
    {
      schema: {
        operationId: 'listClosedLearningLogLessons',
        tags,
        summary: 'Closed entries with their review outcome, most recently closed first',
        security,
        querystring: ClosedLessonsQuery,
        response: { 200: ref(LearningLogClosedLessonPage), ...errors() }
      }
    },
    async (request, reply) => {
      const page = await closedLessons(app.db, request.query)
      return sendPage(request, reply, page.rows.map(toClosedLesson), page.nextCursor)
    }
  )
}

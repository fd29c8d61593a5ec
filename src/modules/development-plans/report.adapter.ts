import type { Db } from '../../db/database.js'
import type { Trx } from '../../platform/changes.js'
import { assessmentReport } from '../feedback/report.js'
import type { ElementMeans } from './gaps.js'

/**
 * Others' and self means per rated behaviour of an assessment's report, as the feedback module
 * computes them (anonymity threshold, merging and suppression are its rules, not repeated here).
 */
export async function reportMeans(db: Db | Trx, assessmentId: string): Promise<Map<string, ElementMeans>> {
  const report = await assessmentReport(db, assessmentId)
  return new Map(report.elements.map((e) => [e.elementId, { othersMean: e.othersMean, selfMean: e.selfMean }]))
}

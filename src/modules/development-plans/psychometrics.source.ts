import type { Trx } from '../../platform/changes.js'
import { Problem } from '../../platform/problems.js'

/**
 * What an objective records of the psychometric result it came from: the instrument and the date,
 * never the scores (they are personal data kept only in the assessments module, out of audit
 * records and events, which is where this detail goes).
 */
export async function psychometricResultDetail(trx: Trx, resultId: string, ownerId: string): Promise<Record<string, unknown>> {
  const result = await trx
    .selectFrom('psychometric_results as r')
    .innerJoin('instruments as i', 'i.id', 'r.instrument_id')
    .select(['r.id', 'r.person_id', 'r.taken_on', 'i.id as instrument_id', 'i.code', 'i.name'])
    .where('r.id', '=', resultId)
    .executeTakeFirst()
  if (!result || result.person_id !== ownerId) {
    throw new Problem(422, 'invalid-reference', 'psychometricResultId: no such result of the plan’s owner', {
      errors: [{ in: 'body', pointer: '/psychometricResultId', detail: 'no such result of the plan’s owner' }]
    })
  }
  return { instrumentId: result.instrument_id, instrumentCode: result.code, instrumentName: result.name, takenOn: result.taken_on }
}

import type { Selectable } from 'kysely'
import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import type { ChangeSet } from '../../platform/changes.js'
import { assertCurrentVersion, type IfMatch } from '../../platform/concurrency.js'
import { keysetPage, type Page, type SortAllowList } from '../../platform/pagination.js'
import { defineProblem, describeConstraint, notFound, Problem, type FieldError } from '../../platform/problems.js'
import { changedColumns } from '../../platform/patches.js'
import { cleanText } from './frameworks.repository.js'
import type { ScaleRow } from './instruments.repository.js'
import { SCORE_RANGES } from './instruments.schemas.js'
import type { PersonResultListQuery, PsychometricResult, PsychometricResultCreate, PsychometricResultListQuery, PsychometricResultUpdate } from './results.schemas.js'
import type { PsychometricResultsTable } from './tables.js'

export type ResultRow = Selectable<PsychometricResultsTable>
export type ResultView = Static<typeof PsychometricResult>
export type Scores = Record<string, number>

defineProblem('instrument-retired', {
  status: 409,
  title: 'Psychometric instrument retired',
  description: 'A retired instrument takes no new results; the results it has stay and can still be corrected.'
})
describeConstraint('psychometric_results_external_id_key', 'a psychometric result with this externalId already exists')

const iso = (t: Date | string) => new Date(t).toISOString()
const today = () => new Date().toISOString().slice(0, 10)

/**
 * Scores against the instrument's scales: every scale once, no other code, each within its range
 * (sten and stanine whole numbers), at most two decimals. `prefix` is the pointer to the scores.
 */
export function scoreErrors(scales: readonly ScaleRow[], scores: Scores, where: string, prefix: string): FieldError[] {
  const errors: FieldError[] = []
  const byCode = new Map(scales.map((s) => [s.code, s]))
  for (const [code, score] of Object.entries(scores)) {
    const scale = byCode.get(code)
    const at = `${prefix}/${code}`
    if (!scale) {
      errors.push({ in: where, pointer: at, detail: `the instrument has no scale ${code}; its scales are ${scales.map((s) => s.code).join(', ')}` })
      continue
    }
    if (typeof score !== 'number' || !Number.isFinite(score)) errors.push({ in: where, pointer: at, detail: 'must be a number' })
    else if (score < scale.min_score || score > scale.max_score) errors.push({ in: where, pointer: at, detail: `must be from ${scale.min_score} to ${scale.max_score} (${scale.score_kind})` })
    else if (SCORE_RANGES[scale.score_kind]?.whole && !Number.isInteger(score)) errors.push({ in: where, pointer: at, detail: `${scale.score_kind} scores are whole numbers` })
    else if (Math.round(score * 100) / 100 !== score) errors.push({ in: where, pointer: at, detail: 'has more than two decimals' })
  }
  for (const s of scales) if (!(s.code in scores)) errors.push({ in: where, pointer: `${prefix}/${s.code}`, detail: 'is required: every scale of the instrument is scored' })
  return errors
}

/** The same scale codes with the same scores. */
export const sameScores = (a: Scores, b: Scores) => Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v)

/** The scores of results, by result id, each in its instrument's scale order. */
async function scoresOf(db: Db, resultIds: readonly string[]): Promise<Map<string, Scores>> {
  const scores = new Map<string, Scores>(resultIds.map((id) => [id, {}]))
  if (resultIds.length === 0) return scores
  const rows = await db
    .selectFrom('psychometric_scores as s')
    .innerJoin('instrument_scales as c', 'c.id', 's.scale_id')
    .select(['s.result_id', 'c.code', 's.score'])
    .where('s.result_id', 'in', resultIds)
    .orderBy('c.position')
    .orderBy('c.code')
    .execute()
  for (const r of rows) scores.get(r.result_id)![r.code] = Number(r.score)
  return scores
}

type RowWithCode = ResultRow & { instrument_code: string }

export async function toResults(db: Db, rows: readonly RowWithCode[]): Promise<ResultView[]> {
  const scores = await scoresOf(db, rows.map((r) => r.id))
  return rows.map((r) => ({
    id: r.id,
    externalId: r.external_id,
    instrumentId: r.instrument_id,
    instrumentCode: r.instrument_code,
    personId: r.person_id,
    assessorId: r.assessor_id,
    takenOn: r.taken_on,
    normGroup: r.norm_group,
    providerReference: r.provider_reference,
    scores: scores.get(r.id)!,
    version: r.version,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at)
  }))
}

/** What audit records and events say of a result: ids and dates, never scores. */
export const traceOf = (r: ResultRow) => ({
  id: r.id,
  externalId: r.external_id,
  instrumentId: r.instrument_id,
  personId: r.person_id,
  assessorId: r.assessor_id,
  takenOn: r.taken_on,
  version: r.version
})

const selectResults = (db: Db) =>
  db.selectFrom('psychometric_results as r').innerJoin('instruments as i', 'i.id', 'r.instrument_id').selectAll('r').select('i.code as instrument_code')

export async function findResult(db: Db, id: string): Promise<RowWithCode | undefined> {
  return selectResults(db).where('r.id', '=', id).executeTakeFirst()
}

export async function resultView(db: Db, id: string): Promise<ResultView> {
  const row = await findResult(db, id)
  if (!row) throw notFound('psychometric result', id)
  return (await toResults(db, [row]))[0]
}

const sorts: SortAllowList<RowWithCode> = {
  takenOn: { columns: ['r.taken_on', 'r.id'], direction: 'asc', key: (r) => [r.taken_on, r.id] },
  createdAt: { columns: ['r.created_at', 'r.id'], direction: 'asc', key: (r) => [r.created_at, r.id] }
}

export async function listResults(db: Db, q: Static<typeof PsychometricResultListQuery>): Promise<Page<RowWithCode>> {
  let query = selectResults(db)
  if (q.instrumentId) query = query.where('r.instrument_id', '=', q.instrumentId)
  if (q.personId) query = query.where('r.person_id', '=', q.personId)
  if (q.assessorId) query = query.where('r.assessor_id', '=', q.assessorId)
  if (q.normGroup) query = query.where('r.norm_group', '=', q.normGroup)
  if (q.externalId) query = query.where('r.external_id', '=', q.externalId)
  if (q.takenFrom) query = query.where('r.taken_on', '>=', q.takenFrom)
  if (q.takenTo) query = query.where('r.taken_on', '<=', q.takenTo)
  return keysetPage(query, sorts, q, 'takenOn')
}

/** A person's results; `assessedBy` keeps only those that person assessed. */
export async function personResults(db: Db, personId: string, q: Static<typeof PersonResultListQuery>, assessedBy?: string): Promise<Page<RowWithCode>> {
  let query = selectResults(db).where('r.person_id', '=', personId)
  if (assessedBy) query = query.where('r.assessor_id', '=', assessedBy)
  if (q.instrumentId) query = query.where('r.instrument_id', '=', q.instrumentId)
  return keysetPage(query, sorts, q, 'takenOn')
}

// ---- Changes ------------------------------------------------------------------------------------

const invalid = (status: number, slug: string, errors: FieldError[]) =>
  new Problem(status, slug, errors.map((e) => `${e.pointer.slice(1)} ${e.detail}`).join('; '), { errors })

async function assertPeople(db: Db, refs: Array<[string, string | null | undefined]>) {
  const errors: FieldError[] = []
  for (const [field, id] of refs) {
    if (!id) continue
    const found = await db.selectFrom('people').select('id').where('id', '=', id).executeTakeFirst()
    if (!found) errors.push({ in: 'body', pointer: `/${field}`, detail: 'no such person' })
  }
  if (errors.length) throw invalid(422, 'invalid-reference', errors)
}

function dateErrors(takenOn: string | undefined): FieldError[] {
  return takenOn !== undefined && takenOn > today() ? [{ in: 'body', pointer: '/takenOn', detail: 'is in the future' }] : []
}

export async function writeScores(db: Db, resultId: string, scales: readonly ScaleRow[], scores: Scores) {
  await db.deleteFrom('psychometric_scores').where('result_id', '=', resultId).execute()
  const byCode = new Map(scales.map((s) => [s.code, s.id]))
  await db
    .insertInto('psychometric_scores')
    .values(Object.entries(scores).map(([code, score]) => ({ result_id: resultId, scale_id: byCode.get(code)!, score })))
    .execute()
}

async function scalesFor(db: Db, instrumentId: string) {
  return db.selectFrom('instrument_scales').selectAll().where('instrument_id', '=', instrumentId).orderBy('position').execute()
}

export async function createResult(changes: ChangeSet, input: Static<typeof PsychometricResultCreate>): Promise<ResultView> {
  const { trx } = changes
  const instrument = await trx.selectFrom('instruments').select(['id', 'status']).where('id', '=', input.instrumentId).forShare().executeTakeFirst()
  if (!instrument) throw invalid(422, 'invalid-reference', [{ in: 'body', pointer: '/instrumentId', detail: 'no such instrument' }])
  if (instrument.status === 'retired') throw new Problem(409, 'instrument-retired', 'the instrument is retired and takes no new results')
  await assertPeople(trx, [['personId', input.personId], ['assessorId', input.assessorId]])
  const scales = await scalesFor(trx, instrument.id)
  const errors = [...dateErrors(input.takenOn), ...scoreErrors(scales, input.scores, 'body', '/scores')]
  if (errors.length) throw invalid(422, 'unprocessable', errors)
  const row = await trx
    .insertInto('psychometric_results')
    .values({
      external_id: input.externalId ?? null,
      instrument_id: instrument.id,
      person_id: input.personId,
      assessor_id: input.assessorId ?? null,
      taken_on: input.takenOn,
      norm_group: cleanText(input.normGroup) ?? null,
      provider_reference: cleanText(input.providerReference) ?? null
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  await writeScores(trx, row.id, scales, input.scores)
  changes.record({ action: 'psychometric-result.created', entityType: 'psychometric-result', entityId: row.id, after: traceOf(row) })
  return resultView(trx, row.id)
}

async function lockResult(changes: ChangeSet, id: string, expected?: IfMatch): Promise<ResultRow> {
  const current = await changes.trx.selectFrom('psychometric_results').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
  if (!current) throw notFound('psychometric result', id)
  assertCurrentVersion(expected, current.version)
  return current
}

export async function updateResult(changes: ChangeSet, id: string, patch: Static<typeof PsychometricResultUpdate>, expected?: IfMatch): Promise<ResultView> {
  const { trx } = changes
  const current = await lockResult(changes, id, expected)
  await assertPeople(trx, [['assessorId', patch.assessorId]])
  const scales = patch.scores ? await scalesFor(trx, current.instrument_id) : []
  const errors = [...dateErrors(patch.takenOn), ...(patch.scores ? scoreErrors(scales, patch.scores, 'body', '/scores') : [])]
  if (errors.length) throw invalid(422, 'unprocessable', errors)
  const given: Partial<ResultRow> = {}
  if (patch.externalId !== undefined) given.external_id = patch.externalId
  if (patch.assessorId !== undefined) given.assessor_id = patch.assessorId
  if (patch.takenOn !== undefined) given.taken_on = patch.takenOn
  if (patch.normGroup !== undefined) given.norm_group = cleanText(patch.normGroup)
  if (patch.providerReference !== undefined) given.provider_reference = cleanText(patch.providerReference)
  // Only what differs is a change: a patch that changes nothing keeps the version (and ETag) and records nothing.
  const set = changedColumns(current, given)
  const scoresChanged = patch.scores !== undefined && !sameScores((await scoresOf(trx, [id])).get(id)!, patch.scores)
  if (Object.keys(set).length === 0 && !scoresChanged) return resultView(trx, id)
  const row = await trx
    .updateTable('psychometric_results')
    .set({ ...set, version: current.version + 1, updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
  if (scoresChanged) await writeScores(trx, id, scales, patch.scores!)
  changes.record({
    action: 'psychometric-result.updated',
    entityType: 'psychometric-result',
    entityId: id,
    before: traceOf(current),
    after: { ...traceOf(row), scoresChanged }
  })
  return resultView(trx, id)
}

/** Erases a result and its scores (recorded wrongly, or for the wrong person); the audit keeps that it existed. */
export async function deleteResult(changes: ChangeSet, id: string, expected?: IfMatch): Promise<void> {
  const current = await lockResult(changes, id, expected)
  await changes.trx.deleteFrom('psychometric_results').where('id', '=', id).execute()
  changes.record({ action: 'psychometric-result.deleted', entityType: 'psychometric-result', entityId: id, before: traceOf(current), event: { id, personId: current.person_id } })
}

import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import { failed, idsByExternalId, rowError } from '../../platform/bulk/rows.js'
import type { ImportSpec, RowResult } from '../../platform/bulk/spec.js'
import type { FieldError } from '../../platform/problems.js'
import { cleanText } from './frameworks.repository.js'
import type { ScaleRow } from './instruments.repository.js'
import { sameScores, scoreErrors, traceOf, writeScores, type Scores } from './results.repository.js'
import { PsychometricResultImportRow } from './results.schemas.js'
import { ASSESSMENTS_READ, ASSESSMENTS_WRITE } from './scopes.js'

type Row = Static<typeof PsychometricResultImportRow>

/** `EXT=7|AGR=5.5` (CSV) or `{"EXT": 7}` (JSON) as scores; a cell that is not a number is reported, not guessed. */
function parseScores(value: Row['scores']): { scores: Scores; errors: FieldError[] } {
  if (typeof value !== 'string') return { scores: value, errors: [] }
  const scores: Scores = {}
  const errors: FieldError[] = []
  for (const pair of value.split('|')) {
    const [code, text] = [pair.slice(0, pair.indexOf('=')).trim(), pair.slice(pair.indexOf('=') + 1).trim()]
    const score = /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN
    if (code in scores) errors.push(rowError(`/scores/${code}`, 'is given twice'))
    else if (Number.isNaN(score)) errors.push(rowError(`/scores/${code}`, `"${text}" is not a number`))
    else scores[code] = score
  }
  return { scores, errors }
}

/**
 * Psychometric results upserted by externalId; people (and assessors) referred to by their
 * externalId, the instrument by its code. A row is the whole result: every scale scored.
 * Instrument and person of an existing result are fixed.
 */
export const resultImport: ImportSpec<Row> = {
  resource: 'psychometric-results',
  operationName: 'PsychometricResults',
  tag: 'assessments',
  writeScope: ASSESSMENTS_WRITE,
  readScope: ASSESSMENTS_READ,
  rowSchema: PsychometricResultImportRow,
  columns: ['externalId', 'instrumentCode', 'personExternalId', 'assessorExternalId', 'takenOn', 'normGroup', 'providerReference', 'scores'],
  async upsertBatch(batch, { trx, changes }) {
    const codes = [...new Set(batch.map((b) => b.row.instrumentCode))]
    // FOR SHARE, as createResult does: the scales read here are what the scores are checked against, and
    // addScale/updateScale/deleteScale (which lock the instrument FOR UPDATE, then look for results) must
    // not change them between this check and the results written below.
    const instruments = new Map((await trx.selectFrom('instruments').select(['id', 'code', 'status']).where('code', 'in', codes).forShare().execute()).map((i) => [i.code, i]))
    const scales = new Map<string, ScaleRow[]>()
    if (instruments.size) {
      for (const s of await trx.selectFrom('instrument_scales').selectAll().where('instrument_id', 'in', [...instruments.values()].map((i) => i.id)).orderBy('position').execute()) {
        scales.set(s.instrument_id, [...(scales.get(s.instrument_id) ?? []), s])
      }
    }
    const people = await idsByExternalId(trx, 'people', batch.flatMap((b) => [b.row.personExternalId, b.row.assessorExternalId]))
    const existing = new Map(
      (await trx.selectFrom('psychometric_results').selectAll().where('external_id', 'in', batch.map((b) => b.row.externalId)).forUpdate().execute()).map((r) => [r.external_id!, r])
    )
    const existingScores = new Map<string, Scores>()
    if (existing.size) {
      const rows = await trx
        .selectFrom('psychometric_scores as s')
        .innerJoin('instrument_scales as c', 'c.id', 's.scale_id')
        .select(['s.result_id', 'c.code', 's.score'])
        .where('s.result_id', 'in', [...existing.values()].map((r) => r.id))
        .execute()
      for (const r of rows) existingScores.set(r.result_id, { ...(existingScores.get(r.result_id) ?? {}), [r.code]: Number(r.score) })
    }
    const today = new Date().toISOString().slice(0, 10)

    const results: RowResult[] = []
    for (const { row } of batch) {
      const errors: FieldError[] = []
      const instrument = instruments.get(row.instrumentCode)
      const personId = people.get(row.personExternalId)
      const assessorId = row.assessorExternalId ? people.get(row.assessorExternalId) : null
      const current = existing.get(row.externalId)
      if (!instrument) errors.push(rowError('/instrumentCode', `no instrument with code ${row.instrumentCode}`))
      else if (!current && instrument.status === 'retired') errors.push(rowError('/instrumentCode', 'the instrument is retired and takes no new results'))
      if (!personId) errors.push(rowError('/personExternalId', `no person with externalId ${row.personExternalId}`))
      if (assessorId === undefined) errors.push(rowError('/assessorExternalId', `no person with externalId ${row.assessorExternalId}`))
      if (row.takenOn > today) errors.push(rowError('/takenOn', 'is in the future'))
      if (current && instrument && current.instrument_id !== instrument.id) errors.push(rowError('/instrumentCode', 'differs from the stored result’s instrument, which is fixed'))
      if (current && personId && current.person_id !== personId) errors.push(rowError('/personExternalId', 'differs from the stored result’s person, which is fixed'))
      const parsed = parseScores(row.scores)
      errors.push(...parsed.errors)
      if (instrument && parsed.errors.length === 0) errors.push(...scoreErrors(scales.get(instrument.id) ?? [], parsed.scores, 'row', '/scores'))
      if (errors.length) {
        results.push(failed(errors))
        continue
      }
      const desired = {
        assessor_id: assessorId ?? null,
        taken_on: row.takenOn,
        norm_group: cleanText(row.normGroup) ?? null,
        provider_reference: cleanText(row.providerReference) ?? null
      }
      const instrumentScales = scales.get(instrument!.id) ?? []
      if (!current) {
        const created = await trx
          .insertInto('psychometric_results')
          .values({ external_id: row.externalId, instrument_id: instrument!.id, person_id: personId!, ...desired })
          .returningAll()
          .executeTakeFirstOrThrow()
        await writeScores(trx, created.id, instrumentScales, parsed.scores)
        changes.record({ action: 'psychometric-result.created', entityType: 'psychometric-result', entityId: created.id, after: traceOf(created) })
        results.push({ outcome: 'created' })
        continue
      }
      const scoresChanged = !sameScores(existingScores.get(current.id) ?? {}, parsed.scores)
      const fieldsChanged = (Object.keys(desired) as Array<keyof typeof desired>).some((k) => current[k] !== desired[k])
      if (!scoresChanged && !fieldsChanged) {
        results.push({ outcome: 'unchanged' })
        continue
      }
      const updated = await trx
        .updateTable('psychometric_results')
        .set({ ...desired, version: current.version + 1, updated_at: new Date() })
        .where('id', '=', current.id)
        .returningAll()
        .executeTakeFirstOrThrow()
      if (scoresChanged) await writeScores(trx, current.id, instrumentScales, parsed.scores)
      changes.record({
        action: 'psychometric-result.updated',
        entityType: 'psychometric-result',
        entityId: current.id,
        before: traceOf(current),
        after: { ...traceOf(updated), scoresChanged }
      })
      results.push({ outcome: 'updated' })
    }
    return results
  },
  async exportPage(db: Db, after, limit) {
    let q = db
      .selectFrom('psychometric_results as r')
      .innerJoin('instruments as i', 'i.id', 'r.instrument_id')
      .innerJoin('people as p', 'p.id', 'r.person_id')
      .leftJoin('people as a', 'a.id', 'r.assessor_id')
      .select(['r.id', 'r.external_id', 'i.code', 'p.external_id as person_external_id', 'a.external_id as assessor_external_id', 'r.taken_on', 'r.norm_group', 'r.provider_reference'])
      .orderBy('r.id')
      .limit(limit)
    if (after) q = q.where('r.id', '>', after)
    const rows = await q.execute()
    const scores = new Map<string, string[]>()
    if (rows.length) {
      const found = await db
        .selectFrom('psychometric_scores as s')
        .innerJoin('instrument_scales as c', 'c.id', 's.scale_id')
        .select(['s.result_id', 'c.code', 's.score'])
        .where('s.result_id', 'in', rows.map((r) => r.id))
        .orderBy('c.position')
        .orderBy('c.code')
        .execute()
      for (const s of found) scores.set(s.result_id, [...(scores.get(s.result_id) ?? []), `${s.code}=${Number(s.score)}`])
    }
    return {
      rows: rows.map((r) => ({
        externalId: r.external_id!,
        instrumentCode: r.code,
        personExternalId: r.person_external_id!,
        assessorExternalId: r.assessor_external_id,
        takenOn: r.taken_on,
        normGroup: r.norm_group,
        providerReference: r.provider_reference,
        scores: (scores.get(r.id) ?? []).join('|')
      })),
      last: rows.length === limit ? rows[rows.length - 1].id : null
    }
  }
}

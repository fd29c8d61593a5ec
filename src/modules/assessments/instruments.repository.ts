import { randomUUID } from 'node:crypto'
import type { Selectable } from 'kysely'
import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import type { ChangeSet } from '../../platform/changes.js'
import { assertCurrentVersion, type IfMatch } from '../../platform/concurrency.js'
import { keysetPage, type Page, type SortAllowList } from '../../platform/pagination.js'
import { defineProblem, describeConstraint, notFound, Problem, type FieldError } from '../../platform/problems.js'
import { changesNothing } from '../../platform/patches.js'
import { cleanText } from './frameworks.repository.js'
import {
  SCORE_RANGES,
  type Instrument,
  type InstrumentCreate,
  type InstrumentListQuery,
  type InstrumentScaleInput,
  type InstrumentScaleUpdate,
  type InstrumentUpdate
} from './instruments.schemas.js'
import type { InstrumentKind, InstrumentScalesTable, InstrumentsTable, InstrumentStatus, ScoreKind } from './tables.js'

export type InstrumentRow = Selectable<InstrumentsTable>
export type ScaleRow = Selectable<InstrumentScalesTable>
export type InstrumentView = Static<typeof Instrument>

defineProblem('instrument-in-use', {
  status: 409,
  title: 'Instrument scales fixed by its results',
  description:
    'Once results are recorded against an instrument its scales are fixed (codes, kinds and ranges; no scale added or removed), so every result keeps meaning what it meant. Names, descriptions and order may still change; for a new edition of the instrument create a new one.'
})
describeConstraint('instruments_code_key', 'an instrument with this code already exists')
describeConstraint('instrument_scales_code', 'the instrument already has a scale with this code')

const iso = (t: Date | string) => new Date(t).toISOString()

export const toInstrument = (r: InstrumentRow, scales: ScaleRow[]): InstrumentView => ({
  id: r.id,
  code: r.code,
  name: r.name,
  kind: r.kind,
  description: r.description,
  provider: r.provider,
  status: r.status,
  scales: [...scales]
    .sort((a, b) => a.position - b.position || (a.code < b.code ? -1 : 1))
    .map((s) => ({ id: s.id, code: s.code, name: s.name, description: s.description, scoreKind: s.score_kind, minScore: s.min_score, maxScore: s.max_score, position: s.position })),
  version: r.version,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at)
})

export async function scalesOf(db: Db, instrumentIds: readonly string[]): Promise<Map<string, ScaleRow[]>> {
  const byInstrument = new Map<string, ScaleRow[]>(instrumentIds.map((id) => [id, []]))
  if (instrumentIds.length === 0) return byInstrument
  const rows = await db.selectFrom('instrument_scales').selectAll().where('instrument_id', 'in', instrumentIds).orderBy('position').orderBy('code').execute()
  for (const s of rows) byInstrument.get(s.instrument_id)?.push(s)
  return byInstrument
}

export async function instrumentView(db: Db, id: string): Promise<InstrumentView> {
  const row = await db.selectFrom('instruments').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) throw notFound('instrument', id)
  return toInstrument(row, (await scalesOf(db, [id])).get(id)!)
}

const sorts: SortAllowList<InstrumentRow> = {
  code: { columns: ['code', 'id'], direction: 'asc', key: (r) => [r.code, r.id] },
  name: { columns: ['name', 'id'], direction: 'asc', key: (r) => [r.name, r.id] }
}

export async function listInstruments(db: Db, q: Static<typeof InstrumentListQuery>): Promise<{ views: InstrumentView[]; nextCursor: string | null }> {
  let query = db.selectFrom('instruments').selectAll()
  if (q.code) query = query.where('code', '=', q.code)
  if (q.kind) query = query.where('kind', '=', q.kind as InstrumentKind)
  if (q.status) query = query.where('status', '=', q.status as InstrumentStatus)
  const page: Page<InstrumentRow> = await keysetPage(query, sorts, q, 'code')
  const scales = await scalesOf(db, page.rows.map((r) => r.id))
  return { views: page.rows.map((r) => toInstrument(r, scales.get(r.id)!)), nextCursor: page.nextCursor }
}

type ScaleValues = { code: string; name: string; description: string | null; score_kind: ScoreKind; min_score: number; max_score: number }

/** A scale's range: its score kind's usual one unless given; sten and stanine bounds are whole numbers. */
function scaleErrors(s: ScaleValues, pointer: string): FieldError[] {
  const errors: FieldError[] = []
  const usual = SCORE_RANGES[s.score_kind]
  if (!Number.isFinite(s.min_score)) errors.push({ in: 'body', pointer: `${pointer}/minScore`, detail: 'is required for raw scores' })
  if (!Number.isFinite(s.max_score)) errors.push({ in: 'body', pointer: `${pointer}/maxScore`, detail: 'is required for raw scores' })
  if (errors.length) return errors
  if (s.min_score >= s.max_score) errors.push({ in: 'body', pointer: `${pointer}/maxScore`, detail: `must be above minScore (${s.min_score})` })
  if (usual?.whole && (!Number.isInteger(s.min_score) || !Number.isInteger(s.max_score))) {
    errors.push({ in: 'body', pointer: `${pointer}/minScore`, detail: `${s.score_kind} scores are whole numbers` })
  }
  for (const [field, v] of [['minScore', s.min_score], ['maxScore', s.max_score]] as const) {
    if (Math.round(v * 100) / 100 !== v) errors.push({ in: 'body', pointer: `${pointer}/${field}`, detail: 'has more than two decimals' })
  }
  return errors
}

function scaleValues(input: Static<typeof InstrumentScaleInput>): ScaleValues {
  const kind = input.scoreKind as ScoreKind
  const usual = SCORE_RANGES[kind]
  return {
    code: input.code,
    name: cleanText(input.name),
    description: cleanText(input.description) ?? null,
    score_kind: kind,
    min_score: input.minScore ?? usual?.min ?? Number.NaN,
    max_score: input.maxScore ?? usual?.max ?? Number.NaN
  }
}

const invalid = (errors: FieldError[]) => new Problem(422, 'unprocessable', errors.map((e) => `${e.pointer.slice(1)} ${e.detail}`).join('; '), { errors })

export async function createInstrument(changes: ChangeSet, input: Static<typeof InstrumentCreate>): Promise<InstrumentView> {
  const scales = input.scales.map(scaleValues)
  const errors = scales.flatMap((s, i) => scaleErrors(s, `/scales/${i}`))
  scales.forEach((s, i) => {
    if (scales.findIndex((o) => o.code === s.code) !== i) errors.push({ in: 'body', pointer: `/scales/${i}/code`, detail: `code ${s.code} is used twice` })
  })
  if (errors.length) throw invalid(errors)
  const id = randomUUID()
  await changes.trx
    .insertInto('instruments')
    .values({ id, code: input.code, name: cleanText(input.name), kind: input.kind as InstrumentKind, description: cleanText(input.description) ?? null, provider: cleanText(input.provider) ?? null })
    .execute()
  await changes.trx.insertInto('instrument_scales').values(scales.map((s, position) => ({ ...s, instrument_id: id, position }))).execute()
  const view = await instrumentView(changes.trx, id)
  changes.record({ action: 'instrument.created', entityType: 'instrument', entityId: id, after: view })
  return view
}

async function lockInstrument(changes: ChangeSet, id: string, expected?: IfMatch): Promise<InstrumentRow> {
  const current = await changes.trx.selectFrom('instruments').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
  if (!current) throw notFound('instrument', id)
  assertCurrentVersion(expected, current.version)
  return current
}

async function hasResults(changes: ChangeSet, instrumentId: string): Promise<boolean> {
  return !!(await changes.trx.selectFrom('psychometric_results').select('id').where('instrument_id', '=', instrumentId).limit(1).executeTakeFirst())
}

const inUse = (what: string) => new Problem(409, 'instrument-in-use', `the instrument has results, so ${what}; create a new instrument for a new edition`)

async function bump(changes: ChangeSet, current: InstrumentRow, set: Partial<InstrumentRow> = {}) {
  await changes.trx.updateTable('instruments').set({ ...set, version: current.version + 1, updated_at: new Date() }).where('id', '=', current.id).execute()
}

export async function updateInstrument(changes: ChangeSet, id: string, patch: Static<typeof InstrumentUpdate>, expected?: IfMatch): Promise<InstrumentView> {
  const current = await lockInstrument(changes, id, expected)
  const before = await instrumentView(changes.trx, id)
  const set: Partial<InstrumentRow> = {}
  if (patch.name !== undefined) set.name = cleanText(patch.name)
  if (patch.kind !== undefined) set.kind = patch.kind as InstrumentKind
  if (patch.description !== undefined) set.description = cleanText(patch.description)
  if (patch.provider !== undefined) set.provider = cleanText(patch.provider)
  if (patch.status !== undefined) set.status = patch.status as InstrumentStatus
  // A patch that changes nothing keeps the version (and ETag) and records nothing.
  if (changesNothing(current, set)) return before
  await bump(changes, current, set)
  const view = await instrumentView(changes.trx, id)
  changes.record({ action: 'instrument.updated', entityType: 'instrument', entityId: id, before, after: view })
  return view
}

/** Orders scales 0..n-1 with `moved` at `at`. */
async function placeScale(changes: ChangeSet, instrumentId: string, moved: string, at: number) {
  const others = (await changes.trx.selectFrom('instrument_scales').select(['id', 'position']).where('instrument_id', '=', instrumentId).where('id', '!=', moved).orderBy('position').orderBy('code').execute())
  others.splice(Math.min(at, others.length), 0, { id: moved, position: -1 })
  for (const [i, s] of others.entries()) if (s.position !== i) await changes.trx.updateTable('instrument_scales').set({ position: i }).where('id', '=', s.id).execute()
}

export async function addScale(changes: ChangeSet, id: string, input: Static<typeof InstrumentScaleInput>, expected?: IfMatch): Promise<InstrumentView> {
  const current = await lockInstrument(changes, id, expected)
  if (await hasResults(changes, id)) throw inUse('no scale can be added')
  const values = scaleValues(input)
  const errors = scaleErrors(values, '')
  if (errors.length) throw invalid(errors)
  const before = await instrumentView(changes.trx, id)
  const scaleId = randomUUID()
  await changes.trx.insertInto('instrument_scales').values({ ...values, id: scaleId, instrument_id: id, position: before.scales.length }).execute()
  await bump(changes, current)
  const view = await instrumentView(changes.trx, id)
  changes.record({ action: 'instrument.updated', entityType: 'instrument', entityId: id, before, after: view, event: { id, version: view.version, scaleAdded: scaleId } })
  return view
}

async function findScale(changes: ChangeSet, instrumentId: string, scaleId: string): Promise<ScaleRow> {
  const scale = await changes.trx.selectFrom('instrument_scales').selectAll().where('id', '=', scaleId).where('instrument_id', '=', instrumentId).executeTakeFirst()
  if (!scale) throw notFound('scale', scaleId)
  return scale
}

export async function updateScale(changes: ChangeSet, id: string, scaleId: string, patch: Static<typeof InstrumentScaleUpdate>, expected?: IfMatch): Promise<InstrumentView> {
  const current = await lockInstrument(changes, id, expected)
  const scale = await findScale(changes, id, scaleId)
  const next: ScaleValues = {
    code: patch.code ?? scale.code,
    name: patch.name !== undefined ? cleanText(patch.name) : scale.name,
    description: patch.description !== undefined ? cleanText(patch.description) : scale.description,
    score_kind: (patch.scoreKind ?? scale.score_kind) as ScoreKind,
    min_score: patch.minScore ?? scale.min_score,
    max_score: patch.maxScore ?? scale.max_score
  }
  const measureChanged = next.code !== scale.code || next.score_kind !== scale.score_kind || next.min_score !== scale.min_score || next.max_score !== scale.max_score
  if (measureChanged && (await hasResults(changes, id))) throw inUse('its scales’ codes, kinds and ranges are fixed')
  const errors = scaleErrors(next, '')
  if (errors.length) throw invalid(errors)
  const before = await instrumentView(changes.trx, id)
  const moves = patch.position !== undefined && before.scales.findIndex((s) => s.id === scaleId) !== Math.min(patch.position, before.scales.length - 1)
  if (!moves && changesNothing(scale, next)) return before
  await changes.trx.updateTable('instrument_scales').set(next).where('id', '=', scaleId).execute()
  if (patch.position !== undefined) await placeScale(changes, id, scaleId, patch.position)
  await bump(changes, current)
  const view = await instrumentView(changes.trx, id)
  changes.record({ action: 'instrument.updated', entityType: 'instrument', entityId: id, before, after: view, event: { id, version: view.version, scaleChanged: scaleId } })
  return view
}

export async function deleteScale(changes: ChangeSet, id: string, scaleId: string, expected?: IfMatch): Promise<InstrumentView> {
  const current = await lockInstrument(changes, id, expected)
  await findScale(changes, id, scaleId)
  if (await hasResults(changes, id)) throw inUse('no scale can be removed')
  const before = await instrumentView(changes.trx, id)
  if (before.scales.length === 1) throw new Problem(422, 'unprocessable', 'an instrument keeps at least one scale')
  await changes.trx.deleteFrom('instrument_scales').where('id', '=', scaleId).execute()
  const rest = before.scales.filter((s) => s.id !== scaleId)
  for (const [i, s] of rest.entries()) if (s.position !== i) await changes.trx.updateTable('instrument_scales').set({ position: i }).where('id', '=', s.id).execute()
  await bump(changes, current)
  const view = await instrumentView(changes.trx, id)
  changes.record({ action: 'instrument.updated', entityType: 'instrument', entityId: id, before, after: view, event: { id, version: view.version, scaleRemoved: scaleId } })
  return view
}

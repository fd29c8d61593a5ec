import { sql, type Selectable } from 'kysely'
import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import type { ChangeSet } from '../../platform/changes.js'
import { assertCurrentVersion, type IfMatch } from '../../platform/concurrency.js'
import { describeConstraint, notFound, Problem, type FieldError } from '../../platform/problems.js'
import { assertNamesNoPerson, type ShownText } from './dissemination.js'
import type { LearningLogEntry, LearningLogEntryCreate, LearningLogEntryUpdate } from './entries.schemas.js'
import { claimReference, nextReference } from './reference.js'
import type { LearningLogChangesTable, LearningLogEntriesTable, SourceKind } from './tables.js'
import { appendTrail } from './trail.repository.js'

export type EntryRecord = Omit<Selectable<LearningLogEntriesTable>, 'search'>
export type EntryView = Static<typeof LearningLogEntry>
export type ChangeRow = Selectable<LearningLogChangesTable>

describeConstraint('learning_log_entries_external_id_key', 'a learning log entry with this externalId already exists')
describeConstraint('learning_log_entries_reference_key', 'a learning log entry with this reference already exists')
describeConstraint('learning_log_entries_smt_lead', 'a corporate learning issue needs an SMT lead')

/** Every column a caller reads: the generated `search` vector stays in the database. */
export const ENTRY_COLUMNS = [
  'id', 'external_id', 'reference', 'title', 'summary', 'notes', 'kind', 'source_kind', 'source_reference', 'event_date', 'org_unit_id',
  'identified_by_id', 'identified_on', 'dissemination', 'tags', 'stage', 'stage_entered_at', 'challenge_decision', 'action_by_org_unit_id',
  'action_by_person_id', 'challenged_at', 'owner_id', 'level', 'smt_lead_id', 'platform_none_needed_reason', 'delivery_none_needed_reason',
  'review_integrated', 'review_improvement_seen', 'review_evidence', 'reviewed_at', 'closure_kind', 'closure_reason', 'closed_at',
  'duplicate_of_id', 'trail_notes', 'version', 'created_at', 'updated_at'
] as const satisfies ReadonlyArray<keyof EntryRecord>

const iso = (t: Date | string) => new Date(t).toISOString()

const changeView = (c: ChangeRow) => ({ id: c.id, kind: c.kind, reference: c.reference, description: c.description, recordedAt: iso(c.created_at) })

export function toEntry(r: EntryRecord, changes: ChangeRow[]): EntryView {
  return {
    id: r.id,
    externalId: r.external_id,
    reference: r.reference,
    title: r.title,
    summary: r.summary,
    notes: r.notes,
    kind: r.kind,
    sourceKind: r.source_kind,
    sourceReference: r.source_reference,
    eventDate: r.event_date,
    orgUnitId: r.org_unit_id,
    identifiedById: r.identified_by_id,
    identifiedOn: r.identified_on,
    dissemination: r.dissemination,
    tags: r.tags,
    stage: r.stage,
    stageEnteredAt: iso(r.stage_entered_at),
    challenge: r.challenge_decision
      ? { decision: r.challenge_decision, actionByOrgUnitId: r.action_by_org_unit_id, actionByPersonId: r.action_by_person_id, decidedAt: iso(r.challenged_at!) }
      : null,
    accountability: r.owner_id && r.level ? { ownerId: r.owner_id, level: r.level, smtLeadId: r.smt_lead_id } : null,
    platform: { noneNeededReason: r.platform_none_needed_reason, changes: changes.filter((c) => c.stage === 'platform').map(changeView) },
    delivery: { noneNeededReason: r.delivery_none_needed_reason, changes: changes.filter((c) => c.stage === 'delivery').map(changeView) },
    review:
      r.review_integrated && r.review_improvement_seen !== null
        ? { integrated: r.review_integrated, improvementSeen: r.review_improvement_seen, evidence: r.review_evidence ?? '', reviewedAt: iso(r.reviewed_at!) }
        : null,
    closure: r.closure_kind ? { kind: r.closure_kind, reason: r.closure_reason, duplicateOfId: r.duplicate_of_id, closedAt: iso(r.closed_at!) } : null,
    version: r.version,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at)
  }
}

export async function changesOf(db: Db, entryId: string): Promise<ChangeRow[]> {
  return db.selectFrom('learning_log_changes').selectAll().where('entry_id', '=', entryId).orderBy('created_at').orderBy('trail_id').orderBy('position').execute()
}

export async function entryView(db: Db, row: EntryRecord): Promise<EntryView> {
  return toEntry(row, await changesOf(db, row.id))
}

export async function findEntry(db: Db, id: string): Promise<EntryRecord> {
  const row = await db.selectFrom('learning_log_entries').select(ENTRY_COLUMNS).where('id', '=', id).executeTakeFirst()
  if (!row) throw notFound('learning log entry', id)
  return row
}

/** Locks the entry for the rest of the transaction and checks If-Match. */
export async function lockEntry(changes: ChangeSet, id: string, expected?: IfMatch): Promise<EntryRecord> {
  const row = await changes.trx.selectFrom('learning_log_entries').select(ENTRY_COLUMNS).where('id', '=', id).forUpdate().executeTakeFirst()
  if (!row) throw notFound('learning log entry', id)
  assertCurrentVersion(expected, row.version)
  return row
}

export interface References {
  orgUnits?: Array<[pointer: string, id: string | null | undefined]>
  people?: Array<[pointer: string, id: string | null | undefined]>
  entries?: Array<[pointer: string, id: string | null | undefined]>
  programmes?: Array<[pointer: string, id: string | null | undefined]>
  cohorts?: Array<[pointer: string, id: string | null | undefined]>
  recommendations?: Array<[pointer: string, id: string | null | undefined]>
}

const TABLES = {
  orgUnits: ['org_units', 'org unit'],
  people: ['people', 'person'],
  entries: ['learning_log_entries', 'learning log entry'],
  programmes: ['programmes', 'programme'],
  cohorts: ['cohorts', 'cohort'],
  recommendations: ['recommendations', 'recommendation']
} as const

/** Every reference that does not exist, as one 422 invalid-reference listing them all. */
export async function assertReferencesExist(db: Db, refs: References, where = 'body'): Promise<void> {
  const errors: FieldError[] = []
  for (const [key, [table, what]] of Object.entries(TABLES) as Array<[keyof References, readonly [string, string]]>) {
    const wanted = (refs[key] ?? []).filter((r): r is [string, string] => !!r[1])
    if (wanted.length === 0) continue
    const ids = [...new Set(wanted.map((r) => r[1]))]
    const found = new Set((await db.selectFrom(table as 'people').select('id').where('id', 'in', ids).execute()).map((r) => r.id))
    for (const [pointer, id] of wanted) if (!found.has(id)) errors.push({ in: where, pointer, detail: `no such ${what}` })
  }
  if (errors.length) throw new Problem(422, 'invalid-reference', errors.map((e) => `${e.pointer.slice(1)}: ${e.detail}`).join('; '), { errors })
}

/** The people an entry refers to: whoever's name its public text must not carry. */
export const referencedPeople = (r: Pick<EntryRecord, 'identified_by_id' | 'action_by_person_id' | 'owner_id' | 'smt_lead_id'>) => [
  r.identified_by_id, r.action_by_person_id, r.owner_id, r.smt_lead_id
]

type ShownColumns = Pick<
  EntryRecord,
  'title' | 'summary' | 'notes' | 'source_reference' | 'tags' | 'platform_none_needed_reason' | 'delivery_none_needed_reason' | 'review_evidence' | 'closure_reason'
>

/**
 * Every free text an entry shows (trail notes aside), pointed at as the entry view shows it: what
 * a public entry must keep free of names. A text whose top-level field is in `given` was sent by
 * the request (reported `in: where`), the others are stored (`in: entry`).
 */
export function shownTexts(r: ShownColumns, changes: readonly ChangeRow[], given: ReadonlySet<string> = new Set(), where = 'body'): ShownText[] {
  const at = (pointer: string, text: string | null | undefined): ShownText => ({ pointer, text, in: given.has(pointer.split('/')[1]) ? where : 'entry' })
  const texts = [
    at('/title', r.title),
    at('/summary', r.summary),
    at('/notes', r.notes),
    at('/sourceReference', r.source_reference),
    ...r.tags.map((tag, i) => at(`/tags/${i}`, tag)),
    at('/platform/noneNeededReason', r.platform_none_needed_reason),
    at('/delivery/noneNeededReason', r.delivery_none_needed_reason),
    at('/review/evidence', r.review_evidence),
    at('/closure/reason', r.closure_reason)
  ]
  for (const stage of ['platform', 'delivery'] as const) {
    changes.filter((c) => c.stage === stage).forEach((c, i) => texts.push(at(`/${stage}/changes/${i}/reference`, c.reference), at(`/${stage}/changes/${i}/description`, c.description)))
  }
  return texts
}

/** Today's date in UTC, for identifiedOn when it is left out. */
export const todayUtc = () => new Date().toISOString().slice(0, 10)

type Create = Static<typeof LearningLogEntryCreate>
type Update = Static<typeof LearningLogEntryUpdate>

/** The origin fields shown on the trail when an entry is created or changed. */
const originData = (r: EntryRecord) => ({
  title: r.title, summary: r.summary, notes: r.notes, kind: r.kind, sourceKind: r.source_kind, sourceReference: r.source_reference,
  eventDate: r.event_date, orgUnitId: r.org_unit_id, identifiedById: r.identified_by_id, identifiedOn: r.identified_on,
  dissemination: r.dissemination, tags: r.tags, externalId: r.external_id
})

export async function createEntry(changes: ChangeSet, input: Create, options: { reference?: string } = {}): Promise<EntryView> {
  const trx = changes.trx
  await assertReferencesExist(trx, { orgUnits: [['/orgUnitId', input.orgUnitId]], people: [['/identifiedById', input.identifiedById]] })
  const dissemination = input.dissemination ?? 'internal_unit'
  if (dissemination === 'public') {
    const origin = { title: input.title, summary: input.summary, notes: input.notes ?? null, source_reference: input.sourceReference ?? null, tags: input.tags ?? [] }
    const stages = { platform_none_needed_reason: null, delivery_none_needed_reason: null, review_evidence: null, closure_reason: null }
    await assertNamesNoPerson(trx, shownTexts({ ...origin, ...stages }, [], new Set(Object.keys(input))), [input.identifiedById])
  }
  const identifiedOn = input.identifiedOn ?? todayUtc()
  let reference: string
  if (options.reference) {
    await claimReference(trx, options.reference)
    reference = options.reference
  } else {
    reference = await nextReference(trx, Number(identifiedOn.slice(0, 4)))
  }
  const row = await trx
    .insertInto('learning_log_entries')
    .values({
      external_id: input.externalId ?? null,
      reference,
      title: input.title,
      summary: input.summary,
      notes: input.notes ?? null,
      kind: input.kind ?? 'lesson_identified',
      source_kind: input.sourceKind as SourceKind,
      source_reference: input.sourceReference ?? null,
      event_date: input.eventDate ?? null,
      org_unit_id: input.orgUnitId,
      identified_by_id: input.identifiedById ?? null,
      identified_on: identifiedOn,
      dissemination,
      tags: input.tags ?? [],
      stage: 'origin',
      stage_entered_at: sql`now()`,
      created_at: sql`now()`,
      updated_at: sql`now()`
    })
    .returning(ENTRY_COLUMNS)
    .executeTakeFirstOrThrow()
  await appendTrail(changes, { entryId: row.id, kind: 'created', toStage: 'origin', data: originData(row) })
  const view = toEntry(row, [])
  changes.record({ action: 'learning-log-entry.created', entityType: 'learning-log-entry', entityId: row.id, after: view })
  return view
}

const FIELDS: Array<[keyof Update, keyof EntryRecord]> = [
  ['externalId', 'external_id'], ['title', 'title'], ['summary', 'summary'], ['notes', 'notes'], ['kind', 'kind'], ['sourceKind', 'source_kind'],
  ['sourceReference', 'source_reference'], ['eventDate', 'event_date'], ['orgUnitId', 'org_unit_id'], ['identifiedById', 'identified_by_id'],
  ['identifiedOn', 'identified_on'], ['dissemination', 'dissemination'], ['tags', 'tags']
]

/** The columns a patch sets (only those whose value differs). */
export function patchColumns(current: EntryRecord, patch: Update): Partial<EntryRecord> {
  const set: Record<string, unknown> = {}
  for (const [field, column] of FIELDS) {
    const value = patch[field]
    if (value === undefined) continue
    if (JSON.stringify(value) !== JSON.stringify(current[column] ?? null)) set[column] = value
  }
  return set as Partial<EntryRecord>
}

/**
 * Whether `next` (public) must be checked for names: its text, its people or its level of
 * dissemination changed (an entry made public has all its stored text checked, stages' included).
 */
export const needsNameCheck = (set: Partial<EntryRecord>) =>
  ['title', 'summary', 'notes', 'source_reference', 'tags', 'identified_by_id', 'dissemination'].some((c) => c in set)

/** Applies origin field changes (an update or an import row) to a locked entry; nothing when nothing differs. */
export async function applyOriginChanges(changes: ChangeSet, current: EntryRecord, set: Partial<EntryRecord>, given: ReadonlySet<string>, where = 'body'): Promise<EntryRecord> {
  if (Object.keys(set).length === 0) return current
  const next = { ...current, ...set }
  if (next.dissemination === 'public' && needsNameCheck(set)) {
    await assertNamesNoPerson(changes.trx, shownTexts(next, await changesOf(changes.trx, current.id), given, where), referencedPeople(next))
  }
  const row = await changes.trx
    .updateTable('learning_log_entries')
    .set({ ...(set as object), version: current.version + 1, updated_at: sql`now()` })
    .where('id', '=', current.id)
    .returning(ENTRY_COLUMNS)
    .executeTakeFirstOrThrow()
  const before = originData(current)
  const after = originData(row)
  const fields = Object.keys(before).filter((k) => JSON.stringify(before[k as keyof typeof before]) !== JSON.stringify(after[k as keyof typeof after]))
  await appendTrail(changes, {
    entryId: row.id,
    kind: 'updated',
    data: { changed: Object.fromEntries(fields.map((f) => [f, { before: before[f as keyof typeof before], after: after[f as keyof typeof after] }])) }
  })
  const view = await entryView(changes.trx, row)
  changes.record({ action: 'learning-log-entry.updated', entityType: 'learning-log-entry', entityId: row.id, before: await entryView(changes.trx, current), after: view })
  return row
}

export async function updateEntry(changes: ChangeSet, id: string, patch: Update, expected?: IfMatch): Promise<EntryView> {
  const current = await lockEntry(changes, id, expected)
  const set = patchColumns(current, patch)
  await assertReferencesExist(changes.trx, { orgUnits: [['/orgUnitId', set.org_unit_id]], people: [['/identifiedById', set.identified_by_id]] })
  const row = await applyOriginChanges(changes, current, set, new Set(Object.keys(patch)))
  return entryView(changes.trx, row)
}

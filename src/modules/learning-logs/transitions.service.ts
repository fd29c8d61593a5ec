import { sql } from 'kysely'
import type { Static } from 'typebox'
import type { ChangeSet } from '../../platform/changes.js'
import type { IfMatch } from '../../platform/concurrency.js'
import { Problem } from '../../platform/problems.js'
import { assertNamesNoPerson, type ShownText } from './dissemination.js'
import { assertReferencesExist, changesOf, ENTRY_COLUMNS, entryView, lockEntry, referencedPeople, shownTexts, type EntryRecord, type EntryView } from './entries.repository.js'
import { addLink } from './links.repository.js'
import type { LearningLogAccountabilityChange } from './stages.schemas.js'
import { assertMoveOpen, assertOnlyOutcomeOf, incomplete, isReopen, missingToLeave, type TransitionRequest } from './stages.js'
import type { ChangeKind, Stage } from './tables.js'
import { appendTrail } from './trail.repository.js'

const now = sql<Date>`now()`
type Columns = Partial<Record<keyof EntryRecord, unknown>>

/** Appends a note to the text search reads (weight C with the entry's notes). */
const withNote = (set: Columns, note: string | undefined) =>
  note ? { ...set, trail_notes: sql`concat_ws(E'\n', trail_notes, ${note}::text)` } : set

/**
 * Moves an entry forward with the outcome of the stage it leaves, or back (reopening) with a
 * reason. Refusals: 409 illegal-transition (not a move from here), 409 learning-log-stage-incomplete
 * (the outcome lacks something; each missing item in `errors`), 422 (an outcome of another stage,
 * a reference that does not exist, a public entry that would name a person).
 */
export async function transitionEntry(changes: ChangeSet, id: string, body: TransitionRequest, expected?: IfMatch): Promise<EntryView> {
  const current = await lockEntry(changes, id, expected)
  const from = current.stage
  const to = body.to as Stage
  assertMoveOpen(from, to)
  const reopening = isReopen(from, to)
  assertOnlyOutcomeOf(body, reopening ? null : from)
  if (reopening) return reopen(changes, current, to, body)

  const platformChanges =
    from === 'delivery'
      ? Number((await changes.trx.selectFrom('learning_log_changes').select((eb) => eb.fn.countAll<number>().as('n')).where('entry_id', '=', id).where('stage', '=', 'platform').executeTakeFirstOrThrow()).n)
      : 0
  const missing = missingToLeave(current, to, body, platformChanges)
  if (missing.length) throw incomplete(from, to, missing)

  let set: Columns = {}
  let outcome: Record<string, unknown> = {}
  const links: Array<Parameters<typeof addLink>[2] & { prefix: string }> = []
  let newChanges: Array<{ kind: ChangeKind; reference: string; description?: string | null }> = []
  // The free text this move records, where the body gives it, and where the entry will show it.
  const given: Array<ShownText & { shownAt: string }> = []
  const gives = (pointer: string, text: string | null | undefined, shownAt = '') => given.push({ pointer, text, in: 'body', shownAt })
  const givesChanges = (stage: 'platform' | 'delivery', list: typeof newChanges) =>
    list.forEach((c, i) => {
      gives(`/${stage}/changes/${i}/reference`, c.reference)
      gives(`/${stage}/changes/${i}/description`, c.description)
    })
  switch (from) {
    case 'challenge': {
      const c = body.challenge!
      await assertReferencesExist(changes.trx, {
        orgUnits: [['/challenge/actionByOrgUnitId', c.actionByOrgUnitId]],
        people: [['/challenge/actionByPersonId', c.actionByPersonId]],
        entries: [['/challenge/duplicateOfId', c.duplicateOfId]]
      })
      set = { challenge_decision: c.decision, action_by_org_unit_id: c.actionByOrgUnitId ?? null, action_by_person_id: c.actionByPersonId ?? null, challenged_at: now }
      if (to === 'closed') {
        set = { ...set, closure_kind: c.decision, closure_reason: c.reason, duplicate_of_id: c.duplicateOfId ?? null, closed_at: now }
        if (c.duplicateOfId) links.push({ kind: 'duplicate_of', entryId: c.duplicateOfId, note: c.reason, prefix: '/challenge' })
        gives('/challenge/reason', c.reason, '/closure/reason')
      }
      outcome = { challenge: c }
      break
    }
    case 'accountability': {
      const a = body.accountability ?? {}
      const next = { owner_id: a.ownerId ?? current.owner_id, level: a.level ?? current.level, smt_lead_id: a.smtLeadId ?? current.smt_lead_id }
      await assertReferencesExist(changes.trx, { people: [['/accountability/ownerId', a.ownerId], ['/accountability/smtLeadId', a.smtLeadId]] })
      set = next
      outcome = { accountability: { ownerId: next.owner_id, level: next.level, smtLeadId: next.smt_lead_id } }
      break
    }
    case 'platform': {
      const p = body.platform!
      set = { platform_none_needed_reason: p.noneNeededReason ?? null }
      newChanges = (p.changes ?? []).map((c) => ({ ...c, kind: c.kind as ChangeKind }))
      gives('/platform/noneNeededReason', p.noneNeededReason, '/platform/noneNeededReason')
      givesChanges('platform', newChanges)
      outcome = { platform: p }
      break
    }
    case 'delivery': {
      const d = body.delivery!
      set = { delivery_none_needed_reason: d.noneNeededReason ?? null }
      newChanges = (d.changes ?? []).map((c) => ({ ...c, kind: c.kind as ChangeKind }))
      gives('/delivery/noneNeededReason', d.noneNeededReason, '/delivery/noneNeededReason')
      givesChanges('delivery', newChanges)
      await assertReferencesExist(changes.trx, {
        programmes: (d.programmeIds ?? []).map((p, i) => [`/delivery/programmeIds/${i}`, p]),
        cohorts: (d.cohortIds ?? []).map((c, i) => [`/delivery/cohortIds/${i}`, c])
      })
      for (const programmeId of d.programmeIds ?? []) links.push({ kind: 'addressed_by', programmeId, prefix: '/delivery' })
      for (const cohortId of d.cohortIds ?? []) links.push({ kind: 'addressed_by', cohortId, prefix: '/delivery' })
      outcome = { delivery: d }
      break
    }
    case 'review': {
      const r = body.review!
      set = {
        review_integrated: r.integrated,
        review_improvement_seen: r.improvementSeen,
        review_evidence: r.evidence,
        reviewed_at: now,
        closure_kind: 'reviewed',
        closure_reason: null,
        duplicate_of_id: null,
        closed_at: now
      }
      gives('/review/evidence', r.evidence, '/review/evidence')
      outcome = { review: r }
      break
    }
  }

  const next = { ...current, ...(set as Partial<EntryRecord>) }
  const peopleChanged = (['owner_id', 'smt_lead_id', 'action_by_person_id'] as const).some((k) => k in set && set[k] !== current[k])
  // A public entry's new text is checked as it is recorded (pointed at in the body); when the entry's
  // people change, all its stored text is checked again too (their family names are refused).
  const recorded = given.filter((g) => g.text)
  if (next.dissemination === 'public' && (peopleChanged || recorded.length)) {
    const stored = peopleChanged ? shownTexts(next, await changesOf(changes.trx, id)).filter((t) => !given.some((g) => g.shownAt === t.pointer)) : []
    await assertNamesNoPerson(changes.trx, [...stored, ...recorded], referencedPeople(next))
  }
  const row = await changes.trx
    .updateTable('learning_log_entries')
    .set({ ...(withNote(set, body.note) as object), stage: to, stage_entered_at: now, version: current.version + 1, updated_at: now })
    .where('id', '=', id)
    .returning(ENTRY_COLUMNS)
    .executeTakeFirstOrThrow()
  const trail = await appendTrail(changes, { entryId: id, kind: 'moved', fromStage: from, toStage: to, note: body.note ?? null, data: outcome })
  if (newChanges.length) {
    await changes.trx
      .insertInto('learning_log_changes')
      .values(
        newChanges.map((c, position) => ({
          entry_id: id,
          trail_id: Number(trail.id),
          stage: from as 'platform' | 'delivery',
          kind: c.kind,
          reference: c.reference,
          description: c.description ?? null,
          position,
          created_at: now
        }))
      )
      .execute()
  }
  for (const { prefix, ...link } of links) await addLink(changes, id, link, { prefix, reuse: true })
  const view = await entryView(changes.trx, row)
  changes.record({
    action: 'learning-log-entry.moved',
    entityType: 'learning-log-entry',
    entityId: id,
    before: { stage: from, version: current.version },
    after: { ...outcome, stage: to, note: body.note ?? null },
    event: { id, reference: row.reference, from, to, note: body.note ?? null, ...outcome, version: row.version }
  })
  return view
}

/** Stages whose outcome a reopening to `to` clears: `to` itself and every later one (owner and level stay). */
function clearedBy(to: Stage): Columns {
  const at = (s: Stage) => ['origin', 'challenge', 'accountability', 'platform', 'delivery', 'review'].indexOf(s)
  const set: Columns = { closure_kind: null, closure_reason: null, closed_at: null, duplicate_of_id: null }
  if (at(to) <= at('challenge')) Object.assign(set, { challenge_decision: null, action_by_org_unit_id: null, action_by_person_id: null, challenged_at: null })
  if (at(to) <= at('platform')) set.platform_none_needed_reason = null
  if (at(to) <= at('delivery')) set.delivery_none_needed_reason = null
  Object.assign(set, { review_integrated: null, review_improvement_seen: null, review_evidence: null, reviewed_at: null })
  return set
}

async function reopen(changes: ChangeSet, current: EntryRecord, to: Stage, body: TransitionRequest): Promise<EntryView> {
  if (!body.reason) throw incomplete(current.stage, to, [{ in: 'body', pointer: '/reason', detail: 'the reason for reopening is required' }])
  const set = clearedBy(to)
  const cleared = Object.fromEntries(Object.keys(set).filter((k) => current[k as keyof EntryRecord] !== null).map((k) => [k, current[k as keyof EntryRecord]]))
  const row = await changes.trx
    .updateTable('learning_log_entries')
    .set({ ...(withNote(set, body.note) as object), stage: to, stage_entered_at: now, version: current.version + 1, updated_at: now })
    .where('id', '=', current.id)
    .returning(ENTRY_COLUMNS)
    .executeTakeFirstOrThrow()
  await appendTrail(changes, { entryId: current.id, kind: 'reopened', fromStage: current.stage, toStage: to, note: body.note ?? null, data: { reason: body.reason, cleared } })
  const view = await entryView(changes.trx, row)
  changes.record({
    action: 'learning-log-entry.reopened',
    entityType: 'learning-log-entry',
    entityId: current.id,
    before: { stage: current.stage, version: current.version, ...cleared },
    after: { stage: to, reason: body.reason, note: body.note ?? null },
    event: { id: current.id, reference: row.reference, from: current.stage, to, reason: body.reason, note: body.note ?? null, version: row.version }
  })
  return view
}

const OWNED_STAGES: readonly Stage[] = ['accountability', 'platform', 'delivery', 'review']

/** A new owner, level or SMT lead, from the accountability stage until the entry closes; kept in the trail. */
export async function changeAccountability(changes: ChangeSet, id: string, input: Static<typeof LearningLogAccountabilityChange>, expected?: IfMatch): Promise<EntryView> {
  const current = await lockEntry(changes, id, expected)
  if (!OWNED_STAGES.includes(current.stage)) {
    throw new Problem(409, 'learning-log-stage', current.stage === 'closed'
      ? 'the entry is closed: reopen it to change its owner or level'
      : `the entry is at ${current.stage}: an owner and level are set from the accountability stage on`, { extensions: { stage: current.stage } })
  }
  const smtLeadId = input.smtLeadId ?? null
  if (input.level === 'corporate' && !smtLeadId) {
    throw new Problem(422, 'unprocessable', 'a corporate issue needs an SMT lead', { errors: [{ in: 'body', pointer: '/smtLeadId', detail: 'is required for a corporate issue' }] })
  }
  await assertReferencesExist(changes.trx, { people: [['/ownerId', input.ownerId], ['/smtLeadId', smtLeadId]] })
  const before = { ownerId: current.owner_id, level: current.level, smtLeadId: current.smt_lead_id }
  const after = { ownerId: input.ownerId, level: input.level, smtLeadId }
  if (JSON.stringify(before) === JSON.stringify(after)) return entryView(changes.trx, current)
  const next = { ...current, owner_id: after.ownerId, level: after.level, smt_lead_id: after.smtLeadId }
  if (next.dissemination === 'public') await assertNamesNoPerson(changes.trx, shownTexts(next, await changesOf(changes.trx, id)), referencedPeople(next))
  const row = await changes.trx
    .updateTable('learning_log_entries')
    .set({ ...(withNote({ owner_id: after.ownerId, level: after.level, smt_lead_id: after.smtLeadId }, input.reason) as object), version: current.version + 1, updated_at: now })
    .where('id', '=', id)
    .returning(ENTRY_COLUMNS)
    .executeTakeFirstOrThrow()
  await appendTrail(changes, { entryId: id, kind: 'owner_changed', note: input.reason ?? null, data: { before, after } })
  const view = await entryView(changes.trx, row)
  changes.record({
    action: 'learning-log-entry.owner-changed',
    entityType: 'learning-log-entry',
    entityId: id,
    before,
    after: { ...after, reason: input.reason ?? null },
    event: { id, reference: row.reference, before, after, reason: input.reason ?? null, version: row.version }
  })
  return view
}

/** A note on the trail, searched with the entry's notes. The entry's version does not change: a note edits nothing. */
export async function addNote(changes: ChangeSet, id: string, note: string) {
  const current = await lockEntry(changes, id)
  await changes.trx.updateTable('learning_log_entries').set(withNote({}, note) as never).where('id', '=', id).execute()
  const item = await appendTrail(changes, { entryId: id, kind: 'noted', fromStage: null, toStage: null, note, data: { stage: current.stage } })
  changes.record({ action: 'learning-log-entry.noted', entityType: 'learning-log-entry', entityId: id, after: { trailId: Number(item.id), note }, event: { id, trailId: Number(item.id) } })
  return item
}

import type { Selectable } from 'kysely'
import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import type { ChangeSet } from '../../platform/changes.js'
import { keysetPage, type Page, type PageRequest, type SortAllowList } from '../../platform/pagination.js'
import { describeConstraint, notFound, Problem } from '../../platform/problems.js'
import { assertReferencesExist, lockEntry } from './entries.repository.js'
import type { LearningLogLink, LearningLogLinkCreate } from './links.schemas.js'
import type { LearningLogLinksTable, LinkKind } from './tables.js'
import { appendTrail } from './trail.repository.js'

export type LinkRow = Selectable<LearningLogLinksTable>
type LinkCreate = Static<typeof LearningLogLinkCreate>

describeConstraint('learning_log_links_unique', 'the entry already has this link')
describeConstraint('learning_log_links_not_self', 'an entry cannot link to itself')

export type TargetType = 'recommendation' | 'programme' | 'cohort' | 'entry'

/** Which targets each kind of link may point at. */
export const LINK_TARGETS: Readonly<Record<LinkKind, readonly TargetType[]>> = {
  duplicate_of: ['entry'],
  related: ['entry', 'recommendation', 'programme', 'cohort'],
  produced_by: ['recommendation', 'programme', 'cohort'],
  addressed_by: ['recommendation', 'programme', 'cohort']
}

const targetOf = (r: LinkRow): { type: TargetType; id: string } =>
  r.recommendation_id ? { type: 'recommendation', id: r.recommendation_id }
  : r.programme_id ? { type: 'programme', id: r.programme_id }
  : r.cohort_id ? { type: 'cohort', id: r.cohort_id }
  : { type: 'entry', id: r.linked_entry_id! }

export const toLink = (r: LinkRow): Static<typeof LearningLogLink> => {
  const target = targetOf(r)
  return {
    id: r.id,
    entryId: r.entry_id,
    kind: r.kind,
    targetType: target.type,
    targetId: target.id,
    recommendationId: r.recommendation_id,
    programmeId: r.programme_id,
    cohortId: r.cohort_id,
    linkedEntryId: r.linked_entry_id,
    note: r.note,
    createdBy: r.created_by,
    createdAt: new Date(r.created_at).toISOString()
  }
}

const FIELD: Record<TargetType, 'recommendationId' | 'programmeId' | 'cohortId' | 'entryId'> = {
  recommendation: 'recommendationId',
  programme: 'programmeId',
  cohort: 'cohortId',
  entry: 'entryId'
}

/** The one target a link request names; 422 when it names none or several, or one its kind does not take. */
function targetOfRequest(input: LinkCreate, where: string, prefix: string): { type: TargetType; id: string } {
  const given = (Object.entries(FIELD) as Array<[TargetType, keyof LinkCreate]>).filter(([, f]) => input[f] !== undefined)
  if (given.length !== 1) {
    const pointer = `${prefix}/${given.length ? FIELD[given[1][0]] : 'recommendationId'}`
    throw new Problem(422, 'unprocessable', 'a link names exactly one of recommendationId, programmeId, cohortId or entryId', {
      errors: [{ in: where, pointer, detail: 'name exactly one of recommendationId, programmeId, cohortId or entryId' }]
    })
  }
  const [type, field] = given[0]
  if (!LINK_TARGETS[input.kind as LinkKind].includes(type)) {
    throw new Problem(422, 'unprocessable', `a ${input.kind} link points at ${LINK_TARGETS[input.kind as LinkKind].join(' or ')}, not a ${type}`, {
      errors: [{ in: where, pointer: `${prefix}/${field}`, detail: `a ${input.kind} link points at ${LINK_TARGETS[input.kind as LinkKind].join(' or ')}` }]
    })
  }
  return { type, id: input[field] as string }
}

/**
 * Adds a link from an already locked entry (by `POST …/links`, or a transition: a duplicate, the
 * programmes of a delivery). An existing identical link is a 409 conflict unless `reuse`, when it
 * is returned as it is.
 */
export async function addLink(changes: ChangeSet, entryId: string, input: LinkCreate, options: { where?: string; prefix?: string; reuse?: boolean } = {}): Promise<{ link: LinkRow; created: boolean }> {
  const where = options.where ?? 'body'
  const prefix = options.prefix ?? ''
  const target = targetOfRequest(input, where, prefix)
  if (target.type === 'entry' && target.id === entryId) {
    throw new Problem(422, 'unprocessable', 'an entry cannot link to itself', { errors: [{ in: where, pointer: `${prefix}/entryId`, detail: 'an entry cannot link to itself' }] })
  }
  const pointer = `${prefix}/${FIELD[target.type]}`
  const refs = { recommendation: 'recommendations', programme: 'programmes', cohort: 'cohorts', entry: 'entries' } as const
  await assertReferencesExist(changes.trx, { [refs[target.type]]: [[pointer, target.id]] }, where)
  const column = { recommendation: 'recommendation_id', programme: 'programme_id', cohort: 'cohort_id', entry: 'linked_entry_id' } as const
  const existing = await changes.trx
    .selectFrom('learning_log_links')
    .selectAll()
    .where('entry_id', '=', entryId)
    .where('kind', '=', input.kind as LinkKind)
    .where(column[target.type], '=', target.id)
    .executeTakeFirst()
  if (existing) {
    if (options.reuse) return { link: existing, created: false }
    throw new Problem(409, 'conflict', `the entry already has this ${input.kind} link`, { extensions: { linkId: existing.id } })
  }
  const link = await changes.trx
    .insertInto('learning_log_links')
    .values({ entry_id: entryId, kind: input.kind as LinkKind, [column[target.type]]: target.id, note: input.note ?? null, created_by: changes.actor.subject })
    .returningAll()
    .executeTakeFirstOrThrow()
  const view = toLink(link)
  await appendTrail(changes, { entryId, kind: 'linked', note: input.note ?? null, data: view })
  changes.record({ action: 'learning-log-entry.linked', entityType: 'learning-log-entry', entityId: entryId, after: view })
  return { link, created: true }
}

export async function createLink(changes: ChangeSet, entryId: string, input: LinkCreate): Promise<LinkRow> {
  await lockEntry(changes, entryId)
  return (await addLink(changes, entryId, input)).link
}

export async function deleteLink(changes: ChangeSet, entryId: string, linkId: string, reason: string | null): Promise<void> {
  await lockEntry(changes, entryId)
  const link = await changes.trx.selectFrom('learning_log_links').selectAll().where('id', '=', linkId).where('entry_id', '=', entryId).executeTakeFirst()
  if (!link) throw notFound('link', linkId)
  await changes.trx.deleteFrom('learning_log_links').where('id', '=', linkId).execute()
  const view = toLink(link)
  await appendTrail(changes, { entryId, kind: 'unlinked', note: reason, data: view })
  changes.record({ action: 'learning-log-entry.unlinked', entityType: 'learning-log-entry', entityId: entryId, before: view, event: { ...view, reason } })
}

const sorts: SortAllowList<LinkRow> = {
  createdAt: { columns: ['learning_log_links.created_at', 'learning_log_links.id'], direction: 'asc', key: (r) => [r.created_at, r.id] }
}

export function listLinks(db: Db, entryId: string, page: PageRequest): Promise<Page<LinkRow>> {
  const query = db.selectFrom('learning_log_links').selectAll().where('entry_id', '=', entryId)
  return keysetPage(query, sorts, { ...page, sort: undefined }, 'createdAt')
}

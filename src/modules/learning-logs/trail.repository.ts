import { sql, type Selectable } from 'kysely'
import type { Static } from 'typebox'
import type { Db } from '../../db/database.js'
import type { ChangeSet } from '../../platform/changes.js'
import { keysetPage, type Page, type PageRequest, type SortAllowList } from '../../platform/pagination.js'
import type { LearningLogTrailItem } from './stages.schemas.js'
import type { LearningLogTrailTable, Stage, TrailKind } from './tables.js'

export type TrailRow = Selectable<LearningLogTrailTable>

export interface TrailInput {
  entryId: string
  kind: TrailKind
  fromStage?: Stage | null
  toStage?: Stage | null
  note?: string | null
  data?: unknown
}

/** Appends one item to an entry's trail, stamped with the transaction's time and the actor. */
export async function appendTrail(changes: ChangeSet, item: TrailInput): Promise<TrailRow> {
  return changes.trx
    .insertInto('learning_log_trail')
    .values({
      entry_id: item.entryId,
      kind: item.kind,
      from_stage: item.fromStage ?? null,
      to_stage: item.toStage ?? null,
      actor: changes.actor.subject,
      note: item.note ?? null,
      data: item.data === undefined ? null : JSON.stringify(item.data),
      occurred_at: sql`now()`
    })
    .returningAll()
    .executeTakeFirstOrThrow()
}

export const toTrailItem = (r: TrailRow): Static<typeof LearningLogTrailItem> => ({
  id: Number(r.id),
  entryId: r.entry_id,
  kind: r.kind,
  fromStage: r.from_stage,
  toStage: r.to_stage,
  actor: r.actor,
  note: r.note,
  data: r.data ?? null,
  occurredAt: new Date(r.occurred_at).toISOString()
})

const sorts: SortAllowList<TrailRow> = {
  id: { columns: ['learning_log_trail.id'], direction: 'asc', key: (r) => [Number(r.id)] }
}

/** An entry's trail, oldest first. */
export function listTrail(db: Db, entryId: string, page: PageRequest): Promise<Page<TrailRow>> {
  const query = db.selectFrom('learning_log_trail').selectAll().where('entry_id', '=', entryId)
  return keysetPage(query, sorts, { ...page, sort: undefined }, 'id')
}

import type { FastifyRequest } from 'fastify'
import { sql, type Transaction } from 'kysely'
import type { Db } from '../db/database.js'
import type { Database } from '../db/types.js'
import { principalOf } from './auth/plugin.js'

export type Trx = Transaction<Database>

/** Who made a change, carried into audit records and events. */
export interface Actor {
  subject: string
  clientId: string | null
  requestId: string | null
}

export function actorOf(request: FastifyRequest): Actor {
  const principal = principalOf(request)
  return { subject: principal.subject, clientId: principal.clientId, requestId: request.id }
}

export interface Change {
  /** What was done, as `<entity>.<verb>`: `person.created`, `org-unit.moved`. Also the event type. */
  action: string
  entityType: string
  entityId: string
  before?: unknown
  after?: unknown
  /** The change-feed payload; defaults to `after`. `false` records an audit entry but no event. */
  event?: unknown | false
}

const CHUNK = 500

/**
 * Collects the changes of one transaction and writes their audit records and events inside it,
 * so a change, its audit record and its event commit or vanish together.
 */
export class ChangeSet {
  #pending: Change[] = []
  #spilled = 0

  constructor(readonly trx: Trx, readonly actor: Actor) {}

  record(change: Change) {
    this.#pending.push(change)
  }

  get count() {
    return this.#spilled + this.#pending.length
  }

  /** Forgets changes recorded after `mark` (a `count` taken since the last spill): their savepoint was rolled back. */
  truncate(mark: number) {
    this.#pending.length = Math.max(0, mark - this.#spilled)
  }

  /**
   * Writes audit records now and parks events in a temporary table, so a long import keeps
   * memory flat and takes the event counter's lock only once, at the end.
   */
  async spill() {
    if (this.#pending.length === 0) return
    const batch = this.#pending
    this.#pending = []
    await this.#writeAudit(batch)
    const events = batch.filter((c) => c.event !== false)
    if (events.length === 0) return
    if (this.#spilled === 0) {
      await sql`create temp table if not exists pending_events (
        ord bigserial, type text not null, entity_type text not null, entity_id text not null, data jsonb
      ) on commit drop`.execute(this.trx)
    }
    for (let i = 0; i < events.length; i += CHUNK) {
      await this.trx
        .insertInto('pending_events' as never)
        .values(events.slice(i, i + CHUNK).map((c) => this.#eventRow(c)) as never)
        .execute()
    }
    this.#spilled += events.length
  }

  /** Called once, just before commit. */
  async flush() {
    if (this.#spilled > 0) {
      await this.spill()
      await sql`
        with n as (select count(*) as total from pending_events),
        c as (update event_counter set last_sequence = last_sequence + (select total from n) where id = 1 returning last_sequence)
        insert into events (sequence, type, entity_type, entity_id, actor, request_id, data)
        select (select last_sequence from c) - (select total from n) + row_number() over (order by ord),
               type, entity_type, entity_id, ${this.actor.subject}, ${this.actor.requestId}, data
        from pending_events order by ord`.execute(this.trx)
      return
    }
    const batch = this.#pending
    this.#pending = []
    if (batch.length === 0) return
    await this.#writeAudit(batch)
    const events = batch.filter((c) => c.event !== false)
    if (events.length === 0) return
    const { last_sequence: last } = await this.trx
      .updateTable('event_counter')
      .set({ last_sequence: sql`last_sequence + ${events.length}` })
      .where('id', '=', 1)
      .returning('last_sequence')
      .executeTakeFirstOrThrow()
    const first = Number(last) - events.length + 1
    for (let i = 0; i < events.length; i += CHUNK) {
      await this.trx
        .insertInto('events')
        .values(
          events.slice(i, i + CHUNK).map((c, j) => ({
            sequence: first + i + j,
            ...this.#eventRow(c),
            actor: this.actor.subject,
            request_id: this.actor.requestId
          }))
        )
        .execute()
    }
  }

  #eventRow(c: Change) {
    return {
      type: c.action,
      entity_type: c.entityType,
      entity_id: c.entityId,
      data: JSON.stringify(c.event === undefined ? (c.after ?? null) : c.event)
    }
  }

  async #writeAudit(batch: Change[]) {
    for (let i = 0; i < batch.length; i += CHUNK) {
      await this.trx
        .insertInto('audit_records')
        .values(
          batch.slice(i, i + CHUNK).map((c) => ({
            actor: this.actor.subject,
            client_id: this.actor.clientId,
            action: c.action,
            entity_type: c.entityType,
            entity_id: c.entityId,
            before: c.before === undefined ? null : JSON.stringify(c.before),
            after: c.after === undefined ? null : JSON.stringify(c.after),
            request_id: this.actor.requestId
          }))
        )
        .execute()
    }
  }
}

/** Runs `work` in one transaction that also writes the audit records and events it recorded. */
export async function inTransaction<T>(db: Db, actor: Actor, work: (changes: ChangeSet) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    const changes = new ChangeSet(trx, actor)
    const result = await work(changes)
    await changes.flush()
    return result
  })
}

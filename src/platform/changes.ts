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

/** Changes per statement: one JSON parameter each, so a statement stays a few MB at most. */
const CHUNK = 2000

/**
 * The changes of a batch as one JSON array: each change's audit columns, and its event payload
 * only where it differs from `after` (the usual case sends the view once, not twice).
 * `e`: 0 no event, 1 the event is `after`, 2 the event is `event`.
 */
function changesJson(batch: Change[]): string {
  return JSON.stringify(
    batch.map((c) => ({
      action: c.action,
      entity_type: c.entityType,
      entity_id: c.entityId,
      before: c.before ?? null,
      after: c.after ?? null,
      e: c.event === false ? 0 : c.event === undefined ? 1 : 2,
      event: c.event === undefined || c.event === false ? null : c.event
    }))
  )
}

/** The rows of `changesJson`, in order (`n`), as a table expression for the statements below. */
const changeRows = (json: string) => sql`rows from (jsonb_to_recordset(${json}::jsonb) as (
  action text, entity_type text, entity_id text, before jsonb, after jsonb, e int, event jsonb)) with ordinality as c(action, entity_type, entity_id, before, after, e, event, n)`

/**
 * Collects the changes of one transaction and writes their audit records and events inside it,
 * so a change, its audit record and its event commit or vanish together. Each write is one
 * statement per chunk, its rows in one JSON parameter: a row of parameters per change cost more
 * to build, send and parse than the rows themselves.
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
    if (this.#spilled === 0) {
      await sql`create temp table if not exists pending_events (
        ord bigserial, type text not null, entity_type text not null, entity_id text not null, data jsonb
      ) on commit drop`.execute(this.trx)
    }
    for (let i = 0; i < batch.length; i += CHUNK) {
      await sql`
        with c as (select * from ${changeRows(changesJson(batch.slice(i, i + CHUNK)))}),
        a as (${this.#auditInsert()})
        insert into pending_events (type, entity_type, entity_id, data)
        select action, entity_type, entity_id, case e when 1 then after else event end from c where e > 0 order by n`.execute(this.trx)
    }
    this.#spilled += batch.length
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
    // One statement per chunk: the audit records, one move of the event counter, the events.
    for (let i = 0; i < batch.length; i += CHUNK) {
      await sql`
        with c as (select * from ${changeRows(changesJson(batch.slice(i, i + CHUNK)))}),
        a as (${this.#auditInsert()}),
        ev as (select row_number() over (order by n) as k, * from c where e > 0),
        total as (select count(*) as total from ev),
        counter as (
          update event_counter set last_sequence = last_sequence + total.total from total
          where id = 1 and total.total > 0 returning last_sequence, total.total)
        insert into events (sequence, type, entity_type, entity_id, actor, request_id, data)
        select counter.last_sequence - counter.total + ev.k, ev.action, ev.entity_type, ev.entity_id,
               ${this.actor.subject}, ${this.actor.requestId}, case ev.e when 1 then ev.after else ev.event end
        from ev cross join counter order by ev.k`.execute(this.trx)
    }
  }

  /** The audit records of the rows `c` (a CTE of `changeRows`), in order. */
  #auditInsert() {
    return sql`insert into audit_records (actor, client_id, action, entity_type, entity_id, before, after, request_id)
      select ${this.actor.subject}, ${this.actor.clientId}, action, entity_type, entity_id, before, after, ${this.actor.requestId} from c order by n`
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

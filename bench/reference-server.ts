/**
 * The floor the API adds to: a bare fastify (no schemas, no hooks, no auth) running the same SQL
 * as the API's endpoints through a bare `pg` pool (or the bare PGlite instance), returning the
 * same JSON shapes. `GET /const` is the framework's ceiling: a route returning a constant.
 *
 *   REF_DATABASE_URL=postgres://… | REF_PGLITE_DIR=/path   PORT=…   node --import tsx bench/reference-server.ts
 */
import Fastify from 'fastify'
import pg from 'pg'
import { createPGlite, postgresPoolConfig } from '../src/db/database.js'
import { REFERENCE_SQL, type Query } from './sql.js'
import { captureQueries, type Captured } from './compile.js'
import { listEntries, toSummary, type SummaryRow } from '../src/modules/learning-logs/entries.search.js'
import { exceptionsReport } from '../src/modules/recommendations/reports.repository.js'
import { todayUtc } from '../src/modules/recommendations/status.js'

type Row = Record<string, unknown>
interface Client {
  query(text: string, params?: unknown[]): Promise<Row[]>
  transaction<T>(work: (q: (text: string, params?: unknown[]) => Promise<Row[]>) => Promise<T>): Promise<T>
  close(): Promise<void>
}

async function connect(): Promise<Client> {
  if (process.env.REF_DATABASE_URL) {
    const pool = new pg.Pool(postgresPoolConfig(process.env.REF_DATABASE_URL, Number(process.env.REF_POOL ?? 10)))
    return {
      query: async (text, params) => (await pool.query(text, params)).rows,
      async transaction(work) {
        const client = await pool.connect()
        try {
          await client.query('begin')
          const result = await work(async (text, params) => (await client.query(text, params)).rows)
          await client.query('commit')
          return result
        } catch (error) {
          await client.query('rollback')
          throw error
        } finally {
          client.release()
        }
      },
      close: () => pool.end()
    }
  }
  const db = await createPGlite(process.env.REF_PGLITE_DIR!)
  return {
    query: async (text, params) => (await db.query<Row>(text, params)).rows,
    transaction: (work) => db.transaction((tx) => work(async (text, params) => (await tx.query<Row>(text, params)).rows)),
    close: () => db.close()
  }
}

const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString())
const person = (r: Row) => ({
  id: r.id, externalId: r.external_id, givenName: r.given_name, familyName: r.family_name, preferredName: r.preferred_name, email: r.email,
  staffType: r.staff_type, gradeId: r.grade_id, orgUnitId: r.org_unit_id, lineManagerId: r.line_manager_id, status: r.status,
  startDate: r.start_date, leavingDate: r.leaving_date, version: r.version, createdAt: iso(r.created_at), updatedAt: iso(r.updated_at)
})

function decodeCursor(cursor: string | undefined): unknown[] | null {
  if (!cursor) return null
  return (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { k: unknown[] }).k
}
const encodeCursor = (s: string, k: unknown[]) => Buffer.from(JSON.stringify({ s, k })).toString('base64url')

const client = await connect()
const app = Fastify({ logger: false })
const run = (q: Query, params: unknown[]) => client.query(q.text, params)

app.get('/const', async () => ({ ok: true }))

app.get<{ Params: { id: string } }>('/people/:id', async (request, reply) => {
  const [row] = await run(REFERENCE_SQL.personById, [request.params.id])
  if (!row) return reply.code(404).send({ status: 404 })
  reply.header('etag', `"${row.version}"`)
  return person(row)
})

app.get<{ Querystring: { orgUnitId?: string; cursor?: string; limit?: string } }>('/people', async (request) => {
  const limit = Number(request.query.limit ?? 50)
  const key = decodeCursor(request.query.cursor)
  const rows = request.query.orgUnitId
    ? await run(REFERENCE_SQL.subtreePage, [request.query.orgUnitId, request.query.orgUnitId, 'active', limit + 1])
    : key
      ? await run(REFERENCE_SQL.peopleAfter, [...key, limit + 1])
      : await run(REFERENCE_SQL.peopleFirst, [limit + 1])
  const page = rows.slice(0, limit)
  const last = page[page.length - 1]
  return { data: page.map(person), page: { nextCursor: rows.length > limit ? encodeCursor('familyName', [last.family_name, last.given_name, last.id]) : null } }
})

app.get<{ Querystring: { after?: string; limit?: string } }>('/events', async (request) => {
  const limit = Number(request.query.limit ?? 100)
  const after = Number(request.query.after ?? 0)
  const rows = await run(REFERENCE_SQL.events, [after, limit])
  const last = rows.length ? Number(rows[rows.length - 1].sequence) : after
  return {
    data: rows.map((r) => ({ sequence: Number(r.sequence), type: r.type, entityType: r.entity_type, entityId: r.entity_id, occurredAt: iso(r.occurred_at), actor: r.actor, data: r.data })),
    page: { nextCursor: rows.length === limit ? String(last) : null, lastSequence: last }
  }
})

// The same transaction as POST /v1/people: the row, its audit record, one sequence number and the event.
app.post<{ Body: Record<string, string> }>('/people', async (request, reply) => {
  const b = request.body
  const row = await client.transaction(async (q) => {
    const [created] = await q(REFERENCE_SQL.insertPerson.text, [b.externalId, b.givenName, b.familyName, b.email ?? null, b.staffType, b.gradeId, b.orgUnitId, b.lineManagerId])
    const view = JSON.stringify(person(created))
    await q(REFERENCE_SQL.insertAudit.text, ['bench', null, 'person.created', 'person', created.id, null, view, request.id])
    const [counter] = await q(REFERENCE_SQL.nextSequence.text, [1])
    await q(REFERENCE_SQL.insertEvent.text, [counter.last_sequence, 'person.created', 'person', created.id, 'bench', request.id, view])
    return created
  })
  reply.code(201).header('location', `/people/${row.id}`)
  return person(row)
})

// The 360° report's reads; the API also computes the figures from them (in JS) and serialises them.
app.get<{ Params: { id: string } }>('/assessments/:id/report', async (request, reply) => {
  const [a] = await run(REFERENCE_SQL.feedbackAssessment, [request.params.id])
  if (!a) return reply.code(404).send({ status: 404 })
  const [elements, responses, invitations] = await Promise.all([
    run(REFERENCE_SQL.feedbackElements, [a.framework_id]),
    run(REFERENCE_SQL.feedbackResponses, [a.id]),
    run(REFERENCE_SQL.feedbackInvitations, [a.id])
  ])
  return { assessment: a, elements, responses, invitations }
})

// GET /v1/learning-log-entries?q=…: the statement the module's own listEntries compiles for this
// query string (captured once per query string, see compile.ts), run through the bare pool.
const searchSql = new Map<string, Promise<Captured[]>>()
app.get<{ Querystring: { q: string } }>('/learning-log-entries', async (request) => {
  const q = request.query.q
  let captured = searchSql.get(q)
  if (!captured) searchSql.set(q, (captured = captureQueries((db) => listEntries(db, { q } as never))))
  const [search] = await captured
  const rows = (await run({ text: search.text, params: () => [] }, search.params)) as unknown as SummaryRow[]
  const page = rows.slice(0, 50)
  const last = page[page.length - 1]
  return { data: page.map(toSummary), page: { nextCursor: rows.length > 50 ? encodeCursor('relevance', [last.rank, last.id]) : null } }
})

// GET /v1/recommendations/exceptions: the module's six queries (captured per day, as asOf is
// today), one after another as the API runs them, then the overdue actions' links.
const exceptionsSql = new Map<string, Promise<Captured[]>>()
app.get('/recommendations/exceptions', async () => {
  const day = todayUtc()
  let captured = exceptionsSql.get(day)
  if (!captured) exceptionsSql.set(day, (captured = captureQueries((db) => exceptionsReport(db, {}))))
  const results: Row[][] = []
  for (const c of await captured) results.push(await client.query(c.text, c.params))
  const overdue = results[results.length - 1].slice(0, 100)
  const links = overdue.length
    ? await client.query(
        `select "action_id", "recommendation_id" from "recommendation_action_links" where "action_id" in (${overdue.map((_, i) => `$${i + 1}`).join(', ')}) order by "recommendation_id"`,
        overdue.map((a) => a.id)
      )
    : []
  return { asOf: day, lists: results.map((rows) => ({ count: rows.length ? Number(rows[0].total) : 0, items: rows.slice(0, 100) })), links }
})

// Reports of modules that have landed register their SQL here (see sql.js).
for (const [path, query] of Object.entries(REFERENCE_SQL.reports ?? {})) {
  app.get<{ Querystring: Record<string, string> }>(path, async (request) => ({ data: await run(query, query.params(request.query)) }))
}

const shutdown = async () => {
  await app.close()
  await client.close()
  process.exit(0)
}
process.on('SIGTERM', () => void shutdown())
process.on('SIGINT', () => void shutdown())
await app.listen({ port: Number(process.env.PORT ?? 3100), host: '127.0.0.1' })
process.send?.('ready')

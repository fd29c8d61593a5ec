import { createHash } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Db } from '../db/database.js'
import { defineProblem, Problem } from './problems.js'

defineProblem('idempotency-key-reused', { status: 422, title: 'Idempotency key reused', description: 'The Idempotency-Key was already used with a different request body; use a new key for a new request.' })
defineProblem('idempotency-key-in-flight', { status: 409, title: 'Request in progress', description: 'A request with this Idempotency-Key is still being processed; retry after Retry-After seconds.' })

const TTL_HOURS = 24
/** A claim older than this whose request never finished (the process died) may be taken over. */
const ABANDONED_SECONDS = 120
const REPLAYED_HEADERS = ['location', 'etag', 'content-type']

declare module 'fastify' {
  interface FastifyRequest {
    idempotencyClaim: { principal: string; key: string } | null
  }
  interface FastifyContextConfig {
    /** Set false on POST routes whose body is a stream (imports): they cannot be hashed up front. */
    idempotent?: boolean
  }
}

function requestHash(request: FastifyRequest): string {
  const path = request.url.split('?')[0]
  return createHash('sha256').update(`${request.method} ${path}\n${JSON.stringify(request.body ?? null)}`).digest('hex')
}

async function claim(db: Db, principal: string, key: string, hash: string): Promise<boolean> {
  const inserted = await db
    .insertInto('idempotency_keys')
    .values({ principal, key, request_hash: hash, state: 'in_progress', expires_at: new Date(Date.now() + TTL_HOURS * 3_600_000) })
    .onConflict((oc) => oc.columns(['principal', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst()
  return inserted !== undefined
}

async function replayOrRefuse(db: Db, request: FastifyRequest, reply: FastifyReply, principal: string, key: string, hash: string) {
  const existing = await db.selectFrom('idempotency_keys').selectAll().where('principal', '=', principal).where('key', '=', key).executeTakeFirst()
  if (!existing) return false
  const expired = new Date(existing.expires_at).getTime() < Date.now()
  const abandoned = existing.state === 'in_progress' && Date.now() - new Date(existing.created_at).getTime() > ABANDONED_SECONDS * 1000
  if (expired || abandoned) {
    await db.deleteFrom('idempotency_keys').where('principal', '=', principal).where('key', '=', key).where('created_at', '=', existing.created_at).execute()
    return false
  }
  if (existing.request_hash !== hash) {
    throw new Problem(422, 'idempotency-key-reused', 'this Idempotency-Key was used with a different request')
  }
  if (existing.state === 'in_progress') {
    throw new Problem(409, 'idempotency-key-in-flight', 'a request with this Idempotency-Key is still in progress', { headers: { 'retry-after': '1' } })
  }
  for (const [name, value] of Object.entries(existing.response_headers ?? {})) reply.header(name, value)
  reply.header('idempotent-replayed', 'true')
  reply.code(existing.response_status ?? 200).serializer((p: unknown) => p as string).send(existing.response_body ?? '')
  return true
}

/**
 * `Idempotency-Key` on POST: the first request claims the key (one row per caller and key, so of
 * concurrent retries exactly one proceeds); a success is stored and replayed for 24 hours; a
 * failure releases the key so the caller may retry with it.
 */
export const idempotencyPlugin = fp(async function idempotency(app: FastifyInstance, options: { db: Db }) {
  const { db } = options
  app.decorateRequest('idempotencyClaim', null)

  app.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST' || request.routeOptions.config?.idempotent === false) return
    const key = request.headers['idempotency-key']
    if (key === undefined) return
    if (typeof key !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(key)) {
      throw new Problem(400, 'validation', 'Idempotency-Key must be 1–255 visible ASCII characters', {
        errors: [{ in: 'headers', pointer: '/idempotency-key', detail: 'must be 1–255 visible ASCII characters' }]
      })
    }
    const principal = request.principal?.subject ?? `ip:${request.ip}`
    const hash = requestHash(request)
    for (let attempt = 0; attempt < 2; attempt++) {
      if (await claim(db, principal, key, hash)) {
        request.idempotencyClaim = { principal, key }
        return
      }
      if (await replayOrRefuse(db, request, reply, principal, key, hash)) return reply
    }
    throw new Problem(409, 'idempotency-key-in-flight', 'a request with this Idempotency-Key is still in progress', { headers: { 'retry-after': '1' } })
  })

  app.addHook('onSend', async (request, reply, payload) => {
    const claimed = request.idempotencyClaim
    if (!claimed) return payload
    request.idempotencyClaim = null
    const where = db.deleteFrom('idempotency_keys').where('principal', '=', claimed.principal).where('key', '=', claimed.key)
    if (reply.statusCode >= 200 && reply.statusCode < 300 && (typeof payload === 'string' || payload === null || payload === undefined)) {
      const headers: Record<string, string> = {}
      for (const name of REPLAYED_HEADERS) {
        const value = reply.getHeader(name)
        if (value !== undefined) headers[name] = String(value)
      }
      await db
        .updateTable('idempotency_keys')
        .set({ state: 'completed', response_status: reply.statusCode, response_headers: JSON.stringify(headers) as never, response_body: (payload as string) ?? '' })
        .where('principal', '=', claimed.principal)
        .where('key', '=', claimed.key)
        .execute()
    } else {
      await where.execute()
    }
    return payload
  })

  // Expired keys are purged in the background; a lookup also ignores them.
  const timer = setInterval(() => {
    db.deleteFrom('idempotency_keys').where('expires_at', '<', new Date()).execute().catch((error) => app.log.warn({ err: error }, 'idempotency purge failed'))
  }, 3_600_000)
  timer.unref()
  app.addHook('onClose', async () => clearInterval(timer))
})

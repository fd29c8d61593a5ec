import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { DateTime, errors, Nullable, ref } from '../schemas.js'
import { EVENTS_READ, requireScopes } from '../scopes.js'

export const Event = Type.Object(
  {
    sequence: Type.Integer({ description: 'Strictly increasing in commit order; pass the last one seen as `after`' }),
    type: Type.String({ description: '`<entity>.<verb>`, e.g. person.created' }),
    entityType: Type.String(),
    entityId: Type.String(),
    occurredAt: DateTime,
    actor: Type.String(),
    data: Type.Unknown({ description: 'The entity as it was after the change (or the fields the event concerns)' })
  },
  { $id: 'Event', additionalProperties: false }
)

export const EventPage = Type.Object(
  {
    data: Type.Array(ref(Event)),
    page: Type.Object(
      {
        nextCursor: Nullable(Type.String({ description: 'The `after` value for the next call; null when the feed is exhausted for now' })),
        lastSequence: Type.Integer({ description: 'The sequence to store and pass as `after` next time' })
      },
      { additionalProperties: false }
    )
  },
  { $id: 'EventPage', additionalProperties: false }
)

export const eventRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/events',
    {
      schema: {
        operationId: 'listEvents',
        tags: ['events'],
        summary: 'Read the change feed',
        description:
          'Every state change appends one event in the same transaction as the change. Poll with `after` set to the last `sequence` you processed; sequences follow commit order, so nothing is skipped.',
        security: requireScopes(EVENTS_READ),
        querystring: Type.Object(
          {
            after: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0, description: 'Return events with a greater sequence' })),
            cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$', description: 'Same as after (from page.nextCursor)' })),
            type: Type.Optional(Type.String({ maxLength: 500, description: 'Comma-separated event types; `person.*` matches a prefix' })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 }))
          },
          { additionalProperties: false }
        ),
        response: { 200: ref(EventPage), ...errors() }
      }
    },
    async (request) => {
      const { type, limit = 100 } = request.query
      const after = request.query.cursor !== undefined ? Number(request.query.cursor) : (request.query.after ?? 0)
      let query = app.db.selectFrom('events').selectAll().where('sequence', '>', after)
      if (type) {
        const types = type.split(',').map((t) => t.trim()).filter(Boolean)
        query = query.where((eb) =>
          eb.or(types.map((t) => (t.endsWith('.*') ? eb('type', 'like', `${t.slice(0, -1).replace(/[%_\\]/g, '\\$&')}%`) : eb('type', '=', t))))
        )
      }
      const rows = await query.orderBy('sequence').limit(limit).execute()
      const lastSequence = rows.length ? Number(rows[rows.length - 1].sequence) : after
      return {
        data: rows.map((r) => ({
          sequence: Number(r.sequence),
          type: r.type,
          entityType: r.entity_type,
          entityId: r.entity_id,
          occurredAt: new Date(r.occurred_at).toISOString(),
          actor: r.actor,
          data: r.data
        })),
        page: { nextCursor: rows.length === limit ? String(lastSequence) : null, lastSequence }
      }
    }
  )
}

export const eventSchemas = [Event, EventPage]

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { keysetPage, sendPage, type SortAllowList } from '../pagination.js'
import { DateTime, errors, Nullable, PageQuery, pageOf, ref } from '../schemas.js'
import { AUDIT_READ, requireScopes } from '../scopes.js'

export const AuditRecord = Type.Object(
  {
    id: Type.String({ description: 'Position in the trail; increases with time' }),
    occurredAt: DateTime,
    actor: Type.String({ description: 'The token subject that made the change' }),
    clientId: Nullable(Type.String()),
    action: Type.String({ description: '`<entity>.<verb>`, e.g. person.updated' }),
    entityType: Type.String(),
    entityId: Type.String(),
    before: Type.Unknown({ description: 'The record before the change (null on create)' }),
    after: Type.Unknown({ description: 'The record after the change (null on delete)' }),
    requestId: Nullable(Type.String())
  },
  { $id: 'AuditRecord', additionalProperties: false }
)
export const AuditRecordPage = pageOf(ref(AuditRecord), 'AuditRecordPage')

const sorts: SortAllowList<{ id: number }> = {
  '-id': { columns: ['id'], direction: 'desc', key: (r) => [r.id] },
  id: { columns: ['id'], direction: 'asc', key: (r) => [r.id] }
}

export const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/audit-records',
    {
      schema: {
        operationId: 'listAuditRecords',
        tags: ['audit'],
        summary: 'List audit records, newest first',
        description: 'The append-only trail of every change. Readable with `audit:read`; nothing can change or delete it.',
        security: requireScopes(AUDIT_READ),
        querystring: Type.Object(
          {
            ...PageQuery,
            entityType: Type.Optional(Type.String({ maxLength: 100 })),
            entityId: Type.Optional(Type.String({ maxLength: 200 })),
            actor: Type.Optional(Type.String({ maxLength: 300 })),
            action: Type.Optional(Type.String({ maxLength: 100 })),
            requestId: Type.Optional(Type.String({ maxLength: 200 })),
            from: Type.Optional(DateTime),
            to: Type.Optional(DateTime),
            sort: Type.Optional(Type.Union([Type.Literal('-id'), Type.Literal('id')], { default: '-id' }))
          },
          { additionalProperties: false }
        ),
        response: { 200: ref(AuditRecordPage), ...errors() }
      }
    },
    async (request, reply) => {
      const q = request.query
      let query = app.db.selectFrom('audit_records').selectAll()
      if (q.entityType) query = query.where('entity_type', '=', q.entityType)
      if (q.entityId) query = query.where('entity_id', '=', q.entityId)
      if (q.actor) query = query.where('actor', '=', q.actor)
      if (q.action) query = query.where('action', '=', q.action)
      if (q.requestId) query = query.where('request_id', '=', q.requestId)
      if (q.from) query = query.where('occurred_at', '>=', new Date(q.from))
      if (q.to) query = query.where('occurred_at', '<', new Date(q.to))
      const page = await keysetPage(query, sorts, q, '-id')
      return sendPage(
        request,
        reply,
        page.rows.map((r) => ({
          id: String(r.id),
          occurredAt: new Date(r.occurred_at).toISOString(),
          actor: r.actor,
          clientId: r.client_id,
          action: r.action,
          entityType: r.entity_type,
          entityId: r.entity_id,
          before: r.before,
          after: r.after,
          requestId: r.request_id
        })),
        page.nextCursor
      )
    }
  )
}

export const auditSchemas = [AuditRecord, AuditRecordPage]

import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { problemResponseFor } from './schemas.js'
import { knownScopes } from './scopes.js'

const BODY_METHODS = ['POST', 'PUT', 'PATCH']

export const API_TITLE = 'Pathway API'

/** OpenAPI 3.1 from the route schemas; every `$id` schema becomes a named component. */
export const openapiPlugin = fp(async function openapi(app: FastifyInstance, options: { version: string }) {
  // Refusals the platform gives on any operation, documented on each so the contract lists every
  // status a caller can see: any operation may be unavailable (database down, shutting down: 503)
  // or fail unexpectedly (500); any body may be too large (413) or of a type it does not take (415).
  app.addHook('onRoute', (route) => {
    const schema = route.schema as { hide?: boolean; response?: Record<string, unknown> } | undefined
    if (!schema?.response || schema.hide) return
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    const statuses = [500, 503, ...(methods.some((m) => BODY_METHODS.includes(m)) ? [413, 415] : [])]
    // Idempotency-Key on a POST may meet the same key in flight (409) or used for another body (422).
    if (methods.includes('POST') && (route.config as { idempotent?: boolean } | undefined)?.idempotent !== false) statuses.push(409, 422)
    for (const status of statuses) schema.response[status] ??= problemResponseFor(status)
  })
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: API_TITLE,
        version: options.version,
        description:
          'People development and organisational learning for a large public service: programmes, assessments and 360° feedback, development plans, recommendation tracking and learning logs. Errors are RFC 9457 problem details; lists use keyset pagination; POST accepts Idempotency-Key; updates honour If-Match.',
        license: { name: 'UNLICENSED', identifier: 'UNLICENSED' }
      },
      servers: [{ url: '/', description: 'This server' }],
      tags: [
        { name: 'auth', description: 'Tokens and API clients' },
        { name: 'people', description: 'Org units, grades, people and diversity monitoring' },
        { name: 'programmes', description: 'Programmes and courses, cohorts and sessions, nomination to completion, evaluation and rollout reports' },
        { name: 'assessments', description: 'Competency, values and role-profile frameworks, psychometric instruments and results, 360° assessments and their reports' },
        { name: 'feedback', description: '360° rater invitations, and the questionnaire a rater reaches with only their invitation token' },
        { name: 'development-plans', description: 'Development plans: objectives from feedback, activities, agreement with the line manager, templates and reports' },
        { name: 'recommendations', description: 'Inquiry, inspection and audit recommendations: evidence, actions, challenge panels, indicators, themes and reports' },
        { name: 'learning-logs', description: 'Learning log entries from origin to review: stages, links, search and reports' },
        { name: 'imports', description: 'Bulk import jobs' },
        { name: 'audit', description: 'The append-only audit trail' },
        { name: 'events', description: 'The change feed' },
        { name: 'health', description: 'Liveness and readiness' },
        { name: 'problems', description: 'What each problem `type` means' }
      ],
      components: {
        securitySchemes: {
          oauth2: {
            type: 'oauth2',
            description: 'Bearer JWT. API clients obtain one with client credentials; administrators mint one with `npm run token`.',
            flows: {
              clientCredentials: {
                tokenUrl: '/v1/auth/token',
                get scopes() {
                  return Object.fromEntries(knownScopes())
                }
              }
            }
          },
          raterToken: {
            type: 'apiKey',
            in: 'header',
            name: 'X-Rater-Token',
            description:
              'The single-use token of one 360° rater invitation, given to the rater by the HR or mail system. Only the questionnaire operations accept it; they take no bearer token.'
          }
        }
      }
    },
    refResolver: {
      buildLocalReference(json, _baseUri, _fragment, i) {
        return typeof json.$id === 'string' ? json.$id : `def-${i}`
      }
    }
  })
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true })
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
})

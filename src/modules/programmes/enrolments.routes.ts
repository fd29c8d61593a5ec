import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'

export const enrolmentsRoutes: FastifyPluginAsyncTypebox = async () => {}

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'

export const programmesRoutes: FastifyPluginAsyncTypebox = async () => {}

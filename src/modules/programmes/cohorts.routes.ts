import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'

export const cohortsRoutes: FastifyPluginAsyncTypebox = async () => {}

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'

export const evaluationsRoutes: FastifyPluginAsyncTypebox = async () => {}

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'

/** The recommendations module. */
export const recommendationsModule: FastifyPluginAsyncTypebox = async () => {}

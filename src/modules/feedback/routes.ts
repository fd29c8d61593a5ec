import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'

/** The feedback module. */
export const feedbackModule: FastifyPluginAsyncTypebox = async () => {}

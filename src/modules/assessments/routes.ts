import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'

/** The assessments module. */
export const assessmentsModule: FastifyPluginAsyncTypebox = async () => {}

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'

/** The development-plans module. */
export const developmentPlansModule: FastifyPluginAsyncTypebox = async () => {}

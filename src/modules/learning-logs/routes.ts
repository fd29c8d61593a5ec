import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'

/** The learning-logs module. */
export const learningLogsModule: FastifyPluginAsyncTypebox = async () => {}

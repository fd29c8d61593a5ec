import type { TSchema } from 'typebox'

export const evaluationsSchemas: TSchema[] = []

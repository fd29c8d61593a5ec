import type { TSchema } from 'typebox'

export const programmesSchemas: TSchema[] = []

import type { TSchema } from 'typebox'

export const cohortsSchemas: TSchema[] = []

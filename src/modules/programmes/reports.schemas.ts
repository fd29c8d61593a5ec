import type { TSchema } from 'typebox'

export const reportsSchemas: TSchema[] = []

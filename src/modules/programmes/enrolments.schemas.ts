import type { TSchema } from 'typebox'

export const enrolmentsSchemas: TSchema[] = []

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { notFound, problemCatalogue, problemTypeUri } from './problems.js'
import { publicErrors, ref } from './schemas.js'

export const ProblemType = Type.Object(
  {
    type: Type.String({ description: 'The `type` of problem responses of this kind' }),
    title: Type.String(),
    status: Type.Integer({ description: 'The HTTP status it is sent with' }),
    description: Type.String({ description: 'What it means and what to do about it' })
  },
  { $id: 'ProblemType', additionalProperties: false }
)

export const ProblemTypeList = Type.Object({ data: Type.Array(ref(ProblemType)) }, { $id: 'ProblemTypeList', additionalProperties: false })

const describe = (slug: string) => {
  const kind = problemCatalogue().get(slug)!
  return { type: problemTypeUri(slug), title: kind.title, status: kind.status, description: kind.description }
}

/** Every problem `type` is a URL that resolves to what it means: `/problems/<slug>`. */
export const problemTypeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/problems',
    {
      schema: {
        operationId: 'listProblemTypes',
        tags: ['problems'],
        summary: 'List every kind of problem the API answers with',
        security: [],
        response: { 200: ref(ProblemTypeList), ...publicErrors() }
      }
    },
    async () => ({ data: [...problemCatalogue().keys()].sort().map(describe) })
  )

  app.get(
    '/problems/:slug',
    {
      schema: {
        operationId: 'getProblemType',
        tags: ['problems'],
        summary: 'Explain one kind of problem (the target of a problem’s `type`)',
        security: [],
        params: Type.Object({ slug: Type.String({ pattern: '^[a-z0-9-]{1,80}$' }) }, { additionalProperties: false }),
        response: { 200: ref(ProblemType), ...publicErrors(404) }
      }
    },
    async (request) => {
      if (!problemCatalogue().has(request.params.slug)) throw notFound('problem type', request.params.slug)
      return describe(request.params.slug)
    }
  )
}

export const problemTypeSchemas = [ProblemType, ProblemTypeList]

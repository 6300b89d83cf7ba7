import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { algorithmCatalog } from '../../suggestion/algorithm-catalog.ts'
import type { AppOptions } from '../app-options.ts'
import { AlgorithmListSchema } from '../schemas/algorithm.ts'
import { errorResponses } from '../schemas/common.ts'

export const algorithmRoutes: FastifyPluginAsyncTypebox<AppOptions> = async (app) => {
  app.get('/api/v1/algorithms', {
    schema: {
      summary: 'List the search algorithms',
      description: 'Each algorithm this server runs with its settings: type, default, range or values, and what it does.',
      tags: ['algorithms'],
      response: { 200: AlgorithmListSchema, ...errorResponses },
    },
  }, async () => {
    const { items, architectureSearches, planned } = algorithmCatalog()
    const view = (a: (typeof items)[number]) => ({
      name: a.name,
      description: a.description,
      settings: a.settings.map((s) => ({
        name: s.name,
        type: s.type,
        required: s.required ?? false,
        description: s.description,
        ...(s.default !== undefined ? { default: s.default } : {}),
        ...(s.min !== undefined ? { min: s.min } : {}),
        ...(s.max !== undefined ? { max: s.max } : {}),
        ...(s.exclusiveMin !== undefined ? { exclusiveMin: s.exclusiveMin } : {}),
        ...(s.exclusiveMax !== undefined ? { exclusiveMax: s.exclusiveMax } : {}),
        ...(s.values !== undefined ? { values: [...s.values] } : {}),
      })),
    })
    return { items: items.map(view), architectureSearches: architectureSearches.map(view), planned }
  })
}

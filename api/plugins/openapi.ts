import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'

export const OPENAPI_PATH = '/api/v1/openapi.json'
export const DOCS_PATH = '/docs'

/**
 * The OpenAPI 3 document, built from the routes' TypeBox schemas (so it cannot drift from what
 * is validated), at /api/v1/openapi.json, and Swagger UI at /docs. Must be registered before
 * the routes: it collects them as they are added.
 */
export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Tunewell API',
        version,
        description: 'Katib-compatible hyperparameter tuning: experiments, trials and algorithms. Errors are `{ error: { code, message, issues? } }`.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    // Route paths like `:name(^[^/:]+)::stop` are find-my-way syntax; clients know them as `{name}:stop`.
    transform: ({ schema, url }) => ({ schema, url: url.replace(/\(\^\[\^\/:\]\+\)/g, '') }),
    transformObject: (documents) => {
      const document = 'openapiObject' in documents ? documents.openapiObject : documents.swaggerObject
      const paths = (document as { paths?: Record<string, unknown> }).paths ?? {}
      for (const path of Object.keys(paths)) {
        const verb = path.replace(/:\{(\w+)\}$/, ':$1')
        if (verb !== path) {
          paths[verb] = paths[path]
          delete paths[path]
        }
      }
      return document
    },
  })
  await app.register(swaggerUi, { routePrefix: DOCS_PATH })
  app.get(OPENAPI_PATH, { schema: { hide: true } }, async () => app.swagger())
}

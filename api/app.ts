import { createRequire } from 'node:module'
import Fastify, { LogController, type FastifyInstance } from 'fastify'
import { TypeBoxValidatorCompiler, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { DEFAULT_BODY_LIMIT, type AppOptions } from './app-options.ts'
import { registerAuth } from './plugins/auth.ts'
import { registerContentTypes } from './plugins/content-types.ts'
import { registerErrorHandler } from './plugins/error-handler.ts'
import { DOCS_PATH, OPENAPI_PATH, registerOpenApi } from './plugins/openapi.ts'
import { algorithmRoutes } from './routes/algorithms.ts'
import { experimentActionRoutes } from './routes/experiment-actions.ts'
import { experimentRoutes } from './routes/experiments.ts'
import { healthRoutes } from './routes/health.ts'
import { trialLogRoutes } from './routes/trial-logs.ts'
import { trialRoutes } from './routes/trials.ts'

const { version } = createRequire(import.meta.url)('../package.json') as { version: string }

/**
 * The HTTP surface as a Fastify instance: plugins, routes and the one error handler; it never
 * listens (cli/serve-command.ts does), so tests drive it with `inject`. The caller owns the
 * store and closes it after `app.close()`.
 *
 * Later routes (ask/tell, observations, events, metrics) register here the same way: a plugin
 * under routes/ taking AppOptions, its schemas under schemas/.
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // Failures are logged by the error handler; a line per request would be noise here.
    logController: new LogController({ disableRequestLogging: true }),
  }).withTypeProvider<TypeBoxTypeProvider>()
  // TypeBox checks: no coercion of bodies (a "5" is not a 5) and no silent removal of unknown
  // fields; query strings and path parameters are converted from text.
  app.setValidatorCompiler(TypeBoxValidatorCompiler)
  registerErrorHandler(app)
  registerContentTypes(app)
  registerAuth(app, { tokens: options.tokens ?? [], publicPaths: ['/healthz', '/readyz', OPENAPI_PATH, DOCS_PATH] })
  await registerOpenApi(app, version)
  await app.register(healthRoutes, options)
  await app.register(experimentRoutes, options)
  await app.register(experimentActionRoutes, options)
  await app.register(trialRoutes, options)
  await app.register(trialLogRoutes, options)
  await app.register(algorithmRoutes, options)
  return app
}

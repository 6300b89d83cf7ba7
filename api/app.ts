import Fastify, { LogController, type FastifyInstance } from 'fastify'
import { TypeBoxValidatorCompiler, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { DEFAULT_BODY_LIMIT, type AppOptions } from './app-options.ts'
import { HostPolicy } from './host-policy.ts'
import { DEFAULT_MAX_PARALLEL_TRIALS } from '../core/spec/index.ts'
import { kubeRoutes } from './kube/kube-routes.ts'
import { TunewellMetrics } from './metrics/tunewell-metrics.ts'
import { withParallelLimit } from './operations/parallel-limit-admission.ts'
import { registerAuth } from './plugins/auth.ts'
import { registerContentTypes } from './plugins/content-types.ts'
import { DASHBOARD_PUBLIC_PATHS, registerDashboard } from './plugins/dashboard.ts'
import { registerErrorHandler } from './plugins/error-handler.ts'
import { registerHostOriginGuard } from './plugins/host-origin-guard.ts'
import { registerHttpMetrics } from './plugins/http-metrics.ts'
import { DOCS_PATH, OPENAPI_PATH, registerOpenApi } from './plugins/openapi.ts'
import { algorithmRoutes } from './routes/algorithms.ts'
import { askTellRoutes } from './routes/ask-tell.ts'
import { bestRoutes } from './routes/best.ts'
import { experimentActionRoutes } from './routes/experiment-actions.ts'
import { experimentValidateRoutes } from './routes/experiment-validate.ts'
import { experimentRoutes } from './routes/experiments.ts'
import { EVENT_STREAM_PATHS, eventRoutes } from './routes/events.ts'
import { healthRoutes } from './routes/health.ts'
import { sessionRoutes } from './routes/session.ts'
import { metricsRoutes } from './routes/metrics.ts'
import { importanceRoutes } from './routes/importance.ts'
import { observationRoutes } from './routes/observations.ts'
import { trialLogRoutes } from './routes/trial-logs.ts'
import { trialColumnRoutes } from './routes/trial-columns.ts'
import { trialExportRoutes } from './routes/trial-export.ts'
import { trialRoutes } from './routes/trials.ts'
import { trialEnqueueRoutes } from './routes/trial-enqueue.ts'
import { packageVersion } from './package-version.ts'

const version = packageVersion()

/**
 * The HTTP surface as a Fastify instance: plugins, routes and the one error handler; it never
 * listens (cli/serve-command.ts does), so tests drive it with `inject`. The caller owns the
 * store and closes it after `app.close()`.
 *
 * Each route file is a plugin under routes/ taking AppOptions, its schemas under schemas/; the
 * dashboard is served only when `dashboardDir` is given.
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  // Every route sees the same metrics, so ingest routes can count into them without a check.
  options = {
    ...options,
    metrics: options.metrics ?? new TunewellMetrics(),
    // Every route that admits an experiment (submit, validate, PATCH) checks the limit first.
    admit: withParallelLimit(options.admit, options.maxParallelTrials ?? DEFAULT_MAX_PARALLEL_TRIALS),
  }
  // Typed as the http server's instance either way: the routes never touch the socket.
  const app = Fastify({
    ...(options.https ? { https: { cert: options.https.cert, key: options.https.key } } : {}),
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
  registerHttpMetrics(app, options.metrics!)
  // Before auth: a web page must be refused even where no token is asked for (loopback, the default).
  registerHostOriginGuard(app, new HostPolicy({
    ...(options.listenHost !== undefined ? { listenHost: options.listenHost } : {}),
    ...(options.allowedHosts !== undefined ? { allowedHosts: options.allowedHosts } : {}),
  }))
  const dashboardPaths = options.dashboardDir !== undefined ? DASHBOARD_PUBLIC_PATHS : []
  registerAuth(app, { tokens: options.tokens ?? [], publicPaths: ['/healthz', '/readyz', OPENAPI_PATH, DOCS_PATH, ...dashboardPaths], queryTokenPaths: EVENT_STREAM_PATHS })
  await registerOpenApi(app, version)
  await app.register(healthRoutes, options)
  await app.register(sessionRoutes, options)
  await app.register(experimentRoutes, options)
  await app.register(experimentValidateRoutes, options)
  await app.register(experimentActionRoutes, options)
  await app.register(trialRoutes, options)
  await app.register(trialEnqueueRoutes, options)
  await app.register(bestRoutes, options)
  await app.register(trialLogRoutes, options)
  await app.register(algorithmRoutes, options)
  await app.register(askTellRoutes, options)
  await app.register(observationRoutes, options)
  await app.register(trialColumnRoutes, options)
  await app.register(trialExportRoutes, options)
  await app.register(importanceRoutes, options)
  await app.register(eventRoutes, options)
  await app.register(metricsRoutes, options)
  await app.register(kubeRoutes, options)
  if (options.dashboardDir !== undefined) await registerDashboard(app, options.dashboardDir)
  return app
}

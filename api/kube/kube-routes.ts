import type { FastifyInstance } from 'fastify'
import type { AppOptions } from '../app-options.ts'
import { discoveryRoutes } from './discovery/discovery-routes.ts'
import { openApiRoutes } from './openapi/openapi-routes.ts'
import { kubeCoreRoutes } from './routes/core-v1.ts'
import { kubeExperimentRoutes } from './routes/experiments.ts'
import { kubeSuggestionRoutes } from './routes/suggestions.ts'
import { kubeTrialRoutes } from './routes/trials.ts'
import { registerKubeWatch } from './watch/kube-watch-hubs.ts'

/**
 * The Kubernetes API for kubeflow.org/v1beta1 (Experiments, Trials, Suggestions) and the bits of
 * core/v1 kubectl needs (namespaces, events), on the REST API's port, behind the same auth and
 * host guard, over the same store: what kubectl, client-go and the Python client talk to.
 *
 * Its paths (`/version`, `/api`, `/api/v1`, `/api/v1/namespaces…`, `/apis…`, `/openapi/v2`,
 * `/openapi/v3…`; isKubePath in kube-status.ts) do not meet the REST API's (which has no
 * `/api/v1/namespaces`), and every failure on them is a Kubernetes Status (the error handler).
 * One Fastify plugin, so body parsers and hooks the kube routes need stay inside it.
 */
export async function kubeRoutes(app: FastifyInstance, options: AppOptions): Promise<void> {
  // Watches (serveWatch) end when the app closes, or app.close() would wait for their clients.
  registerKubeWatch(app, options.store)
  // The REST API's OpenAPI document (/api/v1/openapi.json) describes `{ error }` answers; these
  // routes answer Status objects and are described by /openapi/v3 instead, so they stay out of it.
  app.addHook('onRoute', (route) => {
    route.schema = { ...route.schema, hide: true }
  })
  await app.register(discoveryRoutes)
  await app.register(openApiRoutes)
  await app.register(kubeExperimentRoutes, options)
  await app.register(kubeTrialRoutes, options)
  await app.register(kubeSuggestionRoutes, options)
  await app.register(kubeCoreRoutes, options)
}

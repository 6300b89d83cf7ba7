import type { FastifyInstance } from 'fastify'
import type { AppOptions } from '../../app-options.ts'

/** Placeholder so api/kube/kube-routes.ts builds until these routes land. */
export async function kubeExperimentRoutes(_app: FastifyInstance, _options: AppOptions): Promise<void> {}

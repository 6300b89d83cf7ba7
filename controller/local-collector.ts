import { dirname } from 'node:path'
import { customCollectorLaunch } from './custom-collector-launch.ts'
import type { LocalCollectorPlan } from './local-collector-plan.ts'
import type { LocalLaunch } from './local-launch.ts'
import { DEFAULT_SCRAPE_INTERVAL_MS, metricsEndpoint, placeMetricsPort, scrapeIntervalMs } from './metrics-port.ts'
import type { TrialRequest } from './trial-executor.ts'

/**
 * Completes a local launch for its collector: a PrometheusMetric trial gets its own port where
 * its command names it (metrics-port.ts), a Custom collector its command (custom-collector-launch.ts).
 * Throws LaunchError for a Custom collector that cannot run locally.
 */
export async function placeLocalCollector(launch: LocalLaunch, request: TrialRequest): Promise<{ launch: LocalLaunch; plan?: LocalCollectorPlan }> {
  const { experiment } = request
  const endpoint = metricsEndpoint(experiment)
  if (endpoint) {
    const placed = await placeMetricsPort(endpoint.port, launch.command, launch.env)
    const interval = scrapeIntervalMs(experiment)
    return {
      launch: { ...launch, command: placed.command, env: placed.env },
      plan: { scrape: { url: `http://127.0.0.1:${placed.port}${endpoint.path}`, intervalMs: typeof interval === 'number' ? interval : DEFAULT_SCRAPE_INTERVAL_MS } },
    }
  }
  const custom = customCollectorLaunch(experiment, launch.trialName, dirname(launch.logPath), request.context, launch.metricsFile)
  return custom ? { launch, plan: { custom } } : { launch }
}

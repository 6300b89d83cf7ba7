import type { AskFunction } from '../../suggestion/suggestion-service.ts'
import type { TunewellMetrics } from './tunewell-metrics.ts'

/**
 * An AskFunction that records how long each ask took in tunewell_suggestion_duration_seconds,
 * by algorithm, failed asks included (a slow failure is still latency someone waited for).
 */
export function instrumentAsk(ask: AskFunction, metrics: TunewellMetrics): AskFunction {
  return async (request) => {
    const started = process.hrtime.bigint()
    try {
      return await ask(request)
    } finally {
      metrics.suggestionDuration.observe(Number(process.hrtime.bigint() - started) / 1e9, { algorithm: request.algorithmName })
    }
  }
}

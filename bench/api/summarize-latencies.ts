import { quantile } from '../report/quantile.ts'
import type { LatencySummary } from './api-scenario.ts'

export function summarizeLatencies(samples: readonly number[]): LatencySummary {
  const round = (x: number) => Math.round(x * 1000) / 1000
  return {
    n: samples.length,
    median_ms: round(quantile(samples, 0.5)),
    p25_ms: round(quantile(samples, 0.25)),
    p75_ms: round(quantile(samples, 0.75)),
    p99_ms: round(quantile(samples, 0.99)),
    max_ms: round(samples.length === 0 ? Number.NaN : Math.max(...samples)),
  }
}

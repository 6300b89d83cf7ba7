import type { AnchorResults } from '../report/load-anchor.ts'
import { quantile } from '../report/quantile.ts'
import type { LatencyCheck, LatencyEntry, Timing } from './latency-report.ts'
import { GP_LIMIT, ISSUE_OPTUNA_TPE_MS, OPTUNA_LATENCY_PEERS, TPE_SPEEDUP_TARGET } from './latency-targets.ts'

function timing(values: readonly number[]): Timing {
  return {
    n: values.length,
    median_ms: quantile(values, 0.5),
    p25_ms: quantile(values, 0.25),
    p75_ms: quantile(values, 0.75),
    min_ms: Math.min(...values),
    max_ms: Math.max(...values),
  }
}

/** One (algorithm, N) row: timings, Optuna's figure, the speed-up and the targets that apply. */
export function latencyEntry(algorithm: string, n: number, totals: readonly number[], blocks: readonly number[], anchor: AnchorResults | undefined): LatencyEntry {
  const ask = timing(totals)
  const peer = OPTUNA_LATENCY_PEERS[algorithm]
  const optuna = peer === undefined ? null : anchor?.latency.in_memory[`${peer}_N${n}`]?.ask.median_ms ?? null
  const checks: LatencyCheck[] = []
  if (peer === 'tpe' && optuna !== null) {
    checks.push({ criterion: `≥ ${TPE_SPEEDUP_TARGET}x faster than Optuna TPE measured in the anchor (${optuna.toFixed(3)} ms → ≤ ${(optuna / TPE_SPEEDUP_TARGET).toFixed(3)} ms)`, pass: ask.median_ms * TPE_SPEEDUP_TARGET <= optuna })
  }
  const issueMs = peer === 'tpe' ? ISSUE_OPTUNA_TPE_MS[n] : undefined
  if (issueMs !== undefined) {
    checks.push({ criterion: `≥ ${TPE_SPEEDUP_TARGET}x faster than the issue's Optuna figure (${issueMs} ms → ≤ ${(issueMs / TPE_SPEEDUP_TARGET).toFixed(2)} ms)`, pass: ask.median_ms * TPE_SPEEDUP_TARGET <= issueMs })
  }
  if (algorithm === 'bayesianoptimization' && n === GP_LIMIT.n) {
    checks.push({ criterion: `< ${GP_LIMIT.ms} ms at N=${GP_LIMIT.n}`, pass: ask.median_ms < GP_LIMIT.ms })
  }
  return {
    algorithm,
    N: n,
    ask,
    longest_block: timing(blocks),
    optuna_ask_median_ms: optuna,
    speedup_vs_optuna: optuna === null ? null : optuna / ask.median_ms,
    checks,
  }
}

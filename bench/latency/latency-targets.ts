/**
 * What the latency benchmark is judged against. Optuna's measured medians are read from the
 * anchor results (bench/hpo-anchor-v1); the issue's targets are restated here.
 */

/** Our algorithm → the Optuna anchor sampler whose in-memory ask latency it is compared with. */
export const OPTUNA_LATENCY_PEERS: Readonly<Record<string, string>> = {
  tpe: 'tpe',
  'multivariate-tpe': 'tpe',
  random: 'random',
}

/** Required speed-up over Optuna's TPE ask at every N. */
export const TPE_SPEEDUP_TARGET = 5

/** Optuna TPE ask medians (ms) as the issue states them; the target is these divided by 5. */
export const ISSUE_OPTUNA_TPE_MS: Readonly<Record<number, number>> = { 100: 2.9, 1000: 13, 5000: 68 }

/** bayesianoptimization must answer at N = 200 within this many ms. */
export const GP_LIMIT = { n: 200, ms: 300 } as const

/** The N each algorithm is measured at by default (SUITE.md: 100/1000/5000 for TPE). */
export function defaultLatencyN(algorithm: string): number[] {
  if (algorithm === 'tpe' || algorithm === 'multivariate-tpe') return [100, 1000, 5000]
  if (algorithm === 'bayesianoptimization') return [50, 200, 500]
  return [1000]
}

/** Measured by default: the TPEs and the GP (the targets), and random as a floor. */
export const DEFAULT_LATENCY_ALGORITHMS: readonly string[] = ['tpe', 'multivariate-tpe', 'bayesianoptimization', 'random']

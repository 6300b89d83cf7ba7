import { createRng } from '../../core/rng.ts'
import type { TrialSnapshot } from '../../core/trial.ts'
import { hartmann6 } from '../problems/hartmann6.ts'

/** SUITE.md's history seed (numpy default_rng(12345) in the anchor; our xoshiro here). */
export const HISTORY_SEED = 12345

const EPOCH_MS = Date.UTC(2026, 0, 1)

/**
 * N completed hartmann6 trials with uniform random parameters and their true values: the
 * latency protocol's history. Deterministic, so every algorithm and N sees the same trials
 * (the first n of a longer history are the history of size n).
 */
export function latencyHistory(n: number): TrialSnapshot[] {
  const rng = createRng(HISTORY_SEED)
  return Array.from({ length: n }, (_, i) => {
    const params = Object.fromEntries(hartmann6.params.map((p) => [p.name, rng.next()]))
    return {
      id: `trial-${i}`, number: i, name: `hartmann6-${i}`, state: 'Succeeded', params, objective: hartmann6.evaluate(params),
      createdAt: new Date(EPOCH_MS + i * 1000), finishedAt: new Date(EPOCH_MS + i * 1000 + 500),
    }
  })
}

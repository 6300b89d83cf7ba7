/**
 * Which observations a GP keeps once there are too many: exact GP inference costs O(n³) to fit
 * and O(n²) per prediction, and Katib's skopt service is known to run out of memory on long
 * experiments (kubeflow/katib#2260). We keep the best quarter of the budget, where the
 * optimiser is refining and detail matters, and a uniformly random (seeded) sample of the
 * rest, which keeps the model's picture of the whole space without bias towards any region.
 */
import type { Rng } from '../../core/rng.ts'

/** Indices of at most `limit` of `values` (lower is better), in increasing order. */
export function subsampleIndices(values: ArrayLike<number>, limit: number, rng: Rng): number[] {
  const n = values.length
  if (n <= limit) return Array.from({ length: n }, (_, i) => i)
  const byValue = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a]! - values[b]! || a - b)
  const keepBest = Math.ceil(limit / 4)
  const rest = byValue.slice(keepBest)
  // Partial Fisher–Yates: the first `limit − keepBest` entries become a uniform sample.
  const sampled = limit - keepBest
  for (let i = 0; i < sampled; i++) {
    const j = i + rng.int(rest.length - i)
    ;[rest[i], rest[j]] = [rest[j]!, rest[i]!]
  }
  return [...byValue.slice(0, keepBest), ...rest.slice(0, sampled)].sort((a, b) => a - b)
}

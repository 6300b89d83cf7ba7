/**
 * Optuna's default observation weights (from hyperopt's "linear forgetting"): with 25 or more
 * observations, the oldest are down-weighted along a ramp from 1/n up to 1 and the newest 25
 * weigh 1. Older trials were chosen when the model knew less, so they describe the search's
 * past more than the objective; forgetting them slowly lets g(x) follow where the search is.
 */
export const FULL_WEIGHT_RECENT = 25

/** Weights of `n` observations in trial order (oldest first). */
export function recencyWeights(n: number): Float64Array {
  const weights = new Float64Array(n).fill(1)
  if (n < FULL_WEIGHT_RECENT) return weights
  const ramp = n - FULL_WEIGHT_RECENT
  // numpy linspace(1/n, 1, ramp): both ends included; a one-point ramp is just 1/n.
  for (let i = 0; i < ramp; i++) weights[i] = ramp === 1 ? 1 / n : 1 / n + ((1 - 1 / n) * i) / (ramp - 1)
  return weights
}

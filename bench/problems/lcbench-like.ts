import { boxParams, coordinates } from './coordinates.ts'
import type { MultiFidelityProblem, ProblemParams } from './problem.ts'

const CENTRE = [0.3, 0.7, 0.45, 0.2]
const WEIGHT = [1, 1, 1, 0.25]
const B = 0.7
const MAX_EPOCHS = 81

/** Asymptotic loss f(x): multimodal through the sin² terms, 0.05 at x = c. */
function asymptoticLoss(x: readonly number[]): number {
  let s = 0
  for (let i = 0; i < 4; i++) {
    const d = x[i]! - CENTRE[i]!
    s += WEIGHT[i]! * (4 * d ** 2 + Math.sin(3 * Math.PI * d) ** 2)
  }
  return 0.05 + 0.6 * (1 - Math.exp(-s / 2))
}

/** Learning-curve amplitude a(x): x4 mostly sets how fast a configuration learns. */
function amplitude(x: readonly number[]): number {
  return 0.1 + 2.0 * (x[3]! - CENTRE[3]!) ** 2 + 0.5 * (x[0]! - CENTRE[0]!) ** 2
}

function loss(params: ProblemParams, epochs: number): number {
  const x = coordinates(params, 4)
  return asymptoticLoss(x) + amplitude(x) * epochs ** -B
}

/**
 * The suite's multi-fidelity problem: loss(x, r) = f(x) + a(x)·r^−0.7 for epochs r = 1..81.
 * Low fidelities rank by a(x), high ones by f(x), so early stopping can mis-order configurations.
 */
export const lcbenchLike: MultiFidelityProblem = {
  name: 'lcbench_like',
  params: boxParams(4, 0, 1),
  resource: { name: 'epochs', min: 1, max: MAX_EPOCHS },
  loss,
  evaluate: (params) => loss(params, MAX_EPOCHS),
  // 0.05 + 0.1·81^−0.7: both f and a are minimal at x = c.
  globalMin: 0.054613818294872287,
}

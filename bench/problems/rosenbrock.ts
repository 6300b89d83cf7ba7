import { boxParams, coordinates } from './coordinates.ts'
import type { Problem } from './problem.ts'

const D = 4

/** Rosenbrock's valley (4-D). */
export const rosenbrock: Problem = {
  name: 'rosenbrock',
  params: boxParams(D, -5, 10),
  evaluate: (p) => {
    const x = coordinates(p, D)
    let f = 0
    for (let i = 0; i < D - 1; i++) f += 100 * (x[i + 1]! - x[i]! ** 2) ** 2 + (x[i]! - 1) ** 2
    return f
  },
  globalMin: 0,
}

import { boxParams, coordinates } from './coordinates.ts'
import type { Problem } from './problem.ts'

const D = 5
const A = 20
const B = 0.2
const C = 2 * Math.PI

/** Ackley (5-D); the optimum is the exact centre of the box. */
export const ackley: Problem = {
  name: 'ackley',
  params: boxParams(D, -32.768, 32.768),
  evaluate: (p) => {
    const x = coordinates(p, D)
    let squares = 0
    let cosines = 0
    for (const xi of x) {
      squares += xi ** 2
      cosines += Math.cos(C * xi)
    }
    return -A * Math.exp(-B * Math.sqrt(squares / D)) - Math.exp(cosines / D) + A + Math.E
  },
  // The double evaluation at the origin gives 4.4e-16; regrets are clamped at 0.
  globalMin: 0,
}

import type { Problem, ProblemParam } from './problem.ts'
import { num } from './problem.ts'

const ALPHA = [1.0, 1.2, 3.0, 3.2]
const A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
]
const P = [
  [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
  [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
  [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.665],
  [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
]
const NAMES = ['x1', 'x2', 'x3', 'x4', 'x5', 'x6']

/** Hartmann 6-D on the unit cube. */
export const hartmann6: Problem = {
  name: 'hartmann6',
  params: NAMES.map((name): ProblemParam => ({ name, type: 'double', low: 0, high: 1, log: false })),
  evaluate: (p) => {
    const x = NAMES.map((name) => num(p, name))
    let f = 0
    for (let i = 0; i < 4; i++) {
      let inner = 0
      for (let j = 0; j < 6; j++) inner += A[i]![j]! * (x[j]! - P[i]![j]!) ** 2
      f -= ALPHA[i]! * Math.exp(-inner)
    }
    return f
  },
  // Numerical (BFGS + Nelder-Mead polish), |error| < 1e-14, see suite.json.
  globalMin: -3.322368011415515,
}

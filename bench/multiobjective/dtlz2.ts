/**
 * DTLZ2 with 3 objectives and 7 parameters in [0, 1] (K. Deb, L. Thiele, M. Laumanns,
 * E. Zitzler: "Scalable test problems for evolutionary multiobjective optimization", 2005), as
 * the Optuna anchor runs it: g = Σ_{i≥3} (xi − 0.5)², f1 = (1+g)·cos(x1·π/2)·cos(x2·π/2),
 * f2 = (1+g)·cos(x1·π/2)·sin(x2·π/2), f3 = (1+g)·sin(x1·π/2).
 *
 * The front is the unit sphere's positive octant (g = 0), so the true hypervolume against
 * (1.1, 1.1, 1.1) is 1.1³ minus the octant's volume, 1.331 − π/6 = 0.807401.
 */
import type { MultiObjectiveProblem } from './multiobjective-problem.ts'
import { unitParams, vectorOf } from './multiobjective-problem.ts'

const N = 7

export const dtlz2: MultiObjectiveProblem = {
  name: 'dtlz2',
  params: unitParams(N),
  objectives: 3,
  evaluate: (params) => {
    const x = vectorOf(params, N)
    let g = 0
    for (let i = 2; i < N; i++) g += (x[i]! - 0.5) ** 2
    const a = (x[0]! * Math.PI) / 2
    const b = (x[1]! * Math.PI) / 2
    return [(1 + g) * Math.cos(a) * Math.cos(b), (1 + g) * Math.cos(a) * Math.sin(b), (1 + g) * Math.sin(a)]
  },
  referencePoint: [1.1, 1.1, 1.1],
  trueHypervolume: 1.1 ** 3 - Math.PI / 6,
}

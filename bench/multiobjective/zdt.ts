/**
 * ZDT1 and ZDT2 (E. Zitzler, K. Deb, L. Thiele: "Comparison of multiobjective evolutionary
 * algorithms: empirical results", Evolutionary Computation 2000) with 10 parameters in [0, 1],
 * as the Optuna anchor (anchor-optuna-mo.md) runs them: f1 = x1, g = 1 + 9·mean(x2..x10),
 * f2 = g·(1 − sqrt(f1/g)) (ZDT1, convex front) or g·(1 − (f1/g)²) (ZDT2, concave front). The
 * fronts lie at x2..x10 = 0 (g = 1), on the box's boundary.
 *
 * True hypervolume against (11, 11): the front f2 = 1 − h(f1) for f1 in [0, 1] ends at (1, 0),
 * so the dominated area is 11·11 minus the area under the front, 121 − 1/3 for ZDT1 and
 * 121 − 2/3 for ZDT2.
 */
import type { ProblemParams } from '../problems/problem.ts'
import type { MultiObjectiveProblem } from './multiobjective-problem.ts'
import { unitParams, vectorOf } from './multiobjective-problem.ts'

const N = 10

function zdt(params: ProblemParams, shape: (ratio: number) => number): number[] {
  const x = vectorOf(params, N)
  const f1 = x[0]!
  let sum = 0
  for (let i = 1; i < N; i++) sum += x[i]!
  const g = 1 + (9 * sum) / (N - 1)
  return [f1, g * (1 - shape(f1 / g))]
}

export const zdt1: MultiObjectiveProblem = {
  name: 'zdt1',
  params: unitParams(N),
  objectives: 2,
  evaluate: (params) => zdt(params, Math.sqrt),
  referencePoint: [11, 11],
  trueHypervolume: 121 - 1 / 3,
}

export const zdt2: MultiObjectiveProblem = {
  name: 'zdt2',
  params: unitParams(N),
  objectives: 2,
  evaluate: (params) => zdt(params, (r) => r * r),
  referencePoint: [11, 11],
  trueHypervolume: 121 - 2 / 3,
}

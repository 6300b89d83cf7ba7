/**
 * A constrained ZDT1 ("czdt1", ours): ZDT1 (zdt.ts) with one constraint that cuts away its whole
 * front, f1 + f2 >= 1, given to the algorithms as the violation 1 − (f1 + f2) (<= 0 feasible),
 * the shape a spec's `constraints: ["sum >= 1"]` produces. On ZDT1's front f1 + f2 =
 * 1 + f1 − √f1 <= 1, so every point of it but the two ends is infeasible, and the feasible
 * front is the chord f2 = 1 − f1: an algorithm has to find the g > 1 that puts a point on the
 * line, and one that ignores the constraint spends its trials near the infeasible curve.
 *
 * True feasible front and hypervolume: for a fixed f1 = x1 in (0, 1), f2 = g − sqrt(f1·g)
 * grows with g (its derivative 1 − sqrt(f1)/(2·sqrt(g)) is positive for g >= 1) from 1 − √f1
 * at g = 1, below the line, without bound, so every f2 >= 1 − f1 is reachable and feasible, and
 * nothing below the line is feasible. The front is the segment from (0, 1) to (1, 0), and the
 * hypervolume against (11, 11) is 121 minus the triangle under it: 121 − 1/2 = 120.5.
 */
import type { ProblemParams } from '../problems/problem.ts'
import type { MultiObjectiveProblem } from './multiobjective-problem.ts'
import { unitParams } from './multiobjective-problem.ts'
import { zdt1 } from './zdt.ts'

const BOUND = 1

export const czdt1: MultiObjectiveProblem = {
  name: 'czdt1',
  params: unitParams(10),
  objectives: 2,
  evaluate: (params) => zdt1.evaluate(params),
  referencePoint: [11, 11],
  trueHypervolume: 121 - 1 / 2,
  constraintCount: 1,
  constraints: (params: ProblemParams) => {
    const [f1, f2] = zdt1.evaluate(params)
    return [BOUND - (f1! + f2!)]
  },
}

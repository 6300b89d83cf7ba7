import type { MultiObjectiveProblem } from './multiobjective-problem.ts'
import { czdt1 } from './czdt1.ts'
import { dtlz2 } from './dtlz2.ts'
import { zdt1, zdt2 } from './zdt.ts'

/** The built-in problems of `npm run bench:multiobjective`: the Optuna anchor's three and czdt1. */
export const multiObjectiveProblems: readonly MultiObjectiveProblem[] = [zdt1, zdt2, dtlz2, czdt1]

import { ackley } from './ackley.ts'
import { branin } from './branin.ts'
import { hartmann6 } from './hartmann6.ts'
import { levy } from './levy.ts'
import { mixedNnLike } from './mixed-nn-like.ts'
import { mixedSvmLike } from './mixed-svm-like.ts'
import type { Problem } from './problem.ts'
import { rosenbrock } from './rosenbrock.ts'
import { styblinskiTang } from './styblinski-tang.ts'

/** The 8 single-fidelity problems of hpo-anchor-v1, in the suite's order. */
export const singleFidelityProblems: readonly Problem[] = [
  branin, hartmann6, rosenbrock, ackley, levy, styblinskiTang, mixedSvmLike, mixedNnLike,
]

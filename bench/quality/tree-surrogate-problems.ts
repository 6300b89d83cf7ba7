/**
 * The problems the tree surrogates of bayesianoptimization (base_estimator RF, ET, GBRT) are
 * measured on beside the GP (docs/benchmarks.md, "Tree surrogates"): a small, smooth 2-D one, a
 * 6-D one, a multimodal one and a mixed space with categoricals, where trees are said to do
 * best. Four of the suite's eight, so the comparison fits a shared two-core machine.
 */
import { branin } from '../problems/branin.ts'
import { hartmann6 } from '../problems/hartmann6.ts'
import { levy } from '../problems/levy.ts'
import { mixedNnLike } from '../problems/mixed-nn-like.ts'
import type { Problem } from '../problems/problem.ts'

export const problems: readonly Problem[] = [branin, hartmann6, levy, mixedNnLike]

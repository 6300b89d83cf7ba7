import type { Problem } from './problem.ts'
import { num } from './problem.ts'

type Kernel = 'linear' | 'rbf' | 'poly'

/** Per kernel: the plateau c, the basin centre (u, v) in log10 space and its width s. */
const KERNELS: Record<Kernel, { c: number; u: number; v: number; s: number }> = {
  linear: { c: 0.12, u: -1.0, v: Number.NaN, s: 1.5 },
  rbf: { c: 0.07, u: 1.5, v: -2.5, s: 1.5 },
  poly: { c: 0.05, u: 0.5, v: -1.0, s: 0.75 },
}

/**
 * A designed SVM-like surface: linear and rbf are easy deceptive plateaus (regret 0.07 and
 * 0.02); the optimum needs the narrow poly basin and degree = 3.
 */
export const mixedSvmLike: Problem = {
  name: 'mixed_svm_like',
  params: [
    { name: 'C', type: 'double', low: 1e-3, high: 1e3, log: true },
    { name: 'gamma', type: 'double', low: 1e-4, high: 1e1, log: true },
    { name: 'degree', type: 'int', low: 1, high: 5, step: 1, log: false },
    { name: 'kernel', type: 'categorical', choices: ['linear', 'rbf', 'poly'] },
  ],
  evaluate: (params) => {
    const kernel = params['kernel'] as Kernel
    const k = KERNELS[kernel]
    if (!k) throw new RangeError(`mixed_svm_like: unknown kernel ${JSON.stringify(params['kernel'])}`)
    const p = (Math.log10(num(params, 'C')) - k.u) / k.s
    let Q = p ** 2
    if (kernel !== 'linear') {
      const q = (Math.log10(num(params, 'gamma')) - k.v) / k.s
      Q = p ** 2 + q ** 2 + 0.8 * p * q
      if (kernel === 'poly') Q += 0.5 * (num(params, 'degree') - 3) ** 2
    }
    return k.c + (0.5 - k.c) * (1 - Math.exp(-Q))
  },
  globalMin: 0.05,
}

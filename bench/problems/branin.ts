import type { Problem } from './problem.ts'
import { num } from './problem.ts'

const A = 1
const B = 5.1 / (4 * Math.PI ** 2)
const C = 5 / Math.PI
const R = 6
const S = 10
const T = 1 / (8 * Math.PI)

/** Branin-Hoo (2-D), three global minimisers. */
export const branin: Problem = {
  name: 'branin',
  params: [
    { name: 'x1', type: 'double', low: -5, high: 10, log: false },
    { name: 'x2', type: 'double', low: 0, high: 15, log: false },
  ],
  evaluate: (p) => {
    const x1 = num(p, 'x1')
    const x2 = num(p, 'x2')
    return A * (x2 - B * x1 ** 2 + C * x1 - R) ** 2 + S * (1 - T) * Math.cos(x1) + S
  },
  // 5/(4π); the double evaluation at the minimisers is 1 ulp lower, hence the regret clamp.
  globalMin: 0.3978873577297384,
}

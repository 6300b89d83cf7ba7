import { boxParams, coordinates } from './coordinates.ts'
import type { Problem } from './problem.ts'

const D = 4

/** Levy (4-D). */
export const levy: Problem = {
  name: 'levy',
  params: boxParams(D, -10, 10),
  evaluate: (p) => {
    const w = coordinates(p, D).map((x) => 1 + (x - 1) / 4)
    let f = Math.sin(Math.PI * w[0]!) ** 2
    for (let i = 0; i < D - 1; i++) f += (w[i]! - 1) ** 2 * (1 + 10 * Math.sin(Math.PI * w[i]! + 1) ** 2)
    const last = w[D - 1]!
    return f + (last - 1) ** 2 * (1 + Math.sin(2 * Math.PI * last) ** 2)
  },
  globalMin: 0,
}

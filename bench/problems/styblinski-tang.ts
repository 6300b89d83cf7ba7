import { boxParams, coordinates } from './coordinates.ts'
import type { Problem } from './problem.ts'

const D = 8

/** Styblinski-Tang (8-D, separable). */
export const styblinskiTang: Problem = {
  name: 'styblinski_tang',
  params: boxParams(D, -5, 5),
  evaluate: (p) => {
    let sum = 0
    for (const x of coordinates(p, D)) sum += x ** 4 - 16 * x ** 2 + 5 * x
    return 0.5 * sum
  },
  // 8 × −39.16616570377141, each coordinate at the root −2.9035… of 4x³ − 32x + 5.
  globalMin: -313.3293256301713,
}

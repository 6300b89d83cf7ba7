import type { ProblemParam, ProblemParams } from './problem.ts'
import { num } from './problem.ts'

/** Names x1..xd, as the suite numbers coordinates of its n-dimensional test functions. */
export function coordinateNames(dimension: number): string[] {
  return Array.from({ length: dimension }, (_, i) => `x${i + 1}`)
}

/** d identical double parameters x1..xd on [low, high]. */
export function boxParams(dimension: number, low: number, high: number): ProblemParam[] {
  return coordinateNames(dimension).map((name) => ({ name, type: 'double', low, high, log: false }))
}

/** The values of x1..xd in order. */
export function coordinates(params: ProblemParams, dimension: number): number[] {
  return coordinateNames(dimension).map((name) => num(params, name))
}

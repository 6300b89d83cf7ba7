/**
 * The non-dominated points of a set, every coordinate minimised: indices into `points`, ascending.
 * Equal points are all on the front (neither dominates the other). O(M·N·F) for a front of F
 * points: each point is compared with the front found so far only, so it stays cheap for the
 * thousands of trials an experiment's status reads on every change.
 */
import { dominates } from './dominates.ts'

export function paretoFront(points: readonly (readonly number[])[]): number[] {
  let front: number[] = []
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!
    let dominated = false
    for (const j of front) {
      if (dominates(points[j]!, p)) {
        dominated = true
        break
      }
    }
    if (dominated) continue
    front = front.filter((j) => !dominates(p, points[j]!))
    front.push(i)
  }
  return front
}

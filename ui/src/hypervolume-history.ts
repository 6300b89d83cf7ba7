import { hypervolume } from './hypervolume.ts'
import { dominates } from './pareto-front.ts'

/**
 * The hypervolume after each point, in the order given (the order trials completed): the entry
 * for index n - 1 is the hypervolume of the front among the first n points. The front is kept as
 * points arrive; a point that a front point dominates (or equals) leaves the volume as it was.
 * With `checkpoints`, only about that many evenly spaced entries are computed (the last always):
 * three objectives and a front of hundreds take a few milliseconds per volume, too many to
 * recompute at each of 10,000 trials, and a line of a few hundred points looks the same.
 */
export function hypervolumeHistory(points: readonly (readonly number[])[], reference: readonly number[], checkpoints = Infinity): { index: number; hypervolume: number }[] {
  const step = Math.max(1, Math.ceil(points.length / checkpoints))
  let front: (readonly number[])[] = []
  let current = 0
  let changed = false
  const out: { index: number; hypervolume: number }[] = []
  points.forEach((p, index) => {
    if (p.every((v, i) => v < reference[i]!) && !front.some((f) => dominates(f, p) || f.every((v, i) => v === p[i]))) {
      front = front.filter((f) => !dominates(p, f))
      front.push(p)
      changed = true
    }
    if ((index + 1) % step === 0 || index === points.length - 1) {
      if (changed) current = hypervolume(front, reference)
      changed = false
      out.push({ index, hypervolume: current })
    }
  })
  return out
}

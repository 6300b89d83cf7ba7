import type { NasReport } from './run-nas.ts'

export interface NasTarget {
  readonly text: string
  readonly pass: boolean
  /** The figures behind the verdict. */
  readonly detail: string
}

/** The algorithms the targets are about (issue 17): each must beat random, one must halve it. */
export const SEARCH_ALGORITHMS: readonly string[] = ['evolution', 'enas']

/**
 * Issue 17's targets: evolution and enas each beat random search's median regret at every
 * budget, and at least one of them halves it at the largest. An algorithm that was not run
 * fails its target (it is not there to meet it).
 */
export function nasTargets(report: NasReport): NasTarget[] {
  const median = (algorithm: string, budget: number): number | null => report.algorithms[algorithm]?.regret[String(budget)]?.median ?? null
  const targets: NasTarget[] = []
  for (const algorithm of SEARCH_ALGORITHMS) {
    const rows = report.meta.budgets.map((b) => ({ b, ours: median(algorithm, b), random: median('random', b) }))
    const pass = rows.every((r) => r.ours !== null && r.random !== null && r.ours < r.random)
    targets.push({
      text: `${algorithm} beats random's median regret at ${report.meta.budgets.join(' and ')} trials`,
      pass,
      detail: report.algorithms[algorithm] === undefined ? 'not run' : rows.map((r) => `${r.b}: ${fmt(r.ours)} vs ${fmt(r.random)}`).join(', '),
    })
  }
  const largest = Math.max(...report.meta.budgets)
  const random = median('random', largest)
  const ratios = SEARCH_ALGORITHMS.map((a) => ({ a, m: median(a, largest) })).filter((x) => x.m !== null && random !== null)
  targets.push({
    text: `evolution or enas halves random's median regret at ${largest} trials`,
    pass: ratios.some((x) => x.m! <= random! / 2),
    detail: ratios.length === 0 ? 'neither was run' : ratios.map((x) => `${x.a} ${fmt(x.m)} = ${(x.m! / random!).toFixed(2)} × random's ${fmt(random)}`).join(', '),
  })
  return targets
}

function fmt(value: number | null): string {
  return value === null ? 'n/a' : value.toFixed(4)
}

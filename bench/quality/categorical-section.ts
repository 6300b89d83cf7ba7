import type { AnchorResults, SuiteDefinition } from '../report/load-anchor.ts'
import { markdownTable } from '../report/markdown-table.ts'
import type { Problem } from '../problems/problem.ts'
import { categoricalCounts } from './categorical-counts.ts'
import type { QualityReport } from './quality-report.ts'

// Problem-specific reading aids, as the anchor gives them.
const PROBLEM_NOTES: Readonly<Record<string, string>> = {
  mixed_svm_like: 'mixed_svm_like plateaus: best linear = regret 0.07, best rbf = regret 0.02, so a regret < 0.02 is only possible in the poly basin with degree = 3.',
}

/**
 * The anchor's "categorical values of the final incumbent" table: which choice each seed ended
 * on, for every categorical parameter, ours and Optuna's, with the optimum's values from the suite.
 */
export function categoricalSection(report: QualityReport, anchor: AnchorResults | undefined, suite: SuiteDefinition | undefined, problems: readonly Problem[], algorithms: readonly string[], anchorSamplers: readonly string[]): string[] {
  const columns = problems.flatMap((p) => p.params.flatMap((param) => (param.type === 'categorical' ? [{ problem: p, param: param.name, choices: param.choices }] : [])))
  if (columns.length === 0) return []
  const out = [`### Categorical values of the final incumbent (${report.meta.budget_sf} trials), count over seeds`, '']
  const optimum = problems.flatMap((p) => {
    const argmin = suite?.problems.find((s) => s.name === p.name)?.argmin[0]
    const values = columns.filter((c) => c.problem === p && argmin?.[c.param] !== undefined).map((c) => `${c.param}=${argmin![c.param]}`)
    return values.length > 0 ? [`${p.name}: ${values.join(', ')}`] : []
  })
  if (optimum.length > 0) out.push(`Optimum: ${optimum.join('; ')}.`, '')
  if (anchorSamplers.length > 0 && report.meta.budget_sf !== 200) out.push(`Optuna's counts are after 200 trials, ours after ${report.meta.budget_sf}.`, '')
  const rows = algorithms.map((a) => [a, ...columns.map((c) => {
    if (report.skipped[c.problem.name]?.[a]) return 'skipped'
    const cell = report.single_fidelity[c.problem.name]?.[a]
    return cell ? categoricalCounts(c.choices, c.param, cell.best_params_per_seed) : '–'
  })])
  for (const sampler of anchorSamplers) {
    rows.push([`optuna: ${sampler}`, ...columns.map((c) => {
      const problemCells = anchor?.single_fidelity[c.problem.name]
      if (!problemCells) return '–'
      const cell = problemCells[sampler]
      return cell ? categoricalCounts(c.choices, c.param, cell.best_params_per_seed) : 'skipped'
    })])
  }
  out.push(markdownTable(['algorithm', ...columns.map((c) => `${c.problem.name}.${c.param}`)], rows), '')
  for (const p of problems) if (PROBLEM_NOTES[p.name]) out.push(PROBLEM_NOTES[p.name]!, '')
  return out
}

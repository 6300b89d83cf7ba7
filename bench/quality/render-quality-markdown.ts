import type { AnchorResults, SuiteDefinition } from '../report/load-anchor.ts'
import { formatNumber } from '../report/format-number.ts'
import { markdownTable } from '../report/markdown-table.ts'
import type { Summary } from '../report/summarize.ts'
import type { Problem } from '../problems/problem.ts'
import { categoricalSection } from './categorical-section.ts'
import { comparisonTable } from './comparison-table.ts'
import { failureSections } from './failure-sections.ts'
import { OPTUNA_PEERS } from './optuna-peers.ts'
import type { QualityReport } from './quality-report.ts'

export interface QualityMarkdownInput {
  readonly report: QualityReport
  /** The problems the report covers (for their categorical parameters). */
  readonly problems: readonly Problem[]
  /** Optuna's results; its rows and comparisons appear for problems it has, by name. */
  readonly anchor?: AnchorResults
  readonly suite?: SuiteDefinition
}

/** quality.md: anchor-optuna.md's layout, with Optuna's rows and a comparison under each table. */
export function renderQualityMarkdown(input: QualityMarkdownInput): string {
  const { report } = input
  const { meta } = report
  const problems = input.problems.filter((p) => report.single_fidelity[p.name] || report.skipped[p.name])
  const algorithms = Object.keys(meta.algorithms)
  const anchorSamplers = anchorSamplerNames(input.anchor, problems)
  const out: string[] = []

  out.push('# Quality benchmark: Tunewell on hpo-anchor-v1', '')
  out.push(`Generated ${meta.date} by \`${meta.command}\` in ${Math.round(meta.runtime_s)} s on ${meta.machine}.  `)
  out.push(`Tunewell ${meta.tunewell}; algorithms: ${algorithms.join(', ')}; problems: ${meta.problems_module}.  `)
  out.push('Suite spec: `bench/hpo-anchor-v1/SUITE.md` + `suite.json`. Per-seed values: `quality.json` next to this file. Optuna anchor: `bench/hpo-anchor-v1/anchor-optuna.md`.')
  if (input.anchor && anchorSamplers.length > 0) out.push('', `Rows \`optuna: …\` are Optuna ${input.anchor.meta.optuna}'s results from the anchor (${input.anchor.meta.date.slice(0, 10)}, ${input.anchor.meta.machine}), copied from \`anchor-optuna-results.json\`.`)
  out.push('')
  const readOff = meta.checkpoints.includes(50) && meta.budget_sf > 50
    ? ` Budget-50 numbers are the 50-trial checkpoint of the same sequential runs that go on to ${meta.budget_sf} (none of our algorithms is told the budget, so a 50-trial run is identical to the first 50 trials of a longer run with the same seed).`
    : ''
  out.push(`Metric: simple regret = best value found so far - known global minimum (lower is better). Cells: **median** [q25, q75] over seeds (linear interpolation, numpy's default). Seeds: ${meta.seeds_sf}. Budget: ${meta.budget_sf} trials.${readOff}`)
  out.push('')

  for (const checkpoint of sectionOrder(meta.checkpoints, meta.budget_sf)) {
    const key = String(checkpoint)
    const title = checkpoint === 50 || checkpoint === meta.budget_sf ? `Budget ${checkpoint}` : `Checkpoint ${checkpoint} evaluations`
    out.push(`## ${title}: median regret [q25, q75]`, '')
    const rows = algorithms.map((a) => [a, ...problems.map((p) => regretCell(report, p.name, a, key))])
    for (const sampler of anchorSamplers) {
      rows.push([`optuna: ${sampler}`, ...problems.map((p) => anchorRegretCell(input.anchor, p.name, sampler, key))])
    }
    out.push(markdownTable(['algorithm', ...problems.map((p) => p.name)], rows), '')
    const comparison = comparisonTable(report, input.anchor, problems, algorithms, key)
    if (comparison) out.push(`### ${title}: ours vs Optuna`, '', comparison, '')
  }
  if (anchorSamplers.length > 0) {
    out.push('Comparison cells: ratio of medians (ours / Optuna; < 1 = ours better), then seeds won–lost (ours lower / higher at the same seed number; ties left out), `*` = two-sided sign test p < 0.05. The RNGs differ, so a seed pair is two independent runs, not a matched one. Last columns: geometric mean of the finite, non-zero ratios and the summed tally.', '')
  }

  out.push(`### Median wall time per ${meta.budget_sf}-trial run (s, includes objective; ${meta.workers > 0 ? `${meta.workers} runs in parallel on ${meta.machine_detail.cores} cores` : 'one run at a time'})`, '')
  const wallRows = algorithms.map((a) => [a, ...problems.map((p) => wallCell(report, p.name, a))])
  for (const sampler of anchorSamplers) wallRows.push([`optuna: ${sampler}`, ...problems.map((p) => anchorWallCell(input.anchor, p.name, sampler))])
  out.push(markdownTable(['algorithm', ...problems.map((p) => p.name)], wallRows), '')
  if (anchorSamplers.length > 0) out.push(`Optuna's wall times are per 200-trial run${meta.budget_sf === 200 ? '' : ` (ours: ${meta.budget_sf})`}, on the anchor machine with 2 runs in parallel on 2 cores.`, '')

  out.push(...categoricalSection(report, input.anchor, input.suite, problems, algorithms, anchorSamplers))
  out.push(...failureSections(report))
  out.push('## Algorithm configurations', '')
  for (const a of algorithms) {
    const settings = Object.entries(meta.algorithms[a]!.settings).map(([k, v]) => `${k}=${v}`).join(', ')
    out.push(`- \`${a}\`: ${meta.algorithms[a]!.description} Settings: ${settings || 'defaults'}.${OPTUNA_PEERS[a] ? ` Optuna peer: \`${OPTUNA_PEERS[a]}\`.` : ''}`)
  }
  out.push('', '## Notes', '', ...meta.notes.map((n) => `- ${n}`), '')
  return out.join('\n')
}

/** Budgets first (50, then the full budget), then the other checkpoints, as the anchor orders them. */
function sectionOrder(checkpoints: readonly number[], budget: number): number[] {
  const budgets = checkpoints.filter((c) => c === 50 || c === budget)
  return [...budgets, ...checkpoints.filter((c) => !budgets.includes(c))]
}

function anchorSamplerNames(anchor: AnchorResults | undefined, problems: readonly Problem[]): string[] {
  const names = new Set<string>()
  for (const p of problems) for (const sampler of Object.keys(anchor?.single_fidelity[p.name] ?? {})) names.add(sampler)
  return [...names]
}

function summaryCell(summary: Summary | undefined, cell: { readonly errors: readonly unknown[]; readonly n_seeds: number } | undefined): string {
  if (!summary) return '–'
  if (summary.median === null) return `error (${summary.n_missing}/${summary.n_missing + summary.n} failed)`
  const text = `**${formatNumber(summary.median)}** [${formatNumber(summary.q25)}, ${formatNumber(summary.q75)}]`
  return cell && cell.errors.length > 0 ? `${text} ⚠ ${cell.errors.length}/${cell.n_seeds} failed` : text
}

function regretCell(report: QualityReport, problem: string, algorithm: string, key: string): string {
  if (report.skipped[problem]?.[algorithm]) return 'skipped'
  const cell = report.single_fidelity[problem]?.[algorithm]
  return summaryCell(cell?.regret[key], cell)
}

function anchorRegretCell(anchor: AnchorResults | undefined, problem: string, sampler: string, key: string): string {
  const problemCells = anchor?.single_fidelity[problem]
  if (!problemCells) return '–'
  const cell = problemCells[sampler]
  return cell ? summaryCell(cell.regret[key], undefined) : 'skipped'
}

function wallCell(report: QualityReport, problem: string, algorithm: string): string {
  if (report.skipped[problem]?.[algorithm]) return 'skipped'
  const cell = report.single_fidelity[problem]?.[algorithm]
  return cell ? formatNumber(cell.wall_s_median) : '–'
}

function anchorWallCell(anchor: AnchorResults | undefined, problem: string, sampler: string): string {
  const problemCells = anchor?.single_fidelity[problem]
  if (!problemCells) return '–'
  return problemCells[sampler] ? formatNumber(problemCells[sampler].wall_s_median) : 'skipped'
}


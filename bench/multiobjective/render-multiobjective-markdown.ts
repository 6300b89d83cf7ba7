import { formatNumber } from '../report/format-number.ts'
import { markdownTable } from '../report/markdown-table.ts'
import type { MultiObjectiveReport, RegretSummary } from './multiobjective-report.ts'
import { OPTUNA_MO_ANCHOR } from './optuna-mo-anchor.ts'
import type { AnchorQuartiles } from './optuna-mo-anchor.ts'

function cell(s: RegretSummary | AnchorQuartiles | undefined): string {
  if (s === undefined || s.median === null) return '–'
  return `${formatNumber(s.median)} [${formatNumber(s.q1)}–${formatNumber(s.q3)}]`
}

/** multiobjective.md: per problem, ours then Optuna's quoted rows, median [q1–q3] per checkpoint. */
export function renderMultiObjectiveMarkdown(report: MultiObjectiveReport): string {
  const { meta } = report
  const out: string[] = [
    '# Multi-objective benchmark (hypervolume regret)',
    '',
    `Command: \`${meta.command}\`  `,
    `Date: ${meta.date}  `,
    `Machine: ${meta.machine}  `,
    `Seeds: ${meta.seeds}, budget ${meta.budget} trials, ${meta.workers} worker thread(s), ${meta.runtime_s.toFixed(0)} s in all.`,
    '',
    'Median hypervolume regret over the seeds, quartiles in brackets; lower is better. Rows marked',
    '"optuna:" are quoted from the Optuna 5.0.0 anchor (anchor-optuna-mo.md, seeds 0-9, same',
    'problems, reference points and regret), not measured here.',
    '',
    markdownTable(['problem', 'objectives', 'parameters', 'constraints', 'reference point', 'true hypervolume'],
      Object.entries(meta.problems).map(([name, p]) => [name, String(p.objectives), String(p.parameters), String(p.constraints), `(${p.reference_point.join(', ')})`, p.true_hypervolume.toFixed(6)])),
  ]
  for (const [problem, row] of Object.entries(report.multi_objective)) {
    out.push('', `## ${problem}`, '')
    const header = ['algorithm', ...meta.checkpoints.map(String)]
    const constrained = (meta.problems[problem]?.constraints ?? 0) > 0
    if (constrained) header.push('feasible share')
    const rows = Object.entries(row).map(([algorithm, c]) => {
      const r = [algorithm, ...meta.checkpoints.map((k) => cell(c.hv_regret[String(k)]))]
      if (constrained) r.push(formatNumber(c.feasible_share_median))
      if (c.errors.length > 0) r[0] = `${algorithm} (${c.errors.length} failed)`
      return r
    })
    for (const [sampler, quoted] of Object.entries(OPTUNA_MO_ANCHOR[problem] ?? {})) {
      const r = [`optuna: ${sampler}`, ...meta.checkpoints.map((k) => cell(quoted[String(k)]))]
      if (constrained) r.push('–')
      rows.push(r)
    }
    out.push(markdownTable(header, rows))
    const errors = Object.entries(row).flatMap(([algorithm, c]) => c.errors.map((e) => `- ${algorithm} seed ${e.seed}: ${e.message}`))
    if (errors.length > 0) out.push('', 'Failed runs:', '', ...errors)
  }
  const skipped = Object.entries(report.skipped).flatMap(([problem, s]) => Object.entries(s).map(([a, why]) => `- ${problem} × ${a}: ${why}`))
  if (skipped.length > 0) out.push('', '## Skipped', '', ...skipped)
  const latency = Object.entries(report.ask_latency)
  if (latency.length > 0) {
    out.push('', `## Ask latency at ${latency[0]![1].trials} trials`, '',
      `One cold ask (no state) with ${latency[0]![1].trials} finished trials of ${latency[0]![1].problem} in the history; ${latency[0]![1].repeats} repeats.`, '',
      markdownTable(['algorithm', 'median ms', 'min ms', 'max ms'], latency.map(([a, l]) => [a, formatNumber(l.median_ms), formatNumber(l.min_ms), formatNumber(l.max_ms)])))
  }
  out.push('', '## Notes', '', ...meta.notes.map((n) => `- ${n}`), '')
  return out.join('\n')
}

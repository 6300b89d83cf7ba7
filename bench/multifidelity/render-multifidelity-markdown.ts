import { formatNumber } from '../report/format-number.ts'
import { markdownTable } from '../report/markdown-table.ts'
import type { MultiFidelityAnchor } from './load-multifidelity-anchor.ts'
import type { MultiFidelityReport, MultiFidelitySummary } from './multifidelity-report.ts'
import { multiFidelityTargets } from './multifidelity-targets.ts'

/** multifidelity.md: the anchor's lcbench_like table, our rows first, Optuna's below, then the targets. */
export function renderMultiFidelityMarkdown(report: MultiFidelityReport, anchor?: MultiFidelityAnchor): string {
  const { meta } = report
  const cells = report.multi_fidelity.lcbench_like
  const keys = meta.checkpoints.map(String)
  const first = keys[0]
  const out: string[] = []
  out.push('# Multi-fidelity benchmark: Tunewell on hpo-anchor-v1 lcbench_like', '')
  out.push(`Generated ${meta.date} by \`${meta.command}\` in ${Math.round(meta.runtime_s)} s on ${meta.machine}.  `)
  out.push(`Tunewell ${meta.tunewell}. Suite spec: \`bench/hpo-anchor-v1/SUITE.md\` (lcbench_like). Per-seed values: \`multifidelity.json\` next to this file.`)
  if (anchor) out.push('', `Rows \`optuna: …\` are Optuna ${anchor.optuna}'s results from the anchor (${anchor.date.slice(0, 10)}, ${anchor.machine}), copied from \`anchor-optuna-results.json\`.`)
  out.push('')
  out.push(`## lcbench_like (multi-fidelity), regret vs. epochs consumed: median [q25, q75]`, '')
  out.push(`Budget ${meta.budget_epochs} epochs. Seeds: ${meta.seeds}. Regret counts only trials that reached ${81} epochs; 'n/a' = no trial had reached 81 epochs yet for that seed (counted as +inf in the median).`, '')
  const header = ['config', ...keys.map((k) => `${k} ep`), 'trials started', 'reached 81', `missing@${first}`]
  const rows = Object.entries(cells).map(([name, cell]) => [
    name,
    ...keys.map((k) => summaryCell(cell.regret[k])),
    formatNumber(cell.n_trials_started_median),
    formatNumber(cell.n_trials_full_median),
    String(first ? cell.regret[first]?.n_missing ?? 0 : 0) + (cell.errors.length > 0 ? ` ⚠ ${cell.errors.length} failed` : ''),
  ])
  for (const [name, cell] of Object.entries(anchor?.configs ?? {})) {
    rows.push([
      `optuna: ${name}`,
      ...keys.map((k) => summaryCell(cell.regret[k])),
      formatNumber(cell.n_trials_started_median),
      formatNumber(cell.n_trials_full_median),
      String(first ? cell.regret[first]?.n_missing ?? 0 : 0),
    ])
  }
  out.push(markdownTable(header, rows), '')
  out.push('"trials started" counts every suggestion run as a trial; a hyperband promotion is a new trial that resumes its parent, so its configurations are fewer than its trials. "reached 81": trials that trained to epoch 81.', '')

  const targets = anchor ? multiFidelityTargets(report, anchor) : []
  if (targets.length > 0) {
    out.push('## Targets (issue: multi-fidelity)', '')
    out.push(markdownTable(['target', 'ours', 'Optuna', 'result'], targets.map((t) => [t.target, t.ours, t.optuna, t.pass ? 'PASS' : 'FAIL'])), '')
  }

  const failed = Object.values(cells).flatMap((c) => c.errors.map((e) => ({ ...e, config: c.per_seed_runs[0]?.config ?? '' })))
  if (failed.length > 0) {
    out.push('## Failed runs', '', markdownTable(['config', 'seed', 'error'], failed.map((f) => [f.config, String(f.seed), f.message])), '')
  }
  out.push('## Configurations', '')
  for (const [name, config] of Object.entries(meta.configs)) {
    const settings = Object.entries(config.settings).map(([k, v]) => `${k}=${v}`).join(', ')
    const stopping = config.early_stopping
      ? `; earlyStopping \`${config.early_stopping.name}\` ${Object.entries(config.early_stopping.settings).map(([k, v]) => `${k}=${v}`).join(', ') || 'defaults'}`
      : ''
    out.push(`- \`${name}\`: ${config.description}. Algorithm \`${config.algorithm}\` ${settings || 'defaults'}${stopping}.${config.optuna_peer ? ` Optuna peer: \`${config.optuna_peer}\`.` : ''}`)
  }
  if (anchor) {
    out.push('', 'Optuna configurations (from the anchor):', '')
    for (const [name, text] of Object.entries(anchor.descriptions)) out.push(`- \`${name}\`: ${text}`)
  }
  out.push('', '## Notes', '', ...meta.notes.map((n) => `- ${n}`), '')
  return out.join('\n')
}

function summaryCell(summary: MultiFidelitySummary | undefined): string {
  if (!summary) return '–'
  return `**${formatNumber(summary.median)}** [${formatNumber(summary.q25)}, ${formatNumber(summary.q75)}]`
}

import { formatNumber } from '../report/format-number.ts'
import type { MultiFidelityAnchor } from './load-multifidelity-anchor.ts'
import type { MultiFidelityReport } from './multifidelity-report.ts'

export interface TargetCheck {
  readonly target: string
  readonly ours: string
  readonly optuna: string
  readonly pass: boolean
}

/**
 * The targets, on medians: at the last checkpoint our best configuration beats Optuna's
 * TPE + SuccessiveHalving and each of our hyperband rows beats TPE + HyperbandPruner; at 810
 * epochs our best configuration is ahead of every Optuna row. A missing median (n/a) fails.
 */
export function multiFidelityTargets(report: MultiFidelityReport, anchor: MultiFidelityAnchor): TargetCheck[] {
  const cells = report.multi_fidelity.lcbench_like
  const last = String(report.meta.checkpoints.at(-1))
  const median = (regret: Readonly<Record<string, { median: number | null }>> | undefined, key: string): number =>
    regret?.[key]?.median ?? Infinity
  const bestOurs = (key: string): { name: string; value: number } =>
    Object.entries(cells).map(([name, c]) => ({ name, value: median(c.regret, key) })).sort((a, b) => a.value - b.value)[0] ?? { name: '–', value: Infinity }
  const checks: TargetCheck[] = []
  const sha = anchor.configs['tpe_sha']
  if (sha && last in sha.regret) {
    const ours = bestOurs(last)
    const theirs = median(sha.regret, last)
    checks.push({ target: `best at ${last} epochs < Optuna tpe_sha`, ours: `${ours.name} ${formatNumber(ours.value)}`, optuna: formatNumber(theirs), pass: ours.value < theirs })
  }
  const hyperband = anchor.configs['tpe_hyperband']
  if (hyperband && last in hyperband.regret) {
    const theirs = median(hyperband.regret, last)
    for (const [name, cell] of Object.entries(cells)) {
      if (report.meta.configs[name]?.algorithm !== 'hyperband') continue
      const value = median(cell.regret, last)
      checks.push({ target: `${name} at ${last} epochs < Optuna tpe_hyperband`, ours: formatNumber(value), optuna: formatNumber(theirs), pass: value < theirs })
    }
  }
  // Not targets of the issue: each configuration against its nearest Optuna row.
  for (const [name, cell] of Object.entries(cells)) {
    const peer = report.meta.configs[name]?.optuna_peer
    const theirs = peer === undefined ? undefined : anchor.configs[peer]
    if (!theirs || !(last in theirs.regret)) continue
    const value = median(cell.regret, last)
    checks.push({ target: `(peer) ${name} at ${last} epochs < Optuna ${peer}`, ours: formatNumber(value), optuna: formatNumber(median(theirs.regret, last)), pass: value < median(theirs.regret, last) })
  }
  if (report.meta.checkpoints.includes(810)) {
    const ours = bestOurs('810')
    const theirs = Object.entries(anchor.configs).map(([name, c]) => ({ name, value: median(c.regret, '810') })).sort((a, b) => a.value - b.value)[0]
    if (theirs) checks.push({ target: 'best at 810 epochs < every Optuna row', ours: `${ours.name} ${formatNumber(ours.value)}`, optuna: `${theirs.name} ${formatNumber(theirs.value)}`, pass: ours.value < theirs.value })
  }
  return checks
}

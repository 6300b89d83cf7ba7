import type { AnchorCell, AnchorResults } from '../report/load-anchor.ts'
import { formatNumber } from '../report/format-number.ts'
import { markdownTable } from '../report/markdown-table.ts'
import type { Problem } from '../problems/problem.ts'
import { compareRegrets } from './compare-regrets.ts'
import { OPTUNA_BASELINE, OPTUNA_PEERS } from './optuna-peers.ts'
import type { QualityCell, QualityReport } from './quality-report.ts'

/**
 * "Ours vs Optuna" at one checkpoint: each of our algorithms against Optuna's default TPE and
 * its nearest Optuna peer, per problem, with the geometric mean of the ratios and the summed
 * tally. Undefined when the anchor has none of the problems.
 */
export function comparisonTable(report: QualityReport, anchor: AnchorResults | undefined, problems: readonly Problem[], algorithms: readonly string[], key: string): string | undefined {
  if (!anchor || !problems.some((p) => anchor.single_fidelity[p.name])) return undefined
  const rows: string[][] = []
  for (const algorithm of algorithms) {
    const peers = [...new Set([OPTUNA_BASELINE, ...(OPTUNA_PEERS[algorithm] ? [OPTUNA_PEERS[algorithm]] : [])])]
    for (const peer of peers) {
      const ratios: number[] = []
      let wins = 0
      let losses = 0
      const cells = problems.map((p) => {
        if (report.skipped[p.name]?.[algorithm]) return 'skipped'
        const ours: QualityCell | undefined = report.single_fidelity[p.name]?.[algorithm]
        const theirs: AnchorCell | undefined = anchor.single_fidelity[p.name]?.[peer]
        if (!ours?.regret[key] || !theirs?.regret[key]) return '–'
        const c = compareRegrets(ours.regret[key], theirs.regret[key], ours.seeds)
        if (c.ratio !== undefined && c.ratio > 0 && Number.isFinite(c.ratio)) ratios.push(c.ratio)
        wins += c.wins
        losses += c.losses
        return c.text
      })
      const geoMean = ratios.length === 0 ? 'n/a' : `${formatNumber(Math.exp(ratios.reduce((s, r) => s + Math.log(r), 0) / ratios.length))}×`
      rows.push([`${algorithm} vs ${peer}`, ...cells, geoMean, `${wins}–${losses}`])
    }
  }
  return markdownTable(['ours vs optuna', ...problems.map((p) => p.name), 'geo-mean ratio', 'W–L'], rows)
}

import { markdownTable } from '../report/markdown-table.ts'
import type { QualityReport } from './quality-report.ts'

/** The "Failed runs" and "Skipped" sections; empty when every run ran and succeeded. */
export function failureSections(report: QualityReport): string[] {
  const out: string[] = []
  const failures = Object.entries(report.single_fidelity).flatMap(([problem, cells]) =>
    Object.entries(cells).filter(([, cell]) => cell.errors.length > 0).map(([algorithm, cell]) => ({ problem, algorithm, cell })))
  if (failures.length > 0) {
    out.push('## Failed runs', '')
    // A broken algorithm fails every seed the same way; three messages are enough to see how.
    out.push(markdownTable(['problem', 'algorithm', 'failed seeds', 'first errors'], failures.map(({ problem, algorithm, cell }) => [
      problem, algorithm, `${cell.errors.length}/${cell.n_seeds} (${cell.errors.map((e) => e.seed).join(', ')})`,
      cell.errors.slice(0, 3).map((e) => `seed ${e.seed}: ${e.message.replace(/\s+/g, ' ').slice(0, 300)}`).join('<br>'),
    ])), '')
  }
  const skipped = Object.entries(report.skipped).flatMap(([problem, cells]) => Object.entries(cells).map(([algorithm, reason]) => [problem, algorithm, reason]))
  if (skipped.length > 0) out.push('## Skipped (the algorithm\'s check rejects the search space)', '', markdownTable(['problem', 'algorithm', 'reason'], skipped), '')
  return out
}

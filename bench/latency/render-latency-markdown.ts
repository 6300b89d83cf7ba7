import type { AnchorResults } from '../report/load-anchor.ts'
import { markdownTable } from '../report/markdown-table.ts'
import type { LatencyEntry, LatencyReport } from './latency-report.ts'
import { GP_LIMIT, ISSUE_OPTUNA_TPE_MS, TPE_SPEEDUP_TARGET } from './latency-targets.ts'

const ms = (t: { readonly median_ms: number; readonly p25_ms: number; readonly p75_ms: number }): string => `${t.median_ms.toFixed(3)} [${t.p25_ms.toFixed(3)}, ${t.p75_ms.toFixed(3)}]`

/** latency.md: our ask latencies next to Optuna's, with the speed-up and the targets' verdicts. */
export function renderLatencyMarkdown(report: LatencyReport, anchor?: AnchorResults): string {
  const { meta, latency } = report
  const entries = Object.values(latency.in_memory)
  const out: string[] = ['# Latency benchmark: Tunewell ask on hartmann6', '']
  out.push(`Generated ${meta.date} by \`${meta.command}\` in ${meta.runtime_s.toFixed(1)} s on ${meta.machine}.  `)
  out.push('Protocol: the latency protocol of `bench/hpo-anchor-v1/SUITE.md`, for our algorithms. Per-call values: `latency.json` next to this file.', '')
  out.push(`- history: ${latency.history}.`, `- ask: ${latency.ask_definition}.`, `- protocol: ${latency.ask_protocol}.`, '')

  out.push('## Ask latency (median of timed calls)', '')
  out.push(markdownTable(
    ['algorithm', 'N completed', 'ask median ms [p25, p75]', 'Optuna ask median ms', 'speed-up', 'longest event-loop block median ms [p25, p75]', 'n', 'checks'],
    entries.map((e) => [
      e.algorithm, String(e.N), ms(e.ask),
      e.optuna_ask_median_ms === null ? '–' : e.optuna_ask_median_ms.toFixed(3),
      e.speedup_vs_optuna === null ? '–' : `${Number(e.speedup_vs_optuna.toPrecision(3))}x`,
      ms(e.longest_block), String(e.ask.n),
      e.checks.length === 0 ? '–' : e.checks.map((c) => `${c.pass ? 'PASS' : 'FAIL'} ${c.criterion}`).join('<br>'),
    ]),
  ), '')
  out.push('speed-up = Optuna\'s median / ours (Optuna\'s from the anchor, its in-memory storage, on its own 2-core machine).', '')

  out.push('## Targets', '')
  out.push(...tpeVerdicts(entries, latency.skipped), gpVerdict(entries, latency.skipped), '')

  if (latency.skipped.length > 0 || latency.failed.length > 0) {
    out.push('## Not measured', '')
    for (const s of latency.skipped) out.push(`- \`${s.algorithm}\`: ${s.reason}.`)
    for (const f of latency.failed) out.push(`- \`${f.algorithm}\` at N=${f.N}: the ask failed: ${f.error}`)
    out.push('')
  }

  if (anchor) {
    out.push('## Optuna anchor, for reference (in-memory, TPESampler defaults / RandomSampler)', '')
    const rows = Object.values(anchor.latency.in_memory).map((e) => [`in-memory ${e.sampler}`, String(e.N), ms(e.ask), String(e.ask.n)])
    const sqlite = anchor.latency.sqlite
    if (sqlite) rows.push([`sqlite RDBStorage ${sqlite.sampler}`, String(sqlite.N), ms(sqlite.ask), String(sqlite.ask.n)])
    out.push(markdownTable(['setting', 'N completed', 'ask median ms [p25, p75]', 'n'], rows), '')
  }

  out.push('## Notes', '')
  out.push('- Only ask is timed. Our tell is the service writing the trial\'s result to the database; no algorithm code runs until the next ask, so there is no algorithm-side tell to time (Optuna\'s in-memory tell took 0.10–0.19 ms).')
  out.push('- Optuna\'s ask includes creating the trial in its in-memory storage; ours excludes the service\'s database reads and writes, which `tunewell` does in one transaction per ask.')
  out.push('- The longest event-loop block is measured with an immediate re-armed on every loop turn during the ask: equal to the ask time for a synchronous algorithm, shorter for one that yields between chunks of work.')
  out.push('- Asks run one at a time in the main thread with nothing else in the process; the figures are for one core of the machine above.', '')
  return out.join('\n')
}

type Skipped = LatencyReport['latency']['skipped']

function notMeasured(algorithm: string, skipped: Skipped): string {
  const reason = skipped.find((s) => s.algorithm === algorithm)?.reason
  return `not measured${reason ? ` (${reason})` : ''}.`
}

function tpeVerdicts(entries: readonly LatencyEntry[], skipped: Skipped): string[] {
  const lines: string[] = []
  for (const algorithm of ['tpe', 'multivariate-tpe']) {
    const measured = entries.filter((e) => e.algorithm === algorithm)
    const label = `- \`${algorithm}\` ≥ ${TPE_SPEEDUP_TARGET}x faster than Optuna's TPE at every N (${Object.keys(ISSUE_OPTUNA_TPE_MS).join('/')})`
    if (measured.length === 0) {
      lines.push(`${label}: ${notMeasured(algorithm, skipped)}`)
      continue
    }
    const missing = Object.keys(ISSUE_OPTUNA_TPE_MS).map(Number).filter((n) => !measured.some((e) => e.N === n))
    const checks = measured.flatMap((e) => e.checks)
    const verdict = checks.length > 0 && checks.every((c) => c.pass) ? 'PASS' : 'FAIL'
    const worst = Math.min(...measured.map((e) => e.speedup_vs_optuna ?? Number.POSITIVE_INFINITY))
    lines.push(`${label}: **${verdict}**${Number.isFinite(worst) ? ` (smallest speed-up over the anchor ${Number(worst.toPrecision(3))}x)` : ''}${missing.length > 0 ? `; N=${missing.join(', ')} not measured` : ''}.`)
  }
  return lines
}

function gpVerdict(entries: readonly LatencyEntry[], skipped: Skipped): string {
  const gp = entries.find((e) => e.algorithm === 'bayesianoptimization' && e.N === GP_LIMIT.n)
  const label = `- \`bayesianoptimization\` under ${GP_LIMIT.ms} ms at N=${GP_LIMIT.n}`
  return gp ? `${label}: **${gp.ask.median_ms < GP_LIMIT.ms ? 'PASS' : 'FAIL'}** (median ${gp.ask.median_ms.toFixed(1)} ms).` : `${label}: ${notMeasured('bayesianoptimization', skipped)}`
}

import { machineLine, type MachineDescription } from '../report/describe-machine.ts'
import { markdownTable } from '../report/markdown-table.ts'
import type { TargetCheck } from './api-scenario.ts'
import type { AskTellResult } from './scenario-ask-tell.ts'
import type { IngestResult } from './scenario-ingest.ts'
import type { TrialListResult } from './scenario-trial-list.ts'

export interface ApiReport {
  readonly meta: { readonly generated: string; readonly command: string; readonly machine: MachineDescription; readonly postgres: string; readonly runtime_s: number }
  readonly trial_list?: TrialListResult
  readonly ingest?: IngestResult
  readonly ask_tell?: AskTellResult
}

export function renderApiMarkdown(report: ApiReport): string {
  const { meta } = report
  const out = [
    '# API load benchmark (`npm run bench:api`)',
    '',
    `Generated ${meta.generated} by \`${meta.command}\` in ${meta.runtime_s.toFixed(0)} s on ${machineLine(meta.machine)}.  `,
    `Database: ${meta.postgres}, a private schema, dropped afterwards. The server runs in its own process; the load comes from autocannon over loopback HTTP.`,
    '',
  ]
  const checks: TargetCheck[] = []
  const ms = (l: { median_ms: number; p99_ms: number }) => `${l.median_ms} ms (p99 ${l.p99_ms})`
  if (report.trial_list) {
    const t = report.trial_list
    checks.push(...t.checks)
    out.push(`## Trial list of a ${t.trials.toLocaleString('en')}-trial experiment`, '', markdownTable(['request', 'median (p99)'], [
      ['first page by objective, 100 trials', ms(t.first_page_by_objective)],
      ['first page by number, 100 trials', ms(t.first_page_by_number)],
      [`every page of a full walk by objective, 1000 per page (${t.walk_items.toLocaleString('en')} trials)`, ms(t.walk_page_by_objective)],
    ]), '', `Concurrent first pages by objective: ${t.throughput_rps.toLocaleString('en')} requests/s.`, '')
  }
  if (report.ingest) {
    const i = report.ingest
    checks.push(...i.checks)
    out.push('## Ingest through the batch push endpoint', '', markdownTable(['clients', 'points per request', 'seconds', 'requests', 'acknowledged', 'stored', 'points/s', 'request median (p99)'], [[
      String(i.clients), String(i.batch_points), String(i.duration_s), String(i.requests), i.acknowledged.toLocaleString('en'),
      i.stored.toLocaleString('en'), i.points_per_s.toLocaleString('en'), `${i.request_latency.median_ms} ms (${i.request_latency.p99_ms})`,
    ]]), '', ...(i.first_failure ? [`First refused request: \`${i.first_failure}\``, ''] : []))
  }
  if (report.ask_tell) {
    const a = report.ask_tell
    checks.push(...a.checks)
    out.push(`## ask/tell with random search, ${a.history.toLocaleString('en')} trials in the history`, '', markdownTable(['clients', 'cycles/s', 'cycle median (p99)'], [
      ['1', '', ms(a.single_client_latency)],
      [String(a.clients), a.cycles_per_s.toLocaleString('en'), ms(a.loaded_latency)],
    ]), '', 'A cycle is an ask (with an idempotency key) and the tell of its trial, timed from sending the ask to reading the tell\'s answer.', '',
    ...(a.first_failure ? [`First refused request: \`${a.first_failure}\``, ''] : []))
  }
  out.push('## Targets', '', markdownTable(['target', 'measured', ''], checks.map((c) => [c.target, c.measured, c.pass ? 'PASS' : 'FAIL'])), '')
  return out.join('\n')
}

import { machineLine, type MachineDescription } from '../report/describe-machine.ts'
import { markdownTable } from '../report/markdown-table.ts'

export interface Summary {
  readonly count: number
  readonly p50: number
  readonly p99: number
  readonly max: number
}

export interface KubernetesReport {
  readonly generated: string
  readonly command: string
  readonly machine: MachineDescription
  readonly database: string
  readonly experiments: number
  readonly parallel: number
  readonly trials_per_experiment: number
  readonly pod_duration_ms: number
  /** How the controller's code ran (compiled, or through tsx); absent in reports before it was recorded. */
  readonly runtime?: string
  /** Each pod runs up to this much longer (fixed by its name); 0: every pod runs pod_duration_ms. */
  readonly pod_duration_spread_ms?: number
  readonly wall_s: number
  readonly trials: number
  readonly trial_states: Record<string, number>
  readonly experiment_states: Record<string, number>
  readonly peak_live_workloads: number
  /** A trial's end reported by the executor → the next trial's Job created (the slot refilled). */
  readonly launch_after_slot_ms: Summary
  /** Its first part: the slot open → the executor's prepare() called (the runner: database, suggestion). */
  readonly launch_runner_part_ms: Summary
  /** Its second part: prepare() → the Job created (the executor: rendering, the create request). */
  readonly launch_executor_part_ms: Summary
  /** The runner's start → each of its first `parallel` Jobs created (all experiments at once). */
  readonly first_wave_launch_ms: Summary
  /** The executor reporting a trial's end → the trial's finishedAt in the database. */
  readonly end_to_database_ms: Summary
  /** The Job seen finished through a watch of the bench's own → the trial's finishedAt in the database. */
  readonly watch_to_database_ms: Summary
  readonly requests_total: number
  readonly requests_per_trial: number
  /** By '<verb> <resource>', as the fake served them. */
  readonly requests: Record<string, number>
  readonly rss_before_mb: number
  readonly rss_peak_mb: number
}

/** kubernetes.md: the targets' figures first, then where the requests went. */
export function renderKubernetesMarkdown(r: KubernetesReport): string {
  const ms = (s: Summary) => [String(s.count), `${s.p50} ms`, `${s.p99} ms`, `${s.max} ms`]
  const perTrial = (n: number) => (n / Math.max(r.trials, 1)).toFixed(2)
  return [
    '# Kubernetes executor: one controller, many experiments (fake API server)',
    '',
    `Generated ${r.generated} by \`${r.command}\`.`,
    '',
    `- Machine: ${machineLine(r.machine)}; the fake API server runs in a process of its own on the same cores`,
    `- ${r.experiments} experiments × ${r.parallel} parallel trials, ${r.trials_per_experiment} trials each (${r.trials} trials), one ExperimentRunner each sharing one KubernetesExecutor; pods simulated by the fake (no process), each running ${r.pod_duration_ms} ms${r.pod_duration_spread_ms ? ` plus 0 to ${r.pod_duration_spread_ms} ms (by its name)` : ''} and printing one objective line`,
    `- Database: ${r.database}`,
    ...(r.runtime ? [`- Controller code: ${r.runtime}`] : []),
    `- Ran ${r.wall_s} s; experiments ${JSON.stringify(r.experiment_states)}, trials ${JSON.stringify(r.trial_states)}; at most ${r.peak_live_workloads} workloads live at once`,
    '',
    markdownTable(['measure', 'count', 'p50', 'p99', 'max'], [
      ['launch after a slot opens (trial end reported → next Job created); target p99 < 1 s', ...ms(r.launch_after_slot_ms)],
      ['… of which the runner: slot open → executor\'s prepare() called (database, suggestion)', ...ms(r.launch_runner_part_ms)],
      ['… of which the executor: prepare() → Job created', ...ms(r.launch_executor_part_ms)],
      ['first wave (runner start → its first Jobs created, all experiments at once)', ...ms(r.first_wave_launch_ms)],
      ['trial end reported by the executor → finished in the database', ...ms(r.end_to_database_ms)],
      ['watch to database: the Job seen finished (a watch of the bench\'s own) → the trial finished in the database', ...ms(r.watch_to_database_ms)],
    ]),
    '',
    `- Controller RSS: ${r.rss_peak_mb} MB at peak (target < 500 MB), ${r.rss_before_mb} MB before the first runner started`,
    `- API requests: ${r.requests_total}, ${r.requests_per_trial} per trial (Katib makes a Suggestion, a Trial and a Job per trial, each written by a controller)`,
    '',
    markdownTable(['request', 'count', 'per trial'], Object.entries(r.requests).sort((a, b) => b[1] - a[1]).map(([k, n]) => [k, String(n), perTrial(n)])),
    '',
    'A trial\'s end is timed when the executor\'s `done` resolves (its Job finished, seen through',
    'the watch, its log read in full, its Job deleted); the watch-to-database row starts earlier, when',
    'a watch of the bench\'s own on the Jobs sees the Job finished (job-end-watch.ts). Timings come',
    'from a wrapper around the executor (bench/kubernetes/timing-executor.ts), the controller runs',
    'unchanged.',
    '',
  ].join('\n')
}

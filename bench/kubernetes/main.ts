/**
 * `npm run bench:kubernetes`: one controller process driving many experiments whose trials are
 * Jobs on the fake API server (test/helpers/fake-kube/, in a process of its own so that what is
 * measured here is the controller's memory alone; its pods are simulated, no trial process
 * runs). One ExperimentRunner per experiment, all sharing one KubernetesExecutor, as
 * `tunewell serve --executor kubernetes` runs them; the database is an in-memory PGlite in this
 * process (it counts in the RSS), or a fresh schema on DATABASE_URL when set.
 *
 * Reports the launch latency after a slot opens (a trial's end reported by the executor, or the
 * runner's start for the first wave → the next trial's workload created), the lag from the
 * executor reporting a trial's end to its row finished in the database, the lag from the Job's
 * end seen through a watch of the bench's own to that row (job-end-watch.ts), the API requests per
 * trial (counted by the fake), the peak of live workloads and the controller's peak RSS.
 * Writes kubernetes.md and kubernetes.json.
 *
 * Options: --experiments N (default 100), --parallel P (default 20), --trials-per-experiment T
 * (default 2×P, so slots open again), --duration-ms (each pod's run, default 5000),
 * --duration-spread-ms S (each pod runs up to S ms longer, fixed by its name: trials of unequal
 * length open their slots one by one instead of in waves; default 0), --out DIR (default
 * bench/results).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { resourceUsage as processUsage } from 'node:process'
import { ExperimentRunner } from '../../controller/experiment-runner.ts'
import { KubernetesExecutor } from '../../controller/kubernetes/kubernetes-executor.ts'
import { SuggestionService } from '../../suggestion/suggestion-service.ts'
import { startFakeKubeProcess } from '../../test/helpers/fake-kube/fake-kube-process.ts'
import { openTestStore } from '../../test/helpers/test-store.ts'
import { commandLine } from '../report/command-line.ts'
import { describeMachine } from '../report/describe-machine.ts'
import { positiveInteger } from '../report/parse-flags.ts'
import { quantile } from '../report/quantile.ts'
import { benchExperiment } from './bench-experiment.ts'
import { watchJobEnds } from './job-end-watch.ts'
import { renderKubernetesMarkdown, type KubernetesReport } from './render-kubernetes-markdown.ts'
import { TimingExecutor } from './timing-executor.ts'

const argv = process.argv.slice(2)
const { values } = parseArgs({
  args: argv,
  options: {
    experiments: { type: 'string', default: '100' },
    parallel: { type: 'string', default: '20' },
    'trials-per-experiment': { type: 'string' },
    'duration-ms': { type: 'string', default: '5000' },
    'duration-spread-ms': { type: 'string', default: '0' },
    out: { type: 'string' },
  },
})
let experiments: number, parallel: number, trialsPer: number, durationMs: number, spreadMs: number
try {
  experiments = positiveInteger('--experiments', values.experiments)
  parallel = positiveInteger('--parallel', values.parallel)
  trialsPer = positiveInteger('--trials-per-experiment', values['trials-per-experiment'] ?? String(2 * parallel))
  durationMs = positiveInteger('--duration-ms', values['duration-ms'])
  spreadMs = values['duration-spread-ms'] === '0' ? 0 : positiveInteger('--duration-spread-ms', values['duration-spread-ms'])
} catch (error) {
  process.stderr.write(`bench:kubernetes: ${(error as Error).message}\n`)
  process.exit(1)
}
// Compiled (compiled.ts), this file sits in a temporary folder and runs from the repository's root.
const compiled = import.meta.url.endsWith('.js')
const outDir = values.out ?? (compiled ? join('bench', 'results') : relative(process.cwd(), fileURLToPath(new URL('../results/', import.meta.url))) || '.')

const machine = describeMachine()
const home = mkdtempSync(join(tmpdir(), 'tunewell-bench-kubernetes-'))
// A short watch history and no Events: the fake's own memory stays bounded at thousands of pods.
const kube = await startFakeKubeProcess({
  tls: false,
  events: false,
  watchWindow: 2000,
  defaultPodBehaviour: { kind: 'simulate', durationMs, spreadMs, logLines: ['loss=0.5'] },
})
const store = await openTestStore()
if (!process.env.DATABASE_URL?.trim()) process.stderr.write('no DATABASE_URL: PGlite in memory, whose WebAssembly heap (several hundred MB) counts in the RSS measured here\n')
const executor = new KubernetesExecutor({ kubeConfig: kube.kubeConfig() })
const timing = new TimingExecutor(executor)
try {
  const suggestions = new SuggestionService(store)
  const records = []
  for (let i = 0; i < experiments; i++) {
    const experiment = benchExperiment(`bench-${String(i).padStart(3, '0')}`, parallel, trialsPer)
    records.push(await store.experiments.create({ name: experiment.metadata.name, spec: experiment, seed: i + 1 }))
  }
  const jobEnds = await watchJobEnds(kube.kubeConfig(), executor.defaultNamespace)
  await kube.requestCounts() // setup's requests (none yet, or discovery) are not the trials'
  const rssBefore = process.memoryUsage.rss()
  process.stderr.write(`${experiments} experiments × ${parallel} parallel, ${trialsPer} trials each, pods of ${durationMs} ms${spreadMs ? ` + up to ${spreadMs} ms` : ''}\n`)
  const started = performance.now()
  const progress = setInterval(() => {
    const ended = timing.timings.filter((t) => t.endedAt !== undefined).length
    process.stderr.write(`${((performance.now() - started) / 1000).toFixed(0)} s: ${timing.timings.length} created, ${ended} ended, RSS ${mb(process.memoryUsage.rss())} MB\n`)
  }, 5000)
  const results = await Promise.all(
    records.map((record) => {
      const runner = new ExperimentRunner({ store, suggestions, executor: timing, launch: { baseDir: home, runDir: join(home, 'runs'), env: {} } })
      timing.opened(record.name, parallel)
      return runner.run(record.id)
    }),
  )
  clearInterval(progress)
  const wallMs = performance.now() - started
  const requests = await kube.requestCounts()
  jobEnds.stop()
  const peakRssMb = processUsage().maxRSS / 1024

  const finishedAt = new Map<string, number>()
  const states = new Map<string, number>()
  for (const record of records) {
    for (const trial of await store.trials.list(record.id)) {
      states.set(trial.state, (states.get(trial.state) ?? 0) + 1)
      if (trial.finishedAt) finishedAt.set(trial.name, trial.finishedAt.getTime())
    }
  }
  const refill = timing.timings.filter((t) => !t.firstWave).map((t) => t.createdAt - t.slotOpenedAt)
  const refillRunner = timing.timings.filter((t) => !t.firstWave).map((t) => t.preparedAt - t.slotOpenedAt)
  const refillExecutor = timing.timings.filter((t) => !t.firstWave).map((t) => t.createdAt - t.preparedAt)
  const firstWave = timing.timings.filter((t) => t.firstWave).map((t) => t.createdAt - t.slotOpenedAt)
  const lag = timing.timings.flatMap((t) => {
    const db = finishedAt.get(t.trial)
    return db === undefined || t.endedAt === undefined ? [] : [db - (performance.timeOrigin + t.endedAt)]
  })
  const watchLag = timing.timings.flatMap((t) => {
    const db = finishedAt.get(t.trial)
    const end = jobEnds.ends.get(t.trial)
    return db === undefined || end === undefined ? [] : [db - (performance.timeOrigin + end)]
  })
  const trials = timing.timings.length
  const total = Object.values(requests).reduce((a, b) => a + b, 0)
  const report: KubernetesReport = {
    generated: new Date().toISOString(),
    command: commandLine('bench:kubernetes', 'bench/kubernetes/main.ts', argv),
    machine,
    database: process.env.DATABASE_URL?.trim() ? 'PostgreSQL (DATABASE_URL)' : 'PGlite in memory, in the controller process',
    runtime: (compiled ? 'compiled JavaScript, as the package and the container run it' : 'TypeScript sources through tsx (about 120 MB more RSS than compiled)') +
      (process.execArgv.length > 0 ? `, with \`${process.execArgv.join(' ')}\`` : ''),
    experiments,
    parallel,
    trials_per_experiment: trialsPer,
    pod_duration_ms: durationMs,
    pod_duration_spread_ms: spreadMs,
    wall_s: round(wallMs / 1000, 1),
    trials,
    trial_states: Object.fromEntries(states),
    experiment_states: Object.fromEntries(results.reduce((m, r) => m.set(r.state, (m.get(r.state) ?? 0) + 1), new Map<string, number>())),
    peak_live_workloads: timing.peakLive,
    launch_after_slot_ms: summary(refill),
    launch_runner_part_ms: summary(refillRunner),
    launch_executor_part_ms: summary(refillExecutor),
    first_wave_launch_ms: summary(firstWave),
    end_to_database_ms: summary(lag),
    watch_to_database_ms: summary(watchLag),
    requests_total: total,
    requests_per_trial: round(total / Math.max(trials, 1), 2),
    requests,
    rss_before_mb: round(rssBefore / 2 ** 20, 0),
    rss_peak_mb: round(peakRssMb, 0),
  }
  mkdirSync(outDir, { recursive: true })
  writeFileSync(join(outDir, 'kubernetes.json'), JSON.stringify(report, null, 2) + '\n')
  writeFileSync(join(outDir, 'kubernetes.md'), renderKubernetesMarkdown(report))
  process.stdout.write(renderKubernetesMarkdown(report))
} finally {
  executor.close()
  await Promise.all([store.destroy(), kube.close()])
  rmSync(home, { recursive: true, force: true })
}

function summary(values: readonly number[]): { count: number; p50: number; p99: number; max: number } {
  return { count: values.length, p50: round(quantile(values, 0.5), 1), p99: round(quantile(values, 0.99), 1), max: round(values.length ? Math.max(...values) : Number.NaN, 1) }
}

function round(value: number, digits: number): number {
  const f = 10 ** digits
  return Math.round(value * f) / f
}

function mb(bytes: number): number {
  return Math.round(bytes / 2 ** 20)
}

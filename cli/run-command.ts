import { dirname, resolve } from 'node:path'
import { formatIssues, InvalidSpecError } from '../core/errors.ts'
import type { Experiment } from '../core/spec/index.ts'
import { MAX_KATIB_COUNT, MAX_PARALLEL_TRIALS_ENV, MAX_PARALLEL_TRIALS_USAGE, parseMaxParallelTrials, warmStartIssues, withWarmStartFrom } from '../core/spec/index.ts'
import { openStore, resolveStoreOptions } from '../db/open-store.ts'
import type { ExperimentRecord, Store } from '../db/store.ts'
import { LeaseLostError } from '../db/lease-lost-error.ts'
import { extendExperiment } from '../lifecycle/extend-experiment.ts'
import { isCompleted } from '../lifecycle/is-completed.ts'
import { createLocalRunner } from '../controller/create-local-runner.ts'
import { describeWarmStart, storedWarmStart } from '../suggestion/seed-warm-start.ts'
import { ClusterUnavailableError, createTrialPlacement, parseExecutorFlags, runnableCheck, type ExecutorFlags, type TrialPlacement } from './create-executor.ts'
import { DatabaseOutage } from '../controller/database-outage.ts'
import { LEASE_TTL_ENV, LEASE_TTL_USAGE, leaseTtlFromEnv, type ExperimentLease } from '../controller/experiment-lease.ts'
import { InterruptedError } from '../controller/experiment-runner.ts'
import { runUnderLease } from '../controller/run-under-lease.ts'
import { claimExperiment, lostLease, refusal } from './claim-experiment.ts'
import { loadExperiment } from './load-experiment.ts'
import { ProgressReporter } from './progress-reporter.ts'
import { printSummary } from './print-summary.ts'
import { resolveRunUiAddress, startRunUi, type RunUi, type RunUiOptions } from './run-ui.ts'
import { recordRunApi } from './run-api-record.ts'
import { untilStopped } from './until-stopped.ts'

export interface RunOptions extends ExecutorFlags {
  /**
   * `--db-outage-limit`: seconds the database may be unreachable while trials run before `run`
   * gives up (exit 3); default TUNEWELL_DB_OUTAGE_LIMIT, else 300.
   */
  readonly outageLimit?: string
  /** Discard an existing experiment of the same name and start over. */
  readonly fresh?: boolean
  /** Where `.tunewell/` (embedded database, trial logs) lives; defaults to the working dir. */
  readonly home?: string
  readonly pollMs?: number
  readonly signal?: AbortSignal
  readonly out?: NodeJS.WriteStream
  /** Also serve the API and the dashboard on loopback while it runs (`--ui`). */
  readonly ui?: RunUiOptions
  /** While another controller runs the experiment, wait for its lease instead of refusing (`--wait-for-lease`). */
  readonly waitForLease?: boolean
  /** `--more N`: add N trials to the experiment (lifecycle/extend-experiment.ts) and run them. */
  readonly more?: string
  /** `--from OTHER`: warm-start a new experiment from OTHER's trials (the annotation tunewell.dev/warm-start-from). */
  readonly from?: string
  /** `--max-parallel-trials`: the most parallelTrialCount accepted; default TUNEWELL_MAX_PARALLEL_TRIALS, then 256. */
  readonly maxParallelTrials?: string
}

/** How long `run` waits out an unreachable database by default: long enough for a restart or a failover. */
const DEFAULT_OUTAGE_LIMIT_SECONDS = 300

/**
 * Exit codes: 0 succeeded, 1 experiment failed, 2 bad input (a --ui port in use, an unknown
 * --executor or --context too), 3 environment (the database unreachable, at the start or for
 * longer than the outage limit; with --executor kubernetes a kubeconfig or cluster that cannot
 * be used), 4
 * another controller runs the experiment (refused at the start, or its lease was taken during
 * the run), 130 interrupted. With `ui.wait` the code is returned only after Ctrl-C.
 */
export async function runCommand(file: string, options: RunOptions = {}): Promise<number> {
  const out = options.out ?? process.stdout
  const outageText = options.outageLimit ?? process.env.TUNEWELL_DB_OUTAGE_LIMIT ?? String(DEFAULT_OUTAGE_LIMIT_SECONDS)
  const outageSeconds = Number(outageText)
  if (!/^\s*\d+(\.\d+)?\s*$/.test(outageText) || !(outageSeconds > 0)) {
    return usage(`--db-outage-limit (TUNEWELL_DB_OUTAGE_LIMIT) must be a positive number of seconds, got ${JSON.stringify(outageText)}`)
  }
  const limitText = options.maxParallelTrials ?? process.env[MAX_PARALLEL_TRIALS_ENV]
  const maxParallelTrials = parseMaxParallelTrials(limitText)
  if (maxParallelTrials === undefined) return usage(`${MAX_PARALLEL_TRIALS_USAGE}, got ${JSON.stringify(limitText)}`)
  const choice = parseExecutorFlags(options, process.env)
  if (typeof choice === 'string') return usage(choice)
  const more = options.more === undefined ? undefined : /^\s*\d+\s*$/.test(options.more) ? Number(options.more) : NaN
  if (more !== undefined && !(more >= 1 && more <= MAX_KATIB_COUNT)) {
    return usage(`--more takes the number of trials to add, a whole number from 1 to ${MAX_KATIB_COUNT}, got ${JSON.stringify(options.more)}`)
  }
  const loaded = await loadExperiment(file, { maxParallelTrials, runnable: runnableCheck(choice) })
  const { localIssues, warnings, locate } = loaded
  if (localIssues.length > 0) throw new InvalidSpecError(localIssues, file)
  const experiment = options.from === undefined ? loaded.experiment : withWarmStartFrom(loaded.experiment, options.from)
  const fromIssues = warmStartIssues(experiment)
  if (fromIssues.length > 0) return usage(`--from: ${fromIssues[0]!.message}`)
  if (warnings.length > 0) process.stderr.write(`warning:\n${formatIssues(warnings, file)}\n`)
  const address = options.ui ? resolveRunUiAddress(options.ui, process.env) : undefined
  if (typeof address === 'string') return usage(address)
  const home = resolve(options.home ?? process.cwd(), '.tunewell')
  const leaseTtlMs = leaseTtlFromEnv(process.env)
  if (leaseTtlMs === undefined) return usage(`${LEASE_TTL_USAGE}, got ${JSON.stringify(process.env[LEASE_TTL_ENV])}`)
  // The cluster is reached before the database is opened: one that cannot be used changes nothing.
  let placement: TrialPlacement
  try {
    placement = await createTrialPlacement(choice)
  } catch (error) {
    if (!(error instanceof ClusterUnavailableError)) throw error
    process.stderr.write(`error: ${error.message}\n`)
    return error.exitCode
  }
  // What only the cluster can tell (its version: native sidecars need 1.29), refused before anything is created.
  const clusterIssues = placement.check(experiment)
  if (clusterIssues.length > 0) {
    await placement.close()
    throw new InvalidSpecError(clusterIssues.map((issue) => ({ ...issue, ...locate(issue.path) })), file)
  }
  const store = await openStore(resolveStoreOptions(process.env, home)).catch(async (error: unknown) => {
    await placement.close()
    throw error
  })
  // Push tokens are signed with the database's key: every replica, and this one after a restart, checks them.
  await placement.push?.useStore(store).catch(async (error: unknown) => {
    await store.destroy()
    await placement.close()
    throw error
  })
  // What a delete through the dashboard waits for: this process's trials of that experiment to end.
  let running: { id: string; done: Promise<unknown> } | undefined
  let ui: RunUi | undefined
  let lease: ExperimentLease | undefined
  let removeRecord: (() => Promise<void>) | undefined
  try {
    if (address) {
      // Listening comes before the experiment is touched: a taken port changes nothing.
      const started = await startRunUi({
        store, home, address, err: process.stderr, experimentName: experiment.metadata.name,
        detach: async (id) => {
          if (running?.id === id) await running.done.catch(() => {})
        },
      })
      if (typeof started === 'string') return usage(started)
      ui = started
    }
    // The embedded database is this process's alone: `tunewell get/trials/...` ask the run instead.
    if (!process.env.DATABASE_URL?.trim()) {
      removeRecord = await recordRunApi({ store, home, ...(ui ? { uiUrl: ui.url } : {}) }).catch((error: unknown) => {
        process.stderr.write(`note: \`tunewell get/trials\` cannot reach this run while it runs: ${(error as Error).message}\n`)
        return undefined
      })
    }
    const claim = await claimExperiment(store, experiment, {
      fresh: options.fresh ?? false, wait: options.waitForLease ?? false, ttlMs: leaseTtlMs, out,
      ...(options.signal ? { signal: options.signal } : {}),
    })
    if (claim.kind === 'held') {
      process.stderr.write(`error: ${refusal(experiment.metadata.name, claim.heldBy)}\n`)
      return 4
    }
    if (claim.kind === 'interrupted') return 130
    lease = claim.lease
    let record = claim.record
    if (more !== undefined) {
      const before = record.spec.spec.maxTrialCount
      record = await extendExperiment(lease.store, record.id, more)
      const after = record.spec.spec.maxTrialCount
      out.write(after === before
        ? `experiment "${record.name}" has no maxTrialCount: it already runs until its goal or a stop\n`
        : `experiment "${record.name}": ${more} more ${more === 1 ? 'trial' : 'trials'}, maxTrialCount ${before ?? 'unset'} -> ${after}\n`)
    }
    const warmStart = await storedWarmStart(store, record.id)
    if (warmStart) out.write(`experiment "${record.name}" ${describeWarmStart(warmStart)}\n`)
    else if (options.from !== undefined) {
      out.write(`note: --from applies when an experiment is created; "${record.name}" already exists without a warm start (run with --fresh to start it over from ${options.from})\n`)
    }
    // Printed once the experiment exists, so the page never opens on a 404.
    if (ui) out.write(`${ui.dashboard ? 'dashboard' : 'api'}: ${ui.url}\n`)
    let code: number
    if (isCompleted(record)) {
      out.write(`experiment "${record.name}" already completed; run with --more N to add N trials, or with --fresh to start it over\n`)
      const complaint = await printSummary(store, record, out)
      code = verdict(record, complaint)
    } else {
      const done = runToCompletion(store, lease, record, experiment, { ...options, out, baseDir: dirname(resolve(file)), home, outageLimitMs: outageSeconds * 1000, placement })
      running = { id: record.id, done }
      code = await done
    }
    // Ctrl-C during the run means "stop", not "stop the run and keep the page".
    if (ui && options.ui?.wait && code !== 130) {
      out.write(`the run is over; still serving ${ui.url} until Ctrl-C\n`)
      await untilStopped(options.signal)
    }
    return code
  } finally {
    await lease?.release()
    await removeRecord?.()
    await ui?.close()
    await store.destroy()
    await placement.close()
  }
}

/**
 * 0 when the experiment succeeded and some trial has a result; 1 when it failed, or when no
 * trial succeeded: Katib calls an experiment whose every trial failed Succeeded once
 * maxTrialCount trials ended (without maxFailedTrialCount), but nothing was tuned, and a script
 * or CI job that runs `tunewell run` must not take that for success. Said on stderr, last.
 */
function verdict(record: ExperimentRecord, complaint: string | undefined): number {
  if (complaint !== undefined) {
    const katib = record.state === 'Succeeded' ? `, although Katib's rules call it Succeeded (${record.reason ?? ''})` : ''
    process.stderr.write(`\nerror: ${complaint}${katib}; the failed trials' last output lines are above\n`)
    return 1
  }
  return record.state === 'Succeeded' ? 0 : 1
}

function usage(message: string): number {
  process.stderr.write(`error: ${message}\n`)
  return 2
}

async function runToCompletion(
  store: Store,
  lease: ExperimentLease,
  record: ExperimentRecord,
  experiment: Experiment,
  options: RunOptions & { out: NodeJS.WriteStream; baseDir: string; home: string; outageLimitMs: number; placement: TrialPlacement },
): Promise<number> {
  const out = options.out
  const metric = experiment.spec.objective.objectiveMetricName
  const progress = new ProgressReporter(out, experiment.spec.maxTrialCount)
  const outage = new DatabaseOutage({
    limitMs: options.outageLimitMs,
    log: { warn: (message) => process.stderr.write(`warning: ${message}\n`) },
  })
  const { runner, close } = await createLocalRunner({
    // Every write of the run is fenced by its lease (db/fenced-store.ts).
    store: lease.store,
    experimentName: record.name,
    home: options.home,
    baseDir: options.baseDir,
    ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
    onProgress: (p) => progress.update(p, metric),
    outage,
    ...(options.placement.executor ? { executor: options.placement.executor } : {}),
    ...(options.placement.push ? { push: options.placement.push } : {}),
    // Katib's report_metrics() reaches a loopback gRPC server; trials on a cluster cannot.
    katibDbManager: options.placement.kind === 'local' && experiment.spec.metricsCollectorSpec?.collector?.kind === 'Push',
  })
  const interrupt = new AbortController()
  const onSignal = () => interrupt.abort()
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  options.signal?.addEventListener('abort', onSignal)
  try {
    const done = await runUnderLease(runner, lease, interrupt.signal)
    progress.stop()
    return verdict(done, await outage.retry(() => printSummary(store, done, out)))
  } catch (error) {
    progress.stop()
    if (error instanceof InterruptedError) {
      out.write(`\ninterrupted: trials in progress were stopped. Run the same command again to resume "${record.name}".\n`)
      return 130
    }
    if (error instanceof LeaseLostError) {
      process.stderr.write(`\nerror: ${lostLease(record.name, error)}\n`)
      return 4
    }
    throw error
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    options.signal?.removeEventListener('abort', onSignal)
    await close()
  }
}

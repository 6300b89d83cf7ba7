import { objectivesOf } from '../core/multiobjective/objectives.ts'
import type { Experiment } from '../core/spec/index.ts'
import { strategyFor } from '../core/spec/index.ts'
import type { MetricPoint } from '../core/metric.ts'
import type { EarlyStopper } from '../algorithms/early-stopping/early-stopper.ts'
import type { IntermediateValue, TrialState } from '../core/trial.ts'
import { isDatabaseUnavailable } from '../db/is-database-unavailable.ts'
import { LeaseLostError } from '../db/lease-lost-error.ts'
import type { ExperimentRecord, Store, TrialRecord } from '../db/store.ts'
import type { SuggestionService } from '../suggestion/suggestion-service.ts'
import { completeExperiment, COMPLETED_KILL_MESSAGE } from '../lifecycle/complete-experiment.ts'
import { countStates } from '../lifecycle/count-states.ts'
import { earlyStopTrial } from '../lifecycle/early-stop-trial.ts'
import { decideEarlyStop, earlyStopperOf } from '../lifecycle/early-stopping-check.ts'
import { acceptsTextObjective } from '../algorithms/nas/darts/accepts-text-objective.ts'
import { finishTrial } from '../lifecycle/finish-trial.ts'
import { isCompleted } from '../lifecycle/is-completed.ts'
import { killActiveTrials } from '../lifecycle/kill-active-trials.ts'
import { planExperiment, planInputFor } from '../lifecycle/plan.ts'
import { recordFailedAttempt } from '../lifecycle/record-failed-attempt.ts'
import { resetTrial } from '../lifecycle/reset-trial.ts'
import { startExperiment } from '../lifecycle/start-experiment.ts'
import { startTrial } from '../lifecycle/start-trial.ts'
import { startTrials } from '../lifecycle/start-trials.ts'
import { isWithdrawn, stopExcessTrials } from '../lifecycle/stop-excess-trials.ts'
import { decideTrialOutcome, type TrialOutcome } from '../lifecycle/trial-outcome.ts'
import { updateBestTrial } from '../lifecycle/update-best-trial.ts'
import { checkpointDirFor, prepareCheckpointDir } from './checkpoint-dir.ts'
import { DatabaseOutage, StoppedWaitingError } from './database-outage.ts'
import { realClock, type Clock } from './clock.ts'
import { sharesMetricsFile } from './metrics-file.ts'
import { lineageFirstStep } from './lineage-first-step.ts'
import { TrialCollector } from './trial-collector.ts'
import { LaunchError, type ExitResult, type LaunchContext, type PreparedTrial, type RunningTrial, type TrialExecutor, type TrialRequest } from './trial-executor.ts'

export interface Progress {
  readonly experiment: ExperimentRecord
  readonly counts: Readonly<Record<TrialState, number>>
  readonly best: TrialRecord | undefined
}

export interface ExperimentRunnerOptions {
  readonly store: Store
  readonly suggestions: SuggestionService
  /** Where trials run: local processes, or a fake in tests. The runner only goes through its interface. */
  readonly executor: TrialExecutor
  /** Where this controller keeps trial folders (checkpoints, logs), and every trial's extra environment. */
  readonly launch: LaunchContext
  /** Environment for one trial's push reports (URL + token), if a receiver runs. */
  readonly pushEnv?: (trialName: string) => Readonly<Record<string, string>>
  readonly pollMs?: number
  readonly onProgress?: (progress: Progress) => void
  /**
   * How database outages are waited out (see DatabaseOutage): `run` gives up after a limit,
   * `serve` never does. Default: no limit, nothing logged.
   */
  readonly outage?: DatabaseOutage
  /** Time for the poll waits and outage backoffs; default the real one (tests run it virtually). */
  readonly clock?: Clock
}

interface LiveTrial {
  readonly process: RunningTrial
  /** A new one for each attempt of a retried trial. */
  collector: TrialCollector
  readonly finished: Promise<void>
  /** The objective's curve not yet judged by the early-stopping rule (the newest wins). */
  unjudged?: IntermediateValue[]
  /** A decision of the rule in progress; at most one per trial. */
  judging?: Promise<void>
  /** The rule stopped it: no further decision, the process is on its way out. */
  stopping?: boolean
  /** Its process ended: its outcome is collected, the rule no longer applies. */
  exited?: boolean
}

/**
 * How many of a pass's launches go on at once: their database work is batched, what is left is
 * the folder, the render and the create request; a few at a time keep a refill from waiting
 * behind a whole pass, without a hundred experiments' passes flooding the API server at once.
 */
const LAUNCHES_AT_ONCE = 4

/**
 * Runs one experiment to completion with local trials: Katib's experiment and trial
 * reconcilers in one level-triggered loop. Every step reads its state from the database and
 * writes with compare-and-set, so killing the process anywhere and running again resumes:
 * Running trials are re-attached to their workloads where the executor can, those whose process
 * is gone are relaunched, nothing finished is touched.
 */
export class ExperimentRunner {
  readonly #o: ExperimentRunnerOptions
  /** Trials whose process runs in this runner, by trial name. */
  readonly #live = new Map<string, LiveTrial>()
  /**
   * Collectors of the trials starting or running here, by name, for pushes: a trial's program may
   * push before its start has returned (the workload created, the pod already up).
   */
  readonly #pushTargets = new Map<string, TrialCollector>()
  /** Set when something happened that the next reconcile should see without waiting. */
  #dirty = false
  #endSleep: (() => void) | undefined
  #interrupted = false
  /** Interrupted to hand the trials over: they are detached, not stopped, where the executor can. */
  #detaching = false
  /** An error from a trial's completion path that is not a database outage (a bug), rethrown by run(). */
  #failure: unknown
  readonly #outage: DatabaseOutage
  readonly #clock: Clock

  constructor(options: ExperimentRunnerOptions) {
    this.#o = options
    this.#clock = options.clock ?? realClock
    this.#outage = options.outage ?? new DatabaseOutage({ clock: this.#clock })
  }

  /**
   * Points pushed by a trial program; routed to its collector while it runs. Throws at once when
   * the trial does not run here; otherwise resolves once the points are stored (see TrialCollector.onPush).
   */
  acceptPush(trialName: string, points: readonly MetricPoint[]): Promise<void> {
    const collector = this.#pushTargets.get(trialName)
    if (!collector) throw new Error(`trial ${trialName} is not running`)
    return collector.onPush(points)
  }

  /**
   * Something changed in the database that the next reconcile should see now rather than after
   * the poll interval (a trial killed or the experiment stopped through the API, a new budget).
   */
  poke(): void {
    this.#wake()
  }

  /**
   * Runs the experiment until it completes. Aborting `signal` interrupts it: its trials are
   * stopped (they stay Running in the database, for the next run to relaunch or re-attach), or,
   * with the reason DETACH_TRIALS, left running where the executor can (RunningTrial.detach).
   */
  async run(experimentId: string, signal?: AbortSignal): Promise<ExperimentRecord> {
    const onAbort = () => this.#interrupt(signal?.reason === DETACH_TRIALS)
    signal?.addEventListener('abort', onAbort)
    try {
      if (signal?.aborted) onAbort()
      await this.#outage.retry(() => this.#recover(experimentId), () => this.#interrupted)
      for (;;) {
        if (this.#interrupted) throw new InterruptedError()
        if (this.#failure !== undefined) throw this.#failure
        let done: ExperimentRecord | undefined
        try {
          done = await this.#reconcile(experimentId)
          this.#outage.recovered()
        } catch (error) {
          // The database is away: trial processes and their collectors go on here, and the next
          // pass picks up where this one stopped (every step is a compare-and-set). An outage
          // past the limit throws DATABASE_UNAVAILABLE from failed().
          if (!this.#outage.failed(error)) throw error
          await this.#sleep(this.#outage.nextDelayMs())
          continue
        }
        if (done) return done
        await this.#sleep()
      }
    } catch (error) {
      // No process outlives run(): an error leaves its trials Running in the database, as an
      // interrupt does, and the next run relaunches them. A fenced write refused because another
      // controller took the experiment leaves them to it (detached where the executor can).
      this.#interrupt(error instanceof LeaseLostError && error.current !== undefined)
      if (error instanceof StoppedWaitingError) throw new InterruptedError()
      throw error
    } finally {
      signal?.removeEventListener('abort', onAbort)
      if (this.#interrupted) await Promise.allSettled([...this.#live.values()].map((l) => l.finished))
    }
  }

  /** One pass of the experiment reconciler; returns the record once the experiment is completed. */
  async #reconcile(experimentId: string): Promise<ExperimentRecord | undefined> {
    const { store } = this.#o
    // Live before the read: a trial that ends while the list is read is Running in it and gone
    // from #live after it, yet no stranded launch (relaunching it would delete its points).
    const liveBefore = new Set(this.#live.keys())
    // Independent reads side by side: under load each waits for a pooled connection, once.
    const [found, trials, exhausted] = await Promise.all([store.experiments.get(experimentId), store.trials.list(experimentId), this.#o.suggestions.isExhausted(experimentId)])
    let experiment = found
    if (!experiment) throw new Error(`experiment ${experimentId} was deleted while running`)
    // Completed elsewhere (stopped through the API, or by another controller): its trials stop here.
    if (isCompleted(experiment)) return this.#endWith(experiment)
    const spec = experiment.spec
    if (experiment.state === 'Created' || experiment.state === 'Restarting') {
      // Compare-and-set: a stop that lands between the read and this write must win.
      const running = await startExperiment(store, experiment, 'experiment is running')
      if (!running) return undefined
      experiment = running
    }
    this.#stopKilled(trials)
    // A pass's launches all settle before it ends, so a Running trial without a process here is
    // one whose launch was cut short (the database went away between its steps): it starts over.
    const stranded = trials.filter((t) => t.state === 'Running' && !liveBefore.has(t.name) && !this.#live.has(t.name))
    // Only the row is reset (fenced): this runner started no process for it, so a process on the
    // row is another controller's, one that took the lease while this one was paused.
    for (const trial of stranded) await this.#reset(trial, 'relaunched: its launch was interrupted by a database outage')
    if (stranded.length > 0) {
      this.#wake()
      return undefined
    }
    // Trials stopped by a lowered parallelTrialCount count for nothing, as Katib deletes them.
    const counts = countStates(trials.filter((t) => !isWithdrawn(t)))
    // Katib's ReconcileTrials is level-triggered: more trials active than parallelTrialCount (a
    // pass that read the spec before a lower one committed created some) stops the newest.
    const parallel = spec.spec.parallelTrialCount ?? 3
    if (counts.Pending + counts.Running > parallel) {
      await stopExcessTrials(store, experimentId, parallel, `stopped because more than parallelTrialCount ${parallel} trials were active, newest first as Katib does; it does not count towards maxTrialCount`)
      this.#wake()
      return undefined
    }
    const updated = await updateBestTrial(store, experiment, trials)
    experiment = updated.experiment
    const best = updated.best

    const plan = planExperiment(planInputFor(spec, counts, best?.objective ?? undefined, exhausted))
    if (plan.kind === 'complete') {
      // Katib leaves running trials behind (kubeflow/katib#2061); we stop them. The processes
      // first, so each trial ends Killed with what it reported (#collectOutcome)...
      for (const live of this.#live.values()) live.process.stop('ExperimentCompleted')
      await Promise.all([...this.#live.values()].map((l) => l.finished))
      // ...then the completion, as ask/tell completes (lifecycle/): what is still Pending or
      // Running is Killed with its event in the same transaction.
      const completed = await completeExperiment(store, experimentId, plan.completion)
      // Someone else completed it meanwhile (a stop through the API); theirs stands.
      if (!completed) return undefined
      this.#o.onProgress?.({ experiment: completed, counts: countStates(await store.trials.list(experimentId)), best })
      return completed
    }
    const created = plan.add > 0 ? (await this.#o.suggestions.ensureTrials(experimentId, trials.length + plan.add)).created : []
    // What this pass read and created, without reading it again (a launch is compare-and-set on Pending).
    const pending = [...trials.filter((t) => t.state === 'Pending'), ...created].sort((a, b) => a.number - b.number)
    await this.#launchAll(spec, pending)
    if (this.#o.onProgress) this.#o.onProgress({ experiment, counts: await store.trials.countByState(experimentId), best })
    return undefined
  }

  /**
   * Launches a pass's Pending trials with their database work batched: every row made Running in
   * one statement, then the launches LAUNCHES_AT_ONCE at a time, then every handle in one
   * statement. One after another with a few round trips each, a slot that opened behind twenty
   * others waited for all of theirs. Every launch is settled before the pass ends, so the next
   * pass never sees one half done (its stranded check relies on that); the first error is
   * rethrown once all have settled. Trials sharing one metrics file still go one at a time
   * (#launch admits one of them).
   */
  async #launchAll(spec: Experiment, pending: readonly TrialRecord[]): Promise<void> {
    if (this.#sharesMetricsFile(spec)) {
      for (const trial of pending) await this.#launch(spec, trial)
      return
    }
    // lifecycle/start-trials.ts: each row with its event, all in one statement.
    const startable = pending.filter((trial) => !this.#live.has(trial.name))
    const started = await startTrials(this.#o.store, startable, { kind: this.#o.executor.kind, launching: true })
    const handles = new Map<string, unknown>()
    const queue = startable.filter((trial) => started.has(trial.id))
    const failures: unknown[] = []
    const launcher = async () => {
      for (let trial = queue.shift(); trial; trial = queue.shift()) await this.#launchStarted(spec, trial, handles).catch((error: unknown) => failures.push(error))
    }
    await Promise.all(Array.from({ length: Math.min(LAUNCHES_AT_ONCE, queue.length) }, launcher))
    // Until this commits, a crash is covered as for one trial (#launchStarted): the executor's own
    // record, or the workload adopted on create (409).
    const executions = [...handles].map(([id, execution]) => ({ id, execution }))
    if (executions.length > 0) await this.#outage.retry(() => this.#o.store.trials.setExecutions(executions), () => this.#interrupted)
    if (failures.length > 0) throw failures[0]
  }

  async #launch(spec: Experiment, trial: TrialRecord): Promise<void> {
    const { store } = this.#o
    if (this.#live.has(trial.name)) return
    // Trials that all write one metrics file outside their folders would read each other's
    // values: one at a time (admission refuses this for parallel trials; a PATCH can still get here).
    if (this.#live.size > 0 && this.#sharesMetricsFile(spec)) return
    const started = await startTrial(store, trial, { kind: this.#o.executor.kind, launching: true })
    if (!started) return
    await this.#launchStarted(spec, trial)
  }

  /**
   * Whether this experiment's trials all write one metrics file or event folder of this machine
   * (metrics-file.ts): only for local processes; a cluster's pods each have a filesystem of their own.
   */
  #sharesMetricsFile(spec: Experiment): boolean {
    return this.#o.executor.kind === 'local' && sharesMetricsFile(spec)
  }

  /** A trial whose row was just made Running by this runner: its folder, its workload, its handle (written, or put in `handles` for the caller to write). */
  async #launchStarted(spec: Experiment, trial: TrialRecord, handles?: Map<string, unknown>): Promise<void> {
    const { store } = this.#o
    const checkpointDir = checkpointDirFor(spec, this.#o.launch, trial.name)
    try {
      const parentDir = trial.parentTrialName ? checkpointDirFor(spec, this.#o.launch, trial.parentTrialName) : undefined
      if (this.#o.executor.checkpointsOnThisMachine !== false) await prepareCheckpointDir(checkpointDir, parentDir)
    } catch (error) {
      await this.#finishTrial(trial, { state: 'Failed', reason: 'TrialFailed', message: `Job reason: CheckpointError. cannot prepare the checkpoint directory ${checkpointDir}: ${(error as Error).message}`, objective: null })
      return
    }
    const firstStep = await lineageFirstStep(store, trial)
    let prepared
    try {
      prepared = await this.#o.executor.prepare(this.#requestFor(spec, trial, checkpointDir, firstStep))
    } catch (error) {
      if (!(error instanceof LaunchError)) throw error
      await this.#finishTrial(trial, { state: 'Failed', reason: 'TrialFailed', message: `Job reason: TemplateError. ${error.message}`, objective: null })
      return
    }
    const process = await this.#follow(spec, trial, prepared, firstStep)
    if (handles) return void handles.set(trial.id, process.handle)
    // Only now that the process is tracked here: a failure below (the database went away) must
    // not leave it running unseen. The next pass retries; for a crash, the executor keeps a record
    // of its own that stopOrphan finds (the local one: the handle file in the trial's folder).
    await this.#outage.retry(() => store.trials.update(trial.id, { execution: process.handle }), () => this.#interrupted)
  }

  /** What the executor renders a trial from: the controller's context with the trial's push URL and token added. */
  #requestFor(spec: Experiment, trial: TrialRecord, checkpointDir: string, firstStep: number): TrialRequest {
    return { experiment: spec, trial, checkpointDir, ...(firstStep > 0 ? { firstStep } : {}), context: { ...this.#o.launch, env: { ...this.#o.launch.env, ...this.#o.pushEnv?.(trial.name) } } }
  }

  /**
   * Starts a prepared (or re-attached) trial with its collector, and tracks it here until its
   * outcome is collected: what #launch and #recover's re-attach share.
   */
  async #follow(spec: Experiment, trial: TrialRecord, prepared: PreparedTrial, firstStep: number): Promise<RunningTrial> {
    const { store } = this.#o
    const stopper = earlyStopperOf(spec)
    const onObjective = stopper ? (curve: IntermediateValue[]) => this.#judge(spec, stopper, trial, curve) : undefined
    const newCollector = (): TrialCollector => new TrialCollector(spec, store.observations, trial.id, prepared.metricsFile, onObjective, prepared.localCollector, firstStep)
    let collector = newCollector()
    this.#pushTargets.set(trial.name, collector)
    const forget = (): void => {
      if (this.#pushTargets.get(trial.name) === collector) this.#pushTargets.delete(trial.name)
    }
    let process: RunningTrial
    try {
      process = await prepared.start((line) => collector.onLine(line), async (attempt) => {
        // A Job's retry: the failed attempt's points go (lifecycle/record-failed-attempt.ts), and
        // so does the collector that counted its steps, since the next attempt starts from its first.
        const interrupted = () => this.#interrupted
        const old = collector
        await this.#outage.retry(() => old.finish(), interrupted)
        await this.#outage.retry(() => recordFailedAttempt(store, trial, {
          attempt: attempt.attempt, attempts: attempt.attempts, reason: attempt.result.reason, message: attempt.result.message,
          ...(attempt.result.exitCode !== undefined ? { exitCode: attempt.result.exitCode } : {}), retryInMs: attempt.delayMs,
        }), interrupted)
        collector = newCollector()
        this.#pushTargets.set(trial.name, collector)
        const live = this.#live.get(trial.name)
        if (live) live.collector = collector
      })
    } catch (error) {
      forget()
      throw error
    }
    const finished = process.done
      .then(async (exit) => {
        const live = this.#live.get(trial.name)
        if (live) live.exited = true
        // A decision under way must not mark the trial after its outcome was collected.
        await live?.judging
        // An outage at the end of a trial only delays its outcome: the points stay buffered
        // and the result is written once the database is back.
        await this.#outage.retry(() => this.#collectOutcome(spec, trial, collector, exit), () => this.#interrupted)
      })
      .catch((error: unknown) => {
        // The trial stays Running in the database; a rerun relaunches it.
        if (!this.#interrupted) this.#failure ??= error
      })
      .finally(() => {
        this.#live.delete(trial.name)
        forget()
        this.#wake()
      })
    this.#live.set(trial.name, { process, collector, finished })
    // Interrupted while it was starting: it was not here to be stopped with the others.
    if (this.#interrupted) this.#leave(process)
    return process
  }

  /**
   * Asks the early-stopping rule about a running trial's newest objective point. Decisions of one
   * trial run one at a time; points that arrive meanwhile are judged together afterwards (the
   * rule reads the whole curve, so the newest curve is all it needs).
   */
  #judge(spec: Experiment, stopper: EarlyStopper, trial: TrialRecord, curve: IntermediateValue[]): void {
    const live = this.#live.get(trial.name)
    if (!live || live.stopping || live.exited) return
    live.unjudged = curve
    if (live.judging) return
    live.judging = (async () => {
      try {
        while (live.unjudged && !live.stopping && !live.exited) {
          const own = live.unjudged
          live.unjudged = undefined
          const decision = await decideEarlyStop(this.#o.store, stopper, spec, trial, own)
          if (decision.stop && !live.exited && !this.#interrupted) await this.#earlyStop(spec, trial, live, decision.reason)
        }
      } catch (error) {
        // Unreachable database: this point goes unjudged; the next point is judged with the whole curve.
        if (!isDatabaseUnavailable(error)) {
          this.#failure ??= error
          this.#wake()
        }
      } finally {
        live.judging = undefined
      }
    })()
  }

  /**
   * Stores what the trial reported, marks it EarlyStopped (compare-and-set), then signals its
   * process and wakes the loop so the slot is refilled while the process winds down. A crash
   * before the mark leaves it Running (relaunched by #recover); after it, #recover kills the
   * orphan. Either way no point is lost and no trial is counted twice.
   */
  async #earlyStop(spec: Experiment, trial: TrialRecord, live: LiveTrial, reason: string): Promise<void> {
    live.stopping = true
    // Decided: from here no point is judged or collected again, so an outage must delay the stop,
    // not drop it (the trial would run on to its end with its metrics cut at the decision).
    const interrupted = () => this.#interrupted
    await this.#outage.retry(() => live.collector.freeze(), interrupted)
    if (await this.#outage.retry(() => earlyStopTrial(this.#o.store, spec, trial, reason), interrupted)) {
      live.process.stop('EarlyStopped')
      this.#wake()
    }
  }

  async #collectOutcome(spec: Experiment, trial: TrialRecord, collector: TrialCollector, exit: ExitResult): Promise<void> {
    if (this.#interrupted) {
      collector.abandon()
      return
    }
    const diagnostics = await collector.finish()
    const summary = await this.#o.store.observations.summarize(trial.id)
    const texts = await this.#o.store.observations.textSummaries(trial.id)
    const metric = spec.spec.objective.objectiveMetricName
    const text = acceptsTextObjective(spec.spec.algorithm.algorithmName)
    const further = objectivesOf(spec.spec.objective).slice(1).map((o) => o.metric)
    const outcome = decideTrialOutcome(exit, summary, { metric, strategy: strategyFor(spec, metric), collector: collector.kind, text, further }, diagnostics, texts)
    await this.#finishTrial(trial, outcome, summary, texts)
  }

  /** Its outcome, metrics and event in one transaction; killed from outside, it stays Killed and keeps its observation (lifecycle/finish-trial.ts). */
  async #finishTrial(trial: TrialRecord, outcome: TrialOutcome, summary?: Record<string, { min: number; max: number; latest: number }>, texts?: Record<string, string>): Promise<void> {
    await finishTrial(this.#o.store, trial, outcome, summary, texts)
  }

  /** A trial whose row left Running while its process runs here was killed from outside: stop the process. */
  #stopKilled(trials: readonly TrialRecord[]): void {
    for (const trial of trials) {
      if (trial.state !== 'Running') this.#live.get(trial.name)?.process.stop('Killed')
    }
  }

  /**
   * The experiment completed without this runner: stop what still runs here, then report it.
   * Its completion killed what was Pending or Running; whatever is left so (an experiment
   * completed by an older version) is killed now, its processes here having ended.
   */
  async #endWith(experiment: ExperimentRecord): Promise<ExperimentRecord> {
    for (const live of this.#live.values()) live.process.stop('ExperimentCompleted')
    await Promise.all([...this.#live.values()].map((l) => l.finished))
    await killActiveTrials(this.#o.store, experiment.id, COMPLETED_KILL_MESSAGE)
    return (await this.#o.store.experiments.get(experiment.id)) ?? experiment
  }

  /**
   * After a crash, Running trials have no process here. Where the executor can (a workload on a
   * cluster outlives its controller), the trial is re-attached to what still exists of it: no
   * second launch, no restart counted. Otherwise an orphan that still runs is stopped (its
   * result could not be collected), its partial metrics dropped, and the trial relaunched with
   * the same parameters: the trial count and numbering stay exactly as they were.
   */
  async #recover(experimentId: string): Promise<void> {
    const { store } = this.#o
    // Early stopped, or killed through the API, while no controller signalled its process: it
    // may still run. Both marks come before the signal, and a stop ends the workload whatever
    // `retain` says. Succeeded, Failed and MetricsUnavailable are marked only once the workload
    // ended (and was deleted, unless retained on purpose): nothing of them to stop.
    for (const trial of await store.trials.list(experimentId, { states: ['EarlyStopped', 'Killed'] })) {
      // Re-attached by an earlier try of this recovery, then killed: #stopKilled stops it here.
      if (!this.#live.has(trial.name)) await this.#killOrphan(trial)
    }
    const running = await store.trials.list(experimentId, { states: ['Running'] })
    for (const trial of running) {
      // Re-attached by an earlier try of this recovery (the database went away after it).
      if (this.#live.has(trial.name)) continue
      if (await this.#reattach(trial)) continue
      await this.#killOrphan(trial)
      await this.#reset(trial, 'relaunched after the controller stopped while it ran')
    }
  }

  /**
   * Re-attaches a Running trial to its workload, when the executor finds it by the row's handle.
   * Its output is delivered again from its start and the collector keys points by (metric,
   * step), counting steps from the start of that output; the points stored from it before are
   * dropped first, so that what is re-read replaces them whole rather than mixing with them
   * (a log that lost its beginning yields fewer points, none mixed with the old ones). That is the
   * StdOut collector's case only: pushed points (the Push collector, and on a cluster the File,
   * TensorFlowEvent and PrometheusMetric sidecars, which do not send again what was accepted)
   * come from nowhere else and are kept; so are a Custom collector's, whose container may push
   * too and whose log, read again, rewrites the same (metric, step) rows.
   */
  async #reattach(trial: TrialRecord): Promise<boolean> {
    const { store, executor } = this.#o
    if (!executor.attach || trial.execution === null || trial.execution === undefined) return false
    const experiment = await store.experiments.get(trial.experimentId)
    if (!experiment) return false
    const spec = experiment.spec
    const firstStep = await lineageFirstStep(store, trial)
    const attached = await executor.attach(trial, this.#requestFor(spec, trial, checkpointDirFor(spec, this.#o.launch, trial.name), firstStep))
    if (!attached) return false
    if ((spec.spec.metricsCollectorSpec?.collector?.kind ?? 'StdOut') === 'StdOut') await store.observations.deleteForTrial(trial.id)
    await this.#follow(spec, trial, attached, firstStep)
    return true
  }

  /** A Running trial without a process of this runner starts over: Pending again, its points dropped, with its event (lifecycle/reset-trial.ts). */
  async #reset(trial: TrialRecord, message: string): Promise<void> {
    await resetTrial(this.#o.store, trial, message)
  }

  /** Stops what a previous controller left running of this trial (the executor finds it from its handle). */
  async #killOrphan(trial: TrialRecord): Promise<void> {
    await this.#o.executor.stopOrphan(trial, this.#o.launch)
  }

  /** Stops every trial here, or detaches from those that can outlive this controller (`detach`, sticky once asked). */
  #interrupt(detach = false): void {
    if (this.#interrupted && !detach) return
    this.#interrupted = true
    this.#detaching ||= detach
    for (const live of this.#live.values()) this.#leave(live.process)
    this.#wake()
  }

  #leave(process: RunningTrial): void {
    if (this.#detaching && process.detach) process.detach()
    else process.stop('Interrupted')
  }

  #wake(): void {
    this.#dirty = true
    this.#endSleep?.()
  }

  /** Waits for a trial to end, an interrupt, or the poll interval, whichever comes first. */
  async #sleep(ms = this.#o.pollMs ?? 1000): Promise<void> {
    if (!this.#dirty) {
      await new Promise<void>((resolve) => {
        const cancel = this.#clock.setTimeout(() => this.#endSleep!(), ms)
        this.#endSleep = () => {
          cancel()
          this.#endSleep = undefined
          resolve()
        }
      })
    }
    this.#dirty = false
  }
}

/** The abort reason that makes run() leave its trials running for the next controller (see run()). */
export const DETACH_TRIALS = Symbol('detach trials')

export class InterruptedError extends Error {
  constructor() {
    super('interrupted')
  }
}


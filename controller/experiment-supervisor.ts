import type { SpecIssue } from '../core/errors.ts'
import { DEFAULT_MAX_PARALLEL_TRIALS, parallelLimitIssues, type Experiment } from '../core/spec/index.ts'
import type { ExperimentRecord, ExperimentState, Store } from '../db/store.ts'
import type { AskFunction } from '../suggestion/suggestion-service.ts'
import { checkLocalRunnable } from './check-local.ts'
import { createLocalRunner } from './create-local-runner.ts'
import { DatabaseOutage } from './database-outage.ts'
import { DETACH_TRIALS, InterruptedError, type ExperimentRunner } from './experiment-runner.ts'
import { describeHolder } from '../db/describe-lease.ts'
import { LeaseLostError } from '../db/lease-lost-error.ts'
import { DEFAULT_LEASE_TTL_MS, ExperimentLease } from './experiment-lease.ts'
import { sweepOrphans } from './orphan-sweep.ts'
import { runUnderLease } from './run-under-lease.ts'
import type { PushHub } from './push-hub.ts'
import type { TrialExecutor } from './trial-executor.ts'

const ACTIVE: readonly ExperimentState[] = ['Created', 'Running', 'Restarting']

export interface SupervisorLog {
  info(message: string): void
  /** A database outage begins or ends (once each, not per retry). */
  warn?(message: string): void
  error(message: string, error: unknown): void
}

export interface SupervisorOptions {
  readonly store: Store
  /** The `.tunewell` folder: trial folders go under `<home>/runs/`. */
  readonly home: string
  /** Relative trial commands and working directories resolve here. */
  readonly baseDir: string
  /** The most parallel trials one experiment may run here; default DEFAULT_MAX_PARALLEL_TRIALS. */
  readonly maxParallelTrials?: number
  /** Whether trialTemplate commands may run on this machine at all (see cli/serve-command.ts). */
  readonly localExecution: boolean
  /** How often the database is polled for experiments to start; default 1000 ms. */
  readonly pollMs?: number
  /** Each runner's reconcile interval; default 1000 ms. */
  readonly runnerPollMs?: number
  /** A runner that failed is retried after this long; default 5000 ms. */
  readonly retryMs?: number
  readonly log?: SupervisorLog
  /** How every runner's suggestions are computed (serve: a worker pool); default in this thread. */
  readonly ask?: AskFunction
  /** Time to live of each experiment's lease (controller/experiment-lease.ts); default 10 s. */
  readonly leaseTtlMs?: number
  /** How often the remote executor's orphaned workloads are swept (controller/orphan-sweep.ts); default 60 s, and once at start. */
  readonly sweepMs?: number
  /** How long a stop waits for a sweep under way before it leaves it to the next start; default 10 s. */
  readonly sweepStopWaitMs?: number
  /**
   * Where trials run when not on this machine (`--executor kubernetes`): the executor every
   * runner shares, what it cannot run, and the push receiver its trials reach. Local execution
   * does not apply to them.
   */
  readonly remote?: {
    readonly executor: TrialExecutor
    /** "Kubernetes", for the status message of an experiment it cannot run. */
    readonly name: string
    readonly check: (experiment: Experiment) => SpecIssue[]
    readonly push?: PushHub
  }
}

/** The start of the status message of an experiment another controller runs (see #startRun). */
const LEASED_ELSEWHERE = 'waiting: run by another controller, '

interface Run {
  readonly runner: ExperimentRunner
  readonly abort: AbortController
  readonly done: Promise<void>
}

/**
 * The controller of `tunewell serve`: runs every experiment that should run (Created, Running
 * or Restarting, with a trialTemplate this machine can run) with its own ExperimentRunner,
 * concurrently. Level-triggered like the runners: each tick reads the database, so experiments
 * submitted, stopped or deleted through the API (or by another process) are picked up, and
 * ticking twice changes nothing. `wake` only makes the next tick come sooner.
 */
export class ExperimentSupervisor {
  readonly #o: SupervisorOptions
  readonly #runs = new Map<string, Run>()
  /** Experiment id → time before which it is not (re)started: after a failure, or while being detached. */
  readonly #holdUntil = new Map<string, number>()
  #loop: Promise<void> | undefined
  #stopping = false
  #endSleep: (() => void) | undefined
  #dirty = false
  /** When the next orphan sweep is due, and the one under way. */
  #nextSweep = 0
  #sweeping: Promise<void> | undefined

  /** The supervisor's own reads; each runner waits out an outage with its own (never giving up). */
  readonly #outage: DatabaseOutage

  constructor(options: SupervisorOptions) {
    this.#o = options
    this.#outage = new DatabaseOutage({ log: { warn: (message) => this.#warn(`supervisor: ${message}`) } })
  }

  #warn(message: string): void {
    if (this.#o.log?.warn) this.#o.log.warn(message)
    else this.#o.log?.info(message)
  }

  /** Ids of the experiments whose runner runs now. */
  get running(): readonly string[] {
    return [...this.#runs.keys()]
  }

  start(): void {
    this.#loop ??= this.#run()
  }

  /** The desired state of an experiment changed (or a new one exists): reconcile now. */
  wake(experimentId?: string): void {
    if (experimentId !== undefined) this.#runs.get(experimentId)?.runner.poke()
    this.#dirty = true
    this.#endSleep?.()
  }

  /**
   * Stops this experiment's runner (its trial processes end, Running trials stay Running for a
   * later run to relaunch) and resolves once it is gone; used before a delete. With a remote
   * executor, the experiment's workloads are deleted too, also where another controller runs it
   * or none does (its leader died and its lease has not expired yet): once the experiment is
   * gone from the database, the orphan sweep cannot tell them from another installation's.
   */
  async detach(experimentId: string): Promise<void> {
    this.#holdUntil.set(experimentId, Date.now() + 10_000)
    const run = this.#runs.get(experimentId)
    if (run) {
      run.abort.abort()
      await run.done
    }
    await this.#removeWorkloadsOf(experimentId)
  }

  /**
   * Ends the loop and every runner; resolves when no trial process of ours is left. Trials that
   * outlive their controller (a cluster's workloads) are left running, for the next controller
   * (another replica, or this one restarted) to re-attach to: a rolling update stops nothing.
   */
  async stop(): Promise<void> {
    this.#stopping = true
    this.wake()
    await this.#loop
    for (const run of this.#runs.values()) run.abort.abort(DETACH_TRIALS)
    await Promise.all([...this.#runs.values()].map((r) => r.done))
    // A sweep is idempotent (the next start does it again): an API call of it that never gets an
    // answer (client-node sets no timeout) must not hold up a shutdown.
    if (this.#sweeping) {
      let timer: NodeJS.Timeout | undefined
      const waitMs = this.#o.sweepStopWaitMs ?? 10_000
      const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), waitMs)))
      if (await Promise.race([this.#sweeping.then(() => false), late])) this.#warn(`an orphan sweep was still waiting for the cluster after ${waitMs / 1000} s; left to the next start`)
      clearTimeout(timer)
    }
  }

  async #run(): Promise<void> {
    while (!this.#stopping) {
      this.#sweepIfDue()
      try {
        await this.#tick()
        this.#outage.recovered()
      } catch (error) {
        // The database may be away: said once, and the next tick tries again. Anything else is a bug.
        if (!this.#outage.failed(error)) this.#o.log?.error('supervisor: cannot read experiments', error)
      }
      await this.#sleep()
    }
  }

  async #tick(): Promise<void> {
    for (const record of await this.#activeExperiments()) {
      if (this.#stopping) return
      if (this.#runs.has(record.id) || (this.#holdUntil.get(record.id) ?? 0) > Date.now()) continue
      this.#holdUntil.delete(record.id)
      const blocker = this.#whyNotRun(record)
      if (blocker === undefined) await this.#startRun(record)
      else if (record.message !== blocker) {
        // Accepted, but waiting: say why where the user looks (status.message). CAS on the state
        // it was read in, so a concurrent stop is not undone.
        await this.#o.store.experiments.transition(record.id, [record.state], { state: record.state, message: blocker })
      }
    }
  }

  /** In the background, so a slow API server does not hold up the experiments' starts. */
  #sweepIfDue(): void {
    const inventory = this.#o.remote?.executor.inventory
    if (!inventory || this.#sweeping || Date.now() < this.#nextSweep) return
    this.#nextSweep = Date.now() + (this.#o.sweepMs ?? 60_000)
    this.#sweeping = sweepOrphans(this.#o.store, inventory)
      .then((swept) => {
        for (const { workload, reason } of swept) this.#o.log?.info(`deleted orphaned ${workload.description}: ${reason}`)
      }, (error: unknown) => this.#warn(`cannot sweep orphaned workloads, trying again later: ${(error as Error).message}`))
      .finally(() => {
        this.#sweeping = undefined
      })
  }

  /** Every workload of the experiment, whatever its trials' states (it is being deleted). */
  async #removeWorkloadsOf(experimentId: string): Promise<void> {
    const inventory = this.#o.remote?.executor.inventory
    if (!inventory) return
    try {
      const record = await this.#o.store.experiments.get(experimentId)
      if (!record) return
      const workloads = await inventory.list([record.spec])
      for (const workload of workloads.filter((w) => w.experimentId === experimentId)) {
        if (await inventory.remove(workload)) this.#o.log?.info(`experiment "${record.name}": deleted ${workload.description}`)
      }
    } catch (error) {
      // The delete goes on; what is left runs to its end (or until deleted by hand, by its label).
      this.#warn(`experiment ${experimentId}: cannot delete its workloads: ${(error as Error).message}`)
    }
  }

  async #activeExperiments(): Promise<ExperimentRecord[]> {
    const all: ExperimentRecord[] = []
    let after
    for (;;) {
      const page = await this.#o.store.experiments.page({ states: ACTIVE, limit: 500, ...(after ? { after } : {}) })
      all.push(...page.items)
      if (!page.next) return all
      after = page.next
    }
  }

  #whyNotRun(record: ExperimentRecord): string | undefined {
    const experiment = record.spec
    if (!experiment.spec.trialTemplate) return 'no trialTemplate: trials are run by outside workers, not by this server'
    const remote = this.#o.remote
    if (!remote && !this.#o.localExecution) {
      return 'waiting: local execution is disabled on this server (it listens beyond loopback, or was started with ' +
        '--no-local-execution); restart it with --local-execution to run trialTemplate commands'
    }
    // Admission refuses these; one stored before the limit (or under a higher one) must not
    // flood the machine with processes at every start either.
    const issues = [
      ...(remote ? remote.check(experiment) : checkLocalRunnable(experiment)),
      ...parallelLimitIssues(experiment, this.#o.maxParallelTrials ?? DEFAULT_MAX_PARALLEL_TRIALS, 'restart the server with a higher --max-parallel-trials'),
    ]
    if (issues.length > 0) return `cannot run on ${remote ? remote.name : 'local processes'}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`
    return undefined
  }

  /**
   * Runs the experiment if its lease can be had: one controller per experiment, so an
   * experiment that `tunewell run` (or another server) drives is left to it, with a status
   * message saying who holds it, until that holder lets go or its lease expires.
   */
  async #startRun(record: ExperimentRecord): Promise<void> {
    const { store, home, baseDir, runnerPollMs, log, ask } = this.#o
    const attempt = await ExperimentLease.acquire({ store, experimentId: record.id, command: 'serve', ttlMs: this.#o.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS, ...(this.#o.remote?.push ? { pushUrl: this.#o.remote.push.internalUrl } : {}) })
    if ('heldBy' in attempt) {
      // Another replica of this server runs it: nothing to tell the user, and its status
      // message is that replica's to write.
      if (attempt.heldBy.holder.command === 'serve') return
      const message = `${LEASED_ELSEWHERE}${describeHolder(attempt.heldBy)}; this server takes it over once that one stops or its lease expires`
      if (record.message !== message) {
        log?.info(`experiment "${record.name}": ${message}`)
        await store.experiments.transition(record.id, [record.state], { state: record.state, message })
      }
      return
    }
    const { lease } = attempt
    let local
    try {
      if (record.message?.startsWith(LEASED_ELSEWHERE)) {
        await lease.store.experiments.transition(record.id, [record.state], { state: record.state, message: 'experiment is running' })
      }
      local = await createLocalRunner({
        // Every write of the runner is fenced by the lease (db/fenced-store.ts).
        store: lease.store,
        experimentName: record.name,
        home,
        baseDir,
        ...(ask ? { ask } : {}),
        ...(runnerPollMs !== undefined ? { pollMs: runnerPollMs } : {}),
        // A server waits out any outage: its trials keep running, and giving up would restart them.
        outage: new DatabaseOutage({ log: { warn: (message) => this.#warn(`experiment "${record.name}": ${message}`) } }),
        ...(this.#o.remote ? { executor: this.#o.remote.executor } : {}),
        ...(this.#o.remote?.push ? { push: this.#o.remote.push } : {}),
        // Katib's report_metrics() reaches a loopback gRPC server; trials on a cluster cannot.
        katibDbManager: !this.#o.remote && record.spec.spec.metricsCollectorSpec?.collector?.kind === 'Push',
      })
    } catch (error) {
      await lease.release()
      throw error
    }
    const { runner, close } = local
    const abort = new AbortController()
    log?.info(`experiment "${record.name}": running its trials`)
    const done = runUnderLease(runner, lease, abort.signal)
      .then(
        (final) => log?.info(`experiment "${record.name}": ${final.state} (${final.reason ?? ''})`),
        (error: unknown) => {
          if (error instanceof InterruptedError) return
          // Taken over: the next ticks find it held by the other controller and leave it alone.
          if (error instanceof LeaseLostError) {
            log?.info(`experiment "${record.name}": ${error.message}; ${error.current ? 'its trials were left to that controller' : 'its trials here were stopped'}`)
            return
          }
          this.#holdUntil.set(record.id, Date.now() + (this.#o.retryMs ?? 5000))
          log?.error(`experiment "${record.name}": runner stopped, retrying later`, error)
        },
      )
      .finally(async () => {
        this.#runs.delete(record.id)
        await close().catch(() => undefined)
        this.wake()
      })
    this.#runs.set(record.id, { runner, abort, done })
  }

  async #sleep(): Promise<void> {
    if (!this.#dirty && !this.#stopping) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => this.#endSleep?.(), this.#o.pollMs ?? 1000)
        this.#endSleep = () => {
          clearTimeout(timer)
          this.#endSleep = undefined
          resolve()
        }
      })
    }
    this.#dirty = false
  }
}

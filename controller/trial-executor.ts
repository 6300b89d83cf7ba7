import type { Experiment } from '../core/spec/index.ts'
import type { TrialRecord } from '../db/store.ts'
import type { LocalCollectorPlan } from './local-collector-plan.ts'
import type { TrialMetricsFile } from './metrics-file.ts'

/**
 * Where trials run, as the runner sees it: it renders and starts a trial, hears its output,
 * stops it, and after a controller restart stops what a previous controller left running. The
 * runner keeps trial state in the database and knows nothing else of processes or workloads, so
 * a second executor (Kubernetes Jobs) plugs in beside the local one (local-process-executor.ts),
 * and tests run the runner on a scripted one (test/helpers/fake-executor.ts).
 */
export interface TrialExecutor {
  /** What its handles say they are (`execution.kind` on the trial row): 'local', ... */
  readonly kind: string
  /**
   * False where trials run on other machines (a cluster's pods), which cannot see a folder of the
   * controller's: the runner then prepares no checkpoint directory for them (and
   * `${trialSpec.CheckpointDir}` does not render there). Absent: true.
   */
  readonly checkpointsOnThisMachine?: boolean
  /**
   * Renders the trial's template into something this executor can start, and clears what an
   * earlier attempt left where this one reports (its metrics file); starts nothing. Rejects with
   * LaunchError when the template cannot run here: the trial fails with that message.
   */
  prepare(request: TrialRequest): Promise<PreparedTrial>
  /**
   * After a controller restart: finds what a previous controller started for this trial (from
   * the handle stored on its row, or wherever the executor also keeps one) and stops it, for
   * good, if it still runs. Its result cannot be collected any more; the runner relaunches the
   * trial or leaves it as its row says. Resolves whether something was still running.
   */
  stopOrphan(trial: StoredTrial, context: LaunchContext): Promise<boolean>
  /**
   * Optional: after a controller restart, re-attaches to what a previous controller started for
   * this trial, as the handle on its row names it, when that still exists (running, or already
   * finished: then `done` resolves at once with how it ended). Resolves undefined when there is
   * nothing to attach to; the runner then stops the orphan and relaunches the trial. The
   * attached trial's output is delivered from its start again (the whole container log), so the
   * runner drops the points its previous controller stored from that output before it starts.
   * Executors whose trials cannot outlive their controller (local child processes: their output
   * pipe is gone with it) leave it out.
   */
  attach?(trial: StoredTrial, request: TrialRequest): Promise<PreparedTrial | undefined>
  /**
   * Optional: the trials' workloads where they outlive their controller (a cluster's), for the
   * orphan sweep (controller/orphan-sweep.ts), which removes those whose trial is finished or
   * unknown in the database.
   */
  readonly inventory?: WorkloadInventory
}

/** The workloads an executor manages, as the orphan sweep sees them. */
export interface WorkloadInventory {
  /**
   * Every workload of this executor where the trials of `experiments` go (their namespaces and
   * kinds), that carries an experiment id: cheap, label-selected lists. Throws when the
   * workloads cannot be listed.
   */
  list(experiments: readonly Experiment[]): Promise<ManagedWorkload[]>
  /** Deletes that very workload (its uid) with what it runs; resolves whether it was there. */
  remove(workload: ManagedWorkload): Promise<boolean>
}

/** One workload found by WorkloadInventory.list: whose it is, as its labels say, and what to delete. */
export interface ManagedWorkload {
  readonly experimentId: string
  readonly trialName: string
  readonly handle: ExecutionHandle
  /** For messages: `Job ns/name`. */
  readonly description: string
}

/** Where one controller keeps its trials. */
export interface LaunchContext {
  /** Relative commands and working dirs resolve here (the Experiment file's folder). */
  readonly baseDir: string
  /** Per-trial folders (logs, metrics files) go under `<runDir>/<trial name>/`. */
  readonly runDir: string
  /** Extra environment for every trial (report URL and token, ...). */
  readonly env: Readonly<Record<string, string>>
}

/** One trial to render: its experiment, name and parameters, and where it runs from. */
export interface TrialRequest {
  readonly experiment: Experiment
  readonly trial: Pick<TrialRecord, 'name' | 'params'> & Partial<Pick<TrialRecord, 'experimentId'>>
  /** `${trialSpec.CheckpointDir}`, already prepared (a copy of the parent's, or empty). */
  readonly checkpointDir: string
  /**
   * Where the trial's counted steps start (lineage-first-step.ts: its parent's last step + 1);
   * absent for 0. A collector beside the trial on a cluster is told it (`tunewell collect --first-step`).
   */
  readonly firstStep?: number
  /** The controller's context, its env with this trial's own (push URL and token) added. */
  readonly context: LaunchContext
}

export interface PreparedTrial {
  /** Where a File collector reads the trial's metrics on this machine; absent when it cannot. */
  readonly metricsFile?: TrialMetricsFile
  /** A local trial's PrometheusMetric endpoint or Custom collector process (local-collector.ts). */
  readonly localCollector?: LocalCollectorPlan
  /**
   * Starts it (for one from attach(): follows it again); `onLine` gets its combined output, line
   * by line (the StdOut collector). A trial that cannot start still resolves: its `done` says
   * why (StartError, CommandNotFound, ...). `onRetry` hears each failed attempt that is run
   * again (a Job's backoffLimit); the next attempt starts only once it settled.
   */
  start(onLine: LineListener, onRetry?: RetryListener): Promise<RunningTrial>
}

/**
 * An attempt of a trial failed and the trial runs again (Kubernetes retries a Job's pod):
 * its output so far is that of an attempt given up, and the next one prints from its start.
 */
export type RetryListener = (attempt: FailedAttempt) => Promise<void>

export interface FailedAttempt {
  /** 1 for the first attempt. */
  readonly attempt: number
  /** How many attempts the trial may make in all (its retry limit + 1). */
  readonly attempts: number
  readonly result: Extract<ExitResult, { phase: 'failed' }>
  /** The back-off before the next attempt. */
  readonly delayMs: number
}

export interface RunningTrial {
  /** Plain JSON, stored on the trial row (`execution`) so a restarted controller can find it. */
  readonly handle: ExecutionHandle
  /** Resolves once it ended and its output was delivered; never rejects. */
  readonly done: Promise<ExitResult>
  /** Ends it (gracefully first, where the executor can). Idempotent; a no-op once it ended. */
  stop(reason: string): void
  /**
   * Optional, for trials that outlive their controller (a cluster's workloads): stops following
   * it and leaves it running, its handle on the row valid for the next controller's attach();
   * `done` then resolves with reason 'Detached', which an interrupted runner ignores. A
   * controller that shuts down gracefully or loses its lease detaches rather than stops, so the
   * next one takes over without a relaunch. Executors without it (local child processes, whose
   * watchdog ends them with their controller) are stopped instead.
   */
  detach?(): void
}

export interface ExecutionHandle {
  readonly kind: string
}

/** What the runner knows of a trial after a restart: its name and the handle its row kept. */
export interface StoredTrial {
  readonly name: string
  /** The row's `execution`: a handle, a launch in progress, or null. */
  readonly execution: unknown
}

export type LineListener = (line: string) => void

export type ExitResult =
  | { readonly phase: 'succeeded' }
  | {
      readonly phase: 'failed'
      /**
       * Kubernetes-style reason: Error, DeadlineExceeded, CommandNotFound, StartError, Signal, or
       * the reason given to stop() (Killed, EarlyStopped, ExperimentCompleted, Interrupted).
       */
      readonly reason: string
      readonly message: string
      readonly exitCode?: number
    }

/** Thrown by prepare() when a template cannot become a trial here; the trial fails with this message. */
export class LaunchError extends Error {}

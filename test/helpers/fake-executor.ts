import type { Clock } from '../../controller/clock.ts'
import { buildLocalLaunch, type LocalLaunch } from '../../controller/local-launch.ts'
import type {
  ExitResult, LaunchContext, LineListener, PreparedTrial, RunningTrial, StoredTrial, TrialExecutor, TrialRequest,
} from '../../controller/trial-executor.ts'
import type { Params } from '../../core/search-space.ts'
import { FakeClock } from './fake-clock.ts'

/** One scripted trial, as its script sees it. */
export interface FakeTrial {
  readonly name: string
  readonly params: Params
  /** The rendered template (command, env, deadline, metrics file), exactly as the local executor gets it. */
  readonly launch: LocalLaunch
  /** The command's `--name=value` arguments (a bare `--name` is ''), as a trial program parses them. */
  readonly flags: Readonly<Record<string, string>>
  /** A line of output, for the StdOut collector. Dropped once the trial was stopped (its pipes closed). */
  print(line: string): void
  /** Waits on the executor's clock; never resolves once the trial ended (a killed program runs no further). */
  sleep(ms: number): Promise<void>
  /** Resolves with the reason once the trial is stopped (an early stop, a kill, a deadline, ...). */
  readonly stopped: Promise<string>
  /** Like a program that ignores SIGTERM: a stop no longer ends it; it ends when its script returns. */
  ignoreStop(): void
}

/**
 * What a trial does. It returns how it exits: nothing or 0 is success, another number an exit
 * code, an ExitResult anything else (e.g. `{ phase: 'failed', reason: 'CommandNotFound', ... }`
 * for a trial that cannot start). A script that never returns hangs until stopped.
 */
export type TrialScript = (trial: FakeTrial) => Promise<number | ExitResult | void> | number | ExitResult | void

export interface FakeExecutorOptions {
  /** Drives scripted sleeps and deadlines; share it with the runner. Default: a FakeClock of its own. */
  readonly clock?: Clock
}

/** What happened, in order: for assertions on what the runner asked of the executor. */
export type FakeEvent =
  | { readonly type: 'start'; readonly trial: string }
  | { readonly type: 'stop'; readonly trial: string; readonly reason: string }
  | { readonly type: 'exit'; readonly trial: string; readonly exit: ExitResult }
  | { readonly type: 'stopOrphan'; readonly trial: string; readonly found: boolean }
  | { readonly type: 'attach'; readonly trial: string }

/**
 * A TrialExecutor whose trials are scripts, not processes: the runner's tests run on it in
 * milliseconds. Templates render as for local trials (so a template error fails the same way), and
 * a handle is `{ kind: 'fake', trial, attempt }`.
 */
export class FakeExecutor implements TrialExecutor {
  readonly kind = 'fake'
  readonly clock: Clock
  readonly events: FakeEvent[] = []
  /** Trials a previous controller left running: stopOrphan finds (and ends) these. */
  readonly orphans = new Set<string>()
  /**
   * Trials a previous controller left running that attach() re-attaches to (as a cluster's
   * workloads outlive their controller), by name: each script runs from its start, its lines
   * being the whole output again (a pod's log re-read), and goes on as the trial would.
   * A name absent here has nothing to attach to: the runner falls back to stopOrphan.
   */
  readonly workloads = new Map<string, TrialScript>()
  readonly #script: TrialScript
  readonly #running = new Map<string, RunningTrial>()
  #attempts = 0

  constructor(script: TrialScript, options: FakeExecutorOptions = {}) {
    this.#script = script
    this.clock = options.clock ?? new FakeClock()
  }

  /** Names of the trials running now. */
  get running(): string[] {
    return [...this.#running.keys()]
  }

  /** Names of the trials started so far, in order (a relaunch appears again). */
  get started(): string[] {
    return this.events.flatMap((e) => (e.type === 'start' ? [e.trial] : []))
  }

  /** The trial that runs now under `name`, to stop it from a test. */
  trial(name: string): RunningTrial | undefined {
    return this.#running.get(name)
  }

  async prepare(request: TrialRequest): Promise<PreparedTrial> {
    const launch = buildLocalLaunch(request.experiment, { ...request.trial, checkpointDir: request.checkpointDir }, request.context)
    return {
      ...(launch.metricsFile ? { metricsFile: launch.metricsFile } : {}),
      start: async (onLine) => this.#start(request, launch, onLine),
    }
  }

  async attach(trial: StoredTrial, request: TrialRequest): Promise<PreparedTrial | undefined> {
    const script = this.workloads.get(trial.name)
    // As a real executor, it finds the workload by the handle its row kept: none, nothing to attach to.
    if (!script || (trial.execution as { kind?: unknown } | null)?.kind !== this.kind) return undefined
    const launch = buildLocalLaunch(request.experiment, { ...request.trial, checkpointDir: request.checkpointDir }, request.context)
    return {
      start: async (onLine) => {
        // Followed from here on: it is this controller's now, no longer there to attach to.
        this.workloads.delete(trial.name)
        this.events.push({ type: 'attach', trial: trial.name })
        return this.#start(request, launch, onLine, script)
      },
    }
  }

  async stopOrphan(trial: StoredTrial, _context: LaunchContext): Promise<boolean> {
    const found = this.orphans.delete(trial.name)
    this.events.push({ type: 'stopOrphan', trial: trial.name, found })
    return found
  }

  #start(request: TrialRequest, launch: LocalLaunch, onLine: LineListener, attached?: TrialScript): RunningTrial {
    const name = request.trial.name
    if (!attached) this.events.push({ type: 'start', trial: name })
    let stopReason: string | undefined
    let ignoresStop = false
    let ended = false
    let endWith: (exit: ExitResult) => void = () => {}
    let onStop: (reason: string) => void = () => {}
    const stopped = new Promise<string>((resolve) => (onStop = resolve))
    const done = new Promise<ExitResult>((resolve) => (endWith = resolve))
    const cancelDeadline = launch.timeoutMs ? this.clock.setTimeout(() => stop('DeadlineExceeded'), launch.timeoutMs) : () => {}
    const end = (exit: ExitResult) => {
      if (ended) return
      ended = true
      cancelDeadline()
      this.#running.delete(name)
      const result = stopReason === undefined ? exit : stoppedExit(stopReason, launch)
      this.events.push({ type: 'exit', trial: name, exit: result })
      endWith(result)
    }
    const stop = (reason: string) => {
      if (ended || stopReason !== undefined) return
      stopReason = reason
      this.events.push({ type: 'stop', trial: name, reason })
      onStop(reason)
      if (!ignoresStop) end(stoppedExit(reason, launch))
    }
    const trial: FakeTrial = {
      name,
      params: request.trial.params,
      launch,
      flags: flagsOf(launch.command),
      print: (line) => {
        if (!ended && (stopReason === undefined || ignoresStop)) onLine(line)
      },
      sleep: (ms) => new Promise((resolve) => {
        this.clock.setTimeout(() => {
          if (!ended) resolve()
        }, ms)
      }),
      stopped,
      ignoreStop: () => {
        ignoresStop = true
      },
    }
    const running: RunningTrial = { handle: { kind: 'fake', trial: name, attempt: this.#attempts++ } as RunningTrial['handle'], done, stop }
    this.#running.set(name, running)
    void Promise.resolve()
      .then(() => (attached ?? this.#script)(trial))
      .then(
        (result) => end(exitOf(result, launch)),
        (error: unknown) => end({ phase: 'failed', reason: 'ScriptError', message: `the test's trial script threw: ${String(error)}` }),
      )
    return running
  }
}

function exitOf(result: number | ExitResult | void, launch: LocalLaunch): ExitResult {
  if (result === undefined || result === 0) return { phase: 'succeeded' }
  if (typeof result !== 'number') return result
  return { phase: 'failed', reason: 'Error', message: `trial process exited with code ${result}; see its log ${launch.logPath}`, exitCode: result }
}

/** What the local executor reports for a stopped trial. */
function stoppedExit(reason: string, launch: LocalLaunch): ExitResult {
  if (reason === 'DeadlineExceeded') {
    return { phase: 'failed', reason, message: `trial ran longer than its deadline of ${Math.round((launch.timeoutMs ?? 0) / 1000)} s and was stopped` }
  }
  return { phase: 'failed', reason, message: `trial was stopped (${reason})` }
}

function flagsOf(command: readonly string[]): Record<string, string> {
  const flags: Record<string, string> = {}
  for (const arg of command) {
    const m = /^--([^=]+)(?:=(.*))?$/s.exec(arg)
    if (m) flags[m[1]!] = m[2] ?? ''
  }
  return flags
}

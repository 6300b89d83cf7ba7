import { spawn } from 'node:child_process'
import { createWriteStream, mkdirSync, statSync, type WriteStream } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import type { Socket } from 'node:net'
import { dirname } from 'node:path'
import type { Readable } from 'node:stream'
import { findProgram } from './find-program.ts'
import { jobBackoffFromEnv, jobBackoffMs } from './job-backoff.ts'
import { retriesAfter, type JobRetries } from './job-retries.ts'
import { LastLines } from './last-lines.ts'
import { buildLocalLaunch, type LocalLaunch } from './local-launch.ts'
import { placeLocalCollector } from './local-collector.ts'
import type { TrialMetricsFile } from './metrics-file.ts'
import { OutputLines } from './output-lines.ts'
import { isRealPid, isSameProcessAlive, processStartTime, signalGroup, signalTrial } from './process-identity.ts'
import type { LocalHandle } from './local-handle.ts'
import type {
  ExitResult, LaunchContext, LineListener, PreparedTrial, RetryListener, RunningTrial, StoredTrial, TrialExecutor, TrialRequest,
} from './trial-executor.ts'
import { readTrialHandle, removeTrialHandle, trialHandleFile, writeTrialHandle } from './trial-handle-file.ts'
import { WATCHDOG_SHELL, watchdogArgs } from './trial-watchdog.ts'

export type { LocalLaunch } from './local-launch.ts'
export type { LocalHandle } from './local-handle.ts'
export type { ExitResult, LineListener } from './trial-executor.ts'

export interface RunningProcess extends RunningTrial {
  readonly handle: LocalHandle
  /** SIGTERM to the process group, SIGKILL after the grace period. Idempotent; a no-op once it exited. */
  stop(reason: string): void
}

export interface LocalProcessExecutorOptions {
  /** The first wait before a failed trial is retried, doubled per failure; default TUNEWELL_JOB_BACKOFF_SECONDS, else 1 s. */
  readonly backoffMs?: number
}

/**
 * After the trial's process exits, how long what it left in its group (a background job that
 * still holds stdout) gets to end on SIGTERM and its output to drain, before SIGKILL.
 */
const DRAIN_MS = 1500
/** After that SIGKILL, how long the pipes get to report their end. */
const FINAL_DRAIN_MS = 500

/**
 * Trials as child processes of this machine (docs/reliability.md): each in its own process group
 * under a watchdog shell that ends the group when this process dies, its output teed to the
 * trial's log, its handle (pid and kernel start time) in the trial's folder as soon as it exists.
 */
export class LocalProcessExecutor implements TrialExecutor {
  readonly kind = 'local'
  /** The first wait before a failed trial's retry (job-backoff.ts). */
  readonly #backoffMs: number

  constructor(options: LocalProcessExecutorOptions = {}) {
    this.#backoffMs = options.backoffMs ?? jobBackoffFromEnv(process.env)
  }

  async prepare(request: TrialRequest): Promise<PreparedTrial> {
    // A PrometheusMetric trial's own port, a Custom collector's command (local-collector.ts).
    const { launch, plan } = await placeLocalCollector(buildLocalLaunch(request.experiment, { ...request.trial, checkpointDir: request.checkpointDir }, request.context), request)
    const metricsFile = launch.metricsFile
    await clearMetricsFile(metricsFile)
    return {
      ...(metricsFile ? { metricsFile } : {}),
      ...(plan ? { localCollector: plan } : {}),
      start: async (onLine, onRetry) => this.start(launch, onLine, onRetry),
    }
  }

  /**
   * Kills what a previous controller left of a trial's process group. Its handle is on the row,
   * or in the trial's folder: when the controller died between the spawn and that write, and
   * when the trial was retried (the row keeps its first attempt's handle, the folder the one
   * that runs). A pid is only signalled while the kernel's start time matches: pids are reused.
   */
  async stopOrphan(trial: StoredTrial, context: LaunchContext): Promise<boolean> {
    const stored = trial.execution as Partial<LocalHandle> | null
    const handles = [isRealPid(stored?.pid) ? stored : undefined, readTrialHandle(trialHandleFile(context.runDir, trial.name))]
    let stopped = false
    for (const handle of handles) {
      if (handle?.pid === undefined || !isSameProcessAlive(handle.pid, handle.startTime)) continue
      stopped = signalTrial(handle.pid, 'SIGKILL') || stopped
    }
    return stopped
  }

  /**
   * Runs the trial, and runs it again after a failure as long as its Job would be retried
   * (`launch.retries`), waiting the back-off between attempts (job-backoff.ts). One log holds
   * every attempt, a line between them; `onRetry` hears each failed attempt before the next one
   * starts. `stop` ends the attempt that runs, or the wait, at once; the deadline bounds the
   * whole trial (Kubernetes' activeDeadlineSeconds bounds the Job, retries included).
   */
  start(launch: LocalLaunch, onLine: LineListener, onRetry?: RetryListener): RunningProcess {
    mkdirSync(dirname(launch.logPath), { recursive: true })
    const log = createWriteStream(launch.logPath, { flags: 'w' })
    const notStarted = checkStartable(launch)
    if (notStarted) {
      const done = new Promise<ExitResult>((resolve) => log.end(() => resolve(notStarted)))
      return { handle: { kind: 'local', pid: -1, logPath: launch.logPath }, done, stop: () => {} }
    }
    let attempt = this.#attempt(launch, log, onLine)
    let stopReason: string | undefined
    let ended = false
    let wake: (() => void) | undefined
    const stop = (reason: string): void => {
      if (stopReason !== undefined || ended) return
      stopReason = reason
      attempt.stop()
      wake?.()
    }
    const deadline = launch.timeoutMs ? setTimeout(() => stop('DeadlineExceeded'), launch.timeoutMs) : undefined
    deadline?.unref()
    const retries = launch.retries
    const attempts = (retries?.limit ?? 0) + 1
    const done = (async (): Promise<ExitResult> => {
      for (let number = 1; ; number++) {
        const end = await attempt.ended
        // A stop that came after the process had exited changes nothing of how it ended; it only ends the retries.
        const result = exitResult(launch, end, attempt.stopped ? stopReason : undefined, attempt.tail)
        if (result.phase === 'succeeded' || stopReason !== undefined || !retriesAfter(retries, result, number)) {
          return number > 1 && result.phase === 'failed' && stopReason === undefined ? lastAttempt(result, number, retries!) : result
        }
        const delayMs = jobBackoffMs(number, this.#backoffMs)
        log.write(`\n--- tunewell: attempt ${number} of ${attempts} failed (${result.reason}${result.exitCode !== undefined ? `, exit code ${result.exitCode}` : ''}); attempt ${number + 1} starts in ${formatDelay(delayMs)} (${retries!.source}) ---\n\n`)
        // The next attempt starts its metrics afresh, as a new pod's would.
        await clearMetricsFile(launch.metricsFile).catch(() => {})
        await onRetry?.({ attempt: number, attempts, result, delayMs }).catch(() => {})
        if (stopReason === undefined) await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delayMs)
          wake = () => {
            clearTimeout(timer)
            resolve()
          }
        })
        wake = undefined
        // Stopped while it waited: a deadline's message still shows what the last attempt printed.
        if (stopReason !== undefined) return exitResult(launch, { code: null, signal: null }, stopReason, attempt.tail)
        attempt = this.#attempt(launch, log, onLine)
      }
    })().then((result) => {
      ended = true
      clearTimeout(deadline)
      return new Promise<ExitResult>((resolve) => log.end(() => resolve(result)))
    })
    return {
      // The attempt that runs (or ran last): what a restarted controller's stopOrphan must find.
      get handle() {
        return attempt.handle
      },
      done,
      stop,
    }
  }

  /** One run of the trial's command, its output appended to `log` and streamed to `onLine`. */
  #attempt(launch: LocalLaunch, log: WriteStream, onLine: LineListener): Attempt {
    const killGraceMs = launch.killGraceMs ?? 5000
    const child = spawn(WATCHDOG_SHELL, watchdogArgs(launch.command, killGraceMs), {
      cwd: launch.cwd,
      env: launch.env,
      // Own process group: timeouts and stops reach grandchildren (e.g. `sh -c` templates).
      detached: true,
      // fd 3: the watchdog's lifeline (see trial-watchdog.ts); it never carries data.
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    })
    const pid = child.pid ?? -1
    const handle: LocalHandle = {
      kind: 'local',
      pid,
      ...(child.pid ? { startTime: processStartTime(child.pid) } : {}),
      logPath: launch.logPath,
    }
    if (launch.handlePath && isRealPid(pid)) writeTrialHandle(launch.handlePath, handle)
    const lifeline = child.stdio[3] as Socket | null
    lifeline?.on('error', () => {})

    let exited = false
    let stopping = false
    let killTimer: NodeJS.Timeout | undefined
    const stop = (): void => {
      if (stopping || exited || !isRealPid(pid)) return
      stopping = true
      signalTrial(pid, 'SIGTERM')
      killTimer = setTimeout(() => signalGroup(pid, 'SIGKILL'), killGraceMs)
      killTimer.unref()
    }

    // What a failure's message shows: the end of stderr, or of stdout when stderr said nothing.
    const tails = { stdout: new LastLines(), stderr: new LastLines() }
    const streams = [child.stdout!, child.stderr!]
    const open = new Set<Readable>(streams)
    let allClosed: () => void = () => {}
    for (const [index, stream] of streams.entries()) {
      const tail = index === 0 ? tails.stdout : tails.stderr
      const lines = new OutputLines((line) => {
        tail.push(line)
        onLine(line)
      })
      stream.on('data', (chunk: Buffer) => {
        // The log keeps every byte; a trial that writes faster than the disk takes waits for it.
        if (!log.write(chunk)) {
          stream.pause()
          log.once('drain', () => stream.resume())
        }
        lines.push(chunk)
      })
      stream.once('close', () => {
        lines.end()
        open.delete(stream)
        if (open.size === 0) allClosed()
      })
    }
    const closed = (ms: number): Promise<void> => new Promise((resolve) => {
      if (open.size === 0) return resolve()
      const timer = setTimeout(resolve, ms)
      allClosed = () => {
        clearTimeout(timer)
        resolve()
      }
    })

    const ended = new Promise<AttemptEnd>((resolve) => {
      let spawnError: NodeJS.ErrnoException | undefined
      child.on('error', (error: NodeJS.ErrnoException) => {
        spawnError = error
        // Never started: no exit event follows.
        if (child.pid === undefined) child.once('close', () => resolve({ code: null, signal: null, spawnError }))
      })
      // The trial ends when its process exits, not when every descendant has let go of stdout.
      child.on('exit', async (code, signal) => {
        exited = true
        clearTimeout(killTimer)
        lifeline?.destroy()
        signalGroup(pid, 'SIGTERM')
        await closed(DRAIN_MS)
        signalGroup(pid, 'SIGKILL')
        await closed(FINAL_DRAIN_MS)
        for (const stream of streams) stream.destroy()
        if (launch.handlePath) removeTrialHandle(launch.handlePath)
        resolve({ code, signal, ...(spawnError ? { spawnError } : {}) })
      })
    })
    return {
      handle,
      ended,
      stop,
      get stopped() {
        return stopping
      },
      get tail() {
        return tails.stderr.empty ? tails.stdout : tails.stderr
      },
    }
  }
}

/** One attempt's process, as start() drives it. */
interface Attempt {
  readonly handle: LocalHandle
  /** Resolves once it exited and its output was delivered. */
  readonly ended: Promise<AttemptEnd>
  /** SIGTERM to its process group, SIGKILL after the grace period; a no-op once it exited. */
  stop(): void
  /** Whether stop() reached it while it ran. */
  readonly stopped: boolean
  /** The end of its stderr (of stdout when stderr was empty), for a failure's message. */
  readonly tail: LastLines
}

interface AttemptEnd {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly spawnError?: NodeJS.ErrnoException
}

/** A trial that cannot start: its program or working directory is missing. */
function checkStartable(launch: LocalLaunch): ExitResult | undefined {
  const program = launch.command[0] ?? ''
  if (!isDirectory(launch.cwd)) {
    return { phase: 'failed', reason: 'StartError', message: `could not start "${program}": working directory ${launch.cwd} does not exist` }
  }
  if (findProgram(program, launch.env.PATH, launch.cwd) === undefined) {
    return {
      phase: 'failed',
      reason: 'CommandNotFound',
      message: `command "${program}" was not found (working directory ${launch.cwd}); install it or fix the trial template's command`,
    }
  }
  return undefined
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}

function exitResult(launch: LocalLaunch, end: AttemptEnd, stopReason: string | undefined, tail: LastLines): ExitResult {
  const command = launch.command[0]
  if (end.spawnError) {
    return { phase: 'failed', reason: 'StartError', message: `could not start "${command}": ${end.spawnError.message}` }
  }
  if (stopReason === 'DeadlineExceeded') {
    return {
      phase: 'failed',
      reason: 'DeadlineExceeded',
      message: withTail(`trial ran longer than its deadline of ${Math.round((launch.timeoutMs ?? 0) / 1000)} s and was stopped`, tail),
    }
  }
  if (stopReason !== undefined) return { phase: 'failed', reason: stopReason, message: `trial was stopped (${stopReason})` }
  if (end.code === 0) return { phase: 'succeeded' }
  if (end.signal) return { phase: 'failed', reason: 'Signal', message: withTail(`trial process was killed by ${end.signal}`, tail) }
  return {
    phase: 'failed',
    reason: 'Error',
    message: withTail(`trial process exited with code ${end.code}; see its log ${launch.logPath}`, tail),
    exitCode: end.code ?? undefined,
  }
}

/**
 * A failure's message: one line saying what happened, then the last lines the program printed
 * (Kubernetes' FallbackToLogsOnError bounds, last-lines.ts), which usually say why.
 */
function withTail(headline: string, tail: LastLines): string {
  return tail.empty ? headline : `${headline}\n${tail.text()}`
}

/** The last attempt's failure, its headline saying that the retries are used up (or why this one is not retried). */
function lastAttempt(result: Extract<ExitResult, { phase: 'failed' }>, number: number, retries: JobRetries): ExitResult {
  const why = number > retries.limit
    ? `attempt ${number} of ${number}: ${retries.source} reached`
    : result.reason === 'Error' && retries.on === 'retryable'
      ? `attempt ${number}: restartPolicy ExitCode retries exit codes 128 and above only`
      : `attempt ${number}`
  const cut = result.message.indexOf('\n')
  const message = cut === -1 ? `${result.message} (${why})` : `${result.message.slice(0, cut)} (${why})${result.message.slice(cut)}`
  return { ...result, message }
}

function formatDelay(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`
}

/**
 * Clears a File collector's file (or folder) in the trial's own folder before a launch or a
 * retry, so the collector reads this attempt's metrics only. One outside is never deleted: its
 * collector skips what was there before the launch.
 */
async function clearMetricsFile(metricsFile: TrialMetricsFile | undefined): Promise<void> {
  if (!metricsFile?.inTrialDir) return
  // A folder (TensorFlowEvent) is made ready, as the volume Katib mounts there would be.
  await rm(metricsFile.path, { force: true, recursive: metricsFile.directory === true })
  await mkdir(metricsFile.directory ? metricsFile.path : dirname(metricsFile.path), { recursive: true })
}

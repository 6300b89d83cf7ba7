import { spawn } from 'node:child_process'
import { createWriteStream, mkdirSync, statSync } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import type { Socket } from 'node:net'
import { dirname } from 'node:path'
import type { Readable } from 'node:stream'
import { findProgram } from './find-program.ts'
import { buildLocalLaunch, type LocalLaunch } from './local-launch.ts'
import { OutputLines } from './output-lines.ts'
import { isRealPid, isSameProcessAlive, processStartTime, signalGroup, signalTrial } from './process-identity.ts'
import type { LocalHandle } from './local-handle.ts'
import type {
  ExitResult, LaunchContext, LineListener, PreparedTrial, RunningTrial, StoredTrial, TrialExecutor, TrialRequest,
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

  async prepare(request: TrialRequest): Promise<PreparedTrial> {
    const launch = buildLocalLaunch(request.experiment, { ...request.trial, checkpointDir: request.checkpointDir }, request.context)
    const metricsFile = launch.metricsFile
    // Only a file in the trial's own folder is cleared (a relaunch starts it afresh); one outside
    // is never deleted, and its collector skips what was there before the launch.
    if (metricsFile?.inTrialDir) {
      await rm(metricsFile.path, { force: true })
      await mkdir(dirname(metricsFile.path), { recursive: true })
    }
    return {
      ...(metricsFile ? { metricsFile } : {}),
      start: async (onLine) => this.start(launch, onLine),
    }
  }

  /**
   * Kills what a previous controller left of a trial's process group. Its handle is on the row,
   * or, when the controller died between the spawn and that write, in the trial's folder. A pid
   * is only signalled while the kernel's start time matches: pids are reused.
   */
  async stopOrphan(trial: StoredTrial, context: LaunchContext): Promise<boolean> {
    const stored = trial.execution as Partial<LocalHandle> | null
    const handle = isRealPid(stored?.pid) ? stored : readTrialHandle(trialHandleFile(context.runDir, trial.name))
    if (handle?.pid === undefined || !isSameProcessAlive(handle.pid, handle.startTime)) return false
    return signalTrial(handle.pid, 'SIGKILL')
  }

  start(launch: LocalLaunch, onLine: LineListener): RunningProcess {
    mkdirSync(dirname(launch.logPath), { recursive: true })
    const log = createWriteStream(launch.logPath, { flags: 'w' })
    const notStarted = checkStartable(launch)
    if (notStarted) {
      const done = new Promise<ExitResult>((resolve) => log.end(() => resolve(notStarted)))
      return { handle: { kind: 'local', pid: -1, logPath: launch.logPath }, done, stop: () => {} }
    }
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
    let stopReason: string | undefined
    let killTimer: NodeJS.Timeout | undefined
    const stop = (reason: string): void => {
      if (stopReason !== undefined || exited || !isRealPid(pid)) return
      stopReason = reason
      signalTrial(pid, 'SIGTERM')
      killTimer = setTimeout(() => signalGroup(pid, 'SIGKILL'), killGraceMs)
      killTimer.unref()
    }
    const deadline = launch.timeoutMs
      ? setTimeout(() => stop('DeadlineExceeded'), launch.timeoutMs)
      : undefined
    deadline?.unref()

    const streams = [child.stdout!, child.stderr!]
    const open = new Set<Readable>(streams)
    let allClosed: () => void = () => {}
    for (const stream of streams) {
      const lines = new OutputLines(onLine)
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

    const done = new Promise<ExitResult>((resolve) => {
      let spawnError: NodeJS.ErrnoException | undefined
      const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
        log.end(() => resolve(exitResult(launch, code, signal, stopReason, spawnError)))
      }
      child.on('error', (error: NodeJS.ErrnoException) => {
        spawnError = error
        // Never started: no exit event follows.
        if (child.pid === undefined) child.once('close', () => finish(null, null))
      })
      // The trial ends when its process exits, not when every descendant has let go of stdout.
      child.on('exit', async (code, signal) => {
        exited = true
        clearTimeout(deadline)
        clearTimeout(killTimer)
        lifeline?.destroy()
        signalGroup(pid, 'SIGTERM')
        await closed(DRAIN_MS)
        signalGroup(pid, 'SIGKILL')
        await closed(FINAL_DRAIN_MS)
        for (const stream of streams) stream.destroy()
        if (launch.handlePath) removeTrialHandle(launch.handlePath)
        finish(code, signal)
      })
    })
    return { handle, done, stop }
  }
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

function exitResult(
  launch: LocalLaunch,
  code: number | null,
  signal: NodeJS.Signals | null,
  stopReason: string | undefined,
  spawnError: NodeJS.ErrnoException | undefined,
): ExitResult {
  const command = launch.command[0]
  if (spawnError) {
    return { phase: 'failed', reason: 'StartError', message: `could not start "${command}": ${spawnError.message}` }
  }
  if (stopReason === 'DeadlineExceeded') {
    return {
      phase: 'failed',
      reason: 'DeadlineExceeded',
      message: `trial ran longer than its deadline of ${Math.round((launch.timeoutMs ?? 0) / 1000)} s and was stopped`,
    }
  }
  if (stopReason !== undefined) return { phase: 'failed', reason: stopReason, message: `trial was stopped (${stopReason})` }
  if (code === 0) return { phase: 'succeeded' }
  if (signal) return { phase: 'failed', reason: 'Signal', message: `trial process was killed by ${signal}` }
  return {
    phase: 'failed',
    reason: 'Error',
    message: `trial process exited with code ${code}; see its log ${launch.logPath}`,
    exitCode: code ?? undefined,
  }
}

import { spawn } from 'node:child_process'
import { createWriteStream, mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { processStartTime, signalGroup } from './process-identity.ts'

/** Everything needed to start one trial as a local child process. */
export interface LocalLaunch {
  readonly trialName: string
  /** argv; argv[0] is looked up on PATH. Never passed through a shell. */
  readonly command: readonly string[]
  readonly env: Readonly<Record<string, string>>
  readonly cwd: string
  /** Combined stdout+stderr of the trial, as Katib's collector sees it. */
  readonly logPath: string
  /** Katib's activeDeadlineSeconds. */
  readonly timeoutMs?: number
  /** How long SIGTERM has before SIGKILL. */
  readonly killGraceMs?: number
}

/** Stored on the trial row so a restarted controller can find (and stop) the process. */
export interface LocalHandle {
  readonly kind: 'local'
  readonly pid: number
  readonly startTime?: string
  readonly logPath: string
}

export type ExitResult =
  | { readonly phase: 'succeeded' }
  | {
      readonly phase: 'failed'
      /** Kubernetes-style reason: Error, DeadlineExceeded, CommandNotFound, Signal, Stopped. */
      readonly reason: string
      readonly message: string
      readonly exitCode?: number
    }

export interface RunningProcess {
  readonly handle: LocalHandle
  readonly done: Promise<ExitResult>
  /** SIGTERM to the process group, SIGKILL after the grace period. Idempotent. */
  stop(reason: string): void
}

export type LineListener = (line: string) => void

export class LocalProcessExecutor {
  start(launch: LocalLaunch, onLine: LineListener): RunningProcess {
    mkdirSync(dirname(launch.logPath), { recursive: true })
    const log = createWriteStream(launch.logPath, { flags: 'w' })
    const [file, ...args] = launch.command
    const child = spawn(file!, args, {
      cwd: launch.cwd,
      env: launch.env,
      // Own process group: timeouts and stops reach grandchildren (e.g. `sh -c` templates).
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const handle: LocalHandle = {
      kind: 'local',
      pid: child.pid ?? -1,
      ...(child.pid ? { startTime: processStartTime(child.pid) } : {}),
      logPath: launch.logPath,
    }

    let stopReason: string | undefined
    let killTimer: NodeJS.Timeout | undefined
    const stop = (reason: string): void => {
      if (stopReason !== undefined || child.exitCode !== null || child.pid === undefined) return
      stopReason = reason
      signalGroup(child.pid, 'SIGTERM')
      killTimer = setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), launch.killGraceMs ?? 5000)
      killTimer.unref()
    }
    const deadline = launch.timeoutMs
      ? setTimeout(() => stop('DeadlineExceeded'), launch.timeoutMs)
      : undefined
    deadline?.unref()

    const pending: string[] = ['', '']
    const pump = (index: 0 | 1) => (chunk: Buffer) => {
      log.write(chunk)
      const text = pending[index] + chunk.toString('utf8')
      const lines = text.split('\n')
      pending[index] = lines.pop()!
      for (const line of lines) onLine(line.endsWith('\r') ? line.slice(0, -1) : line)
    }
    child.stdout!.on('data', pump(0))
    child.stderr!.on('data', pump(1))

    const done = new Promise<ExitResult>((resolve) => {
      let spawnError: NodeJS.ErrnoException | undefined
      child.on('error', (error: NodeJS.ErrnoException) => {
        spawnError = error
      })
      child.on('close', (code, signal) => {
        clearTimeout(deadline)
        clearTimeout(killTimer)
        for (const rest of pending) if (rest) onLine(rest)
        log.end(() => resolve(exitResult(launch, code, signal, stopReason, spawnError)))
      })
    })
    return { handle, done, stop }
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
    if (spawnError.code === 'ENOENT') {
      return {
        phase: 'failed',
        reason: 'CommandNotFound',
        message: `command "${command}" was not found (working directory ${launch.cwd}); install it or fix the trial template's command`,
      }
    }
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

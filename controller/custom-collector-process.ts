import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs'
import type { Socket } from 'node:net'
import { dirname } from 'node:path'
import { LineSplitter } from '../metrics-collector/index.ts'
import type { CustomCollectorCommand } from './local-collector-plan.ts'
import { signalTrial } from './process-identity.ts'
import { WATCHDOG_SHELL, watchdogArgs } from './trial-watchdog.ts'

/** After the trial ended and its output was handed over (stdin closed), how long the collector gets to finish by itself. */
const DRAIN_MS = 10_000
/** Then SIGTERM, and this long before SIGKILL. */
const TERM_GRACE_MS = 2000
const LAST_STDERR_LINES = 3

/**
 * A Custom collector's process beside one local trial (custom-collector-launch.ts): the trial's
 * output lines go to its stdin, the lines it prints on stdout come back through `onLine`. Its
 * stdout and stderr are kept in its log file. It runs in a process group of its own under the
 * trials' watchdog shell (trial-watchdog.ts), so nothing of it outlives this controller.
 */
export class CustomCollectorProcess {
  readonly #child: ChildProcess | undefined
  readonly #log: WriteStream
  readonly #exited: Promise<void>
  readonly #stderr: string[] = []
  #startError: string | undefined
  #exit: { code: number | null; signal: NodeJS.Signals | null } | undefined
  #stdinOpen = true

  constructor(readonly launch: CustomCollectorCommand, onLine: (line: string) => void) {
    mkdirSync(dirname(launch.logPath), { recursive: true })
    this.#log = createWriteStream(launch.logPath, { flags: 'w' })
    let child: ChildProcess
    try {
      child = spawn(WATCHDOG_SHELL, watchdogArgs(launch.command, TERM_GRACE_MS), {
        cwd: launch.cwd,
        env: launch.env,
        detached: true,
        stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
      })
    } catch (error) {
      this.#startError = (error as Error).message
      this.#exited = Promise.resolve()
      return
    }
    this.#child = child
    // fd 3: the watchdog's lifeline (trial-watchdog.ts); closed once the collector exited, so its watcher ends too.
    const lifeline = child.stdio[3] as Socket | null
    lifeline?.on('error', () => {})
    child.once('exit', () => lifeline?.destroy())
    const out = new LineSplitter()
    const err = new LineSplitter()
    child.stdout!.on('data', (chunk: Buffer) => {
      this.#log.write(chunk)
      for (const line of out.push(chunk)) onLine(line)
    })
    child.stderr!.on('data', (chunk: Buffer) => {
      this.#log.write(chunk)
      for (const line of err.push(chunk)) this.#keepStderr(line)
    })
    // EPIPE when the collector stops reading early: what it did not read is not its business.
    child.stdin!.on('error', () => {
      this.#stdinOpen = false
    })
    this.#exited = new Promise((resolve) => {
      child.once('error', (error) => {
        this.#startError = error.message
        resolve()
      })
      // 'close': its stdout and stderr are drained too.
      child.once('close', (code, signal) => {
        for (const line of out.end()) onLine(line)
        for (const line of err.end()) this.#keepStderr(line)
        this.#exit = { code, signal }
        this.#stdinOpen = false
        resolve()
      })
    })
  }

  /** One line of the trial's output, for the collector's stdin. */
  write(line: string): void {
    if (!this.#stdinOpen || !this.#child?.stdin?.writable) return
    this.#child.stdin.write(`${line}\n`)
  }

  /**
   * The trial ended: its stdin closes, so a collector that reads it to the end finishes by
   * itself; one that does not (it watches a file) is stopped after DRAIN_MS. Resolves once it
   * exited and everything it printed was read.
   */
  async finish(drainMs = DRAIN_MS): Promise<void> {
    this.#stdinOpen = false
    this.#child?.stdin?.end()
    if (!(await this.#within(drainMs))) {
      this.#signal('SIGTERM')
      if (!(await this.#within(TERM_GRACE_MS))) this.#signal('SIGKILL')
      await this.#exited
    }
    await new Promise<void>((resolve) => this.#log.end(resolve))
  }

  /** Stops it without waiting (the controller goes down; the trial will be relaunched). */
  kill(): void {
    this.#stdinOpen = false
    this.#signal('SIGKILL')
    this.#log.end()
  }

  /** Why its metrics may be missing: it could not start, or it failed, with the end of its stderr. */
  notes(): string[] {
    const what = `the Custom collector (${this.launch.command.join(' ')})`
    if (this.#startError) return [`${what} could not start: ${this.#startError}`]
    const exit = this.#exit
    if (!exit || exit.code === 0) return []
    const how = exit.signal ? `was stopped by ${exit.signal}` : exit.code === 127 ? 'was not found (exit code 127)' : `exited with code ${exit.code}`
    const tail = this.#stderr.length > 0 ? `; its stderr ended with: ${this.#stderr.join(' | ')}` : ''
    return [`${what} ${how}${tail} (all its output: ${this.launch.logPath})`]
  }

  #keepStderr(line: string): void {
    if (line.trim() === '') return
    this.#stderr.push(line.length > 200 ? `${line.slice(0, 200)}…` : line)
    if (this.#stderr.length > LAST_STDERR_LINES) this.#stderr.shift()
  }

  #signal(signal: NodeJS.Signals): void {
    const pid = this.#child?.pid
    if (pid !== undefined && this.#exit === undefined) signalTrial(pid, signal)
  }

  async #within(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms)
    })
    try {
      return await Promise.race([this.#exited.then(() => true as const), timedOut])
    } finally {
      clearTimeout(timer)
    }
  }
}

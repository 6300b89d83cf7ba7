import { createWriteStream, type WriteStream } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'

/** Where a trial's output is kept on the controller's machine: what `tunewell logs` and the dashboard read. */
export function trialLogPath(runDir: string, trialName: string): string {
  return join(runDir, trialName, 'output.log')
}

/**
 * A trial's output.log for executors whose trials print elsewhere (a pod's log on a cluster):
 * the lines the StdOut collector hears, written as they arrive. Opening it truncates it, since
 * a trial re-attached after a restart hears its output from the start again. A file that cannot
 * be written loses the copy, never the trial: the metrics come from the lines themselves.
 */
export class TrialLogFile {
  readonly #stream: WriteStream | undefined

  private constructor(stream: WriteStream | undefined) {
    this.#stream = stream
  }

  /**
   * Opens it, its folder made first without blocking: a cluster's controller opens thousands at
   * once, and a synchronous mkdir per trial held its event loop (8% of its CPU at 2,000 trials).
   */
  static async open(path: string): Promise<TrialLogFile> {
    try {
      await mkdir(dirname(path), { recursive: true })
      const stream = createWriteStream(path, { flags: 'w' })
      stream.on('error', () => {})
      return new TrialLogFile(stream)
    } catch {
      return new TrialLogFile(undefined)
    }
  }

  write(line: string): void {
    if (this.#stream && !this.#stream.destroyed) this.#stream.write(`${line}\n`)
  }

  /** Resolves once what was written is in the file. */
  end(): Promise<void> {
    const stream = this.#stream
    if (!stream || stream.destroyed || stream.writableEnded) return Promise.resolve()
    return new Promise((resolve) => stream.end(() => resolve()))
  }
}

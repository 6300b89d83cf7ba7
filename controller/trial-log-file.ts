import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs'
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

  constructor(path: string) {
    try {
      mkdirSync(dirname(path), { recursive: true })
      this.#stream = createWriteStream(path, { flags: 'w' })
      this.#stream.on('error', () => {})
    } catch {
      this.#stream = undefined
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

import { Writable } from 'node:stream'
import type { Log } from '@kubernetes/client-node'
import { OutputLines } from '../output-lines.ts'
import { statusCodeOf } from './kube-error.ts'

export interface PodLogOptions {
  /** Delay before reconnecting after the stream broke or the container had not started yet. */
  readonly retryMs?: number
  /** Once the container ended, how long its follow stream gets to end by itself before it is read again without follow. */
  readonly drainMs?: number
}

type ReadOutcome = 'ended' | 'stalled' | 'failed' | 'gone' | 'stopped' | 'refused'

/**
 * Streams one container's log (`pods/log`, follow) into `onLine`, line by line, the way the
 * StdOut collector reads a local trial's output. Kubernetes' log has no offset to resume
 * from, so the follower counts the complete lines it delivered: after a disconnect it reads
 * the log again from its start and skips that many, so no line is lost and none is counted
 * twice. A line cut by the disconnect is dropped then and arrives whole with the next read.
 * The follow stream's end is only trusted once the pod says the container ended (an API
 * server or proxy may end a stream early); if that stream does not end by itself soon after,
 * the log is read once more, without follow, from where delivery stopped.
 */
export class PodLogFollower {
  readonly #log: Log
  readonly #namespace: string
  readonly #pod: string
  readonly #container: string
  readonly #onLine: (line: string) => void
  readonly #options: PodLogOptions
  #delivered = 0
  #terminated = false
  #previous = false
  #stopped = false
  #refused = false
  #wake: (() => void) | undefined
  #abort: AbortController | undefined

  constructor(log: Log, ref: { namespace: string; pod: string; container: string }, onLine: (line: string) => void, options: PodLogOptions = {}) {
    this.#log = log
    this.#namespace = ref.namespace
    this.#pod = ref.pod
    this.#container = ref.container
    this.#onLine = onLine
    this.#options = options
  }

  /** Set when the API server refused to give the log (403: the controller's account lacks `get` on `pods/log`): asking again will not help. */
  get refused(): boolean {
    return this.#refused
  }

  /** The pod whose log this follows. */
  get pod(): string {
    return this.#pod
  }

  /** The container whose log this follows. */
  get container(): string {
    return this.#container
  }

  /** Complete lines delivered so far. */
  get delivered(): number {
    return this.#delivered
  }

  /** The pod reports the container terminated: what its log holds now is all there will be. */
  containerTerminated(): void {
    if (this.#terminated) return
    this.#terminated = true
    this.#wake?.()
  }

  /**
   * The kubelet restarted the container: the run this follower read has ended, and its log is
   * now the pod's `previous` one; the rest of it is read from there.
   */
  containerRestarted(): void {
    this.#previous = true
    this.containerTerminated()
  }

  /** No more lines (the trial was stopped, its pod is gone). */
  stop(): void {
    this.#stopped = true
    this.#abort?.abort()
    this.#wake?.()
  }

  /** Resolves once the container's whole log was delivered, or the follower was stopped, or the pod is gone; never rejects. */
  async run(): Promise<void> {
    while (!this.#stopped) {
      const final = this.#terminated
      const outcome = await this.#read(!final)
      if (outcome === 'stopped' || outcome === 'gone' || outcome === 'refused') return
      if (outcome === 'ended' && (final || this.#terminated)) return
      // The stream ended early or broke, the container has not started yet (400), or it ended
      // and its stream hung: read again, skipping what was delivered.
      if (outcome !== 'stalled') await this.#pause(this.#options.retryMs ?? 1000)
    }
  }

  async #read(follow: boolean): Promise<ReadOutcome> {
    let skip = this.#delivered
    const lines = new OutputLines((line) => {
      if (skip > 0) {
        skip--
        return
      }
      this.#delivered++
      this.#onLine(line)
    })
    let finished = false
    let resolveRead: (outcome: ReadOutcome) => void = () => {}
    const outcome = new Promise<ReadOutcome>((resolve) => (resolveRead = resolve))
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        if (!finished) lines.push(chunk)
        callback()
      },
    })
    sink.once('finish', () => {
      if (this.#stopped) return resolveRead('stopped')
      const complete = !follow || this.#terminated
      // Only a read that reached the end of a finished container's log has the last line, without newline.
      if (complete) lines.end()
      finished = true
      resolveRead('ended')
    })
    let drainTimer: NodeJS.Timeout | undefined
    this.#wake = () => {
      if (this.#stopped) return resolveRead('stopped')
      if (follow && this.#terminated && drainTimer === undefined) {
        drainTimer = setTimeout(() => resolveRead('stalled'), this.#options.drainMs ?? 2000)
      }
    }
    if (this.#terminated) this.#wake()
    try {
      this.#abort = await this.#log.log(this.#namespace, this.#pod, this.#container, sink, { follow, ...(this.#previous && !follow ? { previous: true } : {}) })
    } catch (error) {
      const code = statusCodeOf(error)
      if (code === 403) this.#refused = true
      resolveRead(code === 404 ? 'gone' : code === 403 ? 'refused' : 'failed')
    }
    const result = await outcome
    finished = true
    clearTimeout(drainTimer)
    this.#wake = undefined
    this.#abort?.abort()
    this.#abort = undefined
    return result
  }

  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms)
      function done() {
        clearTimeout(timer)
        resolve()
      }
      this.#wake = () => done()
    })
  }
}

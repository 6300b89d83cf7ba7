import { Worker } from 'node:worker_threads'
import { TunewellError } from '../core/errors.ts'
import { askAlgorithm } from './ask-algorithm.ts'
import type { AskRequest, AskResult } from './ask-algorithm.ts'
import type { WorkerAsk, WorkerFailure, WorkerReply } from './suggestion-worker.ts'

/**
 * Algorithms asked in the calling thread even through the pool: they take well under a
 * millisecond per suggestion (they do not model the history), less than posting the history to
 * a worker and back would cost. Everything else (tpe, multivariate-tpe, cmaes,
 * bayesianoptimization, and any algorithm added later until it is listed here) fits a model to
 * the history and goes to a worker: a Gaussian-process fit takes 100 ms or more per suggestion.
 */
export const IN_PROCESS_ALGORITHMS: ReadonlySet<string> = new Set(['random', 'grid', 'sobol'])

export interface SuggestionWorkerPoolOptions {
  /** Worker threads, started one by one as requests need them; default 1. */
  readonly size?: number
  /** Algorithm names asked in the calling thread; default IN_PROCESS_ALGORITHMS. */
  readonly inProcess?: ReadonlySet<string>
  /** The worker's entry module; default suggestion-worker-entry (tests swap it). */
  readonly workerUrl?: URL
}

interface Job {
  readonly id: number
  readonly request: AskRequest
  readonly resolve: (result: AskResult) => void
  readonly reject: (error: Error) => void
}

interface Slot {
  worker: Worker | undefined
  job: Job | undefined
}

// Compiled (the installed package), the worker's entry is plain JavaScript beside this module; run
// from the TypeScript sources, it goes through a bootstrap that registers tsx in the worker thread.
const DEFAULT_WORKER_URL = import.meta.url.endsWith('.ts')
  ? new URL('./suggestion-worker-bootstrap.mjs', import.meta.url)
  : new URL('./suggestion-worker-entry.js', import.meta.url)

/**
 * askAlgorithm off the main thread, for `tunewell serve`: a model fit in the event loop would
 * stall every HTTP request and every trial's bookkeeping for as long as it runs. Workers start
 * lazily (none until the first request that needs one); each runs one request at a time, the
 * rest wait in order. Results are askAlgorithm's, bit for bit: the request and the result cross
 * by structured clone (Dates, numbers and nested state copied exactly) and the algorithms are
 * deterministic in the seed and the trial count.
 *
 * An error thrown by the algorithm rejects its request with the same message (a TunewellError
 * with the same code when it was one). A worker that crashes or exits rejects the request it was
 * running and is replaced by a fresh one when the next request comes. Idle workers are unref'd,
 * so the pool never keeps a process alive; one running a request is ref'd until it answers.
 */
export class SuggestionWorkerPool {
  readonly #slots: Slot[]
  readonly #inProcess: ReadonlySet<string>
  readonly #workerUrl: URL
  readonly #queue: Job[] = []
  #nextId = 0
  #closed = false

  constructor(options: SuggestionWorkerPoolOptions = {}) {
    const size = options.size ?? 1
    if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`the suggestion worker pool needs at least 1 worker, got ${size}`)
    this.#slots = Array.from({ length: size }, () => ({ worker: undefined, job: undefined }))
    this.#inProcess = options.inProcess ?? IN_PROCESS_ALGORITHMS
    this.#workerUrl = options.workerUrl ?? DEFAULT_WORKER_URL
  }

  /** Drop-in for askAlgorithm (bound: pass `pool.ask` around as a function). */
  readonly ask = (request: AskRequest): Promise<AskResult> => {
    if (this.#inProcess.has(request.algorithmName)) return askAlgorithm(request)
    if (this.#closed) return Promise.reject(new Error('the suggestion worker pool is closed'))
    return new Promise<AskResult>((resolve, reject) => {
      this.#queue.push({ id: this.#nextId++, request, resolve, reject })
      this.#dispatch()
    })
  }

  /** Workers running now (started and not yet exited or terminated). */
  get workerCount(): number {
    return this.#slots.filter((s) => s.worker !== undefined).length
  }

  /** Rejects what is queued or running and terminates every worker; later asks that need a worker are refused. */
  async close(): Promise<void> {
    this.#closed = true
    const closed = new Error('the suggestion worker pool is closed')
    for (const job of this.#queue.splice(0)) job.reject(closed)
    const workers: Worker[] = []
    for (const slot of this.#slots) {
      slot.job?.reject(closed)
      slot.job = undefined
      if (slot.worker) workers.push(slot.worker)
      slot.worker = undefined
    }
    await Promise.all(workers.map((w) => w.terminate()))
  }

  #dispatch(): void {
    for (const slot of this.#slots) {
      if (this.#closed || this.#queue.length === 0) return
      if (slot.job) continue
      const job = this.#queue.shift()!
      const worker = (slot.worker ??= this.#start(slot))
      slot.job = job
      worker.ref()
      try {
        worker.postMessage({ id: job.id, request: job.request } satisfies WorkerAsk)
      } catch (error) {
        // The request could not be cloned (a function or symbol in it); the worker is fine.
        this.#finish(slot, worker)
        job.reject(new Error(`cannot send the suggestion request to the worker: ${(error as Error).message}`))
      }
    }
  }

  #start(slot: Slot): Worker {
    // The worker inherits this process's Node flags, less --input-type (only valid with -e or
    // stdin input: a script run as `node --input-type=module -e ...` would crash every worker).
    // Only then are the flags listed: a worker refuses per-process flags named to it (Node 24's
    // test runner gives each test process every option, --v8-pool-size and the like), while the
    // flags it inherits unnamed are never checked.
    const execArgv = process.execArgv.some((arg) => arg.startsWith('--input-type'))
      ? process.execArgv.filter((arg) => !arg.startsWith('--input-type'))
      : undefined
    const worker = new Worker(this.#workerUrl, { execArgv })
    worker.unref()
    worker.on('message', (reply: WorkerReply) => {
      const job = slot.job
      if (slot.worker !== worker || !job || job.id !== reply.id) return
      this.#finish(slot, worker)
      if ('error' in reply) job.reject(fromFailure(reply.error))
      else job.resolve(reply.result)
      this.#dispatch()
    })
    worker.on('messageerror', (error: Error) => {
      const job = slot.job
      if (slot.worker !== worker || !job) return
      this.#finish(slot, worker)
      job.reject(new Error(`cannot read the suggestion worker's answer: ${error.message}`))
      this.#dispatch()
    })
    // An uncaught exception in the worker: 'error', then 'exit'. A process.exit() there or
    // terminate(): 'exit' only. Either way the worker is gone and its request fails.
    worker.on('error', (error: Error) => this.#lost(slot, worker, `the suggestion worker crashed: ${error.message}`))
    worker.on('exit', (code: number) => this.#lost(slot, worker, `the suggestion worker exited with code ${code}`))
    return worker
  }

  #finish(slot: Slot, worker: Worker): void {
    slot.job = undefined
    worker.unref()
  }

  #lost(slot: Slot, worker: Worker, why: string): void {
    if (slot.worker !== worker) return
    const job = slot.job
    slot.worker = undefined
    slot.job = undefined
    worker.unref()
    void worker.terminate()
    job?.reject(new Error(why))
    // A replacement starts only if a request is waiting; otherwise with the next one.
    this.#dispatch()
  }
}

function fromFailure(failure: WorkerFailure): Error {
  const error = failure.code !== undefined ? new TunewellError(failure.code, failure.message) : new Error(failure.message)
  if (failure.code === undefined) error.name = failure.name
  if (failure.stack !== undefined) error.stack = `${failure.stack}\n    (in the suggestion worker thread)`
  return error
}

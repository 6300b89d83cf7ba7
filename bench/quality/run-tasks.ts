import { Worker } from 'node:worker_threads'
import { loadProblems } from '../problems/load-problems.ts'
import { runOne } from './run-one.ts'
import type { RunOutcome, RunSpec } from './run-one.ts'
import type { WorkerInit, WorkerRequest } from './run-worker.ts'

export interface RunTasksOptions {
  /** Worker threads; 0 runs everything in the calling thread (for debugging and tests). */
  readonly workers: number
  /** Problems module as given to loadProblems (built-in problems if absent). */
  readonly problemsModule?: string
  /** Per-run limit in worker mode; a run past it is stopped and reported as failed. */
  readonly timeoutSeconds?: number
  readonly onOutcome?: (outcome: RunOutcome, done: number, total: number) => void
}

/**
 * Runs every spec once and returns the outcomes in spec order. Runs are independent, so they
 * are spread over worker threads; a run that throws, hangs past the timeout or kills its
 * worker comes back as an outcome with `error`, and the other runs go on.
 */
export async function runTasks(specs: readonly RunSpec[], options: RunTasksOptions): Promise<RunOutcome[]> {
  const outcomes: RunOutcome[] = new Array(specs.length)
  let done = 0
  const record = (index: number, outcome: RunOutcome): void => {
    outcomes[index] = outcome
    options.onOutcome?.(outcome, ++done, specs.length)
  }
  if (options.workers <= 0) {
    const problems = new Map((await loadProblems(options.problemsModule)).map((p) => [p.name, p]))
    for (const [index, spec] of specs.entries()) {
      const problem = problems.get(spec.problem)
      record(index, problem ? await runOne(problem, spec) : failed(spec, `unknown problem ${spec.problem}`))
    }
    return outcomes
  }
  let next = 0
  const lanes = Array.from({ length: Math.min(options.workers, specs.length) }, async () => {
    while (next < specs.length) {
      // One worker per lane; replaced when a run kills or hangs it.
      const worker = await startWorker(options.problemsModule)
      try {
        while (next < specs.length) {
          const index = next++
          const result = await runInWorker(worker, index, specs[index]!, options.timeoutSeconds)
          record(index, result.outcome)
          if (result.workerLost) break
        }
      } finally {
        await worker.terminate()
      }
    }
  })
  await Promise.all(lanes)
  return outcomes
}

function failed(spec: RunSpec, error: string): RunOutcome {
  return { ...spec, best: [], bestParams: null, wallSeconds: 0, error }
}

function startWorker(problemsModule: string | undefined): Promise<Worker> {
  const init: WorkerInit = problemsModule === undefined ? {} : { problemsModule }
  const worker = new Worker(new URL('./worker-bootstrap.mjs', import.meta.url), { workerData: init })
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(new Error(`benchmark worker failed to start: ${error.message}`))
    worker.once('error', onError)
    worker.once('message', () => {
      worker.off('error', onError)
      resolve(worker)
    })
  })
}

/** One run in `worker`; `workerLost` when the worker died or was stopped and must be replaced. */
function runInWorker(worker: Worker, id: number, spec: RunSpec, timeoutSeconds: number | undefined): Promise<{ outcome: RunOutcome; workerLost: boolean }> {
  return new Promise((resolve) => {
    const started = performance.now()
    const settle = (outcome: RunOutcome, workerLost: boolean): void => {
      clearTimeout(timer)
      worker.off('message', onMessage)
      worker.off('error', onError)
      worker.off('exit', onExit)
      resolve({ outcome, workerLost })
    }
    const lost = (why: string): RunOutcome => ({ ...failed(spec, why), wallSeconds: (performance.now() - started) / 1000 })
    const onMessage = (message: { id: number; outcome: RunOutcome }): void => {
      if (message.id === id) settle(message.outcome, false)
    }
    const onError = (error: Error): void => settle(lost(`the run crashed its worker: ${error.name}: ${error.message}`), true)
    const onExit = (code: number): void => settle(lost(`the worker exited with code ${code} during the run`), true)
    const timer = timeoutSeconds === undefined ? undefined : setTimeout(() => {
      settle(lost(`timed out after ${timeoutSeconds} s`), true)
    }, timeoutSeconds * 1000)
    worker.on('message', onMessage)
    worker.once('error', onError)
    worker.once('exit', onExit)
    worker.postMessage({ id, spec } satisfies WorkerRequest)
  })
}

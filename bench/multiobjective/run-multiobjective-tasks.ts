import { Worker } from 'node:worker_threads'
import { loadMultiObjectiveProblems } from './load-multiobjective-problems.ts'
import { runMultiObjectiveOne } from './run-multiobjective-one.ts'
import type { MultiObjectiveRunOutcome, MultiObjectiveRunSpec } from './run-multiobjective-one.ts'
import type { MultiObjectiveWorkerInit } from './run-worker.ts'

/**
 * Every spec once, outcomes in spec order: in this thread with `workers` 0, else spread over
 * worker threads (runs are independent). A worker that dies fails its run, and the lane
 * starts a new worker for the rest.
 */
export async function runMultiObjectiveTasks(
  specs: readonly MultiObjectiveRunSpec[],
  options: { readonly workers: number; readonly problemsModule?: string; readonly onOutcome?: (o: MultiObjectiveRunOutcome, done: number, total: number) => void },
): Promise<MultiObjectiveRunOutcome[]> {
  const outcomes: MultiObjectiveRunOutcome[] = new Array(specs.length)
  let done = 0
  const record = (index: number, outcome: MultiObjectiveRunOutcome): void => {
    outcomes[index] = outcome
    options.onOutcome?.(outcome, ++done, specs.length)
  }
  if (options.workers <= 0) {
    const problems = new Map((await loadMultiObjectiveProblems(options.problemsModule)).map((p) => [p.name, p]))
    for (const [index, spec] of specs.entries()) {
      const problem = problems.get(spec.problem)
      record(index, problem ? await runMultiObjectiveOne(problem, spec) : failed(spec, `unknown problem ${spec.problem}`))
    }
    return outcomes
  }
  let next = 0
  const init: MultiObjectiveWorkerInit = options.problemsModule === undefined ? {} : { problemsModule: options.problemsModule }
  await Promise.all(Array.from({ length: Math.min(options.workers, specs.length) }, async () => {
    while (next < specs.length) {
      const worker = await startWorker(init)
      try {
        while (next < specs.length) {
          const index = next++
          const { outcome, lost } = await runIn(worker, index, specs[index]!)
          record(index, outcome)
          if (lost) break
        }
      } finally {
        await worker.terminate()
      }
    }
  }))
  return outcomes
}

function failed(spec: MultiObjectiveRunSpec, error: string): MultiObjectiveRunOutcome {
  return { ...spec, hvRegret: {}, feasibleTrials: 0, wallSeconds: 0, error }
}

function startWorker(init: MultiObjectiveWorkerInit): Promise<Worker> {
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

function runIn(worker: Worker, id: number, spec: MultiObjectiveRunSpec): Promise<{ outcome: MultiObjectiveRunOutcome; lost: boolean }> {
  return new Promise((resolve) => {
    const settle = (outcome: MultiObjectiveRunOutcome, lost: boolean): void => {
      worker.off('message', onMessage)
      worker.off('error', onError)
      worker.off('exit', onExit)
      resolve({ outcome, lost })
    }
    const onMessage = (message: { id: number; outcome: MultiObjectiveRunOutcome }): void => {
      if (message.id === id) settle(message.outcome, false)
    }
    const onError = (error: Error): void => settle(failed(spec, `the run crashed its worker: ${error.message}`), true)
    const onExit = (code: number): void => settle(failed(spec, `the worker exited with code ${code} during the run`), true)
    worker.on('message', onMessage)
    worker.once('error', onError)
    worker.once('exit', onExit)
    worker.postMessage({ id, spec })
  })
}

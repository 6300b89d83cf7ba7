import { parentPort, workerData } from 'node:worker_threads'
import { loadProblems } from '../problems/load-problems.ts'
import { runOne } from './run-one.ts'
import type { RunSpec } from './run-one.ts'

/** What runTasks sends each worker thread: the problems module to import (built-in if absent). */
export interface WorkerInit {
  readonly problemsModule?: string
}

export type WorkerRequest = { readonly id: number; readonly spec: RunSpec }

// Functions cannot cross threads, so each worker imports the problems itself.
const init = workerData as WorkerInit
const problems = new Map((await loadProblems(init.problemsModule)).map((p) => [p.name, p]))
const port = parentPort!

port.on('message', async ({ id, spec }: WorkerRequest) => {
  const problem = problems.get(spec.problem)
  if (!problem) {
    port.postMessage({ id, outcome: { ...spec, best: [], bestParams: null, wallSeconds: 0, error: `unknown problem ${spec.problem}` } })
    return
  }
  port.postMessage({ id, outcome: await runOne(problem, spec) })
})
port.postMessage({ ready: true })

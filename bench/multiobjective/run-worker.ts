import { parentPort, workerData } from 'node:worker_threads'
import { loadMultiObjectiveProblems } from './load-multiobjective-problems.ts'
import { runMultiObjectiveOne } from './run-multiobjective-one.ts'
import type { MultiObjectiveRunSpec } from './run-multiobjective-one.ts'

export interface MultiObjectiveWorkerInit {
  readonly problemsModule?: string
}

// Functions cannot cross threads, so each worker imports the problems itself.
const init = workerData as MultiObjectiveWorkerInit
const problems = new Map((await loadMultiObjectiveProblems(init.problemsModule)).map((p) => [p.name, p]))
const port = parentPort!

port.on('message', async ({ id, spec }: { id: number; spec: MultiObjectiveRunSpec }) => {
  const problem = problems.get(spec.problem)
  port.postMessage({
    id,
    outcome: problem
      ? await runMultiObjectiveOne(problem, spec)
      : { ...spec, hvRegret: {}, feasibleTrials: 0, wallSeconds: 0, error: `unknown problem ${spec.problem}` },
  })
})
port.postMessage({ ready: true })

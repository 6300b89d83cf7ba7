import { Worker } from 'node:worker_threads'
import type { NasRunOutcome } from './run-nas-one.ts'
import { runNasTask } from './run-nas-task.ts'
import type { NasTask } from './run-nas-task.ts'

/**
 * Every task, in `workers` worker threads (0: in this thread), outcomes in the tasks' order.
 * `onDone` hears of each as it ends.
 */
export async function runNasTasks(tasks: readonly NasTask[], workers: number, onDone?: (outcome: NasRunOutcome) => void): Promise<NasRunOutcome[]> {
  const outcomes: NasRunOutcome[] = new Array<NasRunOutcome>(tasks.length)
  if (workers <= 0) {
    for (const [i, task] of tasks.entries()) {
      outcomes[i] = await runNasTask(task)
      onDone?.(outcomes[i]!)
    }
    return outcomes
  }
  let next = 0
  const lanes = Array.from({ length: Math.min(workers, tasks.length) }, async () => {
    const worker = new Worker(new URL('./nas-worker-bootstrap.mjs', import.meta.url))
    try {
      await message(worker)
      while (next < tasks.length) {
        const index = next++
        worker.postMessage({ id: index, task: tasks[index] })
        const { outcome } = await message(worker) as { outcome: NasRunOutcome }
        outcomes[index] = outcome
        onDone?.(outcome)
      }
    } finally {
      await worker.terminate()
    }
  })
  await Promise.all(lanes)
  return outcomes
}

function message(worker: Worker): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => { worker.off('message', onMessage); reject(new Error(`benchmark worker failed: ${error.message}`)) }
    const onMessage = (value: unknown): void => { worker.off('error', onError); resolve(value) }
    worker.once('message', onMessage)
    worker.once('error', onError)
  })
}

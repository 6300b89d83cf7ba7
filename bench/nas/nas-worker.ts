import { parentPort } from 'node:worker_threads'
import { runNasTask } from './run-nas-task.ts'
import type { NasTask } from './run-nas-task.ts'

/** A worker thread of runNas: runs the tasks it is sent, one at a time. */
const port = parentPort!
port.on('message', async ({ id, task }: { id: number; task: NasTask }) => {
  try {
    port.postMessage({ id, outcome: await runNasTask(task) })
  } catch (error) {
    port.postMessage({ id, outcome: { ...task.spec, best: [], askMs: [], bestArchitecture: null, wallSeconds: 0, error: `the run threw ${(error as Error).message}` } })
  }
})
port.postMessage({ ready: true })

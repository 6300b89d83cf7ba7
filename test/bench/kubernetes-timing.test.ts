import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { ExitResult, PreparedTrial, TrialExecutor, TrialRequest } from '../../controller/trial-executor.ts'
import { TimingExecutor } from '../../bench/kubernetes/timing-executor.ts'

/** An executor whose trials end when the test says. */
class ManualExecutor implements TrialExecutor {
  readonly kind = 'manual'
  readonly #ends = new Map<string, (result: ExitResult) => void>()
  async prepare(request: TrialRequest): Promise<PreparedTrial> {
    return {
      start: async () => ({
        handle: { kind: 'manual' },
        done: new Promise<ExitResult>((resolve) => this.#ends.set(request.trial.name, resolve)),
        stop: () => {},
      }),
    }
  }
  async stopOrphan(): Promise<boolean> {
    return false
  }
  end(name: string): void {
    this.#ends.get(name)!({ phase: 'succeeded' })
  }
}

function request(experiment: string, trial: string): TrialRequest {
  return { experiment: { metadata: { name: experiment } }, trial: { name: trial, params: {} }, checkpointDir: '', context: { baseDir: '', runDir: '', env: {} } } as unknown as TrialRequest
}

async function launch(executor: TrialExecutor, experiment: string, trial: string): Promise<void> {
  await (await executor.prepare(request(experiment, trial))).start(() => {})
}

test('each launch takes its experiment\'s oldest open slot: the runner\'s start for the first wave, then the end of an earlier trial', async () => {
  const inner = new ManualExecutor()
  const timing = new TimingExecutor(inner)
  timing.opened('a', 2)
  timing.opened('b', 1)
  await launch(timing, 'a', 'a-1')
  await launch(timing, 'a', 'a-2')
  await launch(timing, 'b', 'b-1')
  assert.equal(timing.peakLive, 3)
  inner.end('a-1')
  await new Promise((resolve) => setImmediate(resolve))
  await launch(timing, 'a', 'a-3')

  const byName = new Map(timing.timings.map((t) => [t.trial, t]))
  assert.deepEqual(timing.timings.map((t) => [t.trial, t.firstWave]), [['a-1', true], ['a-2', true], ['b-1', true], ['a-3', false]])
  assert.equal(byName.get('a-1')!.slotOpenedAt, byName.get('a-2')!.slotOpenedAt)
  assert.equal(byName.get('a-3')!.slotOpenedAt, byName.get('a-1')!.endedAt, 'the slot a-1 left')
  assert.equal(byName.get('a-2')!.endedAt, undefined)
  assert.ok(byName.get('a-3')!.createdAt >= byName.get('a-3')!.slotOpenedAt)
})

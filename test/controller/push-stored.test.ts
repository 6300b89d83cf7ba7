import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ExperimentRunner } from '../../controller/experiment-runner.ts'
import { PushHub } from '../../controller/push-hub.ts'
import type { Store } from '../../db/store.ts'
import { SuggestionService } from '../../suggestion/suggestion-service.ts'
import { quadraticExperiment } from '../helpers/experiment-yaml.ts'
import { FakeExecutor } from '../helpers/fake-executor.ts'
import { openTestStore } from '../helpers/test-store.ts'

let store: Store
const home = mkdtempSync(join(tmpdir(), 'tunewell-push-stored-'))
before(async () => {
  store = await openTestStore()
})
after(async () => {
  await store.destroy()
  rmSync(home, { recursive: true, force: true })
})

// A push is answered 204 only once its points are in the database: a controller killed right
// after its answer (kill -9, a lost node) cannot lose them, and a client that got no answer sends
// them again, to whichever controller runs the trial next.
test('a push through the receiver is stored by the time it is answered 204', async () => {
  const experiment = quadraticExperiment({ name: 'push-stored', max: 1, parallel: 1, extraSpec: '  metricsCollectorSpec: { collector: { kind: Push } }\n' })
  const record = await store.experiments.create({ name: experiment.metadata.name, spec: experiment, seed: 3 })
  const hub = await PushHub.start(new URL('http://127.0.0.1:0'), {})
  await hub.useStore(store)
  const seen: string[][] = []
  const executor = new FakeExecutor(async (trial) => {
    const env = hub.envFor(trial.name)
    for (const step of [1, 2, 3]) {
      // Port 0 in the report URL: the receiver's own address instead.
      const res = await fetch(`${hub.internalUrl}${new URL(env.TUNEWELL_REPORT_URL).pathname}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${env.TUNEWELL_REPORT_TOKEN}` },
        body: JSON.stringify({ metrics: { loss: step / 10 }, step }),
      })
      assert.equal(res.status, 204, await res.text())
      const stored = await store.trials.getByName(trial.name)
      seen.push((await store.observations.list(stored!.id, ['loss'])).map((p) => `${p.step}=${p.value}`))
    }
    return 0
  })
  const runner = new ExperimentRunner({
    store, suggestions: new SuggestionService(store), executor, clock: executor.clock,
    launch: { baseDir: home, runDir: join(home, 'runs', record.name), env: {} }, pollMs: 50,
  })
  const unregister = hub.register(runner)
  try {
    const done = await runner.run(record.id)
    assert.equal(done.state, 'Succeeded', `${done.reason}: ${done.message}`)
  } finally {
    unregister()
    await hub.close()
  }
  const [t] = await store.trials.list(record.id)
  assert.equal(t!.state, 'Succeeded', `${t!.state}: ${t!.message}`)
  assert.deepEqual(seen, [['1=0.1'], ['1=0.1', '2=0.2'], ['1=0.1', '2=0.2', '3=0.3']])
})

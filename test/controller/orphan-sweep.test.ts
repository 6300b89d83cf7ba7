import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ExperimentSupervisor } from '../../controller/experiment-supervisor.ts'
import { sweepOrphans } from '../../controller/orphan-sweep.ts'
import type { ManagedWorkload, WorkloadInventory } from '../../controller/trial-executor.ts'
import type { TrialState } from '../../core/trial.ts'
import type { Store } from '../../db/store.ts'
import { FakeExecutor } from '../helpers/fake-executor.ts'
import { jobExperiment } from '../helpers/job-experiment.ts'
import { openTestStore } from '../helpers/test-store.ts'

// Which workloads the orphan sweep deletes (controller/orphan-sweep.ts), decided from the trials'
// rows: the database is real (PGlite, or PostgreSQL with DATABASE_URL), the cluster an inventory
// that records what it is asked to delete. test/kubernetes/failover-sweep.test.ts runs it in
// `serve` against the fake API server.

let store: Store
before(async () => {
  store = await openTestStore()
})
after(() => store.destroy())

/** A workload the inventory lists, named after its trial. */
const workload = (experimentId: string, trialName: string): ManagedWorkload => ({
  experimentId, trialName, handle: { kind: 'test' }, description: `Job ns/${trialName}`,
})

/** An experiment whose trials are in `states` (trial `<name>-<state>`); `retain`: its template keeps finished workloads. */
async function experimentWith(name: string, states: readonly TrialState[], retain = false): Promise<string> {
  const spec = jobExperiment({ name, maxTrials: 10, parallel: 1, image: 'busybox', command: ['true'] })
  const record = await store.experiments.create({ name, spec: { ...spec, spec: { ...spec.spec, trialTemplate: { ...spec.spec.trialTemplate!, retain } } }, seed: 1 })
  const trials = await store.trials.createMany(record.id, states.map((state) => ({ name: `${name}-${state.toLowerCase()}`, params: { lr: 0.05 } })))
  for (const [i, state] of states.entries()) {
    const trial = trials[i]!
    if (state === 'Pending') continue
    assert.ok(await store.trials.transition(trial.id, ['Pending'], 'Running'))
    if (state !== 'Running') assert.ok(await store.trials.transition(trial.id, ['Running'], state))
  }
  return record.id
}

test('the sweep deletes the workloads of killed, early stopped, finished and unknown trials; never a Pending or Running one\'s, a retained one, or one of an experiment this database does not know', async () => {
  const all: TrialState[] = ['Pending', 'Running', 'Succeeded', 'Failed', 'Killed', 'EarlyStopped', 'MetricsUnavailable']
  const plain = await experimentWith('sweep-plain', all)
  const retained = await experimentWith('sweep-retained', all, true)
  const foreign = randomUUID()
  const listed = [
    ...all.map((s) => workload(plain, `sweep-plain-${s.toLowerCase()}`)),
    ...all.map((s) => workload(retained, `sweep-retained-${s.toLowerCase()}`)),
    workload(plain, 'sweep-plain-gone'),
    workload(foreign, 'sweep-plain-succeeded'),
  ]
  const removed: string[] = []
  let listedFor: string[] = []
  const inventory: WorkloadInventory = {
    list: async (experiments) => {
      listedFor = experiments.map((e) => e.metadata.name).sort()
      return listed
    },
    remove: async (w) => {
      removed.push(`${w.experimentId === foreign ? 'foreign' : ''}${w.trialName}`)
      return true
    },
  }
  const swept = await sweepOrphans(store, inventory)
  // Every experiment of the database says where to look (finished ones too: their trials' workloads may outlive them).
  assert.deepEqual(listedFor, ['sweep-plain', 'sweep-retained'])
  assert.deepEqual(removed.sort(), [
    'sweep-plain-earlystopped', 'sweep-plain-failed', 'sweep-plain-gone', 'sweep-plain-killed', 'sweep-plain-metricsunavailable', 'sweep-plain-succeeded',
    // A kill or an early stop deletes the workload whatever `retain` says; an end by itself keeps it.
    'sweep-retained-earlystopped', 'sweep-retained-killed',
  ])
  assert.equal(swept.find((s) => s.workload.trialName === 'sweep-plain-gone')?.reason, 'its trial is not in experiment "sweep-plain"')
  assert.equal(swept.length, removed.length)
})

test('a sweep whose cluster never answers does not hold up the server\'s shutdown: stop() leaves it to the next start and says so', { timeout: 30_000 }, async () => {
  let listed!: () => void
  const asked = new Promise<void>((resolve) => (listed = resolve))
  const inventory: WorkloadInventory = {
    // client-node sets no timeout: a request the API server never answers waits for ever.
    list: () => {
      listed()
      return new Promise(() => {})
    },
    remove: async () => true,
  }
  const executor = Object.assign(new FakeExecutor(async () => {}), { inventory })
  const home = mkdtempSync(join(tmpdir(), 'tunewell-sweep-stop-'))
  const warnings: string[] = []
  const supervisor = new ExperimentSupervisor({
    store, home, baseDir: home, localExecution: false, pollMs: 50, sweepStopWaitMs: 200,
    remote: { executor, name: 'Kubernetes', check: () => [] },
    log: { info: () => {}, warn: (message) => warnings.push(message), error: () => {} },
  })
  try {
    supervisor.start()
    await asked
    await supervisor.stop()
    assert.ok(warnings.some((w) => /orphan sweep was still waiting for the cluster .*left to the next start/.test(w)), warnings.join('\n'))
  } finally {
    rmSync(home, { recursive: true, force: true })
  }
})

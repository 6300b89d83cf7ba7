import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { parse as parseYaml } from 'yaml'
import { PARALLELISM_LOWERED } from '../../lifecycle/stop-excess-trials.ts'
import { startExperiment } from '../../lifecycle/start-experiment.ts'
import { startTrial } from '../../lifecycle/start-trial.ts'
import { experimentYaml, openTestApp, uniqueName, type TestApp } from '../helpers/test-app.ts'

const BASE = '/apis/kubeflow.org/v1beta1/namespaces/default/experiments'

let t: TestApp
before(async () => {
  t = await openTestApp()
})
after(() => t.close())

/** An experiment created through the Kubernetes API with three Running trials (no controller runs here). */
async function threeRunning(name: string) {
  const created = await t.app.inject({ method: 'POST', url: BASE, payload: parseYaml(experimentYaml(name, { parallel: 3, max: 10 })) as object })
  assert.equal(created.statusCode, 201, created.body)
  const record = (await t.store.experiments.getByName(name))!
  assert.ok(await startExperiment(t.store, record, 'running'))
  const trials = await t.store.trials.createMany(record.id, [0, 1, 2].map((i) => ({ name: `${name}-${i}`, params: { lr: 0.01 * (i + 1), optimizer: 'sgd' } })))
  for (const trial of trials) assert.ok(await startTrial(t.store, trial, null))
  return trials
}

const statesOf = async (names: readonly string[]) => Promise.all(names.map(async (n) => {
  const trial = (await t.store.trials.getByName(n))!
  return [trial.state, trial.reason] as const
}))

test('a merge patch of the Experiment lowering parallelTrialCount stops the newest trials, as Katib deletes them', async () => {
  const name = uniqueName('kpar')
  const trials = await threeRunning(name)
  const patched = await t.app.inject({
    method: 'PATCH', url: `${BASE}/${name}`, headers: { 'content-type': 'application/merge-patch+json' }, payload: JSON.stringify({ spec: { parallelTrialCount: 1 } }),
  })
  assert.equal(patched.statusCode, 200, patched.body)
  assert.deepEqual(await statesOf(trials.map((x) => x.name)), [['Running', null], ['Killed', PARALLELISM_LOWERED], ['Killed', PARALLELISM_LOWERED]])
  // The Katib Trial objects say so too.
  const trial = await t.app.inject({ method: 'GET', url: `/apis/kubeflow.org/v1beta1/namespaces/default/trials/${name}-2` })
  assert.equal(trial.statusCode, 200, trial.body)
  assert.equal(trial.json().status.conditions.at(-1).type, 'Killed')
})

test('a PUT of the Experiment lowering parallelTrialCount does the same; a dry run stops nothing', async () => {
  const name = uniqueName('kput')
  const trials = await threeRunning(name)
  const current = (await t.app.inject({ method: 'GET', url: `${BASE}/${name}` })).json()
  const dry = await t.app.inject({ method: 'PUT', url: `${BASE}/${name}?dryRun=All`, payload: { ...current, spec: { ...current.spec, parallelTrialCount: 2 } } })
  assert.equal(dry.statusCode, 200, dry.body)
  assert.deepEqual((await statesOf(trials.map((x) => x.name))).map(([state]) => state), ['Running', 'Running', 'Running'])
  const put = await t.app.inject({ method: 'PUT', url: `${BASE}/${name}`, payload: { ...current, spec: { ...current.spec, parallelTrialCount: 2 } } })
  assert.equal(put.statusCode, 200, put.body)
  assert.deepEqual(await statesOf(trials.map((x) => x.name)), [['Running', null], ['Running', null], ['Killed', PARALLELISM_LOWERED]])
})

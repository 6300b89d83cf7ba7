import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { parse as parseYaml } from 'yaml'
import { finishTrial } from '../../lifecycle/finish-trial.ts'
import { startExperiment } from '../../lifecycle/start-experiment.ts'
import { startTrial } from '../../lifecycle/start-trial.ts'
import { updateBestTrial } from '../../lifecycle/update-best-trial.ts'
import { experimentYaml, openTestApp, uniqueName, type TestApp } from '../helpers/test-app.ts'

let t: TestApp
before(async () => {
  t = await openTestApp()
})
after(() => t.close())

const json = async (url: string, method: 'GET' | 'POST' = 'GET') => {
  const res = await t.app.inject({ method, url })
  assert.equal(res.statusCode, 200, res.body)
  return res.json()
}
const assignment = (view: { parameterAssignments: { name: string; value: string }[] }) => view.parameterAssignments.find((a) => a.name === 'lr')?.value

test('parameterAssignments show a discrete value as written in its list, params the number (REST and Kubernetes API)', async () => {
  const name = uniqueName('disc')
  // The default experiment of the API tests, with lr a discrete list whose first entry prints differently as a number.
  const yaml = experimentYaml(name).replace('parameterType: double\n      feasibleSpace: {min: "0.01", max: "0.1"}', 'parameterType: discrete\n      feasibleSpace: {list: ["0.10", "1e-3"]}')
  assert.match(yaml, /"0\.10"/)
  const created = await t.app.inject({ method: 'POST', url: '/apis/kubeflow.org/v1beta1/namespaces/default/experiments', payload: parseYaml(yaml) as object })
  assert.equal(created.statusCode, 201, created.body)
  const record = (await t.store.experiments.getByName(name))!
  assert.ok(await startExperiment(t.store, record, 'running'))
  const [best, other] = await t.store.trials.createMany(record.id, [{ name: `${name}-a`, params: { lr: 0.1, optimizer: 'sgd' } }, { name: `${name}-b`, params: { lr: 0.001, optimizer: 'adam' } }])
  for (const trial of [best!, other!]) assert.ok(await startTrial(t.store, trial, null))
  assert.ok(await finishTrial(t.store, best!, { state: 'Succeeded', reason: 'TrialSucceeded', message: 'ok', objective: 0.5 }, { loss: { min: 0.5, max: 0.5, latest: 0.5 } }))
  await updateBestTrial(t.store, record, await t.store.trials.list(record.id))

  const got = await json(`/api/v1/experiments/${name}/trials/${best!.name}`)
  assert.equal(assignment(got), '0.10')
  assert.equal(got.params.lr, 0.1)
  const listed = await json(`/api/v1/experiments/${name}/trials`)
  assert.deepEqual(listed.items.map(assignment), ['0.10', '1e-3'])
  assert.equal(assignment((await json(`/api/v1/experiments/${name}`)).status.currentOptimalTrial), '0.10')
  assert.equal(assignment(await json(`/api/v1/experiments/${name}/trials/${other!.name}:kill`, 'POST')), '1e-3')
  const kube = await json(`/apis/kubeflow.org/v1beta1/namespaces/default/trials/${best!.name}`)
  assert.equal(assignment(kube.spec), '0.10')
})

test('an ask hands the worker a discrete value as written in its list, params the number; a retried ask too', async () => {
  const name = uniqueName('disc-ask')
  // grid: the three asks get the three entries, each once.
  const yaml = experimentYaml(name, { template: false, max: 3, parallel: 3 })
    .replace('algorithmName: random', 'algorithmName: grid')
    .replace('parameterType: double\n      feasibleSpace: {min: "0.01", max: "0.1"}', 'parameterType: discrete\n      feasibleSpace: {list: ["0.10", "1e-3", "2"]}')
    .replace('feasibleSpace: {list: [sgd, adam]}', 'feasibleSpace: {list: [sgd]}')
  assert.match(yaml, /"0\.10"/)
  const created = await t.app.inject({ method: 'POST', url: '/api/v1/experiments', headers: { 'content-type': 'application/yaml' }, payload: yaml })
  assert.equal(created.statusCode, 201, created.body)
  const written = new Map([[0.1, '0.10'], [0.001, '1e-3'], [2, '2']])
  const ask = async (payload: object) => {
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/experiments/${name}/trials:ask`, payload })
    assert.equal(res.statusCode, 200, res.body)
    const asked = res.json()
    assert.equal(typeof asked.params.lr, 'number')
    assert.equal(assignment(asked), written.get(asked.params.lr), JSON.stringify(asked))
    return asked
  }
  const answers = [await ask({}), await ask({}), await ask({ idempotencyKey: 'k' })]
  assert.deepEqual(answers.map(assignment).sort(), ['0.10', '1e-3', '2'])
  // A retried ask answers the trial it answered, as written again.
  const again = await ask({ idempotencyKey: 'k' })
  assert.deepEqual([again.name, assignment(again)], [answers[2].name, assignment(answers[2])])
})

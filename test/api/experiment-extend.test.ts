/** `POST /api/v1/experiments/{name}:extend`: trials added to an experiment whatever its resumePolicy (lifecycle/extend-experiment.ts). */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { ErrorBody } from '../../api/schemas/common.ts'
import type { ExperimentResource } from '../../api/schemas/experiment.ts'
import { experimentYaml, openTestApp, postYaml, uniqueName, type TestApp } from '../helpers/test-app.ts'

let t: TestApp
before(async () => {
  t = await openTestApp()
})
after(async () => {
  await t?.close()
})

const post = (url: string, payload?: unknown) => t.app.inject({ method: 'POST', url, ...(payload !== undefined ? { payload: payload as object } : {}) })
const errorOf = (body: string) => (JSON.parse(body) as ErrorBody).error

/** With random_state, so that two experiments of different names draw the same points. */
async function create(name: string, o: Parameters<typeof experimentYaml>[1] = {}) {
  const yaml = experimentYaml(name, o).replace('algorithmName: random\n', 'algorithmName: random\n    algorithmSettings: [{name: random_state, value: "5"}]\n')
  assert.match(yaml, /random_state/)
  const res = await postYaml(t.app, yaml)
  assert.equal(res.statusCode, 201, res.body)
  return (await t.store.experiments.getByName(name))!
}

/** A worker's loop: ask, tell a value, until the experiment is over; the trials' parameters in order. */
async function work(name: string, value: (n: number) => number): Promise<{ name: string; params: unknown }[]> {
  const done: { name: string; params: unknown }[] = []
  for (;;) {
    const asked = await post(`/api/v1/experiments/${name}/trials:ask`, {})
    if (asked.statusCode === 409 && errorOf(asked.body).code === 'EXPERIMENT_COMPLETED') return done
    assert.equal(asked.statusCode, 200, asked.body)
    const trial = JSON.parse(asked.body) as { name: string; number: number; params: unknown }
    const told = await post(`/api/v1/experiments/${name}/trials/${trial.name}:tell`, { value: value(trial.number) })
    assert.equal(told.statusCode, 200, told.body)
    done.push({ name: trial.name, params: trial.params })
  }
}

describe('POST /api/v1/experiments/{name}:extend', () => {
  test('a finished experiment with resumePolicy Never restarts with N more trials; the earlier trials stay and the algorithm continues', async () => {
    const name = uniqueName('extend')
    const e = await create(name, { template: false, parallel: 1, max: 3 })
    const first = await work(name, (n) => 10 - n)
    assert.equal(first.length, 3)
    assert.equal((await t.store.experiments.get(e.id))?.reason, 'ExperimentMaxTrialsReached')

    const res = await post(`/api/v1/experiments/${name}:extend`, { trials: 2 })
    assert.equal(res.statusCode, 200, res.body)
    const resource = JSON.parse(res.body) as ExperimentResource
    assert.deepEqual([resource.status.state, resource.status.reason], ['Restarting', 'ExperimentRestarting'])
    assert.equal((resource.spec as { maxTrialCount: number }).maxTrialCount, 5)
    const events = (await t.store.events.list(e.id)).map((event) => event.type)
    assert.deepEqual(events.slice(-2), ['experiment:updated', 'experiment:state-changed'])

    const more = await work(name, (n) => 10 - n)
    assert.equal(more.length, 2)
    const trials = await t.store.trials.list(e.id)
    assert.deepEqual(trials.map((trial) => trial.number), [0, 1, 2, 3, 4])
    assert.deepEqual(trials.slice(0, 3).map((trial) => ({ name: trial.name, params: trial.params })), first)
    const done = await t.store.experiments.get(e.id)
    assert.deepEqual([done?.state, done?.reason], ['Succeeded', 'ExperimentMaxTrialsReached'])

    // The same experiment run straight to 5 trials draws the same parameters: the seed and history carried on.
    const straight = uniqueName('straight')
    await create(straight, { template: false, parallel: 1, max: 5 })
    const all = await work(straight, (n) => 10 - n)
    assert.deepEqual(all.map((trial) => trial.params), [...first, ...more].map((trial) => trial.params))
  })

  test('an experiment that reached its goal runs the added trials in full; a running one gets N more; refusals say where', async () => {
    const name = uniqueName('goal')
    const e = await create(name, { template: false, parallel: 1, max: 10 })
    await t.store.experiments.update(e.id, { state: 'Succeeded', reason: 'ExperimentGoalReached', completedAt: new Date() })
    const res = await post(`/api/v1/experiments/${name}:extend`, { trials: 2 })
    assert.equal(res.statusCode, 200, res.body)
    const extended = (await t.store.experiments.get(e.id))!
    assert.equal(extended.state, 'Restarting')
    assert.equal(extended.spec.spec.maxTrialCount, 2, 'no trial yet: 2 more than it has')
    assert.equal(extended.spec.metadata.annotations?.['tunewell.dev/goal-lifted'], 'true')

    const running = await create(uniqueName('running'), { max: 4 })
    const grown = await post(`/api/v1/experiments/${running.name}:extend`, { trials: 3 })
    assert.equal(grown.statusCode, 200, grown.body)
    assert.equal((await t.store.experiments.get(running.id))?.spec.spec.maxTrialCount, 7)
    assert.equal((await t.store.experiments.get(running.id))?.state, 'Created')

    const failed = await create(uniqueName('failed'))
    await t.store.experiments.update(failed.id, { state: 'Failed', reason: 'ExperimentFailed', completedAt: new Date() })
    const refused = await post(`/api/v1/experiments/${failed.name}:extend`, { trials: 1 })
    assert.equal(refused.statusCode, 422, refused.body)
    assert.equal(errorOf(refused.body).issues?.[0]?.path, '/spec/maxFailedTrialCount')
    assert.equal((await t.store.experiments.get(failed.id))?.state, 'Failed', 'a refusal changes nothing')

    assert.equal((await post(`/api/v1/experiments/${running.name}:extend`, { trials: 0 })).statusCode, 400)
    assert.equal((await post(`/api/v1/experiments/${uniqueName('none')}:extend`, { trials: 1 })).statusCode, 404)
  })
})

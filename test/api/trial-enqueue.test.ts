/** POST /api/v1/experiments/{name}/trials:enqueue, and tunewell.dev/warm-start-from through the API. */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { ErrorBody } from '../../api/schemas/common.ts'
import { experimentYaml, openTestApp, postYaml, uniqueName, type TestApp } from '../helpers/test-app.ts'

let t: TestApp
before(async () => {
  t = await openTestApp()
})
after(async () => {
  await t?.close()
})

const enqueue = (name: string, payload: unknown) =>
  t.app.inject({ method: 'POST', url: `/api/v1/experiments/${name}/trials:enqueue`, payload: payload as Record<string, unknown> })

async function askAndTell(name: string, value: number): Promise<unknown> {
  const asked = await t.app.inject({ method: 'POST', url: `/api/v1/experiments/${name}/trials:ask`, payload: {} })
  assert.equal(asked.statusCode, 200, asked.body)
  const trial = JSON.parse(asked.body) as { name: string; params: unknown }
  const told = await t.app.inject({ method: 'POST', url: `/api/v1/experiments/${name}/trials/${trial.name}:tell`, payload: { value } })
  assert.equal(told.statusCode, 200, told.body)
  return trial.params
}

describe('POST .../trials:enqueue', () => {
  test('a value outside the space is 422 at /params/<i>/<name> and nothing is queued; queued sets are the next trials, after those already made', async () => {
    const name = uniqueName('enqueue-api')
    assert.equal((await postYaml(t.app, experimentYaml(name, { template: false, parallel: 1, max: 4 }))).statusCode, 201)
    const first = await askAndTell(name, 1)

    const bad = await enqueue(name, { params: [{ lr: 0.05, optimizer: 'sgd' }, { lr: 5, optimizer: 'sgd' }, { lr: 0.05 }] })
    assert.equal(bad.statusCode, 422, bad.body)
    const issues = (JSON.parse(bad.body) as ErrorBody).error.issues ?? []
    assert.deepEqual(issues.map((i) => i.path), ['/params/1/lr', '/params/2'])
    assert.match(issues[0]!.message, /outside lr's range/)
    assert.match(issues[1]!.message, /gives no value for "optimizer"/)

    const record = (await t.store.experiments.getByName(name))!
    const made = (await t.store.trials.list(record.id)).length
    const ok = await enqueue(name, { params: [{ lr: 0.05, optimizer: 'sgd' }, { lr: '0.02', optimizer: 'adam' }] })
    assert.equal(ok.statusCode, 200, ok.body)
    assert.deepEqual(JSON.parse(ok.body), { queued: 2 })
    // Trials already created keep their parameters; the queued sets are the next ones made.
    for (let value = 2; value <= 4; value++) await askAndTell(name, value)
    const trials = await t.store.trials.list(record.id)
    assert.deepEqual(trials[0]!.params, first)
    assert.deepEqual(trials.slice(made, made + 2).map((trial) => trial.params), [{ lr: 0.05, optimizer: 'sgd' }, { lr: 0.02, optimizer: 'adam' }])
    assert.equal((await enqueue('no-such-experiment-x', { params: [{ lr: 0.05, optimizer: 'sgd' }] })).statusCode, 404)
  })

  test('a warm start from an experiment that does not exist, or measures another metric, is 422 at the annotation and creates nothing', async () => {
    const source = uniqueName('warm-source')
    assert.equal((await postYaml(t.app, experimentYaml(source, { template: false, parallel: 1, max: 2 }))).statusCode, 201)
    await askAndTell(source, 0.5)
    const warm = (name: string, from: string, yaml = experimentYaml(name, { template: false, parallel: 1, max: 2 })) =>
      postYaml(t.app, yaml.replace(`  name: ${name}\n`, `  name: ${name}\n  annotations:\n    tunewell.dev/warm-start-from: ${from}\n`))
    const cases = [
      ['no-such-experiment', /no experiment of that name exists/, (yaml: string) => yaml],
      [source, /its objective metric is/, (yaml: string) => yaml.replace(/objectiveMetricName: \S+/, 'objectiveMetricName: other_metric')],
      // Prior trials reach the algorithms with one objective value: a front cannot start from them.
      [source, /warm start is for single-objective experiments, and this one has several objectives/,
        (yaml: string) => yaml.replace(/(\n( *)objectiveMetricName: (\S+)\n)/, '$1$2objectives: [{metric: latency_ms, direction: minimize}]\n')],
    ] as const
    for (const [from, message, edit] of cases) {
      const name = uniqueName('warm')
      const other = edit(experimentYaml(name, { template: false, parallel: 1, max: 2 }))
      const res = await warm(name, from, other)
      assert.equal(res.statusCode, 422, res.body)
      const issues = (JSON.parse(res.body) as ErrorBody).error.issues ?? []
      assert.equal(issues[0]?.path, '/metadata/annotations/tunewell.dev~1warm-start-from')
      assert.match(issues[0]!.message, message)
      assert.equal(await t.store.experiments.getByName(name), undefined)
    }
    const name = uniqueName('warm')
    assert.equal((await warm(name, source)).statusCode, 201)
  })
})

/** The annotation tunewell.dev/enqueue-trials through the API: checked at submission, handed out first by ask. */
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

function queued(name: string, queue: string): string {
  const yaml = experimentYaml(name, { template: false, parallel: 1, max: 3 })
  return yaml.replace(`  name: ${name}\n`, `  name: ${name}\n  annotations:\n    tunewell.dev/enqueue-trials: '${queue}'\n`)
}

describe('tunewell.dev/enqueue-trials through the API', () => {
  test('a queued value outside the search space is 422 at its JSON path, and nothing is created', async () => {
    const name = uniqueName('enqueue-bad')
    const res = await postYaml(t.app, queued(name, '[{"lr": 0.05, "optimizer": "rmsprop"}]'))
    assert.equal(res.statusCode, 422, res.body)
    const issues = (JSON.parse(res.body) as ErrorBody).error.issues ?? []
    assert.deepEqual(issues.map((i) => i.path), ['/metadata/annotations/tunewell.dev~1enqueue-trials/0/optimizer'])
    assert.match(issues[0]!.message, /not one of optimizer's values \(sgd, adam\)/)
    assert.equal(await t.store.experiments.getByName(name), undefined)
  })

  test('asks hand out the queued sets first, then the algorithm\'s', async () => {
    const name = uniqueName('enqueue')
    assert.equal((await postYaml(t.app, queued(name, '[{"lr": 0.05, "optimizer": "sgd"}, {"lr": "0.02", "optimizer": "adam"}]'))).statusCode, 201)
    const params: unknown[] = []
    for (let i = 0; i < 3; i++) {
      const asked = await t.app.inject({ method: 'POST', url: `/api/v1/experiments/${name}/trials:ask`, payload: {} })
      assert.equal(asked.statusCode, 200, asked.body)
      const trial = JSON.parse(asked.body) as { name: string; params: unknown }
      params.push(trial.params)
      const told = await t.app.inject({ method: 'POST', url: `/api/v1/experiments/${name}/trials/${trial.name}:tell`, payload: { value: i } })
      assert.equal(told.statusCode, 200, told.body)
    }
    assert.deepEqual(params.slice(0, 2), [{ lr: 0.05, optimizer: 'sgd' }, { lr: 0.02, optimizer: 'adam' }])
    const third = params[2] as { lr: number; optimizer: string }
    assert.ok(third.lr >= 0.01 && third.lr <= 0.1 && ['sgd', 'adam'].includes(third.optimizer), JSON.stringify(third))
  })
})

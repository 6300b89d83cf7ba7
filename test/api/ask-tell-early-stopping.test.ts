/** spec.earlyStopping applied to ask/tell workers' pushes (api/operations/early-stopping.ts). */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { experimentYaml, openTestApp, postYaml, uniqueName, type TestApp } from '../helpers/test-app.ts'

let t: TestApp
before(async () => {
  t = await openTestApp()
})
after(async () => {
  await t.close()
})

const post = (url: string, payload: object = {}) => t.app.inject({ method: 'POST', url, payload })

test('a push whose loss is worse than the median of finished trials answers shouldStop and ends the trial EarlyStopped', async () => {
  const name = uniqueName('at-es')
  const yaml = experimentYaml(name, { template: false, parallel: 2 }).replace('  parallelTrialCount:', `  earlyStopping:
    algorithmName: medianstop
    algorithmSettings:
      - {name: min_trials_required, value: "1"}
      - {name: start_step, value: "2"}
  parallelTrialCount:`)
  assert.equal((await postYaml(t.app, yaml)).statusCode, 201)
  const base = `/api/v1/experiments/${name}/trials`
  const push = (trial: string, points: { step: number; value: number }[]) =>
    post(`${base}/${trial}/observations`, { points: points.map((p) => ({ metric: 'loss', ...p })) })

  const good = JSON.parse((await post(`${base}:ask`)).body) as { name: string }
  assert.deepEqual(JSON.parse((await push(good.name, [{ step: 0, value: 0.5 }, { step: 1, value: 0.4 }, { step: 2, value: 0.3 }])).body), { accepted: 3, shouldStop: false })
  assert.equal((await post(`${base}/${good.name}:tell`, { value: 0.3 })).statusCode, 200)

  const bad = JSON.parse((await post(`${base}:ask`)).body) as { name: string }
  const first = JSON.parse((await push(bad.name, [{ step: 0, value: 2 }])).body) as { shouldStop: boolean }
  assert.equal(first.shouldStop, false, 'start_step is 2 reports')
  const second = JSON.parse((await push(bad.name, [{ step: 1, value: 1.9 }])).body) as { shouldStop: boolean; reason?: string }
  assert.equal(second.shouldStop, true)
  assert.match(second.reason ?? '', /^median stopping rule: best value 1\.9 by step 1 against the median 0\.45/)
  const trial = (await t.store.trials.getByName(bad.name))!
  assert.equal(trial.state, 'EarlyStopped')
  assert.equal(trial.objective, 1.9)
  assert.equal(trial.message, second.reason)
  assert.equal((await post(`${base}/${bad.name}:tell`, { value: 1.8 })).statusCode, 409)
  const again = JSON.parse((await push(bad.name, [{ step: 2, value: 1.8 }])).body) as { shouldStop: boolean; accepted: number }
  assert.equal(again.shouldStop, true)
  assert.equal(again.accepted, 0, 'nothing is stored for a stopped trial')
})

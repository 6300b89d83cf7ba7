import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { ApiError } from '../../api/client/api-request.ts'
import { TrialWorker } from '../../api/client/trial-worker.ts'
import { experimentYaml, openTestApp, postYaml, uniqueName, type TestApp } from '../helpers/test-app.ts'

let t: TestApp
let server: string
before(async () => {
  t = await openTestApp()
  await t.app.listen({ host: '127.0.0.1', port: 0 })
  const address = t.app.server.address() as { port: number }
  server = `http://127.0.0.1:${address.port}`
})
after(async () => {
  await t?.close()
})

async function experiment(o: { parallel: number; max: number }): Promise<string> {
  const name = uniqueName('client')
  const res = await postYaml(t.app, experimentYaml(name, { template: false, ...o }))
  assert.equal(res.statusCode, 201, res.body)
  return name
}

describe('TrialWorker over HTTP', () => {
  test('workers run an experiment to maxTrialCount with intermediate reports, then next() says it is over', async () => {
    const name = await experiment({ parallel: 3, max: 9 })
    const ran: string[] = []
    const work = async (id: number) => {
      const worker = new TrialWorker({ server }, name, { worker: `w${id}` })
      for (let trial = await worker.next(); trial; trial = await worker.next()) {
        assert.equal(trial.state, 'Running')
        const lr = trial.params.lr as number
        for (let step = 0; step < 3; step++) {
          const answer = await trial.report([{ metric: 'loss', step, value: (lr - 0.05) ** 2 + 1 / (step + 1) }])
          assert.equal(answer.shouldStop, false)
        }
        const told = await trial.tell((lr - 0.05) ** 2)
        assert.equal(told.state, 'Succeeded')
        ran.push(trial.name)
      }
    }
    await Promise.all([0, 1, 2].map(work))
    assert.equal(ran.length, 9)
    assert.equal(new Set(ran).size, 9)
    const e = (await t.store.experiments.getByName(name))!
    assert.equal(e.state, 'Succeeded')
    assert.equal(e.reason, 'ExperimentMaxTrialsReached')
    const best = (await t.store.trials.get(e.bestTrialId!))!
    const all = await t.store.trials.list(e.id)
    assert.equal(best.objective, Math.min(...all.map((x) => x.objective!)))
    assert.equal((await t.store.observations.list(best.id)).length, 4)
  })

  test('a killed trial reports shouldStop; fail() and a late tell are answered as documented', async () => {
    const name = await experiment({ parallel: 2, max: 5 })
    const worker = new TrialWorker({ server }, name, { autoHeartbeat: false })
    const a = await worker.ask('fixed-key')
    const again = await worker.ask('fixed-key')
    assert.equal(again.name, a.name)
    assert.equal((await t.app.inject({ method: 'POST', url: `/api/v1/experiments/${name}/trials/${a.name}:kill` })).statusCode, 200)
    const answer = await a.report([{ metric: 'loss', step: 0, value: Number.NaN }])
    assert.equal(answer.shouldStop, true)
    assert.equal(a.shouldStop, true)
    await assert.rejects(a.tell(1), (error: unknown) => error instanceof ApiError && error.status === 409 && error.code === 'TRIAL_FINISHED')
    const b = await worker.ask()
    assert.equal((await b.heartbeat()).shouldStop, false)
    const failed = await b.fail('diverged')
    assert.equal(failed.state, 'Failed')
    await assert.rejects(new TrialWorker({ server }, 'no-such-experiment').ask(), (error: unknown) => error instanceof ApiError && error.status === 404)
  })
})

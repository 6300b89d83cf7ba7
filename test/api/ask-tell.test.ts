import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { AskedTrialView } from '../../api/schemas/ask-tell.ts'
import type { ErrorBody } from '../../api/schemas/common.ts'
import type { TrialView } from '../../api/schemas/trial.ts'
import { experimentYaml, openTestApp, postYaml, uniqueName, type ApiExperimentOptions, type TestApp } from '../helpers/test-app.ts'

let t: TestApp
let stale: TestApp
before(async () => {
  t = await openTestApp()
  // Every Running trial is stale at once: re-offers without waiting.
  stale = await openTestApp({ heartbeatTimeoutSeconds: 0 })
})
after(async () => {
  await t?.close()
  await stale?.close()
})

const errorOf = (body: string) => (JSON.parse(body) as ErrorBody).error
const post = (app: TestApp, url: string, payload?: object) => app.app.inject({ method: 'POST', url, ...(payload ? { payload } : {}) })
const ask = (app: TestApp, name: string, body?: object) => post(app, `/api/v1/experiments/${name}/trials:ask`, body)
const trialUrl = (name: string, trial: string) => `/api/v1/experiments/${name}/trials/${trial}`
const tell = (app: TestApp, name: string, trial: string, body: object) => post(app, `${trialUrl(name, trial)}:tell`, body)

async function askTellExperiment(app: TestApp, o: ApiExperimentOptions & { goal?: number } = {}): Promise<string> {
  const name = uniqueName('at')
  let yaml = experimentYaml(name, { template: false, ...o })
  if (o.goal !== undefined) yaml = yaml.replace('    objectiveMetricName: loss\n', `    objectiveMetricName: loss\n    goal: ${o.goal}\n`)
  const res = await postYaml(app.app, yaml)
  assert.equal(res.statusCode, 201, res.body)
  return name
}

async function asked(app: TestApp, name: string, body?: object): Promise<AskedTrialView> {
  const res = await ask(app, name, body)
  assert.equal(res.statusCode, 200, res.body)
  return JSON.parse(res.body) as AskedTrialView
}

async function experimentState(app: TestApp, name: string) {
  const e = (await app.store.experiments.getByName(name))!
  return { e, counts: await app.store.trials.countByState(e.id), events: (await app.store.events.list(e.id)).map((x) => x.type) }
}

describe('ask', () => {
  test('hands out a Running trial, starts the experiment, and an idempotent retry returns the same trial', async () => {
    const name = await askTellExperiment(t)
    const first = await asked(t, name, { idempotencyKey: 'key-1', worker: 'w1' })
    assert.equal(first.state, 'Running')
    assert.equal(first.attempt, 1)
    assert.equal(first.number, 0)
    assert.equal(first.heartbeatTimeoutSeconds, 300)
    assert.equal(typeof first.params.lr, 'number')
    const again = await asked(t, name, { idempotencyKey: 'key-1' })
    assert.deepEqual(again, first)
    const { e, counts, events } = await experimentState(t, name)
    assert.equal(e.state, 'Running')
    assert.equal(counts.Running, 1)
    assert.equal(events.filter((x) => x === 'experiment:state-changed').length, 1)
    const trial = (await t.store.trials.getByName(first.name))!
    assert.equal(trial.worker, 'w1')
    assert.ok(trial.heartbeatAt)
    // Finished, the same key still answers the same trial, and creates nothing.
    assert.equal((await tell(t, name, first.name, { value: 1 })).statusCode, 200)
    const total = (await t.store.trials.list(e.id)).length
    const late = await asked(t, name, { idempotencyKey: 'key-1' })
    assert.equal(late.name, first.name)
    assert.equal(late.state, 'Succeeded')
    assert.equal((await t.store.trials.list(e.id)).length, total)
  })

  test('concurrent asks never hand out one trial twice nor exceed parallelTrialCount or maxTrialCount', async () => {
    const name = await askTellExperiment(t, { parallel: 3, max: 7 })
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => ask(t, name, { idempotencyKey: `c-${i}` })))
    const ok = answers.filter((r) => r.statusCode === 200).map((r) => JSON.parse(r.body) as AskedTrialView)
    assert.equal(ok.length, 3)
    assert.equal(new Set(ok.map((x) => x.name)).size, 3)
    for (const r of answers.filter((r) => r.statusCode !== 200)) {
      assert.equal(r.statusCode, 409)
      assert.equal(errorOf(r.body).code, 'NO_TRIAL_AVAILABLE')
      assert.ok(Number(r.headers['retry-after']) >= 1)
    }
    const seen = new Set(ok.map((x) => x.name))
    let running = ok
    // Run the whole budget through: tell everything running, ask again, concurrently.
    while (running.length > 0) {
      await Promise.all(running.map((x) => tell(t, name, x.name, { value: Math.random() })))
      const round = await Promise.all(Array.from({ length: 5 }, () => ask(t, name)))
      running = round.filter((r) => r.statusCode === 200).map((r) => JSON.parse(r.body) as AskedTrialView)
      assert.ok(running.length <= 3)
      for (const x of running) {
        assert.ok(!seen.has(x.name), `${x.name} handed out twice`)
        seen.add(x.name)
      }
    }
    assert.equal(seen.size, 7)
    const { e, counts, events } = await experimentState(t, name)
    assert.equal(e.state, 'Succeeded')
    assert.equal(e.reason, 'ExperimentMaxTrialsReached')
    assert.equal(counts.Succeeded, 7)
    assert.equal(Object.values(counts).reduce((a, b) => a + b), 7)
    assert.ok(events.includes('experiment:new-best'))
    const done = await ask(t, name)
    assert.equal(done.statusCode, 409)
    assert.equal(errorOf(done.body).code, 'EXPERIMENT_COMPLETED')
  })

  test('asks and tells that arrive together are answered together, each as if alone', async () => {
    const name = await askTellExperiment(t, { parallel: 8, max: 50 })
    // Retries of two keys among fresh asks, all at once: batched claims fold each key into one trial.
    const bodies = Array.from({ length: 16 }, (_, i) => (i % 4 === 0 ? { idempotencyKey: 'k-a' } : i % 4 === 1 ? { idempotencyKey: 'k-b' } : {}))
    const answers = await Promise.all(bodies.map((body) => ask(t, name, body)))
    const byKey = new Map<string, Set<string>>()
    const ok: AskedTrialView[] = []
    answers.forEach((r, i) => {
      if (r.statusCode !== 200) return assert.equal(errorOf(r.body).code, 'NO_TRIAL_AVAILABLE')
      const x = JSON.parse(r.body) as AskedTrialView
      ok.push(x)
      const key = bodies[i]!.idempotencyKey
      if (key) byKey.set(key, (byKey.get(key) ?? new Set()).add(x.name))
    })
    assert.deepEqual([...byKey.values()].map((names) => names.size), [1, 1])
    const distinct = new Set(ok.map((x) => x.name))
    assert.equal(distinct.size, 8, 'parallelTrialCount trials handed out, the keys\' ones once each')
    const { counts } = await experimentState(t, name)
    assert.equal(counts.Running, 8)
    // Every trial told twice at once: one tell each wins, the other is 409 TRIAL_FINISHED.
    const trials = [...distinct]
    const tells = await Promise.all([...trials, ...trials].map((trial, i) => tell(t, name, trial, { value: i })))
    assert.equal(tells.filter((r) => r.statusCode === 200).length, 8)
    for (const r of tells.filter((r) => r.statusCode !== 200)) assert.equal(errorOf(r.body).code, 'TRIAL_FINISHED')
    const after = await experimentState(t, name)
    assert.equal(after.counts.Succeeded, 8)
    assert.equal(after.events.filter((type) => type === 'trial:state-changed').length, 16, 'one Running and one finished event per trial')
    for (const trial of trials) {
      const points = await t.store.observations.list((await t.store.trials.getByName(trial))!.id)
      assert.equal(points.length, 1, `${trial} keeps the winning tell's point only`)
    }
  })

  test('the remaining budget held by running trials is 409 NO_TRIAL_AVAILABLE with Retry-After; a failure frees it', async () => {
    const name = await askTellExperiment(t, { parallel: 2, max: 2 })
    const a = await asked(t, name)
    await asked(t, name)
    const res = await ask(t, name)
    assert.equal(res.statusCode, 409)
    assert.equal(errorOf(res.body).code, 'NO_TRIAL_AVAILABLE')
    assert.ok(res.headers['retry-after'])
    const failed = await tell(t, name, a.name, { state: 'Failed', message: 'out of memory' })
    assert.equal(failed.statusCode, 200, failed.body)
    const view = JSON.parse(failed.body) as TrialView
    assert.equal(view.state, 'Failed')
    assert.match(view.message ?? '', /out of memory/)
    // maxTrialCount counts the failed one too (Katib): still nothing to hand out.
    assert.equal(errorOf((await ask(t, name)).body).code, 'NO_TRIAL_AVAILABLE')
  })

  test('only for experiments without trialTemplate; unknown names are 404; bad bodies name the field', async () => {
    const name = uniqueName('tpl')
    assert.equal((await postYaml(t.app, experimentYaml(name))).statusCode, 201)
    const res = await ask(t, name)
    assert.equal(res.statusCode, 409)
    assert.equal(errorOf(res.body).code, 'NOT_ASK_TELL')
    assert.match(errorOf(res.body).message, /trialTemplate/)
    assert.equal(errorOf((await ask(t, 'no-such-experiment')).body).code, 'EXPERIMENT_NOT_FOUND')
    const own = await askTellExperiment(t)
    const bad = await ask(t, own, { idempotencyKey: 5 })
    assert.equal(bad.statusCode, 400)
    assert.equal(errorOf(bad.body).issues?.[0]?.path, '/body/idempotencyKey')
    const extra = await ask(t, own, { idempotencyKy: 'x' })
    assert.equal(extra.statusCode, 400)
    assert.equal(errorOf(extra.body).issues?.[0]?.path, '/body/idempotencyKy')
    const unknownTrial = await tell(t, own, `${own}-nope`, { value: 1 })
    assert.equal(unknownTrial.statusCode, 404)
    assert.equal(errorOf(unknownTrial.body).code, 'TRIAL_NOT_FOUND')
    assert.equal((await post(t, `${trialUrl(own, `${own}-nope`)}:heartbeat`)).statusCode, 404)
    assert.equal((await post(t, `${trialUrl('no-such-experiment', 'x')}/observations`, { points: [{ metric: 'loss', step: 0, value: 1 }] })).statusCode, 404)
  })
})

describe('tell', () => {
  test('the told value is the objective, pushed values stay in the summary; 409 once finished; bad bodies are 400', async () => {
    const name = await askTellExperiment(t)
    const trial = await asked(t, name)
    const url = trialUrl(name, trial.name)
    for (const [body, path] of [
      [{}, '/body/value'],
      [{ value: 1, values: { loss: 1 } }, '/body/values'],
      [{ value: 'abc' }, '/body/value'],
      [{ values: { nope: 1 } }, '/body/values/nope'],
      [{ value: 1, state: 'Done' }, '/body/state'],
    ] as const) {
      const res = await tell(t, name, trial.name, body)
      assert.equal(res.statusCode, 400, `${JSON.stringify(body)}: ${res.body}`)
      assert.equal(errorOf(res.body).issues?.[0]?.path, path, JSON.stringify(body))
    }
    assert.equal((await post(t, `${url}/observations`, { points: [{ metric: 'loss', step: 0, value: 0.3 }, { metric: 'loss', step: 1, value: 0.8 }] })).statusCode, 200)
    const res = await tell(t, name, trial.name, { value: 0.5, attempt: 1 })
    assert.equal(res.statusCode, 200, res.body)
    const view = JSON.parse(res.body) as TrialView
    assert.equal(view.state, 'Succeeded')
    // The told 0.5, as Optuna's tell, although the strategy (min) over the points would pick 0.3.
    assert.equal(view.objective, 0.5)
    assert.deepEqual(view.observation.metrics, [{ name: 'loss', min: 0.3, max: 0.8, latest: 0.5 }])
    const points = await t.store.observations.list((await t.store.trials.getByName(trial.name))!.id)
    assert.deepEqual(points.map((p) => [p.step, p.value]), [[0, 0.3], [1, 0.8], [2, 0.5]])
    const again = await tell(t, name, trial.name, { value: 0.1 })
    assert.equal(again.statusCode, 409)
    assert.equal(errorOf(again.body).code, 'TRIAL_FINISHED')
    const { e, events } = await experimentState(t, name)
    assert.equal(e.bestTrialId, (await t.store.trials.getByName(trial.name))!.id)
    assert.deepEqual(events.slice(-2), ['trial:state-changed', 'experiment:new-best'])
  })

  test('values without the objective metric, or only NaN, end MetricsUnavailable as the controller would', async () => {
    const name = uniqueName('at')
    const yaml = experimentYaml(name, { template: false }).replace('    objectiveMetricName: loss\n', '    objectiveMetricName: loss\n    additionalMetricNames: [accuracy]\n')
    assert.equal((await postYaml(t.app, yaml)).statusCode, 201)
    const a = await asked(t, name)
    const res = await tell(t, name, a.name, { values: { accuracy: 0.9 } })
    assert.equal(res.statusCode, 200, res.body)
    assert.equal((JSON.parse(res.body) as TrialView).state, 'MetricsUnavailable')
    assert.match((JSON.parse(res.body) as TrialView).message ?? '', /"loss" was never reported/)
    const b = await asked(t, name)
    const nan = JSON.parse((await tell(t, name, b.name, { value: 'NaN' })).body) as TrialView
    assert.equal(nan.state, 'MetricsUnavailable')
    assert.match(nan.message ?? '', /NaN or Infinity/)
  })

  test('the experiment completes on its goal and its running trials are told to stop', async () => {
    const name = await askTellExperiment(t, { goal: 0.1, parallel: 3, max: 20 })
    const a = await asked(t, name)
    const b = await asked(t, name)
    assert.equal((await tell(t, name, a.name, { value: 0.05 })).statusCode, 200)
    const { e, counts, events } = await experimentState(t, name)
    assert.equal(e.state, 'Succeeded')
    assert.equal(e.reason, 'ExperimentGoalReached')
    assert.equal(counts.Running + counts.Pending, 0)
    assert.ok(events.includes('experiment:state-changed'))
    const beat = JSON.parse((await post(t, `${trialUrl(name, b.name)}:heartbeat`)).body) as { shouldStop: boolean; reason?: string }
    assert.equal(beat.shouldStop, true)
    assert.match(beat.reason ?? '', /Killed/)
    assert.equal(errorOf((await tell(t, name, b.name, { value: 0.01 })).body).code, 'TRIAL_FINISHED')
  })

  test('maxFailedTrialCount fails the experiment once failures exceed it (Katib)', async () => {
    const name = await askTellExperiment(t, { maxFailed: 2, max: 10 })
    for (let i = 0; i < 3; i++) {
      // Two failures are within the limit: the experiment runs on until the third.
      assert.notEqual((await experimentState(t, name)).e.state, 'Failed', `after ${i} failures`)
      const x = await asked(t, name)
      assert.equal((await tell(t, name, x.name, { state: 'Failed', message: 'boom' })).statusCode, 200)
    }
    const { e } = await experimentState(t, name)
    assert.equal(e.state, 'Failed')
    assert.equal(e.reason, 'ExperimentFailed')
    assert.equal(e.message, '3 trials failed, more than maxFailedTrialCount 2')
  })
})

describe('heartbeats and points', () => {
  test('a resent batch changes nothing; kill and stop answer shouldStop', async () => {
    const name = await askTellExperiment(t, { parallel: 2 })
    const a = await asked(t, name)
    const url = `${trialUrl(name, a.name)}/observations`
    const batch = { attempt: 1, points: [{ metric: 'loss', step: 0, value: 1 }, { metric: 'loss', step: 1, value: 'Infinity' }, { metric: 'loss', step: 2, value: 0.5 }] }
    const first = await post(t, url, batch)
    assert.deepEqual(JSON.parse(first.body), { accepted: 3, shouldStop: false })
    assert.equal((await post(t, url, batch)).statusCode, 200)
    const id = (await t.store.trials.getByName(a.name))!.id
    const points = await t.store.observations.list(id)
    assert.equal(points.length, 3)
    assert.equal(points[1]!.value, Number.POSITIVE_INFINITY)
    for (const [body, path] of [
      [{ points: [] }, '/body/points'],
      [{ points: [{ metric: 'loss', step: -1, value: 1 }] }, '/body/points/0/step'],
      [{ points: [{ metric: 'loss', step: 0, value: 'nan' }] }, '/body/points/0/value'],
      [{ points: [{ metric: 'lost', step: 0, value: 1 }] }, '/body/points/0/metric'],
    ] as const) {
      const res = await post(t, url, body)
      assert.equal(res.statusCode, 400, res.body)
      assert.equal(errorOf(res.body).issues?.[0]?.path, path)
    }
    assert.deepEqual(JSON.parse((await post(t, `${trialUrl(name, a.name)}:heartbeat`, { attempt: 1 })).body), { shouldStop: false })
    assert.equal((await post(t, `${trialUrl(name, a.name)}:kill`)).statusCode, 200)
    const killed = JSON.parse((await post(t, url, batch)).body) as { accepted: number; shouldStop: boolean; reason: string }
    assert.equal(killed.accepted, 0)
    assert.equal(killed.shouldStop, true)
    assert.match(killed.reason, /Killed/)

    const b = await asked(t, name)
    assert.equal((await post(t, `/api/v1/experiments/${name}:stop`)).statusCode, 200)
    const stopped = JSON.parse((await post(t, `${trialUrl(name, b.name)}:heartbeat`)).body) as { shouldStop: boolean }
    assert.equal(stopped.shouldStop, true)
    assert.equal(errorOf((await ask(t, name)).body).code, 'EXPERIMENT_COMPLETED')
  })

  test('a stale trial is handed out again (same number and params, next attempt, old points dropped); the old attempt is refused', async () => {
    const name = await askTellExperiment(stale, { parallel: 1, max: 3 })
    const first = await asked(stale, name, { idempotencyKey: 'old' })
    assert.equal((await post(stale, `${trialUrl(name, first.name)}/observations`, { attempt: 1, points: [{ metric: 'loss', step: 0, value: 2 }] })).statusCode, 200)
    const second = await asked(stale, name, { idempotencyKey: 'new' })
    assert.equal(second.name, first.name)
    assert.equal(second.number, first.number)
    assert.deepEqual(second.params, first.params)
    assert.equal(second.attempt, 2)
    const id = (await stale.store.trials.getByName(first.name))!.id
    assert.deepEqual(await stale.store.observations.list(id), [])
    const late = await tell(stale, name, first.name, { value: 1, attempt: 1 })
    assert.equal(late.statusCode, 409)
    assert.equal(errorOf(late.body).code, 'TRIAL_REOFFERED')
    const beat = JSON.parse((await post(stale, `${trialUrl(name, first.name)}:heartbeat`, { attempt: 1 })).body) as { shouldStop: boolean; reason?: string }
    assert.equal(beat.shouldStop, true)
    assert.match(beat.reason ?? '', /another worker/)
    const push = JSON.parse((await post(stale, `${trialUrl(name, first.name)}/observations`, { attempt: 1, points: [{ metric: 'loss', step: 0, value: 2 }] })).body) as { accepted: number }
    assert.equal(push.accepted, 0)
    const ok = await tell(stale, name, first.name, { value: 1, attempt: 2 })
    assert.equal(ok.statusCode, 200, ok.body)
    assert.equal((JSON.parse(ok.body) as TrialView).restarts, 1)
    const { events } = await experimentState(stale, name)
    assert.ok(events.includes('trial:restarted'))
  })
})

describe('OpenAPI', () => {
  test('documents the ask/tell routes with their schemas', async () => {
    const doc = JSON.parse((await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).body) as { paths: Record<string, Record<string, { requestBody?: unknown }>> }
    const paths = Object.keys(doc.paths)
    for (const suffix of ['trials:ask', '}:tell', '}:heartbeat', '}/observations']) {
      const path = paths.find((p) => p.endsWith(suffix))
      assert.ok(path, `${suffix} in ${paths.join(' ')}`)
      assert.ok(doc.paths[path]!.post?.requestBody, path)
    }
  })
})

import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { buildApp } from '../../api/app.ts'
import type { ErrorBody } from '../../api/schemas/common.ts'
import type { ExperimentResource } from '../../api/schemas/experiment.ts'
import type { TrialState } from '../../core/trial.ts'
import type { ExperimentRecord } from '../../db/store.ts'
import { experimentYaml, openTestApp, postYaml, uniqueName, type TestApp } from '../helpers/test-app.ts'

let t: TestApp
before(async () => {
  t = await openTestApp()
})
after(async () => {
  await t?.close()
})

const errorOf = (body: string) => (JSON.parse(body) as ErrorBody).error
const get = (url: string) => t.app.inject({ method: 'GET', url })

async function create(name: string, o: Parameters<typeof experimentYaml>[1] = {}): Promise<ExperimentRecord> {
  const res = await postYaml(t.app, experimentYaml(name, o))
  assert.equal(res.statusCode, 201, res.body)
  return (await t.store.experiments.getByName(name))!
}

/** Trials as the controller would leave them: states and objective values. */
async function addTrials(experiment: ExperimentRecord, outcomes: readonly [TrialState, number | null][]) {
  const created = await t.store.trials.createMany(
    experiment.id,
    outcomes.map((_, i) => ({ name: `${experiment.name}-t${experiment.id.slice(0, 4)}${i}`, params: { lr: 0.01 + i / 1000, optimizer: 'adam' } })),
  )
  for (const [i, trial] of created.entries()) {
    const [state, objective] = outcomes[i]!
    if (state !== 'Pending') {
      await t.store.trials.transition(trial.id, ['Pending'], state, {
        objective, metrics: objective === null ? null : { loss: { min: objective, max: objective + 1, latest: objective } },
      })
    }
  }
  return t.store.trials.list(experiment.id)
}

describe('POST /api/v1/experiments', () => {
  test('YAML is stored with Katib defaults and answered 201 with the resource and a Location', async () => {
    const name = uniqueName('create')
    const res = await postYaml(t.app, experimentYaml(name, { labels: { team: 'vision' } }))
    assert.equal(res.statusCode, 201, res.body)
    assert.equal(res.headers.location, `/api/v1/experiments/${name}`)
    const { experiment, warnings } = JSON.parse(res.body) as { experiment: ExperimentResource; warnings: unknown[] }
    assert.equal(experiment.metadata.name, name)
    assert.deepEqual((experiment.metadata as Record<string, unknown>).labels, { team: 'vision' })
    assert.equal((experiment.spec as { resumePolicy: string }).resumePolicy, 'Never', 'defaults applied')
    assert.equal(experiment.status.state, 'Created')
    assert.equal(experiment.status.reason, 'ExperimentCreated')
    assert.equal(experiment.status.trials, 0)
    assert.equal(experiment.status.currentOptimalTrial.bestTrialName, '')
    assert.deepEqual(warnings, [])
    const stored = await t.store.experiments.getByName(name)
    assert.equal(stored?.state, 'Created')
    const events = await t.store.events.list(stored!.id)
    assert.deepEqual(events.map((e) => e.type), ['experiment:created'])
  })

  test('JSON is accepted the same way, for every YAML media type as well', async () => {
    const name = uniqueName('json')
    const document = { apiVersion: 'kubeflow.org/v1beta1', kind: 'Experiment', metadata: { name }, spec: {
      objective: { type: 'maximize', objectiveMetricName: 'accuracy' },
      algorithm: { algorithmName: 'random' },
      maxTrialCount: 3,
      parameters: [{ name: 'x', parameterType: 'int', feasibleSpace: { min: '1', max: '5' } }],
      trialTemplate: { command: ['echo', '${trialParameters.x}'] },
    } }
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/experiments', payload: document })
    assert.equal(res.statusCode, 201, res.body)
    for (const type of ['text/yaml', 'application/x-yaml', 'text/x-yaml']) {
      const other = uniqueName('media')
      const r = await postYaml(t.app, experimentYaml(other), { 'content-type': `${type}; charset=utf-8` })
      assert.equal(r.statusCode, 201, `${type}: ${r.body}`)
    }
  })

  test('an experiment without trialTemplate is accepted, with a warning, for outside workers', async () => {
    const name = uniqueName('notemplate')
    const res = await postYaml(t.app, experimentYaml(name, { template: false }))
    assert.equal(res.statusCode, 201, res.body)
    const { experiment, warnings } = JSON.parse(res.body) as { experiment: ExperimentResource; warnings: { path: string; message: string; line?: number }[] }
    assert.equal((experiment.spec as { trialTemplate?: unknown }).trialTemplate, undefined)
    assert.equal(warnings.length, 1)
    assert.equal(warnings[0]!.path, '/spec/trialTemplate')
    assert.match(warnings[0]!.message, /no trialTemplate/)
    assert.equal(typeof warnings[0]!.line, 'number')
  })

  test('invalid YAML reports every problem with path and line:col (422)', async () => {
    const yaml = experimentYaml(uniqueName('bad'), { max: 0 }).replace('min: "0.01"', 'min: "0.5"').replace('algorithmName: random', 'algorithmName: randm')
    const res = await postYaml(t.app, yaml)
    assert.equal(res.statusCode, 422, res.body)
    const error = errorOf(res.body)
    assert.equal(error.code, 'SPEC_INVALID')
    const byPath = new Map(error.issues!.map((i) => [i.path, i]))
    const max = byPath.get('/spec/maxTrialCount')
    assert.ok(max, JSON.stringify(error.issues))
    assert.equal(max.line, yaml.split('\n').findIndex((l) => l.includes('maxTrialCount')) + 1)
    assert.equal(max.col, 3)
    assert.ok(byPath.has('/spec/parameters/0/feasibleSpace/min') || byPath.has('/spec/parameters/0/feasibleSpace'), JSON.stringify(error.issues))
    assert.match(error.message, /maxTrialCount/)
  })

  test('algorithm problems carry the setting\'s path and position too', async () => {
    const yaml = experimentYaml(uniqueName('algo')).replace('algorithmName: random', 'algorithmName: random\n    algorithmSettings:\n      - {name: random_state, value: "-3"}')
    const res = await postYaml(t.app, yaml)
    assert.equal(res.statusCode, 422, res.body)
    const [issue] = errorOf(res.body).issues!
    assert.equal(issue!.path, '/spec/algorithm/algorithmSettings/0/value')
    assert.equal(issue!.line, yaml.split('\n').findIndex((l) => l.includes('random_state')) + 1)
  })

  test('a YAML syntax error points at its line and column', async () => {
    const res = await postYaml(t.app, 'apiVersion: kubeflow.org/v1beta1\nkind: Experiment\nmetadata: {name: x\n')
    assert.equal(res.statusCode, 422)
    const [issue] = errorOf(res.body).issues!
    assert.match(issue!.message, /YAML syntax error/)
    assert.equal(issue!.line, 4)
    assert.ok(issue!.col! >= 1)
  })

  test('a taken name is 409 and leaves the first experiment alone', async () => {
    const name = uniqueName('dup')
    const first = await create(name)
    const res = await postYaml(t.app, experimentYaml(name, { max: 99 }))
    assert.equal(res.statusCode, 409)
    assert.equal(errorOf(res.body).code, 'EXPERIMENT_EXISTS')
    assert.deepEqual(await t.store.experiments.getByName(name), first)
  })

  test('malformed bodies are 400 (with the field path where there is one), other media types 415', async () => {
    const array = await t.app.inject({ method: 'POST', url: '/api/v1/experiments', payload: [1, 2] })
    assert.equal(array.statusCode, 400)
    assert.deepEqual(errorOf(array.body).issues, [{ path: '/body', message: 'must be object' }])
    const broken = await t.app.inject({ method: 'POST', url: '/api/v1/experiments', headers: { 'content-type': 'application/json' }, payload: '{"apiVersion": ' })
    assert.equal(broken.statusCode, 400)
    assert.equal(errorOf(broken.body).code, 'INVALID_REQUEST')
    const empty = await t.app.inject({ method: 'POST', url: '/api/v1/experiments', headers: { 'content-type': 'application/json' }, payload: '' })
    assert.equal(empty.statusCode, 400)
    const html = await t.app.inject({ method: 'POST', url: '/api/v1/experiments', headers: { 'content-type': 'text/html' }, payload: '<p>' })
    assert.equal(html.statusCode, 415)
    assert.equal(errorOf(html.body).code, 'UNSUPPORTED_MEDIA_TYPE')
    const proto = await t.app.inject({ method: 'POST', url: '/api/v1/experiments', headers: { 'content-type': 'application/json' }, payload: '{"__proto__": {"x": 1}}' })
    assert.equal(proto.statusCode, 400)
  })
})

describe('GET /api/v1/experiments', () => {
  test('lists newest first with counts, best value and filters by status, name and label', async () => {
    const tag = uniqueName('tag')
    const a = await create(uniqueName('lista'), { labels: { tag, team: 'a' } })
    const b = await create(uniqueName('listb'), { labels: { tag, team: 'b' }, type: 'maximize' })
    await addTrials(b, [['Succeeded', 0.5], ['Succeeded', 0.9], ['Running', null], ['Failed', null]])
    const best = (await t.store.trials.list(b.id)).find((x) => x.objective === 0.9)!
    await t.store.experiments.update(b.id, { state: 'Running', bestTrialId: best.id })

    const res = await get(`/api/v1/experiments?label=tag=${tag}`)
    assert.equal(res.statusCode, 200, res.body)
    const { items, nextCursor } = JSON.parse(res.body)
    assert.equal(nextCursor, null)
    assert.deepEqual(items.map((e: { name: string }) => e.name), [b.name, a.name])
    const [first] = items
    assert.equal(first.state, 'Running')
    assert.deepEqual(first.trials, { total: 4, Pending: 0, Running: 1, Succeeded: 2, Failed: 1, Killed: 0, EarlyStopped: 0, MetricsUnavailable: 0 })
    assert.deepEqual(first.best, { trialName: best.name, objective: 0.9 })
    assert.equal(first.maxTrialCount, 10)
    assert.deepEqual(first.objective, { type: 'maximize', metricName: 'loss', goal: null })
    assert.deepEqual(first.labels, { tag, team: 'b' })
    assert.equal(items[1].best, null)

    const running = JSON.parse((await get(`/api/v1/experiments?label=tag=${tag}&status=Running,Failed`)).body)
    assert.deepEqual(running.items.map((e: { name: string }) => e.name), [b.name])
    const byLabels = JSON.parse((await get(`/api/v1/experiments?label=tag=${tag},team=a`)).body)
    assert.deepEqual(byLabels.items.map((e: { name: string }) => e.name), [a.name])
    const byName = JSON.parse((await get(`/api/v1/experiments?name=${a.name.slice(2).toUpperCase()}`)).body)
    assert.deepEqual(byName.items.map((e: { name: string }) => e.name), [a.name])
  })

  test('pages with an opaque cursor until nextCursor is null', async () => {
    const tag = uniqueName('pages')
    const names: string[] = []
    for (let i = 0; i < 5; i++) names.push((await create(uniqueName(`pg${i}`), { labels: { tag } })).name)
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const res = await get(`/api/v1/experiments?label=tag=${tag}&limit=2${cursor ? `&cursor=${cursor}` : ''}`)
      assert.equal(res.statusCode, 200, res.body)
      const page = JSON.parse(res.body) as { items: { name: string }[]; nextCursor: string | null }
      assert.ok(page.items.length <= 2)
      seen.push(...page.items.map((e) => e.name))
      cursor = page.nextCursor
    } while (cursor)
    assert.deepEqual(seen, names.reverse())
  })

  test('bad query parameters are 400 naming the parameter', async () => {
    for (const [query, path] of [
      ['limit=0', '/querystring/limit'],
      ['limit=abc', '/querystring/limit'],
      ['limit=1001', '/querystring/limit'],
      ['status=Sleeping', '/querystring/status'],
      ['label=novalue', '/querystring/label'],
      ['cursor=not-a-cursor', '/querystring/cursor'],
      [`cursor=${Buffer.from('{"t":"experiments","c":"2026-13-45T00:00:00.000000Z","n":"x"}').toString('base64url')}`, '/querystring/cursor'],
    ] as const) {
      const res = await get(`/api/v1/experiments?${query}`)
      assert.equal(res.statusCode, 400, `${query}: ${res.body}`)
      assert.equal(errorOf(res.body).issues?.[0]?.path, path, query)
    }
  })
})

describe('GET /api/v1/experiments/{name}', () => {
  test('returns spec, status with conditions and counts, and Katib\'s currentOptimalTrial', async () => {
    const e = await create(uniqueName('get'))
    const trials = await addTrials(e, [['Succeeded', 0.3], ['Succeeded', 0.1], ['MetricsUnavailable', null], ['Pending', null]])
    const best = trials.find((x) => x.objective === 0.1)!
    await t.store.experiments.update(e.id, { state: 'Running', reason: 'ExperimentRunning', message: 'experiment is running', startedAt: new Date(), bestTrialId: best.id })
    const res = await get(`/api/v1/experiments/${e.name}`)
    assert.equal(res.statusCode, 200, res.body)
    const resource = JSON.parse(res.body) as ExperimentResource
    assert.equal(resource.kind, 'Experiment')
    assert.equal(resource.metadata.uid, e.id)
    assert.equal((resource.spec as { maxTrialCount: number }).maxTrialCount, 10)
    const s = resource.status
    assert.equal(s.state, 'Running')
    assert.deepEqual(s.conditions.map((c) => [c.type, c.status]), [['Created', 'True'], ['Running', 'True']])
    assert.equal(s.trials, 4)
    assert.equal(s.trialsSucceeded, 2)
    assert.equal(s.trialMetricsUnavailable, 1)
    assert.equal(s.trialsPending, 1)
    assert.deepEqual(s.currentOptimalTrial, {
      bestTrialName: best.name,
      parameterAssignments: [{ name: 'lr', value: String(best.params.lr) }, { name: 'optimizer', value: 'adam' }],
      observation: { metrics: [{ name: 'loss', min: 0.1, max: 1.1, latest: 0.1 }] },
    })
  })

  test('an unknown experiment is 404 with its name', async () => {
    const res = await get('/api/v1/experiments/no-such-experiment')
    assert.equal(res.statusCode, 404)
    assert.deepEqual(errorOf(res.body), { code: 'EXPERIMENT_NOT_FOUND', message: 'experiment "no-such-experiment" not found' })
  })
})

describe('PATCH /api/v1/experiments/{name}', () => {
  const patch = (name: string, payload: unknown, type = 'application/json') =>
    t.app.inject({ method: 'PATCH', url: `/api/v1/experiments/${name}`, headers: { 'content-type': type }, payload: JSON.stringify(payload) })

  test('changes the three counts Katib allows, JSON or merge-patch', async () => {
    const e = await create(uniqueName('patch'))
    const res = await patch(e.name, { spec: { maxTrialCount: 20, parallelTrialCount: 4 } })
    assert.equal(res.statusCode, 200, res.body)
    const spec = (JSON.parse(res.body) as ExperimentResource).spec as Record<string, unknown>
    assert.equal(spec.maxTrialCount, 20)
    assert.equal(spec.parallelTrialCount, 4)
    const merged = await patch(e.name, { spec: { maxFailedTrialCount: 2 } }, 'application/merge-patch+json')
    assert.equal(merged.statusCode, 200, merged.body)
    const stored = (await t.store.experiments.get(e.id))!.spec as { spec: Record<string, unknown> }
    assert.deepEqual([stored.spec.maxTrialCount, stored.spec.parallelTrialCount, stored.spec.maxFailedTrialCount], [20, 4, 2])
    assert.equal((await patch(e.name, {})).statusCode, 200, 'an empty patch changes nothing')
  })

  test('any other field is 422 naming it, and nothing changes', async () => {
    const e = await create(uniqueName('illegal'))
    const before = await t.store.experiments.get(e.id)
    for (const [payload, path] of [
      [{ spec: { maxTrialCount: 12, resumePolicy: 'LongRunning' } }, '/spec/resumePolicy'],
      [{ metadata: { name: 'other' } }, '/metadata'],
      [{ spec: { parameters: [] } }, '/spec/parameters'],
    ] as const) {
      const res = await patch(e.name, payload)
      assert.equal(res.statusCode, 422, res.body)
      const error = errorOf(res.body)
      assert.equal(error.code, 'SPEC_INVALID')
      assert.equal(error.issues?.[0]?.path, path)
      assert.match(error.issues![0]!.message, /only spec\.parallelTrialCount, spec\.maxTrialCount and spec\.maxFailedTrialCount can change/)
    }
    assert.deepEqual(await t.store.experiments.get(e.id), before)
  })

  test('wrong types are 400 with the body path; values Katib rejects are 422 with the spec path', async () => {
    const e = await create(uniqueName('types'))
    const wrong = await patch(e.name, { spec: { maxTrialCount: 'twenty' } })
    assert.equal(wrong.statusCode, 400)
    assert.deepEqual(errorOf(wrong.body).issues, [{ path: '/body/spec/maxTrialCount', message: 'must be integer' }])
    const notObject = await patch(e.name, { spec: 3 })
    assert.equal(notObject.statusCode, 400)
    assert.equal(errorOf(notObject.body).issues?.[0]?.path, '/body/spec')
    const parallel = await patch(e.name, { spec: { parallelTrialCount: 50 } })
    assert.equal(parallel.statusCode, 422)
    assert.equal(errorOf(parallel.body).issues?.[0]?.path, '/spec/parallelTrialCount')
    await addTrials(e, [['Succeeded', 1], ['Succeeded', 2], ['Running', null]])
    const below = await patch(e.name, { spec: { maxTrialCount: 3 } })
    assert.equal(below.statusCode, 422)
    assert.match(errorOf(below.body).message, /greater than the 3 trials already created/)
  })

  test('a completed experiment restarts on a larger maxTrialCount only under LongRunning (Katib\'s rules)', async () => {
    const never = await create(uniqueName('never'), { max: 2 })
    await addTrials(never, [['Succeeded', 1], ['Succeeded', 2]])
    await t.store.experiments.update(never.id, { state: 'Succeeded', reason: 'ExperimentMaxTrialsReached', completedAt: new Date() })
    const refused = await patch(never.name, { spec: { maxTrialCount: 5 } })
    assert.equal(refused.statusCode, 422)
    assert.match(errorOf(refused.body).message, /resumePolicy Never/)

    const long = await create(uniqueName('long'), { max: 2, resumePolicy: 'LongRunning' })
    await addTrials(long, [['Succeeded', 1], ['Succeeded', 2]])
    await t.store.experiments.update(long.id, { state: 'Succeeded', reason: 'ExperimentMaxTrialsReached', completedAt: new Date() })
    const restarted = await patch(long.name, { spec: { maxTrialCount: 5 } })
    assert.equal(restarted.statusCode, 200, restarted.body)
    assert.equal((JSON.parse(restarted.body) as ExperimentResource).status.state, 'Restarting')
    assert.equal((await t.store.experiments.get(long.id))?.completedAt, null)
  })

  test('an unknown experiment is 404', async () => {
    assert.equal((await patch('nope-nope', { spec: { maxTrialCount: 3 } })).statusCode, 404)
  })
})

describe('stop, resume, delete', () => {
  const post = (url: string) => t.app.inject({ method: 'POST', url })

  test('stop completes with ExperimentStopped, kills Pending and Running trials, and is idempotent', async () => {
    const e = await create(uniqueName('stop'), { resumePolicy: 'LongRunning' })
    await addTrials(e, [['Succeeded', 0.2], ['Running', null], ['Pending', null]])
    await t.store.experiments.update(e.id, { state: 'Running' })
    const res = await post(`/api/v1/experiments/${e.name}:stop`)
    assert.equal(res.statusCode, 200, res.body)
    const status = (JSON.parse(res.body) as ExperimentResource).status
    assert.deepEqual([status.state, status.reason], ['Succeeded', 'ExperimentStopped'])
    assert.ok(status.completionTime)
    assert.deepEqual([status.trialsSucceeded, status.trialsKilled, status.trialsRunning, status.trialsPending], [1, 2, 0, 0])
    const killed = await t.store.trials.list(e.id, { states: ['Killed'] })
    assert.ok(killed.every((k) => k.reason === 'TrialKilled' && k.finishedAt))
    const again = await post(`/api/v1/experiments/${e.name}:stop`)
    assert.equal(again.statusCode, 200)
    assert.equal((JSON.parse(again.body) as ExperimentResource).status.completionTime, status.completionTime)
  })

  test('stopping an experiment that completed otherwise is 409', async () => {
    const e = await create(uniqueName('done'))
    await t.store.experiments.update(e.id, { state: 'Succeeded', reason: 'ExperimentGoalReached', completedAt: new Date() })
    const res = await post(`/api/v1/experiments/${e.name}:stop`)
    assert.equal(res.statusCode, 409)
    assert.equal(errorOf(res.body).code, 'STATE_CONFLICT')
    assert.match(errorOf(res.body).message, /already completed/)
  })

  test('resume follows resumePolicy: LongRunning and FromVolume restart a stopped experiment, Never is 409', async () => {
    for (const resumePolicy of ['LongRunning', 'FromVolume'] as const) {
      const e = await create(uniqueName('resume'), { resumePolicy })
      await post(`/api/v1/experiments/${e.name}:stop`)
      const res = await post(`/api/v1/experiments/${e.name}:resume`)
      assert.equal(res.statusCode, 200, res.body)
      const status = (JSON.parse(res.body) as ExperimentResource).status
      assert.deepEqual([status.state, status.reason, status.completionTime], ['Restarting', 'ExperimentRestarting', null])
      const twice = await post(`/api/v1/experiments/${e.name}:resume`)
      assert.equal(twice.statusCode, 200, 'resuming a running experiment changes nothing')
      assert.equal((JSON.parse(twice.body) as ExperimentResource).status.state, 'Restarting')
    }
    const never = await create(uniqueName('never'))
    await post(`/api/v1/experiments/${never.name}:stop`)
    const refused = await post(`/api/v1/experiments/${never.name}:resume`)
    assert.equal(refused.statusCode, 409)
    assert.match(errorOf(refused.body).message, /resumePolicy Never/)
    assert.equal((await t.store.experiments.get(never.id))?.reason, 'ExperimentStopped')
  })

  test('resume refuses final endings and a spent budget', async () => {
    const goal = await create(uniqueName('goal'), { resumePolicy: 'LongRunning' })
    await t.store.experiments.update(goal.id, { state: 'Succeeded', reason: 'ExperimentGoalReached', completedAt: new Date() })
    const final = await post(`/api/v1/experiments/${goal.name}:resume`)
    assert.equal(final.statusCode, 409)
    assert.match(errorOf(final.body).message, /ExperimentGoalReached, which is final/)
    const spent = await create(uniqueName('spent'), { resumePolicy: 'LongRunning', max: 2 })
    await addTrials(spent, [['Succeeded', 1], ['Succeeded', 2]])
    await t.store.experiments.update(spent.id, { state: 'Succeeded', reason: 'ExperimentMaxTrialsReached', completedAt: new Date() })
    const res = await post(`/api/v1/experiments/${spent.name}:resume`)
    assert.equal(res.statusCode, 409)
    assert.match(errorOf(res.body).message, /raise spec.maxTrialCount with PATCH/)
  })

  test('delete removes the experiment with its trials and events; then it is 404', async () => {
    const e = await create(uniqueName('delete'))
    const [trial] = await addTrials(e, [['Running', null]])
    await t.store.observations.append(trial!.id, [{ name: 'loss', step: 0, value: 1, at: new Date() }])
    const res = await t.app.inject({ method: 'DELETE', url: `/api/v1/experiments/${e.name}` })
    assert.equal(res.statusCode, 204)
    assert.equal(res.body, '')
    assert.equal(await t.store.experiments.get(e.id), undefined)
    assert.equal(await t.store.trials.get(trial!.id), undefined)
    assert.deepEqual(await t.store.events.list(e.id), [])
    assert.equal((await t.app.inject({ method: 'DELETE', url: `/api/v1/experiments/${e.name}` })).statusCode, 404)
    assert.equal((await post(`/api/v1/experiments/${e.name}:stop`)).statusCode, 404)
    assert.equal((await post(`/api/v1/experiments/${e.name}:resume`)).statusCode, 404)
  })

  test('the controller is told: wake on every change, detach before a delete', async () => {
    const calls: string[] = []
    const control = { wake: (id: string) => void calls.push(`wake ${id}`), detach: async (id: string) => void calls.push(`detach ${id}`) }
    // A second app on the same store: the app never owns its store.
    const other = { app: await buildApp({ store: t.store, control }), store: t.store }
    try {
      const name = uniqueName('control')
      assert.equal((await postYaml(other.app, experimentYaml(name, { resumePolicy: 'LongRunning' }))).statusCode, 201)
      const id = (await other.store.experiments.getByName(name))!.id
      await other.app.inject({ method: 'PATCH', url: `/api/v1/experiments/${name}`, payload: { spec: { maxTrialCount: 11 } } })
      await other.app.inject({ method: 'POST', url: `/api/v1/experiments/${name}:stop` })
      await other.app.inject({ method: 'POST', url: `/api/v1/experiments/${name}:resume` })
      await other.app.inject({ method: 'DELETE', url: `/api/v1/experiments/${name}` })
      assert.deepEqual(calls, [`wake ${id}`, `wake ${id}`, `wake ${id}`, `wake ${id}`, `detach ${id}`])
    } finally {
      await other.app.close()
    }
  })

  test('admission checks given by the server refuse with located issues (422)', async () => {
    const strict = { app: await buildApp({ store: t.store, admit: () => [{ path: '/spec/trialTemplate/command', message: 'not here' }] }) }
    try {
      const yaml = experimentYaml(uniqueName('admit'))
      const res = await postYaml(strict.app, yaml)
      assert.equal(res.statusCode, 422)
      const [issue] = errorOf(res.body).issues!
      assert.equal(issue!.path, '/spec/trialTemplate/command')
      assert.equal(issue!.line, yaml.split('\n').findIndex((l) => l.includes('command:')) + 1)
    } finally {
      await strict.app.close()
    }
  })
})

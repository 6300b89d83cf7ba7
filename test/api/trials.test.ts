import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ErrorBody } from '../../api/schemas/common.ts'
import type { TrialView } from '../../api/schemas/trial.ts'
import type { TrialState } from '../../core/trial.ts'
import type { ExperimentRecord, TrialRecord } from '../../db/store.ts'
import { experimentYaml, openTestApp, postYaml, uniqueName, type TestApp } from '../helpers/test-app.ts'

const logs = mkdtempSync(join(tmpdir(), 'tunewell-api-logs-'))
let t: TestApp
before(async () => {
  t = await openTestApp({ trialLogPath: (experiment, trial) => join(logs, experiment, trial, 'output.log') })
})
after(async () => {
  await t?.close()
})

const errorOf = (body: string) => (JSON.parse(body) as ErrorBody).error
const get = (url: string) => t.app.inject({ method: 'GET', url })
type TrialPage = { items: TrialView[]; nextCursor: string | null }

async function experimentWithTrials(type: 'minimize' | 'maximize', outcomes: readonly [TrialState, number | null][]): Promise<{ e: ExperimentRecord; trials: TrialRecord[] }> {
  const name = uniqueName('trials')
  assert.equal((await postYaml(t.app, experimentYaml(name, { type, max: 500 }))).statusCode, 201)
  const e = (await t.store.experiments.getByName(name))!
  const created = await t.store.trials.createMany(e.id, outcomes.map((_, i) => ({ name: `${name}-${i}`, params: { lr: 0.01 * (i + 1), optimizer: i % 2 ? 'sgd' : 'adam' } })))
  for (const [i, trial] of created.entries()) {
    const [state, objective] = outcomes[i]!
    if (state !== 'Pending') await t.store.trials.transition(trial.id, ['Pending'], state, { objective, startedAt: new Date() })
  }
  return { e, trials: await t.store.trials.list(e.id) }
}

async function walk(url: string): Promise<TrialView[]> {
  const all: TrialView[] = []
  let cursor: string | null = null
  do {
    const res = await get(`${url}${cursor ? `&cursor=${cursor}` : ''}`)
    assert.equal(res.statusCode, 200, res.body)
    const page = JSON.parse(res.body) as TrialPage
    all.push(...page.items)
    cursor = page.nextCursor
  } while (cursor)
  return all
}

describe('GET /api/v1/experiments/{name}/trials', () => {
  const outcomes: [TrialState, number | null][] = [
    ['Succeeded', 0.4], ['Succeeded', 0.1], ['Running', null], ['Failed', null], ['Succeeded', 0.9],
    ['Succeeded', 0.1], ['Pending', null], ['EarlyStopped', 0.5], ['MetricsUnavailable', null], ['Succeeded', -2],
  ]

  test('by number by default, every trial once across pages', async () => {
    const { e } = await experimentWithTrials('minimize', outcomes)
    const all = await walk(`/api/v1/experiments/${e.name}/trials?limit=3`)
    assert.deepEqual(all.map((x) => x.number), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    const first = all[0]!
    assert.deepEqual(first.parameterAssignments, [{ name: 'lr', value: '0.01' }, { name: 'optimizer', value: 'adam' }])
    assert.deepEqual(first.params, { lr: 0.01, optimizer: 'adam' })
    assert.equal(first.state, 'Succeeded')
    assert.equal(typeof first.createdAt, 'string')
    const desc = await walk(`/api/v1/experiments/${e.name}/trials?order=desc&limit=4`)
    assert.deepEqual(desc.map((x) => x.number), [9, 8, 7, 6, 5, 4, 3, 2, 1, 0])
  })

  test('by objective: best first for the direction, nulls last, ties by number', async () => {
    const min = await experimentWithTrials('minimize', outcomes)
    const best = await walk(`/api/v1/experiments/${min.e.name}/trials?sort=objective&limit=4`)
    assert.deepEqual(best.map((x) => x.objective), [-2, 0.1, 0.1, 0.4, 0.5, 0.9, null, null, null, null])
    assert.deepEqual(best.slice(1, 3).map((x) => x.number), [1, 5])
    assert.deepEqual(best.slice(6).map((x) => x.number), [2, 3, 6, 8])

    const max = await experimentWithTrials('maximize', outcomes)
    const top = await walk(`/api/v1/experiments/${max.e.name}/trials?sort=objective&limit=3`)
    assert.deepEqual(top.map((x) => x.objective), [0.9, 0.5, 0.4, 0.1, 0.1, -2, null, null, null, null])
    const worst = await walk(`/api/v1/experiments/${max.e.name}/trials?sort=objective&order=asc&limit=100`)
    assert.deepEqual(worst.map((x) => x.objective), [-2, 0.1, 0.1, 0.4, 0.5, 0.9, null, null, null, null])
  })

  test('by createdAt, and filtered by state', async () => {
    const { e } = await experimentWithTrials('minimize', outcomes)
    const byTime = await walk(`/api/v1/experiments/${e.name}/trials?sort=createdAt&limit=2`)
    assert.deepEqual(byTime.map((x) => x.number), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    const done = await walk(`/api/v1/experiments/${e.name}/trials?state=Succeeded,EarlyStopped&sort=objective&limit=2`)
    assert.deepEqual(done.map((x) => x.number), [9, 1, 5, 0, 7, 4])
    const active = await walk(`/api/v1/experiments/${e.name}/trials?state=Running,Pending`)
    assert.deepEqual(active.map((x) => x.state), ['Running', 'Pending'])
  })

  test('a cursor only continues the listing it came from; bad parameters are 400 naming them', async () => {
    const { e } = await experimentWithTrials('minimize', outcomes)
    const page = JSON.parse((await get(`/api/v1/experiments/${e.name}/trials?sort=objective&limit=2`)).body) as TrialPage
    assert.ok(page.nextCursor)
    const mixed = await get(`/api/v1/experiments/${e.name}/trials?sort=number&limit=2&cursor=${page.nextCursor}`)
    assert.equal(mixed.statusCode, 400)
    assert.equal(errorOf(mixed.body).issues?.[0]?.path, '/querystring/cursor')
    assert.match(errorOf(mixed.body).message, /sorted by objective asc/)
    for (const [query, path] of [
      ['sort=loss', '/querystring/sort'],
      ['order=up', '/querystring/order'],
      ['state=Done', '/querystring/state'],
      ['limit=-1', '/querystring/limit'],
      ['cursor=%%%', '/querystring/cursor'],
      [`cursor=${Buffer.from('{"t":"trials","s":"objective","o":"asc","k":"abc","n":1}').toString('base64url')}&sort=objective`, '/querystring/cursor'],
      [`cursor=${Buffer.from('{"t":"trials","s":"number","o":"asc","k":99999999999,"n":99999999999}').toString('base64url')}`, '/querystring/cursor'],
    ] as const) {
      const res = await get(`/api/v1/experiments/${e.name}/trials?${query}`)
      assert.equal(res.statusCode, 400, `${query}: ${res.body}`)
      assert.equal(errorOf(res.body).issues?.[0]?.path, path, query)
    }
    assert.equal((await get('/api/v1/experiments/nope-nope/trials')).statusCode, 404)
  })
})

describe('one trial', () => {
  test('get: params, state, timings; a running trial\'s metrics are summarised live', async () => {
    const { e, trials } = await experimentWithTrials('minimize', [['Running', null], ['Succeeded', 0.25]])
    const running = trials[0]!
    await t.store.observations.append(running.id, [
      { name: 'loss', step: 0, value: 0.9, at: new Date() },
      { name: 'loss', step: 1, value: 0.4, at: new Date() },
      { name: 'loss', step: 2, value: 0.6, at: new Date() },
    ])
    const res = await get(`/api/v1/experiments/${e.name}/trials/${running.name}`)
    assert.equal(res.statusCode, 200, res.body)
    const view = JSON.parse(res.body) as TrialView
    assert.equal(view.state, 'Running')
    assert.ok(view.startedAt)
    assert.equal(view.finishedAt, null)
    assert.deepEqual(view.observation.metrics, [{ name: 'loss', min: 0.4, max: 0.9, latest: 0.6 }])
  })

  test('a trial of another experiment, or an unknown one, is 404', async () => {
    const a = await experimentWithTrials('minimize', [['Running', null]])
    const b = await experimentWithTrials('minimize', [['Running', null]])
    const res = await get(`/api/v1/experiments/${a.e.name}/trials/${b.trials[0]!.name}`)
    assert.equal(res.statusCode, 404)
    assert.equal(errorOf(res.body).code, 'TRIAL_NOT_FOUND')
    assert.equal((await get(`/api/v1/experiments/${a.e.name}/trials/nope`)).statusCode, 404)
  })

  test('kill: a running trial becomes Killed, again is harmless, a finished one is 409', async () => {
    const { e, trials } = await experimentWithTrials('minimize', [['Running', null], ['Succeeded', 0.1], ['Pending', null]])
    const kill = (name: string) => t.app.inject({ method: 'POST', url: `/api/v1/experiments/${e.name}/trials/${name}:kill` })
    const res = await kill(trials[0]!.name)
    assert.equal(res.statusCode, 200, res.body)
    const view = JSON.parse(res.body) as TrialView
    assert.deepEqual([view.state, view.reason], ['Killed', 'TrialKilled'])
    assert.ok(view.finishedAt)
    assert.equal((await kill(trials[0]!.name)).statusCode, 200)
    assert.equal(JSON.parse((await kill(trials[2]!.name)).body).state, 'Killed', 'a Pending trial can be killed')
    const finished = await kill(trials[1]!.name)
    assert.equal(finished.statusCode, 409)
    assert.match(errorOf(finished.body).message, /already finished \(Succeeded\)/)
    assert.equal((await kill('nope')).statusCode, 404)
  })

  test('logs: the whole output, its tail, and 404 when there is none', async () => {
    const { e, trials } = await experimentWithTrials('minimize', [['Succeeded', 0.1], ['Pending', null]])
    const trial = trials[0]!
    mkdirSync(join(logs, e.name, trial.name), { recursive: true })
    const lines = Array.from({ length: 5000 }, (_, i) => `step ${i}: loss=${(1 / (i + 1)).toFixed(6)}`)
    writeFileSync(join(logs, e.name, trial.name, 'output.log'), `${lines.join('\n')}\n`)
    const whole = await get(`/api/v1/experiments/${e.name}/trials/${trial.name}/logs`)
    assert.equal(whole.statusCode, 200)
    assert.match(String(whole.headers['content-type']), /^text\/plain/)
    assert.equal(whole.body, `${lines.join('\n')}\n`)
    const tail = await get(`/api/v1/experiments/${e.name}/trials/${trial.name}/logs?tail=3`)
    assert.equal(tail.statusCode, 200)
    assert.equal(tail.body, `${lines.slice(-3).join('\n')}\n`)
    const everything = await get(`/api/v1/experiments/${e.name}/trials/${trial.name}/logs?tail=100000`)
    assert.equal(everything.body, whole.body)
    const none = await get(`/api/v1/experiments/${e.name}/trials/${trials[1]!.name}/logs`)
    assert.equal(none.statusCode, 404)
    assert.equal(errorOf(none.body).code, 'LOG_NOT_FOUND')
    assert.equal((await get(`/api/v1/experiments/${e.name}/trials/${trial.name}/logs?tail=0`)).statusCode, 400)
  })
})

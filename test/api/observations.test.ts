import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { ErrorBody } from '../../api/schemas/common.ts'
import type { TrialState } from '../../core/trial.ts'
import type { ExperimentRecord, TrialRecord } from '../../db/store.ts'
import { experimentYaml, openTestApp, postYaml, uniqueName, type TestApp } from '../helpers/test-app.ts'

let t: TestApp
before(async () => {
  t = await openTestApp()
})
after(async () => {
  await t?.close()
})

type Point = { step: number; value: number }
type TrialSeries = { trial: string; metrics: { name: string; total: number; points: Point[] }[] }
type CurvePage = { metric: string; items: { name: string; number: number; state: TrialState; total: number; points: Point[] }[]; nextCursor: string | null }

const get = (url: string) => t.app.inject({ method: 'GET', url })
const errorOf = (body: string) => (JSON.parse(body) as ErrorBody).error

async function experiment(states: readonly TrialState[]): Promise<{ e: ExperimentRecord; trials: TrialRecord[] }> {
  const name = uniqueName('obs')
  const yaml = experimentYaml(name, { max: 500 }).replace('objectiveMetricName: loss', 'objectiveMetricName: loss\n    additionalMetricNames: [accuracy]')
  assert.equal((await postYaml(t.app, yaml)).statusCode, 201)
  const e = (await t.store.experiments.getByName(name))!
  const created = await t.store.trials.createMany(e.id, states.map((_, i) => ({ name: `${name}-${i}`, params: { lr: 0.05, optimizer: 'sgd' } })))
  for (const [i, trial] of created.entries()) {
    if (states[i] !== 'Pending') await t.store.trials.transition(trial.id, ['Pending'], states[i]!, { startedAt: new Date() })
  }
  return { e, trials: await t.store.trials.list(e.id) }
}

const at = new Date()
const points = (name: string, values: readonly number[], stepOf = (i: number) => i) => values.map((value, i) => ({ name, step: stepOf(i), value, at }))

/** A noisy curve with one spike and one dip that any honest downsampling must keep. */
function curve(n: number): number[] {
  return Array.from({ length: n }, (_, i) => (i === 517 ? 100 : i === 733 ? -100 : Math.sin(i / 40) + ((i * 7919) % 13) / 100))
}

describe('GET .../trials/{trial}/observations', () => {
  test('every finite point by step without maxPoints; NaN and ±Infinity left out', async () => {
    const { e, trials } = await experiment(['Running'])
    const trial = trials[0]!
    await t.store.observations.append(trial.id, [
      ...points('loss', [0.9, NaN, 0.5, Infinity, 0.3, -Infinity]),
      ...points('accuracy', [0.1, 0.2], (i) => i * 10),
    ])
    const res = await get(`/api/v1/experiments/${e.name}/trials/${trial.name}/observations`)
    assert.equal(res.statusCode, 200, res.body)
    const body = JSON.parse(res.body) as TrialSeries
    assert.equal(body.trial, trial.name)
    assert.deepEqual(body.metrics, [
      { name: 'loss', total: 3, points: [{ step: 0, value: 0.9 }, { step: 2, value: 0.5 }, { step: 4, value: 0.3 }] },
      { name: 'accuracy', total: 2, points: [{ step: 0, value: 0.1 }, { step: 10, value: 0.2 }] },
    ])
    const one = JSON.parse((await get(`/api/v1/experiments/${e.name}/trials/${trial.name}/observations?metric=accuracy`)).body) as TrialSeries
    assert.deepEqual(one.metrics.map((m) => m.name), ['accuracy'])
  })

  test('maxPoints keeps first, last, and each step bucket\'s min and max, and never more than asked', async () => {
    const { e, trials } = await experiment(['Running'])
    const trial = trials[0]!
    const values = curve(1000)
    await t.store.observations.append(trial.id, points('loss', values))
    for (const maxPoints of [4, 7, 50, 101, 999]) {
      const res = await get(`/api/v1/experiments/${e.name}/trials/${trial.name}/observations?metric=loss&maxPoints=${maxPoints}`)
      assert.equal(res.statusCode, 200, res.body)
      const [series] = (JSON.parse(res.body) as TrialSeries).metrics
      const got = series!.points
      assert.equal(series!.total, 1000)
      assert.ok(got.length <= maxPoints, `${got.length} points for maxPoints=${maxPoints}`)
      assert.deepEqual(got[0], { step: 0, value: values[0] })
      assert.deepEqual(got.at(-1), { step: 999, value: values[999] })
      assert.ok(got.every((p, i) => i === 0 || p.step > got[i - 1]!.step), 'ascending steps, no duplicates')
      assert.ok(got.every((p) => p.value === values[p.step]), 'only real points')
      assert.ok(got.some((p) => p.value === 100) && got.some((p) => p.value === -100), 'the spike and the dip survive')
      // The documented method: (maxPoints - 2) / 2 equal step buckets over [0, 999], min and max of each.
      const buckets = Math.floor((maxPoints - 2) / 2)
      for (let b = 0; b < buckets; b++) {
        const inBucket = values.map((value, step) => ({ step, value })).filter((p) => Math.floor((p.step * buckets) / 1000) === b)
        const min = Math.min(...inBucket.map((p) => p.value))
        const max = Math.max(...inBucket.map((p) => p.value))
        assert.ok(got.some((p) => p.value === min && Math.floor((p.step * buckets) / 1000) === b), `bucket ${b} keeps its min`)
        assert.ok(got.some((p) => p.value === max && Math.floor((p.step * buckets) / 1000) === b), `bucket ${b} keeps its max`)
      }
    }
    const few = JSON.parse((await get(`/api/v1/experiments/${e.name}/trials/${trial.name}/observations?metric=loss&maxPoints=3`)).body) as TrialSeries
    assert.deepEqual(few.metrics[0]!.points.map((p) => p.step), [0, 999], 'no room for a bucket: first and last')
    const all = JSON.parse((await get(`/api/v1/experiments/${e.name}/trials/${trial.name}/observations?metric=loss&maxPoints=1000`)).body) as TrialSeries
    assert.equal(all.metrics[0]!.points.length, 1000, 'a series that fits is returned whole')
  })

  test('plateaus (equal values in a bucket) still give at most maxPoints, the earliest step of each tie', async () => {
    const { e, trials } = await experiment(['Running'])
    const trial = trials[0]!
    await t.store.observations.append(trial.id, points('accuracy', Array.from({ length: 500 }, (_, i) => (i < 250 ? 0.5 : 0.75))))
    const res = await get(`/api/v1/experiments/${e.name}/trials/${trial.name}/observations?metric=accuracy&maxPoints=12`)
    const got = (JSON.parse(res.body) as TrialSeries).metrics[0]!.points
    assert.ok(got.length <= 12, `${got.length} points`)
    assert.deepEqual(got.slice(0, 2), [{ step: 0, value: 0.5 }, { step: 100, value: 0.5 }], 'first, then the second bucket\'s earliest point')
    assert.deepEqual(got.at(-1), { step: 499, value: 0.75 })
  })

  test('unknown metric, bad maxPoints, other experiment\'s trial', async () => {
    const { e, trials } = await experiment(['Running'])
    const other = await experiment(['Running'])
    const base = `/api/v1/experiments/${e.name}/trials/${trials[0]!.name}/observations`
    const unknown = await get(`${base}?metric=loss,perplexity`)
    assert.equal(unknown.statusCode, 400)
    assert.equal(errorOf(unknown.body).issues?.[0]?.path, '/querystring/metric')
    assert.equal((await get(`${base}?maxPoints=1`)).statusCode, 400)
    assert.equal((await get(`/api/v1/experiments/${e.name}/trials/${other.trials[0]!.name}/observations`)).statusCode, 404)
  })
})

describe('GET /api/v1/experiments/{name}/observations', () => {
  const states: TrialState[] = ['Succeeded', 'Running', 'Failed', 'Succeeded', 'Pending', 'Succeeded', 'Killed', 'Running', 'Succeeded', 'Succeeded', 'Succeeded']

  async function withCurves() {
    const x = await experiment(states)
    for (const trial of x.trials) {
      if (trial.state === 'Pending') continue
      // Trial n has 50 + 10n points of loss and 5 of accuracy.
      await t.store.observations.append(trial.id, [...points('loss', curve(50 + 10 * trial.number)), ...points('accuracy', [1, 2, 3, 4, 5])])
    }
    return x
  }

  async function walk(url: string): Promise<CurvePage['items']> {
    const items: CurvePage['items'] = []
    let cursor: string | null = null
    do {
      const res = await get(`${url}${cursor ? `&cursor=${cursor}` : ''}`)
      assert.equal(res.statusCode, 200, res.body)
      const page = JSON.parse(res.body) as CurvePage
      items.push(...page.items)
      cursor = page.nextCursor
    } while (cursor)
    return items
  }

  test('pages through every trial by number, each curve downsampled; the objective metric by default', async () => {
    const { e } = await withCurves()
    const items = await walk(`/api/v1/experiments/${e.name}/observations?limit=4&maxPointsPerTrial=20`)
    assert.deepEqual(items.map((i) => i.number), states.map((_, i) => i))
    assert.deepEqual(items.map((i) => i.state), states)
    for (const item of items) {
      if (item.state === 'Pending') {
        assert.deepEqual([item.total, item.points], [0, []], 'a trial without points has an empty series')
        continue
      }
      const values = curve(50 + 10 * item.number)
      assert.equal(item.total, values.length)
      assert.ok(item.points.length <= 20 && item.points.length > 2)
      assert.deepEqual(item.points[0], { step: 0, value: values[0] })
      assert.deepEqual(item.points.at(-1), { step: values.length - 1, value: values.at(-1) })
      assert.ok(item.points.some((p) => p.value === Math.max(...values)) && item.points.some((p) => p.value === Math.min(...values)))
    }
    const page = JSON.parse((await get(`/api/v1/experiments/${e.name}/observations?metric=accuracy&limit=100`)).body) as CurvePage
    assert.equal(page.metric, 'accuracy')
    assert.equal(page.nextCursor, null)
    assert.deepEqual(page.items[0]!.points.map((p) => p.value), [1, 2, 3, 4, 5], 'under the default of 100 points: whole')
    const loss = JSON.parse((await get(`/api/v1/experiments/${e.name}/observations`)).body) as CurvePage
    assert.equal(loss.metric, 'loss')
    assert.ok(loss.items.every((i) => i.points.length <= 100))
  })

  test('filters by state across pages', async () => {
    const { e } = await withCurves()
    const done = await walk(`/api/v1/experiments/${e.name}/observations?state=Succeeded&limit=2`)
    assert.deepEqual(done.map((i) => i.number), [0, 3, 5, 8, 9, 10])
    const active = await walk(`/api/v1/experiments/${e.name}/observations?state=Running,Pending&limit=1`)
    assert.deepEqual(active.map((i) => [i.number, i.state]), [[1, 'Running'], [4, 'Pending'], [7, 'Running']])
  })

  test('bad parameters are 400 naming them', async () => {
    const { e } = await withCurves()
    const objectiveCursor = (JSON.parse((await get(`/api/v1/experiments/${e.name}/trials?sort=objective&limit=1`)).body) as { nextCursor: string }).nextCursor
    for (const [query, path] of [
      ['metric=perplexity', '/querystring/metric'],
      ['state=Done', '/querystring/state'],
      ['maxPointsPerTrial=1', '/querystring/maxPointsPerTrial'],
      ['limit=0', '/querystring/limit'],
      ['cursor=%%%', '/querystring/cursor'],
      [`cursor=${objectiveCursor}`, '/querystring/cursor'],
    ] as const) {
      const res = await get(`/api/v1/experiments/${e.name}/observations?${query}`)
      assert.equal(res.statusCode, 400, `${query}: ${res.body}`)
      assert.equal(errorOf(res.body).issues?.[0]?.path, path, query)
    }
    assert.equal((await get('/api/v1/experiments/nope-nope/observations')).statusCode, 404)
  })
})

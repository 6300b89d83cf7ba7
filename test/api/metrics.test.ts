import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Counter } from '../../api/metrics/counter.ts'
import { Gauge } from '../../api/metrics/gauge.ts'
import { Histogram } from '../../api/metrics/histogram.ts'
import { countObservationsIngested, TunewellMetrics } from '../../api/metrics/tunewell-metrics.ts'
import { instrumentAsk } from '../../api/metrics/instrument-ask.ts'
import { MetricsRegistry } from '../../api/metrics/metrics-registry.ts'
import type { TrialState } from '../../core/trial.ts'
import { TRIAL_STATES } from '../../core/trial.ts'
import { toSearchSpace } from '../../core/spec/index.ts'
import { askAlgorithm } from '../../suggestion/ask-algorithm.ts'
import { quadraticExperiment } from '../helpers/experiment-yaml.ts'
import { experimentYaml, openTestApp, postYaml, uniqueName, type TestApp } from '../helpers/test-app.ts'

interface Sample {
  readonly name: string
  readonly labels: Record<string, string>
  readonly value: number
}

/**
 * A strict reader of the text format 0.0.4: every line is a HELP, a TYPE or a sample; every
 * sample belongs to a metric whose TYPE came before it; label values unescape.
 */
function parseExposition(text: string): { types: Map<string, string>; samples: Sample[] } {
  assert.ok(text.endsWith('\n'), 'ends with a line feed')
  const types = new Map<string, string>()
  const samples: Sample[] = []
  for (const line of text.slice(0, -1).split('\n')) {
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line)
    if (meta) {
      if (meta[1] === 'TYPE') {
        assert.ok(['counter', 'gauge', 'histogram'].includes(meta[3]!), line)
        assert.ok(!types.has(meta[2]!), `one TYPE per metric: ${line}`)
        types.set(meta[2]!, meta[3]!)
      }
      continue
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    assert.ok(m, `not a sample line: ${JSON.stringify(line)}`)
    const labels: Record<string, string> = {}
    const pairs = m[2] ?? ''
    const pair = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/y
    while (pair.lastIndex < pairs.length) {
      const p = pair.exec(pairs)
      assert.ok(p, `bad labels in ${line}`)
      labels[p[1]!] = p[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c))
    }
    const value = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : Number(m[3])
    assert.ok(m[3] === 'NaN' || !Number.isNaN(value), `bad value in ${line}`)
    const family = m[1]!.replace(/_(bucket|sum|count)$/, '')
    assert.ok(types.has(m[1]!) || types.get(family) === 'histogram', `sample before its TYPE: ${line}`)
    samples.push({ name: m[1]!, labels, value })
  }
  return { types, samples }
}

const find = (samples: readonly Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))

let t: TestApp
let metrics: TunewellMetrics
before(async () => {
  metrics = new TunewellMetrics()
  t = await openTestApp({ metrics })
})
after(async () => {
  await t?.close()
})

async function scrape(app: TestApp = t, headers: Record<string, string> = {}) {
  const res = await app.app.inject({ method: 'GET', url: '/metrics', headers })
  assert.equal(res.statusCode, 200, res.body)
  assert.equal(res.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8')
  return parseExposition(res.body)
}

describe('GET /metrics', () => {
  test('trial and experiment gauges match the database', async () => {
    const names = [uniqueName('metrics'), uniqueName('metrics')]
    const plan: TrialState[][] = [['Succeeded', 'Succeeded', 'Running', 'Failed', 'Pending'], ['Killed', 'EarlyStopped']]
    for (const [i, name] of names.entries()) {
      assert.equal((await postYaml(t.app, experimentYaml(name, { template: false }))).statusCode, 201)
      const e = (await t.store.experiments.getByName(name))!
      const trials = await t.store.trials.createMany(e.id, plan[i]!.map((_, n) => ({ name: `${name}-${n}`, params: { lr: 0.05, optimizer: 'sgd' } })))
      for (const [n, trial] of trials.entries()) {
        if (plan[i]![n] !== 'Pending') await t.store.trials.transition(trial.id, ['Pending'], plan[i]![n]!)
      }
    }
    const { types, samples } = await scrape()
    assert.equal(types.get('tunewell_trials'), 'gauge')
    for (const name of names) {
      const e = (await t.store.experiments.getByName(name))!
      const counts = await t.store.trials.countByState(e.id)
      for (const state of TRIAL_STATES) {
        const [sample] = find(samples, 'tunewell_trials', { experiment: name, state })
        assert.equal(sample?.value, counts[state], `${name} ${state}`)
      }
    }
    const all = await t.store.experiments.list()
    for (const state of ['Created', 'Running', 'Restarting', 'Succeeded', 'Failed']) {
      assert.equal(find(samples, 'tunewell_experiments', { state })[0]?.value, all.filter((e) => e.state === state).length, state)
    }
    // A deleted experiment's series go away rather than keep their last values.
    assert.equal((await t.app.inject({ method: 'DELETE', url: `/api/v1/experiments/${names[1]}` })).statusCode, 204)
    assert.deepEqual(find((await scrape()).samples, 'tunewell_trials', { experiment: names[1]! }), [])
  })

  test('HTTP durations by route pattern and status class, as a well-formed histogram', async () => {
    await t.app.inject({ method: 'GET', url: '/api/v1/experiments/nope-nope' })
    await t.app.inject({ method: 'GET', url: '/api/v1/experiments' })
    const { types, samples } = await scrape()
    assert.equal(types.get('tunewell_http_request_duration_seconds'), 'histogram')
    const route = { route: '/api/v1/experiments/:name', method: 'GET', status: '4xx' }
    const count = find(samples, 'tunewell_http_request_duration_seconds_count', route)
    assert.equal(count.length, 1, JSON.stringify(count))
    assert.ok(count[0]!.value >= 1)
    assert.ok(!samples.some((s) => s.labels.route?.includes('nope-nope')), 'labelled by pattern, never by URL')
    const buckets = find(samples, 'tunewell_http_request_duration_seconds_bucket', route)
    assert.ok(buckets.every((b, i) => i === 0 || b.value >= buckets[i - 1]!.value), 'buckets are cumulative')
    assert.equal(buckets.at(-1)!.labels.le, '+Inf')
    assert.equal(buckets.at(-1)!.value, count[0]!.value)
    assert.equal(find(samples, 'tunewell_http_request_duration_seconds_count', { route: '/api/v1/experiments', method: 'GET', status: '2xx' }).length, 1)
  })

  test('suggestion latency by algorithm; observations ingested by pushes and tells', async () => {
    const experiment = quadraticExperiment({ name: uniqueName('ask') })
    const ask = instrumentAsk(askAlgorithm, metrics)
    await ask({
      algorithmName: 'random', settings: [], space: toSearchSpace(experiment), direction: 'minimize',
      trials: [], trialCount: 0, count: 2, seed: 1, state: undefined,
    })
    const ingested = async () => find((await scrape()).samples, 'tunewell_observations_ingested_total')[0]?.value ?? 0
    assert.equal(find((await scrape()).samples, 'tunewell_suggestion_duration_seconds_count', { algorithm: 'random' })[0]?.value, 1)
    const before = await ingested()
    countObservationsIngested(metrics, 0)
    assert.equal(await ingested(), before)
    // Through the API: a push of three points, then a tell.
    const name = uniqueName('ingest')
    assert.equal((await postYaml(t.app, experimentYaml(name, { template: false }))).statusCode, 201)
    const post = (url: string, payload: object) => t.app.inject({ method: 'POST', url: `/api/v1/experiments/${name}/trials${url}`, payload })
    const asked = JSON.parse((await post(':ask', {})).body) as { name: string }
    const points = [{ metric: 'loss', step: 0, value: 1 }, { metric: 'loss', step: 1, value: 0.5 }, { metric: 'loss', step: 2, value: 0.4 }]
    assert.equal((await post(`/${asked.name}/observations`, { points })).statusCode, 200)
    assert.equal(await ingested(), before + 3)
    assert.equal((await post(`/${asked.name}:tell`, { values: { loss: 0.2 } })).statusCode, 200)
    assert.equal(await ingested(), before + 4)
    // A refused tell takes nothing in.
    assert.equal((await post(`/${asked.name}:tell`, { value: 0.1 })).statusCode, 409)
    assert.equal(await ingested(), before + 4)
  })

  test('with tokens: a read token is enough, none is 401', async () => {
    const own = await openTestApp({ tokens: [{ token: 'reader-token', role: 'read' }] })
    try {
      assert.equal((await own.app.inject({ method: 'GET', url: '/metrics' })).statusCode, 401)
      assert.equal((await own.app.inject({ method: 'GET', url: '/metrics?token=reader-token' })).statusCode, 401, 'no ?token= here')
      await scrape(own, { authorization: 'Bearer reader-token' })
    } finally {
      await own.close()
    }
  })
})

describe('the registry', () => {
  test('escapes label values and help, renders counters, gauges and histograms', () => {
    const registry = new MetricsRegistry()
    const counter = registry.register(new Counter<'path'>({ name: 'x_total', help: 'back\\slash\nnew line', labelNames: ['path'] }))
    const gauge = registry.register(new Gauge({ name: 'x_gauge', help: 'g' }))
    const histogram = registry.register(new Histogram({ name: 'x_seconds', help: 'h', buckets: [0.1, 1] }))
    counter.inc(2, { path: 'a"b\\c\nd' })
    gauge.set(-Infinity)
    for (const v of [0.05, 0.1, 0.5, 3]) histogram.observe(v)
    const text = registry.render()
    assert.ok(text.includes('# HELP x_total back\\\\slash\\nnew line\n'))
    const { samples } = parseExposition(text)
    assert.deepEqual(find(samples, 'x_total')[0]?.labels, { path: 'a"b\\c\nd' })
    assert.equal(find(samples, 'x_gauge')[0]?.value, -Infinity)
    assert.deepEqual(find(samples, 'x_seconds_bucket').map((s) => [s.labels.le, s.value]), [['0.1', 2], ['1', 3], ['+Inf', 4]])
    assert.equal(find(samples, 'x_seconds_sum')[0]?.value, 3.65)
    assert.throws(() => counter.inc(-1, { path: 'a' }))
    assert.throws(() => registry.register(new Gauge({ name: 'x_gauge', help: 'again' })))
    assert.throws(() => new Gauge({ name: 'bad-name', help: '' }))
  })
})

/**
 * Bounds on what a submission may ask of the server: counts within Katib's int32, a
 * parallelTrialCount within the server's limit (`serve --max-parallel-trials`), nesting within
 * MAX_NESTING_DEPTH; on submit, validate and PATCH alike, each refusal naming where and why.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { buildApp } from '../../api/app.ts'
import type { ErrorBody } from '../../api/schemas/common.ts'
import { DEFAULT_MAX_PARALLEL_TRIALS } from '../../core/spec/index.ts'
import { experimentYaml, openTestApp, postYaml, uniqueName, type TestApp } from '../helpers/test-app.ts'

let t: TestApp
before(async () => {
  t = await openTestApp()
})
after(async () => t?.close())

const INT32_MAX = 2_147_483_647
const errorOf = (body: string) => (JSON.parse(body) as ErrorBody).error
const lineOf = (yaml: string, snippet: string) => yaml.split('\n').findIndex((l) => l.includes(snippet)) + 1
const validate = (yaml: string) =>
  t.app.inject({ method: 'POST', url: '/api/v1/experiments:validate', headers: { 'content-type': 'application/yaml' }, payload: yaml })
const patch = (name: string, payload: unknown) =>
  t.app.inject({ method: 'PATCH', url: `/api/v1/experiments/${name}`, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(payload) })

describe('counts beyond int32 and beyond the parallel-trial limit', () => {
  test('POST and :validate refuse every count above int32 with line:col, and store nothing', async () => {
    const name = uniqueName('int32')
    const yaml = experimentYaml(name)
      .replace('maxTrialCount: 10', `maxTrialCount: ${INT32_MAX + 1}\n  maxFailedTrialCount: 99999999999`)
      .replace('parallelTrialCount: 2', `parallelTrialCount: ${INT32_MAX + 1}`)
    const res = await postYaml(t.app, yaml)
    assert.equal(res.statusCode, 422, res.body)
    const issues = errorOf(res.body).issues!
    for (const [field, value] of [['maxTrialCount', INT32_MAX + 1], ['parallelTrialCount', INT32_MAX + 1], ['maxFailedTrialCount', 99999999999]] as const) {
      const issue = issues.find((i) => i.path === `/spec/${field}` && i.message.includes(String(INT32_MAX)))
      assert.ok(issue, `no int32 issue for ${field}: ${res.body}`)
      assert.match(issue.message, new RegExp(`^${field} ${value} is above 2147483647, the largest count Katib accepts`))
      assert.equal(issue.line, lineOf(yaml, `${field}:`))
    }
    const checked = await validate(yaml)
    assert.equal(checked.json().valid, false)
    assert.equal(checked.json().issues.filter((i: { message: string }) => i.message.includes('largest count Katib accepts')).length, 3)
    assert.equal((await t.app.inject({ url: `/api/v1/experiments/${name}` })).statusCode, 404)
  })

  test('a parallelTrialCount above the server limit is refused, naming the setting; the limit is configurable', async () => {
    const yaml = experimentYaml(uniqueName('parallel'), { parallel: 1_000_000_000, max: INT32_MAX })
    const res = await postYaml(t.app, yaml)
    assert.equal(res.statusCode, 422, res.body)
    const [issue] = errorOf(res.body).issues!
    assert.equal(issue!.path, '/spec/parallelTrialCount')
    assert.equal(issue!.line, lineOf(yaml, 'parallelTrialCount'))
    assert.match(issue!.message, new RegExp(`parallelTrialCount 1000000000 is above the limit of ${DEFAULT_MAX_PARALLEL_TRIALS} trials at once \\(--max-parallel-trials, TUNEWELL_MAX_PARALLEL_TRIALS\\)`))
    assert.equal((await validate(yaml)).json().issues[0].path, '/spec/parallelTrialCount')

    const atLimit = await postYaml(t.app, experimentYaml(uniqueName('at-limit'), { parallel: DEFAULT_MAX_PARALLEL_TRIALS, max: INT32_MAX }))
    assert.equal(atLimit.statusCode, 201, atLimit.body)

    // A second app on the same store costs nothing: the server's limit is an option of the app.
    const wider = await buildApp({ store: t.store, maxParallelTrials: 2000 })
    try {
      const accepted = await postYaml(wider, experimentYaml(uniqueName('wide'), { parallel: 1000, max: 1000 }))
      assert.equal(accepted.statusCode, 201, accepted.body)
      const refused = await postYaml(wider, experimentYaml(uniqueName('wide'), { parallel: 2001, max: 2001 }))
      assert.equal(refused.statusCode, 422)
      assert.match(errorOf(refused.body).issues![0]!.message, /above the limit of 2000 trials at once/)
    } finally {
      await wider.close()
    }
  })

  test('PATCH refuses counts above int32 and a parallelTrialCount above the limit with 422 naming the path', async () => {
    const name = uniqueName('patch-bounds')
    assert.equal((await postYaml(t.app, experimentYaml(name))).statusCode, 201)
    const before = await t.store.experiments.getByName(name)
    for (const [body, path, pattern] of [
      [{ spec: { maxTrialCount: INT32_MAX + 1 } }, '/spec/maxTrialCount', /largest count Katib accepts/],
      [{ spec: { maxFailedTrialCount: 1e15 } }, '/spec/maxFailedTrialCount', /largest count Katib accepts/],
      [{ spec: { maxTrialCount: 1e12, parallelTrialCount: 1e10 } }, '/spec/parallelTrialCount', /largest count Katib accepts/],
      [{ spec: { maxTrialCount: INT32_MAX, parallelTrialCount: 1_000_000_000 } }, '/spec/parallelTrialCount', /above the limit of 256 trials at once \(--max-parallel-trials/],
    ] as const) {
      const res = await patch(name, body)
      assert.equal(res.statusCode, 422, `${JSON.stringify(body)}: ${res.body}`)
      const issue = errorOf(res.body).issues!.find((i) => i.path === path)
      assert.ok(issue, `${JSON.stringify(body)}: no issue at ${path}: ${res.body}`)
      assert.match(issue.message, pattern)
    }
    assert.deepEqual(await t.store.experiments.getByName(name), before)
    const ok = await patch(name, { spec: { maxTrialCount: INT32_MAX, parallelTrialCount: DEFAULT_MAX_PARALLEL_TRIALS } })
    assert.equal(ok.statusCode, 200, ok.body)
  })
})

describe('documents nested far beyond any Experiment', () => {
  const depth = 150_000

  test('deep YAML, flow or block, is refused promptly with line:col', async () => {
    const base = experimentYaml(uniqueName('deep'), { template: false })
    const flow = `${base}  nasConfig: ${'['.repeat(depth)}${']'.repeat(depth)}\n`
    const block = `${base}  nasConfig:\n${'- '.repeat(depth)}x\n`
    for (const yaml of [flow, block]) {
      const res = await postYaml(t.app, yaml)
      assert.equal(res.statusCode, 422, res.body.slice(0, 500))
      const [issue] = errorOf(res.body).issues!
      assert.match(issue!.message, /the document is nested more than 100 levels deep here; at most 100 levels are accepted/)
      assert.equal(issue!.line, lineOf(yaml, 'nasConfig') + (yaml === block ? 1 : 0))
      assert.equal(typeof issue!.col, 'number')
      const checked = await validate(yaml)
      assert.equal(checked.statusCode, 200)
      assert.match(checked.json().issues[0].message, /nested more than 100 levels/)
    }
  })

  test('a deep JSON body is refused with the path where it gets too deep', async () => {
    const payload = `{"apiVersion":"kubeflow.org/v1beta1","kind":"Experiment","metadata":{"name":"deep-json"},"spec":{"nasConfig":${'['.repeat(depth)}${']'.repeat(depth)}}}`
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/experiments', headers: { 'content-type': 'application/json' }, payload })
    assert.equal(res.statusCode, 422, res.body.slice(0, 500))
    const [issue] = errorOf(res.body).issues!
    assert.match(issue!.path, /^\/spec\/nasConfig(\/0)+$/)
    assert.match(issue!.message, /nested more than 100 levels deep/)
  })
})

test('an experiment with a huge maxTrialCount and parallelTrialCount at the limit leaves /healthz answering', async () => {
  const name = uniqueName('huge')
  const res = await postYaml(t.app, experimentYaml(name, { template: false, parallel: DEFAULT_MAX_PARALLEL_TRIALS, max: INT32_MAX }))
  assert.equal(res.statusCode, 201, res.body)
  // Asks, each of which may top the Pending pool up, race health checks on the same event loop.
  const asks = Array.from({ length: 20 }, (_, i) =>
    t.app.inject({ method: 'POST', url: `/api/v1/experiments/${name}/trials:ask`, payload: { worker: `w${i}` } }))
  const health = Array.from({ length: 5 }, () => t.app.inject({ url: '/healthz' }))
  for (const answer of await Promise.all(health)) assert.equal(answer.statusCode, 200)
  for (const answer of await Promise.all(asks)) assert.equal(answer.statusCode, 200, answer.body)
  const record = await t.store.experiments.getByName(name)
  // Created ahead in bounded batches, never anything like maxTrialCount or parallelTrialCount at once.
  assert.ok((await t.store.trials.tally(record!.id)).total <= 2 * DEFAULT_MAX_PARALLEL_TRIALS)
})

import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { parse as parseYaml } from 'yaml'
import type { Experiment } from '../../core/spec/index.ts'
import { experimentYaml, openTestApp, postYaml, uniqueName, type TestApp } from '../helpers/test-app.ts'

/**
 * Client mistakes must never be our 500, and a refused request must change nothing: random
 * bodies (arbitrary JSON, arbitrary text as YAML, and valid experiments with one field
 * replaced or removed) are thrown at POST /experiments and PATCH /experiments/{name}.
 */
let t: TestApp
let target: string
before(async () => {
  t = await openTestApp()
  target = uniqueName('target')
  assert.equal((await postYaml(t.app, experimentYaml(target, { resumePolicy: 'LongRunning' }))).statusCode, 201)
})
after(async () => {
  await t?.close()
})

/** Everything a request could have changed: all experiments as listed, and the target in full. */
async function snapshot(): Promise<string> {
  const list = await t.app.inject({ method: 'GET', url: '/api/v1/experiments?limit=1000' })
  const one = await t.app.inject({ method: 'GET', url: `/api/v1/experiments/${target}` })
  return `${list.body}\n${one.body}`
}

/** Every JSON pointer of a plain JSON value, the root included. */
function pathsOf(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  const here = [at]
  if (Array.isArray(value)) return [...here, ...value.flatMap((v, i) => pathsOf(v, [...at, i]))]
  if (value !== null && typeof value === 'object') return [...here, ...Object.entries(value).flatMap(([k, v]) => pathsOf(v, [...at, k]))]
  return here
}

/** A copy of `document` with the value at `path` replaced, or removed when `replacement` is undefined. */
function mutate(document: unknown, path: readonly (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement
  const copy = structuredClone(document) as Record<string | number, unknown>
  let node = copy
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>
  const last = path.at(-1)!
  if (replacement === undefined) {
    if (Array.isArray(node)) node.splice(Number(last), 1)
    else delete node[last]
  } else node[last] = replacement
  return copy
}

const someJson = fc.jsonValue({ maxDepth: 3 })

describe('random bodies', () => {
  test('POST /api/v1/experiments: never 5xx, and every refusal leaves the store as it was', async () => {
    const valid = parseYaml(experimentYaml(uniqueName('fuzz'))) as Experiment
    const paths = pathsOf(valid)
    const body = fc.oneof(
      someJson.map((json) => ({ type: 'application/json', payload: JSON.stringify(json) })),
      fc.string({ maxLength: 200 }).map((text) => ({ type: 'application/yaml', payload: text })),
      fc.tuple(fc.nat(), fc.option(someJson, { nil: undefined })).map(([i, replacement]) => ({
        type: 'application/json',
        payload: JSON.stringify(mutate(valid, paths[i % paths.length]!, replacement) ?? null),
      })),
    )
    await fc.assert(
      fc.asyncProperty(body, async ({ type, payload }) => {
        const before = await snapshot()
        const res = await t.app.inject({ method: 'POST', url: '/api/v1/experiments', headers: { 'content-type': type }, payload })
        assert.ok(res.statusCode < 500, `${res.statusCode} for ${payload}: ${res.body}`)
        assert.ok(JSON.parse(res.body), 'a JSON answer')
        if (res.statusCode >= 400) {
          assert.ok([400, 409, 413, 415, 422].includes(res.statusCode), `${res.statusCode}: ${res.body}`)
          assert.equal(await snapshot(), before, `state changed by a refused request: ${payload}`)
        } else {
          // A mutation that kept the experiment valid created it; remove it so later runs start alike.
          const created = JSON.parse(res.body) as { experiment: { metadata: { name: string } } }
          await t.app.inject({ method: 'DELETE', url: `/api/v1/experiments/${created.experiment.metadata.name}` })
        }
      }),
      { numRuns: 150 },
    )
  })

  test('PATCH /api/v1/experiments/{name}: never 5xx; refusals change nothing, successes only the counts', async () => {
    const record = (await t.store.experiments.getByName(target))!
    const original = record.spec
    const field = fc.constantFrom('maxTrialCount', 'parallelTrialCount', 'maxFailedTrialCount', 'resumePolicy', 'parameters', 'x')
    const body = fc.oneof(
      someJson,
      fc.record({ spec: fc.dictionary(field, fc.oneof(someJson, fc.integer({ min: -5, max: 50 }))) }, { requiredKeys: [] }),
      fc.dictionary(fc.constantFrom('spec', 'metadata', 'status', 'kind'), someJson),
    )
    await fc.assert(
      fc.asyncProperty(body, fc.constantFrom('application/json', 'application/merge-patch+json'), async (payload, type) => {
        const before = await snapshot()
        const res = await t.app.inject({ method: 'PATCH', url: `/api/v1/experiments/${target}`, headers: { 'content-type': type }, payload: JSON.stringify(payload) })
        assert.ok(res.statusCode < 500, `${res.statusCode} for ${JSON.stringify(payload)}: ${res.body}`)
        if (res.statusCode >= 400) {
          assert.ok([400, 409, 422].includes(res.statusCode), `${res.statusCode}: ${res.body}`)
          assert.equal(await snapshot(), before, `state changed by a refused patch: ${JSON.stringify(payload)}`)
          return
        }
        const now = (await t.store.experiments.get(record.id))!.spec
        const { parallelTrialCount: _p, maxTrialCount: _m, maxFailedTrialCount: _f, ...rest } = now.spec
        const { parallelTrialCount: _p0, maxTrialCount: _m0, maxFailedTrialCount: _f0, ...rest0 } = original.spec
        assert.deepEqual(rest, rest0, 'only the three counts may change')
        await t.store.experiments.update(record.id, { spec: original })
      }),
      { numRuns: 150 },
    )
  })
})

import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { askTellExperimentObject } from '../helpers/experiment-yaml.ts'
import { openTestApp, uniqueName, type TestApp } from '../helpers/test-app.ts'

/**
 * The worker routes take bodies from programs we do not control: random bodies (arbitrary JSON,
 * and records with the right field names holding wrong or extreme values) must never be our
 * 500, and a refused request must change nothing (trials, their points, the experiment).
 */
let t: TestApp
let name: string
let experimentId: string
/** The trial the worker routes are aimed at; replaced when a request legitimately ends it. */
let trial: string

before(async () => {
  t = await openTestApp()
  name = uniqueName('prop-ask')
  const created = await t.app.inject({
    method: 'POST',
    url: '/api/v1/experiments',
    payload: askTellExperimentObject(name, { parallel: 4, max: 100_000 }),
  })
  assert.equal(created.statusCode, 201, created.body)
  experimentId = (await t.store.experiments.getByName(name))!.id
  trial = await askOne()
})
after(async () => {
  await t?.close()
})

async function askOne(): Promise<string> {
  const res = await t.app.inject({ method: 'POST', url: `/api/v1/experiments/${name}/trials:ask`, payload: {} })
  assert.equal(res.statusCode < 300, true, res.body)
  return (JSON.parse(res.body) as { name: string }).name
}

/**
 * Everything a worker request could change. Pending trials are left out: after an accepted ask
 * the server tops up its pool of ready suggestions in the background, which may land while a
 * later request runs; a refused request itself never creates one.
 */
async function snapshot(): Promise<string> {
  const trials = (await t.store.trials.list(experimentId)).filter((x) => x.state !== 'Pending')
  const points = await Promise.all(trials.map((x) => t.store.observations.list(x.id)))
  const experiment = await t.store.experiments.get(experimentId)
  return JSON.stringify({ trials, points, experiment })
}

const anyJson = fc.jsonValue({ maxDepth: 3 })
const number = fc.oneof(fc.double(), fc.integer({ min: -3, max: 2 ** 31 }), fc.constantFrom('NaN', 'Infinity', '-Infinity', 'nope', ''), anyJson)
const attempt = fc.oneof(fc.integer({ min: -2, max: 4 }), anyJson)

const bodies = {
  ':ask': fc.oneof(anyJson, fc.record({ idempotencyKey: fc.oneof(fc.string({ maxLength: 300 }), anyJson), worker: fc.oneof(fc.string({ maxLength: 300 }), anyJson) }, { requiredKeys: [] })),
  ':tell': fc.oneof(anyJson, fc.record({
    state: fc.oneof(fc.constantFrom('Succeeded', 'Failed', 'Running', 'Killed'), anyJson),
    value: number,
    values: fc.oneof(fc.dictionary(fc.constantFrom('loss', 'accuracy', ''), number), anyJson),
    message: fc.oneof(fc.string({ maxLength: 50 }), anyJson),
    attempt,
  }, { requiredKeys: [] })),
  ':heartbeat': fc.oneof(anyJson, fc.record({ attempt }, { requiredKeys: [] })),
  '/observations': fc.oneof(anyJson, fc.record({
    points: fc.oneof(anyJson, fc.array(fc.record({ metric: fc.oneof(fc.constantFrom('loss', 'x'), anyJson), step: number, value: number }, { requiredKeys: [] }), { maxLength: 4 })),
    attempt,
  }, { requiredKeys: [] })),
} as const

describe('worker routes under random bodies', () => {
  for (const [route, body] of Object.entries(bodies)) {
    test(`POST ${route}: never 5xx; a refusal changes nothing`, async () => {
      await fc.assert(
        fc.asyncProperty(body, async (payload) => {
          const url = route === ':ask' ? `/api/v1/experiments/${name}/trials:ask` : `/api/v1/experiments/${name}/trials/${trial}${route}`
          const before = await snapshot()
          const res = await t.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(payload) })
          assert.ok(res.statusCode < 500, `${res.statusCode} for ${JSON.stringify(payload)}: ${res.body}`)
          if (res.statusCode >= 400) {
            assert.ok([400, 409, 422].includes(res.statusCode), `${res.statusCode}: ${res.body}`)
            assert.ok(JSON.parse(res.body).error.message, res.body)
            assert.equal(await snapshot(), before, `state changed by a refused request: ${JSON.stringify(payload)}`)
            return
          }
          // An accepted ask holds a trial, and an accepted tell ends one: aim at a running trial again,
          // ending the asked ones so parallelTrialCount never runs out.
          if (route === ':ask') {
            const asked = (JSON.parse(res.body) as { name: string }).name
            if (asked !== trial) await t.app.inject({ method: 'POST', url: `/api/v1/experiments/${name}/trials/${asked}:tell`, payload: { state: 'Failed' } })
          }
          const current = await t.store.trials.getByName(trial)
          if (current?.state !== 'Running') trial = await askOne()
        }),
        { numRuns: 120 },
      )
    })
  }
})

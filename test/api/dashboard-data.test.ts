import { test } from 'node:test'
import assert from 'node:assert/strict'
import { brotliDecompressSync } from 'node:zlib'
import { experimentYaml, openTestApp, postYaml, uniqueName } from '../helpers/test-app.ts'

/** 60 trials where only lr matters (best near 0.03); optimizer is noise. Half are given points. */
async function seeded() {
  const t = await openTestApp()
  const name = uniqueName('cols')
  assert.equal((await postYaml(t.app, experimentYaml(name, { template: false, max: 100 }))).statusCode, 201)
  const experiment = (await t.store.experiments.getByName(name))!
  const trials = await t.store.trials.createMany(experiment.id, Array.from({ length: 60 }, (_, i) => ({
    name: `${name}-${String(i).padStart(4, '0')}`, params: { lr: 0.01 + (0.09 * ((i * 37) % 60)) / 60, optimizer: i % 2 ? 'sgd' : 'adam' },
  })))
  for (const [i, trial] of trials.entries()) {
    const lr = trial.params.lr as number
    const objective = Math.abs(lr - 0.03)
    if (i === 59) continue
    await t.store.trials.transition(trial.id, ['Pending'], 'Succeeded', { objective, metrics: { loss: { min: objective, max: 1, latest: objective } }, startedAt: new Date(1000 * i), finishedAt: new Date(1000 * i + 500) })
    if (i % 2 === 0) await t.store.observations.append(trial.id, Array.from({ length: 5 }, (_, step) => ({ name: 'loss', step, value: objective + 1 / (step + 1), at: new Date() })))
  }
  return { ...t, name }
}

test('trials:columns: every trial as arrays, compressed on request', async () => {
  const t = await seeded()
  try {
    const plain = await t.app.inject({ url: `/api/v1/experiments/${t.name}/trials:columns` })
    assert.equal(plain.statusCode, 200)
    const body = plain.json()
    assert.equal(body.count, 60)
    assert.equal(body.namePrefix, `${t.name}-`)
    assert.equal(body.suffix[7], '0007')
    assert.deepEqual(body.number.slice(0, 3), [0, 1, 2])
    assert.equal(body.states[body.state[59]], 'Pending')
    assert.equal(body.objective[59], null)
    assert.equal(body.params.optimizer[1], 'sgd')
    assert.equal(body.metrics.loss[0], body.objective[0])
    assert.equal(body.startedAt[3], 3000)
    assert.equal(body.finishedAt[59], null)
    const br = await t.app.inject({ url: `/api/v1/experiments/${t.name}/trials:columns`, headers: { 'accept-encoding': 'gzip, br' } })
    // Small answers are sent as they are; the rule is tested on the size, not forced here.
    const decoded = br.headers['content-encoding'] === 'br' ? JSON.parse(brotliDecompressSync(br.rawPayload).toString()) : br.json()
    assert.deepEqual(decoded, body)
    assert.equal((await t.app.inject({ url: '/api/v1/experiments/nope/trials:columns' })).statusCode, 404)
  } finally {
    await t.close()
  }
})

test('importance: PED-ANOVA finds the parameter that matters, cached until a trial succeeds', async () => {
  const t = await seeded()
  try {
    const response = await t.app.inject({ url: `/api/v1/experiments/${t.name}/importance` })
    assert.equal(response.statusCode, 200)
    const body = response.json()
    assert.equal(body.method, 'ped-anova')
    assert.equal(body.finishedTrials, 59)
    assert.equal(body.parameters[0].name, 'lr')
    assert.ok(body.parameters[0].importance > 0.8, JSON.stringify(body.parameters))
    assert.deepEqual((await t.app.inject({ url: `/api/v1/experiments/${t.name}/importance` })).json(), body)
    const empty = uniqueName('imp')
    await postYaml(t.app, experimentYaml(empty, { template: false }))
    const none = (await t.app.inject({ url: `/api/v1/experiments/${empty}/importance` })).json()
    assert.deepEqual(none.parameters, [])
    assert.match(none.note, /needs at least 5/)
  } finally {
    await t.close()
  }
})

test('observations sort=objective: the best trials\' curves first, cursor continues that order', async () => {
  const t = await seeded()
  try {
    const first = (await t.app.inject({ url: `/api/v1/experiments/${t.name}/observations?sort=objective&limit=3` })).json()
    const objectives = first.items.map((i: { name: string }) => Number(i.name.slice(-4)))
    assert.equal(first.items.length, 3)
    const cols = (await t.app.inject({ url: `/api/v1/experiments/${t.name}/trials:columns` })).json()
    const best = [...cols.number].filter((n: number) => cols.objective[n] !== null).sort((a: number, b: number) => cols.objective[a] - cols.objective[b] || a - b).slice(0, 3)
    assert.deepEqual(objectives, best)
    const next = await t.app.inject({ url: `/api/v1/experiments/${t.name}/observations?sort=objective&limit=3&cursor=${encodeURIComponent(first.nextCursor)}` })
    assert.equal(next.statusCode, 200)
    const mixed = await t.app.inject({ url: `/api/v1/experiments/${t.name}/observations?limit=3&cursor=${encodeURIComponent(first.nextCursor)}` })
    assert.equal(mixed.statusCode, 400)
  } finally {
    await t.close()
  }
})

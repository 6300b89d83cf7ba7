import { test } from 'node:test'
import assert from 'node:assert/strict'
import { pedAnova, type ImportanceTrial } from '../../../core/importance/ped-anova.ts'
import { createRng } from '../../../core/rng.ts'
import type { Parameter } from '../../../core/search-space.ts'

const x: Parameter = { name: 'x', type: 'double', min: 0, max: 1, distribution: 'uniform' }
const noise: Parameter = { name: 'noise', type: 'double', min: 0, max: 1, distribution: 'uniform' }

function sample(n: number, seed: number, draw: (rng: ReturnType<typeof createRng>) => ImportanceTrial): ImportanceTrial[] {
  const rng = createRng(seed)
  return Array.from({ length: n }, () => draw(rng))
}

test('the parameter the objective depends on gets nearly all the importance, noise nearly none', () => {
  const trials = sample(2000, 1, (r) => {
    const p = { x: r.next(), noise: r.next() }
    return { params: p, objective: (p.x - 0.3) ** 2 }
  })
  const result = pedAnova([x, noise], trials, { minimize: true })!
  const [ix, inoise] = result.parameters.map((p) => p.importance)
  assert.ok(ix! > 0.95, `x: ${ix}`)
  assert.ok(inoise! < 0.05, `noise: ${inoise}`)
  assert.equal(result.trials, 2000)
  assert.ok(result.topTrials >= 200 && result.topTrials <= 202)
})

test('maximising flips which trials are the top ones, not the answer', () => {
  const trials = sample(1000, 2, (r) => {
    const p = { x: r.next(), noise: r.next() }
    return { params: p, objective: -Math.abs(p.x - 0.7) }
  })
  const result = pedAnova([noise, x], trials, { minimize: false })!
  assert.ok(result.parameters[1]!.importance > 0.9)
  assert.ok(result.threshold <= 0 && result.threshold > -0.1)
})

test('a log-uniform parameter is judged on its log scale', () => {
  const lr: Parameter = { name: 'lr', type: 'double', min: 1e-6, max: 1, distribution: 'logUniform' }
  const trials = sample(2000, 3, (r) => {
    const p = { lr: 10 ** (-6 + 6 * r.next()), noise: r.next() }
    // Best around 1e-4: on a linear scale, all of that sits in the first grid cell with most other trials.
    return { params: p, objective: Math.abs(Math.log10(p.lr) + 4) + 0.3 * p.noise }
  })
  const result = pedAnova([lr, noise], trials, { minimize: true })!
  assert.ok(result.parameters[0]!.importance > 0.8, JSON.stringify(result.parameters))
})

test('categorical and int parameters', () => {
  const optimizer: Parameter = { name: 'optimizer', type: 'categorical', choices: ['sgd', 'adam', 'rmsprop'] }
  const layers: Parameter = { name: 'layers', type: 'int', min: 1, max: 8, distribution: 'uniform' }
  const trials = sample(1500, 4, (r) => {
    const p = { optimizer: optimizer.choices[r.int(3)]!, layers: 1 + r.int(8) }
    return { params: p, objective: (p.optimizer === 'adam' ? 0 : 1) + 0.5 * r.next() }
  })
  const result = pedAnova([optimizer, layers], trials, { minimize: true })!
  assert.ok(result.parameters[0]!.importance > 0.95, JSON.stringify(result.parameters))
})

test('deterministic, and capped by a seeded subsample', () => {
  const trials = sample(3000, 5, (r) => {
    const p = { x: r.next(), noise: r.next() }
    return { params: p, objective: p.x }
  })
  const a = pedAnova([x, noise], trials, { minimize: true, maxTrials: 1000, seed: 9 })!
  const b = pedAnova([x, noise], trials, { minimize: true, maxTrials: 1000, seed: 9 })!
  assert.deepEqual(a, b)
  assert.equal(a.trials, 1000)
  assert.ok(a.parameters[0]!.importance > 0.9)
})

test('too few trials: no estimate', () => {
  assert.equal(pedAnova([x], [{ params: { x: 0.5 }, objective: 1 }], { minimize: true }), undefined)
})

// Its speed is measured in bench/, not asserted here (a busy machine would fail a time limit).
test('10,000 trials of four parameters of every kind: each scored, the importances a distribution', () => {
  const params: Parameter[] = [x, noise, { name: 'k', type: 'int', min: 1, max: 100, distribution: 'uniform' }, { name: 'c', type: 'categorical', choices: ['a', 'b', 'c'] }]
  const trials = sample(10_000, 6, (r) => ({ params: { x: r.next(), noise: r.next(), k: 1 + r.int(100), c: ['a', 'b', 'c'][r.int(3)]! }, objective: r.next() }))
  const result = pedAnova(params, trials, { minimize: true })!
  assert.deepEqual(result.parameters.map((p) => p.name), ['x', 'noise', 'k', 'c'])
  for (const p of result.parameters) assert.ok(Number.isFinite(p.importance) && p.importance >= 0, JSON.stringify(p))
  assert.ok(Math.abs(result.parameters.reduce((sum, p) => sum + p.importance, 0) - 1) < 1e-9, JSON.stringify(result.parameters))
})

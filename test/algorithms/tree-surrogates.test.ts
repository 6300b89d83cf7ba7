import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createRng, deriveSeed } from '../../core/rng.ts'
import type { Params, SearchSpace } from '../../core/search-space.ts'
import type { TrialSnapshot } from '../../core/trial.ts'
import { bayesianOptimizationAlgorithm } from '../../algorithms/gp/bayesian-optimization-definition.ts'
import type { BayesianOptimizationSettings } from '../../algorithms/gp/bayesian-optimization-definition.ts'
import { parseSettings } from '../../algorithms/parse-settings.ts'
import type { RawSetting } from '../../algorithms/parse-settings.ts'
import { RandomSuggester } from '../../algorithms/random/random-suggester.ts'
import type { Suggester } from '../../algorithms/suggester.ts'
import { TREE_ESTIMATORS, fitTreeSurrogate } from '../../algorithms/trees/fit-tree-surrogate.ts'
import { QuantileBoosting, quantile } from '../../algorithms/trees/quantile-boosting.ts'
import { RegressionTree } from '../../algorithms/trees/regression-tree.ts'
import { TreeSuggester } from '../../algorithms/trees/tree-suggester.ts'
import { assertLegal } from './suggester.conformance.ts'
import { makeRequest, makeTrial } from './make-trial.ts'

/** n points of [0,1]^d, row-major, from a seeded stream. */
function uniformPoints(n: number, d: number, seed: number): Float64Array {
  const rng = createRng(seed)
  return Float64Array.from({ length: n * d }, () => rng.next())
}

function evaluateRows(x: Float64Array, n: number, d: number, f: (row: Float64Array) => number): number[] {
  return Array.from({ length: n }, (_, i) => f(x.subarray(i * d, (i + 1) * d)))
}

const smooth = (p: ArrayLike<number>): number => Math.sin(6 * p[0]!) + 2 * (p[1]! - 0.3) ** 2

describe('regression tree', () => {
  it('splits where the squared error drops most and keeps each leaf\'s mean and variance', () => {
    // Two groups along x: {2,3,4} and {100,103,106}; one split at depth 1 separates them.
    const x = Float64Array.from([0.1, 0.2, 0.3, 0.7, 0.8, 0.9])
    const y = [2, 3, 4, 100, 103, 106]
    const tree = RegressionTree.fit(x, 1, y, [0, 1, 2, 3, 4, 5], { splitter: 'best', minSamplesLeaf: 1, maxDepth: 1 })
    assert.equal(tree.nodeCount, 3)
    assert.equal(tree.predict([0.05]), 3)
    assert.equal(tree.predict([0.95]), 103)
    // The cut is half-way between 0.3 and 0.7.
    assert.equal(tree.predict([0.49]), 3)
    assert.equal(tree.predict([0.51]), 103)
    assert.ok(Math.abs(tree.variance[tree.leaf([0.05])]! - 2 / 3) < 1e-12)
    assert.ok(Math.abs(tree.variance[tree.leaf([0.95])]! - 6) < 1e-12)
  })

  it('never leaves fewer than minSamplesLeaf rows in a leaf, with either splitter', () => {
    const n = 40
    const x = uniformPoints(n, 2, 3)
    const y = evaluateRows(x, n, 2, smooth)
    for (const splitter of ['best', 'random'] as const) {
      const tree = RegressionTree.fit(x, 2, y, Array.from({ length: n }, (_, i) => i), { splitter, minSamplesLeaf: 3, maxDepth: Infinity, rng: createRng(1) })
      const counts = new Map<number, number>()
      for (let i = 0; i < n; i++) counts.set(tree.leaf(x, i * 2), (counts.get(tree.leaf(x, i * 2)) ?? 0) + 1)
      assert.ok(counts.size > 3, `${splitter}: ${counts.size} leaves`)
      for (const c of counts.values()) assert.ok(c >= 3, `${splitter}: a leaf with ${c} rows`)
    }
  })
})

describe('tree surrogates (base_estimator RF, ET, GBRT)', () => {
  it('each mean tracks a known function far better than a constant does', () => {
    const d = 2
    const train = uniformPoints(200, d, 11)
    const test = uniformPoints(300, d, 12)
    const yTrain = evaluateRows(train, 200, d, smooth)
    const yTest = evaluateRows(test, 300, d, smooth)
    const testMean = yTest.reduce((a, b) => a + b, 0) / yTest.length
    const constantError = yTest.reduce((a, v) => a + (v - testMean) ** 2, 0) / yTest.length
    for (const kind of TREE_ESTIMATORS) {
      const model = fitTreeSurrogate(kind, train, 200, d, yTrain, createRng(5))
      const error = yTest.reduce((a, v, i) => a + (model.predict(test, i * d).mean - v) ** 2, 0) / yTest.length
      // A constant (the best one, the test mean) explains nothing; the trees explain 90%+.
      assert.ok(error < 0.1 * constantError, `${kind}: mean squared error ${error} against ${constantError} for a constant`)
    }
  })

  it('RF and ET are less certain between clusters of data than at the data', () => {
    // Data on [0, 0.3] and [0.7, 1] of a 1-D function; 0.5 is as far from data as it gets.
    const rng = createRng(5)
    const points: number[] = []
    for (let i = 0; i < 30; i++) points.push(0.3 * rng.next(), 0.7 + 0.3 * rng.next())
    const x = Float64Array.from(points)
    const y = points.map((v) => Math.sin(6 * v))
    for (const kind of ['RF', 'ET'] as const) {
      const model = fitTreeSurrogate(kind, x, points.length, 1, y, createRng(1))
      const far = model.predict([0.5]).sd
      const atData = Math.max(...points.map((_, i) => model.predict(x, i).sd))
      assert.ok(far > 1.5 * atData, `${kind}: sd ${far} at 0.5, up to ${atData} at the data`)
    }
  })

  it('GBRT\'s sd is the spread of y around x: wide where the data are noisy, narrow where they are not', () => {
    // Its quantile models say how much y varies near x (skopt's GBRT), not how little is known there.
    const rng = createRng(8)
    const points: number[] = []
    const y: number[] = []
    for (let i = 0; i < 80; i++) {
      const v = rng.next()
      points.push(v)
      y.push(v < 0.5 ? 1 + 0.01 * rng.normal() : 1 + rng.normal())
    }
    const model = fitTreeSurrogate('GBRT', Float64Array.from(points), points.length, 1, y, createRng(1))
    const quiet = model.predict([0.25]).sd
    const noisy = model.predict([0.75]).sd
    assert.ok(noisy > 0.3 && noisy > 10 * quiet, `sd ${quiet} where y is nearly constant, ${noisy} where it is noisy`)
  })

  it('quantile boosting fits its quantile: about α of the training targets lie below its predictions', () => {
    const n = 200
    const rng = createRng(4)
    const x = Float64Array.from({ length: n }, () => rng.next())
    const y = Array.from(x, (v) => 3 * v + rng.normal())
    for (const alpha of [0.16, 0.5, 0.84]) {
      const model = QuantileBoosting.fit(x, n, 1, y, alpha)
      const below = y.filter((v, i) => v < model.predict(x, i)).length / n
      assert.ok(Math.abs(below - alpha) < 0.08, `α = ${alpha}: ${below} of the targets below`)
    }
    assert.equal(quantile([4, 1, 3, 2], 0.5), 2.5)
    assert.equal(quantile([4, 1, 3, 2], 0), 1)
    assert.equal(quantile([4, 1, 3, 2], 1), 4)
  })

  it('the same seed gives the same model; another seed another forest', () => {
    const train = uniformPoints(60, 2, 2)
    const y = evaluateRows(train, 60, 2, smooth)
    const probe = uniformPoints(20, 2, 9)
    const predictions = (kind: (typeof TREE_ESTIMATORS)[number], seed: number): number[] => {
      const model = fitTreeSurrogate(kind, train, 60, 2, y, createRng(seed))
      return Array.from({ length: 20 }, (_, i) => { const p = model.predict(probe, i * 2); return p.mean + 1000 * p.sd })
    }
    for (const kind of TREE_ESTIMATORS) assert.deepEqual(predictions(kind, 1), predictions(kind, 1), kind)
    assert.notDeepEqual(predictions('RF', 1), predictions('RF', 2))
    assert.notDeepEqual(predictions('ET', 1), predictions('ET', 2))
  })
})

const CUBE3: SearchSpace = ['a', 'b', 'c'].map((name) => ({ name, type: 'double' as const, min: -5, max: 5, distribution: 'uniform' as const }))
const sphere = (p: Params): number => ((p['a'] as number) - 1.3) ** 2 + ((p['b'] as number) + 2.1) ** 2 + ((p['c'] as number) - 0.4) ** 2

function create(settings: readonly RawSetting[]): Suggester {
  const parsed = parseSettings(bayesianOptimizationAlgorithm, settings)
  assert.deepEqual(parsed.issues, [])
  return bayesianOptimizationAlgorithm.create(parsed.settings as BayesianOptimizationSettings)
}

/** Sequential ask/tell; the best value after `budget` trials. */
async function bestAfter(suggester: Suggester, space: SearchSpace, f: (p: Params) => number, seed: number, budget: number): Promise<number> {
  const trials: TrialSnapshot[] = []
  let state: unknown
  for (let n = 0; n < budget; n++) {
    const result = await suggester.suggest({ space, direction: 'minimize', trials, count: 1, rng: createRng(deriveSeed(seed, n)), state })
    state = JSON.parse(JSON.stringify(result.state ?? null))
    trials.push(makeTrial(n, result.suggestions[0]!, { objective: f(result.suggestions[0]!) }))
  }
  return Math.min(...trials.map((t) => t.objective!))
}

describe('bayesianoptimization with a tree surrogate', () => {
  it('creates the tree suggester for RF, ET and GBRT', () => {
    for (const estimator of TREE_ESTIMATORS) assert.ok(create([{ name: 'base_estimator', value: estimator }]) instanceof TreeSuggester, estimator)
    assert.ok(!(create([]) instanceof TreeSuggester))
  })

  it('suggests legal, untried points in batches, with pending trials and every acquisition function', async () => {
    const space: SearchSpace = [
      { name: 'lr', type: 'double', min: 1e-4, max: 1, distribution: 'logUniform' },
      { name: 'layers', type: 'int', min: 1, max: 4, distribution: 'uniform' },
      { name: 'opt', type: 'categorical', choices: ['sgd', 'adam', 'rmsprop'] },
    ]
    const f = (p: Params): number => Math.log10(p['lr'] as number) ** 2 + (p['layers'] as number) + (p['opt'] === 'adam' ? 0 : 1)
    for (const estimator of TREE_ESTIMATORS) {
      const first = await create([{ name: 'base_estimator', value: estimator }, { name: 'n_initial_points', value: '6' }]).suggest(makeRequest(space, { count: 6, seed: 2 }))
      const trials = first.suggestions.map((params, i) => makeTrial(i, params, { objective: f(params) }))
      trials.push(makeTrial(6, { lr: 0.01, layers: 1, opt: 'adam' }, { state: 'Running' }))
      for (const acq of ['gp_hedge', 'EI', 'LCB', 'PI']) {
        const suggester = create([{ name: 'base_estimator', value: estimator }, { name: 'n_initial_points', value: '6' }, { name: 'acq_func', value: acq }])
        const { suggestions } = await suggester.suggest(makeRequest(space, { trials, count: 3, seed: 4, state: first.state }))
        assert.equal(suggestions.length, 3)
        const keys = new Set(trials.map((t) => JSON.stringify(t.params)))
        for (const params of suggestions) {
          assertLegal(space, params)
          assert.ok(!keys.has(JSON.stringify(params)), `${estimator} ${acq}: ${JSON.stringify(params)} repeats a trial`)
          keys.add(JSON.stringify(params))
        }
      }
    }
  })

  it('is deterministic per seed, and its state round-trips through JSON', async () => {
    const history = await (async () => {
      const { suggestions } = await create([{ name: 'base_estimator', value: 'RF' }]).suggest(makeRequest(CUBE3, { count: 10, seed: 3 }))
      return suggestions.map((params, i) => makeTrial(i, params, { objective: sphere(params) }))
    })()
    for (const estimator of TREE_ESTIMATORS) {
      const run = async (seed: number, state: unknown): Promise<unknown> => {
        const result = await create([{ name: 'base_estimator', value: estimator }]).suggest(makeRequest(CUBE3, { trials: history, count: 2, seed, state }))
        return { suggestions: result.suggestions, state: result.state }
      }
      const a = await run(7, undefined) as { state: unknown }
      assert.deepEqual(await run(7, undefined), a, estimator)
      assert.notDeepEqual(await run(8, undefined), a, estimator)
      // The state is plain JSON, and the next call reads it back the same either way.
      const viaJson = JSON.parse(JSON.stringify(a.state)) as unknown
      assert.deepEqual(viaJson, a.state)
      assert.deepEqual(await run(9, viaJson), await run(9, a.state), estimator)
    }
  })

  // Forests need data before they beat random (at 20-30 trials they do not, in our runs: with
  // min_samples_leaf 3 the first trees have a split or two), so the comparison is at 50 trials.
  it('RF beats random search on a 3-D sphere at 50 trials: lower best value on at least 7 of 8 seeds (sign test, p < 0.04)', { timeout: 120_000 }, async () => {
    let wins = 0
    const results: string[] = []
    for (let seed = 0; seed < 8; seed++) {
      const rf = await bestAfter(create([{ name: 'base_estimator', value: 'RF' }, { name: 'n_initial_points', value: '5' }]), CUBE3, sphere, seed, 50)
      const random = await bestAfter(new RandomSuggester(), CUBE3, sphere, seed, 50)
      if (rf < random) wins++
      results.push(`${rf.toFixed(2)} vs ${random.toFixed(2)}`)
    }
    assert.ok(wins >= 7, `RF won ${wins} of 8 seeds (RF vs random): ${results.join(', ')}`)
  })
})

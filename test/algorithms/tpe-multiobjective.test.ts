import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createRng, trialRngs } from '../../core/rng.ts'
import type { Params, SearchSpace } from '../../core/search-space.ts'
import type { TrialSnapshot } from '../../core/trial.ts'
import { hypervolume } from '../../core/multiobjective/hypervolume.ts'
import { parseSettings } from '../../algorithms/parse-settings.ts'
import { RandomSuggester } from '../../algorithms/random/random-suggester.ts'
import { getAlgorithm } from '../../algorithms/registry.ts'
import { sampleParams } from '../../algorithms/sample-parameter.ts'
import type { Direction, SuggestResult, Suggester } from '../../algorithms/suggester.ts'
import { greedyHypervolumeSubset, hypervolumeContributions, referenceFor } from '../../algorithms/tpe/hypervolume-subset.ts'
import { ParzenEstimator } from '../../algorithms/tpe/parzen-estimator.ts'
import { TpeSpace } from '../../algorithms/tpe/tpe-space.ts'
import { TpeSuggester } from '../../algorithms/tpe/tpe-suggester.ts'
import { assertLegal, STEPPED_SPACE } from './suggester.conformance.ts'
import { makeRequest, makeTrial } from './make-trial.ts'
import { multiObjectiveRequest, runHypervolume, vectorTrial, zdt1 } from './multiobjective-run.ts'

const PLANE: SearchSpace = [
  { name: 'x', type: 'double', min: 0, max: 1, distribution: 'uniform' },
  { name: 'y', type: 'double', min: 0, max: 1, distribution: 'uniform' },
]

function history(space: SearchSpace, n: number, f: (p: Params) => number[], seed: number, g?: (p: Params) => number[]): TrialSnapshot[] {
  const rng = createRng(seed)
  return Array.from({ length: n }, (_, i) => {
    const params = sampleParams(space, rng)
    return vectorTrial(i, params, f(params), g?.(params))
  })
}

const ask = (suggester: Suggester, space: SearchSpace, trials: readonly TrialSnapshot[], directions: readonly Direction[], options: { count: number; seed: number; constraints?: number }): SuggestResult =>
  suggester.suggest(multiObjectiveRequest(makeRequest(space, { trials, count: options.count, seed: options.seed }), directions, options.constraints ?? 0)) as SuggestResult

const mean = (ps: readonly Params[], name: string): number => ps.reduce((s, p) => s + (p[name] as number), 0) / ps.length

describe('MOTPE hypervolume tools', () => {
  it('puts the reference 10% beyond the worst value of each coordinate, whatever its sign', () => {
    assert.deepEqual(referenceFor([[1, -2], [3, -4]]), [3.3000000000000003, -1.8])
    assert.deepEqual(referenceFor([[0, 1]]), [1e-12, 1.1])
  })

  it('measures each point\'s exclusive hypervolume', () => {
    const contributions = hypervolumeContributions([[0, 1], [0.5, 0.5], [1, 0], [1, 1]], [2, 2])
    assert.deepEqual(contributions.map((c) => Math.round(c * 1e9) / 1e9), [0.5, 0.25, 0.5, 0])
  })

  it('selects greedily: each pick adds the most hypervolume, and a shorter selection is a prefix', () => {
    const front = [[0, 1], [0.1, 0.6], [0.3, 0.3], [0.6, 0.1], [1, 0]]
    const reference = [1.1, 1.1]
    const picked = greedyHypervolumeSubset(front, 3, reference)
    assert.equal(picked.length, 3)
    // The first pick is the point with the largest hypervolume alone.
    const alone = front.map((p) => hypervolume([p], reference))
    assert.equal(picked[0], alone.indexOf(Math.max(...alone)))
    for (let k = 1; k < 3; k++) {
      const before = hypervolume(picked.slice(0, k).map((i) => front[i]!), reference)
      const gains = front.map((p, i) => (picked.slice(0, k).includes(i) ? -1 : hypervolume([...picked.slice(0, k).map((j) => front[j]!), p], reference) - before))
      assert.equal(gains[picked[k]!], Math.max(...gains))
    }
    assert.deepEqual(greedyHypervolumeSubset(front, 2, reference), picked.slice(0, 2))
    assert.equal(greedyHypervolumeSubset(front, 9, reference).length, 5)
  })
})

describe('censored kernels', () => {
  it('put a kernel\'s mass past a bound on the bound itself, where truncated ones never land', () => {
    const model = new TpeSpace(PLANE)
    // Two observations near the corner (0, 1), 0.1 apart: each kernel's σ is 0.1 (the gap, and
    // the floor range/min(100, 8 + 2)).
    const draw = (censored: boolean): Float64Array => {
      const estimator = new ParzenEstimator(model.dimensions, Float64Array.of(0.05, 0.9, 0.15, 0.95), 2, [1, 1], { priorWeight: 1e-9, clipCount: 8, clipFactor: 1, censored })
      const out = new Float64Array(400 * 2)
      estimator.sample(createRng(3), 400, (_, x) => x, out)
      return out
    }
    const onBound = (points: Float64Array, j: number, bound: number): number => points.filter((x, i) => i % 2 === j && x === bound).length
    const censored = draw(true)
    const truncated = draw(false)
    // P(N(0.05, 0.1) < 0) = 0.31 and P(N(0.15, 0.1) < 0) = 0.07: about 76 of 400 at x = 0;
    // P(N(0.9, 0.1) > 1) = 0.16 and P(N(0.95, 0.1) > 1) = 0.31: about 94 at y = 1.
    assert.ok(onBound(censored, 0, 0) > 50, `${onBound(censored, 0, 0)} of 400 draws at x = 0`)
    assert.ok(onBound(censored, 1, 1) > 60, `${onBound(censored, 1, 1)} of 400 draws at y = 1`)
    assert.equal(onBound(truncated, 0, 0) + onBound(truncated, 1, 1), 0)
    for (const x of censored) assert.ok(x >= 0 && x <= 1)
  })
})

describe('TPE with several objectives and constraints', () => {
  const front = (p: Params): number[] => [p.x as number, 1 - Math.sqrt(p.x as number) + (p.y as number)]

  it('models the good group on the Pareto front: suggestions move to it', () => {
    const trials = history(PLANE, 60, front, 3)
    const { suggestions } = ask(new TpeSuggester(), PLANE, trials, ['minimize', 'minimize'], { count: 10, seed: 4 })
    const before = mean(trials.map((t) => t.params), 'y')
    assert.ok(mean(suggestions, 'y') < before / 3, `suggestions' mean y ${mean(suggestions, 'y')}, history's ${before}`)
  })

  it('reads every objective with its own direction', () => {
    const trials = history(PLANE, 60, (p) => [p.x as number, p.y as number], 5)
    const towards = (second: Direction) => mean(ask(new TpeSuggester(), PLANE, trials, ['minimize', second], { count: 10, seed: 1 }).suggestions, 'y')
    assert.ok(towards('maximize') > 0.6, `${towards('maximize')}`)
    assert.ok(towards('minimize') < 0.4, `${towards('minimize')}`)
  })

  it('puts infeasible trials in the bad group, with one objective or several', () => {
    // Larger x is better, but x > 0.4 breaks the constraint.
    const g = (p: Params): number[] => [(p.x as number) - 0.4]
    for (const directions of [['minimize'], ['minimize', 'minimize']] as Direction[][]) {
      const f = (p: Params): number[] => (directions.length === 1 ? [-(p.x as number)] : [-(p.x as number), p.y as number])
      const trials = history(PLANE, 60, f, 8, g)
      // Near the bound (the feasible front's end) is fair; well past it is not. Twenty single
      // asks, not one batch: a large batch's liars push its later members anywhere.
      const over = (constraints: number): number => Array.from({ length: 20 }, (_, seed) => ask(new TpeSuggester(), PLANE, trials, directions, { count: 1, seed, constraints }).suggestions[0]!)
        .filter((p) => (p.x as number) > 0.6).length
      const constrained = over(1)
      const ignored = over(0)
      assert.ok(constrained <= 2, `${directions.length} objective(s): ${constrained} of 20 well inside the infeasible region`)
      assert.ok(ignored >= 12, `${directions.length} objective(s): ${ignored} of 20 without the constraint`)
    }
  })

  it('with nothing feasible yet, prefers the trials that break the constraints least', () => {
    const trials = history(PLANE, 40, (p) => [p.y as number], 9, (p) => [0.2 + (p.x as number)])
    const { suggestions } = ask(new TpeSuggester(), PLANE, trials, ['minimize'], { count: 10, seed: 3, constraints: 1 })
    assert.ok(mean(suggestions, 'x') < 0.25, `${mean(suggestions, 'x')}`)
  })

  it('leaves single-objective suggestions unchanged by vectors of one value and by constraints all trials keep', () => {
    const plain = history(PLANE, 40, (p) => [((p.x as number) - 0.3) ** 2 + (p.y as number)], 11)
    const withExtras = plain.map((t) => ({ ...t, constraints: [-1, -0.5] }))
    const base = ask(new TpeSuggester(), PLANE, plain.map(({ values: _, ...t }) => t), ['minimize'], { count: 4, seed: 6 })
    assert.deepEqual(ask(new TpeSuggester(), PLANE, plain, ['minimize'], { count: 4, seed: 6 }), base)
    assert.deepEqual(ask(new TpeSuggester(), PLANE, withExtras, ['minimize'], { count: 4, seed: 6, constraints: 2 }), base)
  })

  it('is deterministic, restart-safe and spreads a parallel batch around pending trials', () => {
    const trials = history(STEPPED_SPACE, 30, (p) => [Number(p.layers), -Number(p.units), Number(p.momentum)], 12, (p) => [Number(p.lr) - 0.05])
    const pending = [0, 1, 2].map((i) => makeTrial(30 + i, sampleParams(STEPPED_SPACE, createRng(i)), { state: 'Pending' }))
    const all = [...trials, ...pending]
    const run = () => {
      const streams = trialRngs(5, 33)
      const request = { ...makeRequest(STEPPED_SPACE, { trials: all, count: 5 }), trialCount: 33, rng: streams.streamOf(33), suggestionRng: (i: number) => streams.streamOf(33 + i) }
      return new TpeSuggester().suggest(multiObjectiveRequest(request, ['minimize', 'maximize', 'minimize'], 1))
    }
    const first = run()
    assert.deepEqual(run(), first)
    const keys = new Set(all.map((t) => JSON.stringify(t.params)))
    for (const params of first.suggestions) {
      assertLegal(STEPPED_SPACE, params)
      assert.ok(!keys.has(JSON.stringify(params)), 'a suggestion repeats a trial')
      keys.add(JSON.stringify(params))
    }
  })

  it('copes with objectives near the largest double and with ties', () => {
    const huge = history(PLANE, 30, (p) => [1.65e308 + 1e307 * (p.x as number), 1.65e308 + 1e307 * (p.y as number)], 13)
    const tied = history(PLANE, 30, () => [1, 1], 14)
    for (const trials of [huge, tied]) {
      const { suggestions } = ask(new TpeSuggester(), PLANE, trials, ['minimize', 'minimize'], { count: 3, seed: 1 })
      assert.equal(suggestions.length, 3)
      for (const params of suggestions) assertLegal(PLANE, params)
    }
  })

  for (const name of ['tpe', 'multivariate-tpe']) {
    it(`${name} on ZDT1 finds more hypervolume than random search in 100 trials`, async () => {
      const def = getAlgorithm(name)!
      assert.equal(def.multiObjective, true)
      const problem = zdt1()
      let ours = 0
      let random = 0
      for (const seed of [1, 2, 3]) {
        ours += await runHypervolume(def.create(parseSettings(def, []).settings), problem, 100, seed)
        random += await runHypervolume(new RandomSuggester(), problem, 100, seed)
      }
      assert.ok(ours > random + 5, `${name} ${ours / 3} against random ${random / 3} (mean hypervolume of 3 seeds)`)
    })
  }
})

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createRng, trialRngs } from '../../core/rng.ts'
import type { Params, SearchSpace } from '../../core/search-space.ts'
import type { TrialSnapshot } from '../../core/trial.ts'
import { nonDominatedSort } from '../../core/multiobjective/non-dominated-sort.ts'
import { leadingFronts } from '../../algorithms/leading-fronts.ts'
import { constrainedFronts } from '../../algorithms/nsga2/constrained-fronts.ts'
import { crowdingDistance } from '../../algorithms/nsga2/crowding-distance.ts'
import { nsga2Algorithm } from '../../algorithms/nsga2/nsga2-definition.ts'
import { makeChild } from '../../algorithms/nsga2/variation.ts'
import { parseSettings } from '../../algorithms/parse-settings.ts'
import type { RawSetting } from '../../algorithms/parse-settings.ts'
import { RandomSuggester } from '../../algorithms/random/random-suggester.ts'
import { validateAlgorithm } from '../../algorithms/registry.ts'
import { sampleParams } from '../../algorithms/sample-parameter.ts'
import type { SuggestResult } from '../../algorithms/suggester.ts'
import { TpeSpace } from '../../algorithms/tpe/tpe-space.ts'
import { assertLegal, STEPPED_SPACE } from './suggester.conformance.ts'
import { makeRequest, makeTrial } from './make-trial.ts'
import { multiObjectiveRequest, runHypervolume, vectorTrial, zdt1 } from './multiobjective-run.ts'

const create = (settings: Record<string, string> = {}) => {
  const raw: RawSetting[] = Object.entries(settings).map(([name, value]) => ({ name, value }))
  const parsed = parseSettings(nsga2Algorithm, raw)
  assert.deepEqual(parsed.issues, [])
  return nsga2Algorithm.create(parsed.settings)
}

const PLANE: SearchSpace = [
  { name: 'x', type: 'double', min: 0, max: 1, distribution: 'uniform' },
  { name: 'y', type: 'double', min: 0, max: 1, distribution: 'uniform' },
]

/** `n` random trials on `space` told `f`'s vector (and violations from `g`). */
function history(space: SearchSpace, n: number, f: (p: Params) => number[], seed: number, g?: (p: Params) => number[]): TrialSnapshot[] {
  const rng = createRng(seed)
  return Array.from({ length: n }, (_, i) => {
    const params = sampleParams(space, rng)
    return vectorTrial(i, params, f(params), g?.(params))
  })
}

const both = (p: Params): number[] => [p.x as number, 1 - Math.sqrt(p.x as number) + (p.y as number)]

describe('nsga2 selection pieces', () => {
  it('gives the ends of a front infinite crowding distance and inner points their neighbours\' normalised gaps', () => {
    const d = crowdingDistance([[0, 1], [0.25, 0.5], [0.5, 0.4], [1, 0]])
    assert.equal(d[0], Infinity)
    assert.equal(d[3], Infinity)
    // (0.5 − 0)/1 + (1 − 0.4)/1 and (1 − 0.25)/1 + (0.5 − 0)/1
    assert.ok(Math.abs(d[1]! - 1.1) < 1e-12)
    assert.ok(Math.abs(d[2]! - 1.25) < 1e-12)
    assert.deepEqual(crowdingDistance([[1, 2], [2, 1]]), [Infinity, Infinity])
  })

  it('ranks every feasible front before the infeasible points, those by total violation', () => {
    const points = [[1, 1], [0, 0], [2, 2], [0.5, 3], [3, 0.5], [0, 0]]
    const violations = [0, 2, 0, 0, 0, 1]
    assert.deepEqual(constrainedFronts(points, violations), [[0, 3, 4], [2], [5], [1]])
    assert.deepEqual(constrainedFronts([[0], [1], [2]], [3, 3, 0]), [[2], [0, 1]])
    // Enough feasible points: the infeasible ones are not even ranked.
    assert.deepEqual(constrainedFronts(points, violations, 3), [[0, 3, 4]])
  })

  it('peels only the leading fronts it needs, the same as a full non-dominated sort', () => {
    const rng = createRng(12)
    for (const m of [1, 2, 3]) {
      const points = Array.from({ length: 80 }, () => Array.from({ length: m }, () => Math.round(rng.next() * 10) / 10))
      const all = nonDominatedSort(points)
      const some = leadingFronts(points, 30)
      let held = 0
      for (const [f, front] of some.entries()) {
        assert.deepEqual(front, all[f])
        // Each front but the last was needed to reach 30.
        if (f < some.length - 1) assert.ok(held + front.length < 30)
        held += front.length
      }
      assert.ok(held >= 30)
      assert.deepEqual(leadingFronts(points, Infinity), all)
    }
  })

  it('crosses and mutates within bounds, on the grid, for every parameter kind', () => {
    const model = new TpeSpace(STEPPED_SPACE)
    const rng = createRng(4)
    const a = new Float64Array(model.dimensions.length)
    const b = new Float64Array(model.dimensions.length)
    for (let i = 0; i < 200; i++) {
      model.encode(sampleParams(STEPPED_SPACE, rng), a, 0)
      model.encode(sampleParams(STEPPED_SPACE, rng), b, 0)
      for (const crossover of ['sbx', 'uniform'] as const) {
        const child = makeChild(model.dimensions, a, b, { crossover, crossoverProbability: 0.9, swappingProbability: 0.5, mutationProbability: 0.3 }, rng, (j, x) => model.snap(j, x))
        assertLegal(STEPPED_SPACE, model.decode(child, 0))
      }
    }
  })

  it('without crossover or mutation a child is its first parent', () => {
    const model = new TpeSpace(PLANE)
    const child = makeChild(model.dimensions, Float64Array.of(0.2, 0.7), Float64Array.of(0.9, 0.1), { crossover: 'sbx', crossoverProbability: 0, swappingProbability: 0.5, mutationProbability: 0 }, createRng(1), (j, x) => model.snap(j, x))
    assert.deepEqual(Array.from(child), [0.2, 0.7])
  })
})

describe('nsga2 suggester', () => {
  it('is random for the first population_size trials, then breeds children near the front of the finished trials', async () => {
    const suggester = create({ population_size: '20' })
    const trials = history(PLANE, 40, both, 3)
    // Trials 40-59 are bred from the best 20 of trials 0-39.
    const { suggestions } = await suggester.suggest(multiObjectiveRequest(makeRequest(PLANE, { trials, count: 20, seed: 5 }), ['minimize', 'minimize']))
    const meanY = (ps: readonly Params[]): number => ps.reduce((s, p) => s + (p.y as number), 0) / ps.length
    // The front lies at y = 0: children sit closer to it than the random history does.
    const before = meanY(trials.map((t) => t.params))
    assert.ok(meanY(suggestions) < 0.75 * before, `children's mean y ${meanY(suggestions)} against the history's ${before}`)
    const first = await suggester.suggest(multiObjectiveRequest(makeRequest(PLANE, { trials: trials.slice(0, 10), count: 1, seed: 5 }), ['minimize', 'minimize']))
    const random = new RandomSuggester().suggest(makeRequest(PLANE, { trials: trials.slice(0, 10), count: 1, seed: 5 }))
    assert.deepEqual(first.suggestions, random.suggestions)
  })

  it('follows each objective\'s direction', async () => {
    const trials = history(PLANE, 40, (p) => [p.x as number, p.y as number], 6)
    const ask = async (second: 'minimize' | 'maximize'): Promise<Params[]> =>
      [...(await create({ population_size: '20' }).suggest(multiObjectiveRequest(makeRequest(PLANE, { trials, count: 20, seed: 2 }), ['minimize', second]))).suggestions]
    const meanY = (ps: readonly Params[]): number => ps.reduce((s, p) => s + (p.y as number), 0) / ps.length
    assert.ok(meanY(await ask('maximize')) > meanY(await ask('minimize')) + 0.3)
  })

  it('breeds from feasible trials: infeasible ones only where nothing better is left', async () => {
    // Better objectives for larger x, but x > 0.4 breaks the constraint.
    const f = (p: Params): number[] => [-(p.x as number), -(p.y as number)]
    const g = (p: Params): number[] => [(p.x as number) - 0.4]
    const trials = history(PLANE, 60, f, 8, g)
    const asked = await create({ population_size: '10' }).suggest(multiObjectiveRequest(makeRequest(PLANE, { trials, count: 30, seed: 1 }), ['minimize', 'minimize'], 1))
    const unconstrained = await create({ population_size: '10' }).suggest(multiObjectiveRequest(makeRequest(PLANE, { trials, count: 30, seed: 1 }), ['minimize', 'minimize']))
    const over = (r: SuggestResult): number => r.suggestions.filter((p) => (p.x as number) > 0.5).length
    assert.ok(over(asked) <= 3, `${over(asked)} of 30 far into the infeasible region`)
    assert.ok(over(unconstrained) >= 15, `${over(unconstrained)} of 30 without the constraint`)
  })

  it('is deterministic, restart-safe and gives trial n the same parameters however the asks were batched', async () => {
    const trials = history(STEPPED_SPACE, 30, (p) => [Number(p.layers), -Number(p.units)], 2)
    const ask = async (count: number, first: number, pending: readonly Params[]): Promise<readonly Params[]> => {
      const streams = trialRngs(77, first)
      const all = [...trials, ...pending.map((params, i) => makeTrial(30 + i, params, { state: 'Pending' }))]
      const request = { ...makeRequest(STEPPED_SPACE, { trials: all, count }), trialCount: first, rng: streams.streamOf(first), suggestionRng: (i: number) => streams.streamOf(first + i) }
      // A fresh suggester each time: a restarted controller builds a new one from the settings.
      return (await create({ population_size: '10' }).suggest(multiObjectiveRequest(request, ['minimize', 'minimize']))).suggestions
    }
    const batch = await ask(6, 30, [])
    assert.equal(new Set(batch.map((p) => JSON.stringify(p))).size, 6)
    for (const params of batch) assertLegal(STEPPED_SPACE, params)
    assert.deepEqual(await ask(6, 30, []), batch)
    const oneByOne: Params[] = []
    for (let i = 0; i < 6; i++) oneByOne.push(...(await ask(1, 30 + i, oneByOne)))
    assert.deepEqual(oneByOne, batch)
    const split = [...(await ask(2, 30, [])), ...(await ask(4, 32, batch.slice(0, 2)))]
    assert.deepEqual(split, batch)
  })

  it('on ZDT1 finds more hypervolume than random search in 100 trials', async () => {
    const problem = zdt1()
    let ours = 0
    let random = 0
    for (const seed of [1, 2, 3]) {
      ours += await runHypervolume(create({ population_size: '10' }), problem, 100, seed)
      random += await runHypervolume(new RandomSuggester(), problem, 100, seed)
    }
    assert.ok(ours > random + 5, `nsga2 ${ours / 3} against random ${random / 3} (mean hypervolume of 3 seeds)`)
  })

  it('warns when the budget never leaves the random initial population, and refuses bad settings at their path', () => {
    const budget = { maxTrialCount: 40, parallelTrialCount: 2 }
    const result = validateAlgorithm('nsga2', [], PLANE, budget)
    assert.deepEqual(result.issues, [])
    assert.match(result.warnings.map((w) => w.message).join('\n'), /maxTrialCount 40 is not above population_size 50/)
    const bad = validateAlgorithm('nsga2', [{ name: 'random_state', value: '1' }, { name: 'population_size', value: '1' }], PLANE, budget)
    assert.equal(bad.issues[0]!.path, '/algorithmSettings/1/value')
    assert.equal(validateAlgorithm('nsga2', [{ name: 'crossover', value: 'blx' }], PLANE, budget).issues[0]!.path, '/algorithmSettings/0/value')
    assert.equal(nsga2Algorithm.multiObjective, true)
  })
})

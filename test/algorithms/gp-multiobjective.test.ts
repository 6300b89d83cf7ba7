import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createRng } from '../../core/rng.ts'
import type { Params, SearchSpace } from '../../core/search-space.ts'
import type { TrialSnapshot } from '../../core/trial.ts'
import { GpSuggester } from '../../algorithms/gp/gp-suggester.ts'
import { getAlgorithm } from '../../algorithms/registry.ts'
import { parseSettings } from '../../algorithms/parse-settings.ts'
import { RandomSuggester } from '../../algorithms/random/random-suggester.ts'
import { sampleParams } from '../../algorithms/sample-parameter.ts'
import type { Direction, SuggestResult } from '../../algorithms/suggester.ts'
import { makeRequest, makeTrial } from './make-trial.ts'
import { describeSuggesterConformance } from './suggester.conformance.ts'
import { multiObjectiveRequest, runHypervolume, vectorTrial, zdt1 } from './multiobjective-run.ts'

type Method = 'parego' | 'smsego'
const gp = (method: Method = 'parego'): GpSuggester => new GpSuggester({ initialPoints: 10, acquisition: 'gp_hedge', localSearch: true, multiObjective: method })

const PLANE: SearchSpace = [
  { name: 'x', type: 'double', min: 0, max: 1, distribution: 'uniform' },
  { name: 'y', type: 'double', min: 0, max: 1, distribution: 'uniform' },
]

function zdtHistory(n: number, seed: number, d = 4): TrialSnapshot[] {
  const problem = zdt1(d)
  const rng = createRng(seed)
  return Array.from({ length: n }, (_, i) => {
    const params = sampleParams(problem.space, rng)
    return vectorTrial(i, params, problem.evaluate(params))
  })
}

function ask(trials: readonly TrialSnapshot[], directions: readonly Direction[], options: { space?: SearchSpace; count?: number; seed?: number; state?: unknown; constraints?: number; method?: Method } = {}): SuggestResult {
  const space = options.space ?? zdt1(4).space
  const base = makeRequest(space, { trials, count: options.count ?? 1, seed: options.seed ?? 1, state: options.state })
  return gp(options.method).suggest(multiObjectiveRequest(base, directions, options.constraints ?? 0)) as SuggestResult
}

const MIN2: Direction[] = ['minimize', 'minimize']

for (const method of ['parego', 'smsego'] as const) describe(`bayesianoptimization with several objectives (${method})`, () => {
  it('accepts several objectives, and the method is a setting', () => {
    const definition = getAlgorithm('bayesianoptimization')!
    assert.equal(definition.multiObjective, true)
    assert.equal(parseSettings(definition, [{ name: 'multi_objective', value: method }]).issues.length, 0)
    assert.match(parseSettings(definition, [{ name: 'multi_objective', value: 'ehvi' }]).issues[0]!.message, /parego.*smsego|smsego.*parego/)
  })

  it('is seeded: the same request gives the same points, another seed others', () => {
    const trials = zdtHistory(14, 2)
    const a = ask(trials, MIN2, { seed: 5, method })
    assert.deepEqual(ask(trials, MIN2, { seed: 5, method }).suggestions, a.suggestions)
    assert.notDeepEqual(ask(trials, MIN2, { seed: 6, method }).suggestions, a.suggestions)
  })

  it('is restart-safe: state passed through JSON, as the service stores it, suggests the same', () => {
    const trials = zdtHistory(14, 3)
    const first = ask(trials, MIN2, { seed: 1, method })
    const next = vectorTrial(14, first.suggestions[0]!, zdt1(4).evaluate(first.suggestions[0]!))
    const live = ask([...trials, next], MIN2, { seed: 2, state: first.state, method })
    const restored = ask([...trials, next], MIN2, { seed: 2, state: JSON.parse(JSON.stringify(first.state)), method })
    assert.deepEqual(restored.suggestions, live.suggestions)
    // A lost state (a fresh controller without it) still suggests legal, new points.
    const lost = ask([...trials, next], MIN2, { seed: 2, state: null, method })
    assert.equal(lost.suggestions.length, 1)
  })

  it('asks in parallel: a batch beside pending trials gives distinct points away from the pending ones', () => {
    const done = zdtHistory(14, 4)
    const pending = [0, 1].map((k) => makeTrial(14 + k, sampleParams(zdt1(4).space, createRng(90 + k)), { state: 'Running' }))
    const { suggestions } = ask([...done, ...pending], MIN2, { count: 3, seed: 3, method })
    assert.equal(suggestions.length, 3)
    const keys = new Set([...suggestions, ...pending.map((t) => t.params)].map((p) => JSON.stringify(p)))
    assert.equal(keys.size, 5, 'no suggestion repeats another or a pending trial')
  })

  it('reads maximised objectives by their direction: flipping a sign and its direction changes nothing', () => {
    const trials = zdtHistory(14, 5)
    const flipped = trials.map((t) => ({ ...t, values: [t.values![0]!, -t.values![1]!] }))
    assert.deepEqual(ask(flipped, ['minimize', 'maximize'], { seed: 4, method }).suggestions, ask(trials, MIN2, { seed: 4, method }).suggestions)
  })

  it('learns ZDT1: more hypervolume than random search after 25 trials on each of 3 seeds', async () => {
    const problem = zdt1(5)
    for (const seed of [1, 2, 3]) {
      const ours = await runHypervolume(gp(method), problem, 25, seed)
      const random = await runHypervolume(new RandomSuggester(), problem, 25, seed)
      assert.ok(ours > random, `seed ${seed}: ${ours} vs random ${random}`)
    }
  })

  it('with constraints: suggestions that trade the objectives off inside the feasible part', () => {
    // Minimise (x, 1 − x + y) subject to x >= 0.6.
    const rng = createRng(7)
    const violation = (p: Params): number => 0.6 - (p['x'] as number)
    const trials = Array.from({ length: 20 }, (_, i) => {
      const params = sampleParams(PLANE, rng)
      return vectorTrial(i, params, [params['x'] as number, 1 - (params['x'] as number) + (params['y'] as number)], [violation(params)])
    })
    const { suggestions } = ask(trials, MIN2, { space: PLANE, seed: 7, count: 2, constraints: 1, method })
    for (const p of suggestions) assert.ok(violation(p) <= 0.05 && (p['y'] as number) < 0.2, JSON.stringify(p))
    // Without the constraint the same history sends at least one point below x = 0.6.
    const free = ask(trials.map((t) => ({ ...t, constraints: undefined })), MIN2, { space: PLANE, seed: 7, count: 4, method })
    assert.ok(free.suggestions.some((p) => violation(p) > 0.05), JSON.stringify(free.suggestions))
  })
})

describe('bayesianoptimization with constraints (probability of feasibility)', () => {
  // Minimise x + y subject to x >= 0.6: the violation 0.6 − x; the constrained optimum is (0.6, 0).
  const objective = (p: Params): number => (p['x'] as number) + (p['y'] as number)
  const violation = (p: Params): number => 0.6 - (p['x'] as number)
  const history = (n: number, seed: number, filter: (p: Params) => boolean = () => true): TrialSnapshot[] => {
    const rng = createRng(seed)
    const out: TrialSnapshot[] = []
    while (out.length < n) {
      const params = sampleParams(PLANE, rng)
      if (filter(params)) out.push(makeTrial(out.length, params, { objective: objective(params), constraints: [violation(params)] }))
    }
    return out
  }

  it('single objective: suggests near the constrained optimum, where without the constraint it goes to the free one', () => {
    for (const seed of [1, 2]) {
      const trials = history(20, seed)
      const constrained = ask(trials, ['minimize'], { space: PLANE, seed, constraints: 1 }).suggestions[0]!
      assert.ok(violation(constrained) <= 0.05, `seed ${seed}: x = ${constrained['x']} should be >= 0.6`)
      assert.ok(objective(constrained) < 0.85, `seed ${seed}: ${JSON.stringify(constrained)}`)
      const free = ask(trials, ['minimize'], { space: PLANE, seed }).suggestions[0]!
      assert.ok((free['x'] as number) < 0.4, `seed ${seed}: unconstrained x = ${free['x']}`)
    }
  })

  it('with nothing feasible yet it heads for feasibility', () => {
    const trials = history(15, 3, (p) => (p['x'] as number) < 0.5)
    const { suggestions } = ask(trials, ['minimize'], { space: PLANE, seed: 3, constraints: 1 })
    assert.ok((suggestions[0]!['x'] as number) > 0.5, `x = ${suggestions[0]!['x']}`)
  })

  it('without constraints or a second objective the request is the plain single-objective one', () => {
    const trials = history(14, 4).map((t) => ({ ...t, constraints: undefined }))
    const plain = gp().suggest(makeRequest(PLANE, { trials, seed: 2 })) as SuggestResult
    const explicit = gp().suggest({ ...makeRequest(PLANE, { trials, seed: 2 }), directions: ['minimize'], constraintCount: 0 }) as SuggestResult
    assert.deepEqual(explicit.suggestions, plain.suggestions)
  })
})

// registry.test.ts runs the conformance suite on the default (smsego); ParEGO is the other path.
describeSuggesterConformance('bayesianoptimization', getAlgorithm('bayesianoptimization')!, [{ name: 'multi_objective', value: 'parego' }])

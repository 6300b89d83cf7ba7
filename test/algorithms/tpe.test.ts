import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createRng, deriveSeed } from '../../core/rng.ts'
import type { Params, SearchSpace } from '../../core/search-space.ts'
import type { TrialSnapshot, TrialState } from '../../core/trial.ts'
import { parseSettings } from '../../algorithms/parse-settings.ts'
import { RandomSuggester } from '../../algorithms/random/random-suggester.ts'
import { validateAlgorithm } from '../../algorithms/registry.ts'
import { sampleParams } from '../../algorithms/sample-parameter.ts'
import type { SuggestResult, Suggester } from '../../algorithms/suggester.ts'
import { recencyWeights } from '../../algorithms/tpe/recency-weights.ts'
import { hyperoptGamma, optunaGamma, selectSmallest } from '../../algorithms/tpe/split-trials.ts'
import { tpeAlgorithm } from '../../algorithms/tpe/tpe-definitions.ts'
import { TpeSuggester } from '../../algorithms/tpe/tpe-suggester.ts'
import { assertLegal, CONTINUOUS_SPACE, STEPPED_SPACE } from './suggester.conformance.ts'
import { makeRequest, makeTrial } from './make-trial.ts'

const PLANE: SearchSpace = [
  { name: 'x', type: 'double', min: -1, max: 1, distribution: 'uniform' },
  { name: 'y', type: 'double', min: -1, max: 1, distribution: 'uniform' },
]
const bowl = (p: Params): number => ((p.x as number) - 0.3) ** 2 + ((p.y as number) + 0.2) ** 2

/** `n` random trials on `space`, scored by `f`, all succeeded unless `state` says otherwise. */
function randomHistory(space: SearchSpace, n: number, f: (p: Params) => number, seed: number, state: TrialState = 'Succeeded'): TrialSnapshot[] {
  const rng = createRng(seed)
  return Array.from({ length: n }, (_, i) => {
    const params = sampleParams(space, rng)
    return makeTrial(i, params, state === 'Succeeded' ? { objective: f(params) } : { state })
  })
}

const suggestWith = (suggester: Suggester, space: SearchSpace, options: Parameters<typeof makeRequest>[1]): SuggestResult =>
  suggester.suggest(makeRequest(space, options)) as SuggestResult

const distance = (a: Params, b: Params): number => Math.hypot((a.x as number) - (b.x as number), (a.y as number) - (b.y as number))

describe('TPE split and weights', () => {
  it('splits by Optuna\'s γ(n) = min(⌈n/10⌉, 25) and hyperopt\'s ⌈gamma·√n⌉ capped at 25', () => {
    assert.deepEqual([0, 1, 10, 11, 95, 250, 5000].map(optunaGamma), [0, 1, 1, 2, 10, 25, 25])
    const hyperopt = hyperoptGamma(0.25)
    assert.deepEqual([1, 16, 17, 100, 10000, 1e6].map(hyperopt), [1, 1, 2, 3, 25, 25])
  })

  it('selects the k smallest values, ties to the earlier trial, and ignores +Infinity rows', () => {
    const values = [5, 1, 3, 1, Infinity, 0, 3]
    assert.deepEqual(Array.from(selectSmallest(values, values.length, 3)), [0, 1, 0, 1, 0, 1, 0])
    assert.deepEqual(Array.from(selectSmallest(values, values.length, 4)), [0, 1, 1, 1, 0, 1, 0])
    assert.deepEqual(Array.from(selectSmallest(values, values.length, 0)), [0, 0, 0, 0, 0, 0, 0])
    assert.equal(selectSmallest([2, Infinity, 1], 3, 2).reduce((a, b) => a + b, 0), 2)
    assert.equal(selectSmallest([2, Infinity, 1], 3, 2)[1], 0)
  })

  it('weighs all trials 1 below 25, then ramps the oldest from 1/n up to 1', () => {
    assert.deepEqual(Array.from(recencyWeights(24)), new Array(24).fill(1))
    const w = recencyWeights(40)
    assert.ok(Math.abs(w[0]! - 1 / 40) < 1e-12)
    assert.ok(Math.abs(w[14]! - 1) < 1e-12)
    for (let i = 1; i < 40; i++) assert.ok(w[i]! >= w[i - 1]!)
    assert.deepEqual(Array.from(w.subarray(15)), new Array(25).fill(1))
  })
})

describe('TPE suggester', () => {
  it('ranks early-stopped trials by how far they got, then by their last value (Optuna\'s pruned order)', () => {
    const rng = createRng(8)
    const near = (cx: number, cy: number): Params => ({ x: cx + 0.1 * (rng.next() - 0.5), y: cy + 0.1 * (rng.next() - 0.5) })
    // Far along but higher values near (0.5, 0.5); lower values but stopped at step 1 near (-0.5, -0.5).
    const trials: TrialSnapshot[] = []
    for (let i = 0; i < 40; i++) {
      const far = i % 2 === 0
      trials.push(makeTrial(i, far ? near(0.5, 0.5) : near(-0.5, -0.5), {
        state: 'EarlyStopped',
        intermediate: far ? [{ step: 1, value: 0.9 }, { step: 27, value: 0.5 }] : [{ step: 1, value: 0.1 }],
      }))
    }
    const { suggestions } = suggestWith(new TpeSuggester(), PLANE, { trials, count: 8, seed: 3 })
    const closer = suggestions.filter((p) => distance(p, { x: 0.5, y: 0.5 }) < distance(p, { x: -0.5, y: -0.5 })).length
    assert.ok(closer >= 7, `${closer} of 8 suggestions near the trials that got furthest`)
  })

  it('suggests legal values of every parameter kind once the model runs, multivariate or not', () => {
    for (const multivariate of [true, false]) {
      for (const space of [STEPPED_SPACE, CONTINUOUS_SPACE]) {
        const suggester = new TpeSuggester({ multivariate })
        const trials = randomHistory(space, 30, (p) => Object.values(p).join().length, 4)
        const { suggestions } = suggestWith(suggester, space, { trials, count: 6, seed: 2 })
        assert.equal(suggestions.length, 6)
        for (const params of suggestions) assertLegal(space, params)
      }
    }
  })

  it('is deterministic for the same seed and history, and not for another seed', () => {
    const trials = randomHistory(PLANE, 25, bowl, 1)
    const suggester = new TpeSuggester()
    assert.deepEqual(suggestWith(suggester, PLANE, { trials, count: 3, seed: 7 }), suggestWith(new TpeSuggester(), PLANE, { trials, count: 3, seed: 7 }))
    assert.notDeepEqual(suggestWith(suggester, PLANE, { trials, count: 3, seed: 7 }).suggestions, suggestWith(suggester, PLANE, { trials, count: 3, seed: 8 }).suggestions)
  })

  it('treats maximising f exactly like minimising −f', () => {
    const trials = randomHistory(PLANE, 30, bowl, 2)
    const negated = trials.map((t) => ({ ...t, objective: -t.objective! }))
    const suggester = new TpeSuggester()
    const minimised = suggestWith(suggester, PLANE, { trials, count: 4, seed: 3 })
    const maximised = suggestWith(suggester, PLANE, { trials: negated, direction: 'maximize', count: 4, seed: 3 })
    assert.deepEqual(maximised, minimised)
    const wrongWay = suggestWith(suggester, PLANE, { trials: negated, count: 4, seed: 3 })
    assert.notDeepEqual(wrongWay.suggestions, minimised.suggestions)
  })

  it('concentrates near the best trials: suggestions land closer to the optimum than the history', () => {
    const trials = randomHistory(PLANE, 40, bowl, 3)
    const { suggestions } = suggestWith(new TpeSuggester(), PLANE, { trials, count: 10, seed: 1 })
    const median = (xs: number[]): number => xs.sort((a, b) => a - b)[xs.length >> 1]!
    assert.ok(median(suggestions.map(bowl)) < median(trials.map((t) => t.objective!)) / 4)
  })

  it('spreads a batch with the constant liar: pending suggestions push the next ones away', () => {
    const batchSpread: number[] = []
    const independentSpread: number[] = []
    for (let seed = 0; seed < 5; seed++) {
      const trials = randomHistory(PLANE, 30, bowl, 100 + seed)
      const suggester = new TpeSuggester()
      const batch = suggestWith(suggester, PLANE, { trials, count: 8, seed }).suggestions
      // The same eight requests without liars: each sees only the finished history.
      const alone = Array.from({ length: 8 }, (_, i) => suggestWith(suggester, PLANE, { trials, count: 1, seed: seed * 10 + i }).suggestions[0]!)
      const meanPairwise = (ps: readonly Params[]): number => {
        let total = 0
        for (let i = 0; i < ps.length; i++) for (let j = i + 1; j < ps.length; j++) total += distance(ps[i]!, ps[j]!)
        return total / ((ps.length * (ps.length - 1)) / 2)
      }
      assert.equal(new Set(batch.map((p) => JSON.stringify(p))).size, 8)
      batchSpread.push(meanPairwise(batch))
      independentSpread.push(meanPairwise(alone))
    }
    for (let seed = 0; seed < 5; seed++) assert.ok(batchSpread[seed]! > independentSpread[seed]!, `seed ${seed}: ${batchSpread[seed]} vs ${independentSpread[seed]}`)
  })

  it('treats running and pending trials as bad: a suggestion moves off a point already being evaluated', () => {
    const trials = randomHistory(PLANE, 30, bowl, 9)
    const suggester = new TpeSuggester()
    const free = suggestWith(suggester, PLANE, { trials, count: 1, seed: 4 }).suggestions[0]!
    // Ten workers already evaluate points right at the free choice.
    const busy = Array.from({ length: 10 }, (_, i) => makeTrial(30 + i, { x: (free.x as number) + 0.002 * (i - 4.5), y: free.y as number }, { state: i % 2 ? 'Running' : 'Pending' }))
    const crowded = suggestWith(suggester, PLANE, { trials: [...trials, ...busy], count: 1, seed: 4 }).suggestions[0]!
    assert.ok(distance(free, crowded) > 0.05, `moved only ${distance(free, crowded)}`)
  })

  it('never repeats a point any trial has used when an untried one is available', () => {
    const small: SearchSpace = [{ name: 'k', type: 'int', min: 0, max: 9, distribution: 'uniform' }, { name: 'c', type: 'categorical', choices: ['a', 'b'] }]
    const f = (p: Params): number => Math.abs((p.k as number) - 4) + (p.c === 'a' ? 0 : 1)
    const trials = randomHistory(small, 12, f, 5).map((t, i) => (i === 11 ? { ...t, state: 'Failed' as const, objective: undefined } : t))
    const { suggestions } = suggestWith(new TpeSuggester(), small, { trials, count: 5, seed: 1 })
    const keys = [...trials.map((t) => t.params), ...suggestions].map((p) => `${p.k}/${p.c}`)
    assert.equal(new Set(keys).size, new Set(trials.map((t) => `${t.params.k}/${t.params.c}`)).size + 5)
  })

  it('makes exactly n_startup_trials random suggestions, counting pending work and the batch, not failures', () => {
    const startup = 5
    const suggester = new TpeSuggester({ nStartupTrials: startup })
    const random = (seed: number, count: number): Params[] => {
      const rng = createRng(seed)
      return Array.from({ length: count }, () => sampleParams(PLANE, rng))
    }
    // 3 succeeded + 1 running + 2 failed: one more random suggestion, then the model.
    const trials = [
      ...randomHistory(PLANE, 3, bowl, 11),
      makeTrial(3, { x: 0.9, y: 0.9 }, { state: 'Running' }),
      makeTrial(4, { x: -0.9, y: 0.9 }, { state: 'Failed' }),
      makeTrial(5, { x: 0.9, y: -0.9 }, { state: 'Killed' }),
    ]
    const { suggestions } = suggestWith(suggester, PLANE, { trials, count: 3, seed: 21 })
    const expected = random(21, 3)
    assert.deepEqual(suggestions[0], expected[0])
    assert.notDeepEqual(suggestions[1], expected[1])
    // Only failures so far: everything stays random, however many there are.
    const failed = randomHistory(PLANE, 8, bowl, 12, 'Failed')
    assert.deepEqual(suggestWith(suggester, PLANE, { trials: failed, count: 3, seed: 22 }).suggestions, random(22, 3))
    // A whole first batch of 8 with n_startup_trials 5: five random, then the model.
    const first = suggestWith(new TpeSuggester({ nStartupTrials: 5 }), PLANE, { trials: [], count: 8, seed: 23 }).suggestions
    assert.deepEqual(first, random(23, 8).slice(0, 5).concat(first.slice(5)))
  })

  it('beats random search on a 2-D quadratic: lower median regret after 60 trials', () => {
    const run = (suggester: Suggester, seed: number): number => {
      const trials: TrialSnapshot[] = []
      let best = Infinity
      for (let n = 0; n < 60; n++) {
        const result = suggester.suggest({ space: PLANE, direction: 'minimize', trials, count: 1, rng: createRng(deriveSeed(seed, n)), state: undefined }) as SuggestResult
        const params = result.suggestions[0]!
        const value = bowl(params)
        best = Math.min(best, value)
        trials.push(makeTrial(n, params, { objective: value }))
      }
      return best
    }
    const median = (xs: number[]): number => xs.sort((a, b) => a - b)[xs.length >> 1]!
    const seeds = [0, 1, 2, 3, 4, 5, 6]
    const tpe = median(seeds.map((seed) => run(tpeAlgorithm.create(parseSettings(tpeAlgorithm, []).settings), seed)))
    const random = median(seeds.map((seed) => run(new RandomSuggester(), seed)))
    assert.ok(tpe < random / 5, `tpe ${tpe} vs random ${random}`)
  })
})

describe('TPE settings', () => {
  const issues = (name: 'tpe' | 'multivariate-tpe', settings: Record<string, string>): string[] =>
    validateAlgorithm(name, Object.entries(settings).map(([key, value]) => ({ name: key, value })), PLANE, { parallelTrialCount: 1 }).issues.map((i) => i.message)

  it('accepts Katib\'s hyperopt settings for tpe and Optuna\'s for multivariate-tpe', () => {
    assert.deepEqual(issues('tpe', { gamma: '0.25', prior_weight: '1.5', n_EI_candidates: '48', random_state: '7', n_startup_trials: '0', multivariate: 'false' }), [])
    assert.deepEqual(issues('multivariate-tpe', { n_startup_trials: '5', n_ei_candidates: '10', random_state: '0' }), [])
  })

  it('rejects out-of-range values and unknown names with messages that say what is allowed', () => {
    assert.deepEqual(issues('tpe', { gamma: '1.5' }), ['setting "gamma" must be a number > 0 and < 1, got "1.5"'])
    assert.match(issues('tpe', { prior_weight: '0' })[0]!, /prior_weight.*> 0/)
    assert.match(issues('tpe', { n_EI_candidates: '0' })[0]!, /n_EI_candidates.*>= 1/)
    assert.match(issues('tpe', { n_startup_trials: '-1' })[0]!, /n_startup_trials.*>= 0/)
    assert.match(issues('tpe', { multivariate: 'yes' })[0]!, /multivariate.*one of true, false/)
    assert.match(issues('multivariate-tpe', { gamma: '0.2' })[0]!, /unknown setting "gamma".*n_startup_trials, n_ei_candidates, random_state/)
    assert.match(issues('multivariate-tpe', { n_EI_candidates: '5' })[0]!, /did you mean "n_ei_candidates"/)
  })

  it('rejects a log distribution with min ≤ 0 at creation', () => {
    const space: SearchSpace = [{ name: 'lr', type: 'double', min: 0, max: 1, distribution: 'logUniform' }]
    const result = validateAlgorithm('tpe', [], space, { parallelTrialCount: 1 })
    assert.equal(result.issues.length, 1)
    assert.equal(result.issues[0]!.path, '/spec/parameters/0/feasibleSpace/min')
  })

  it('passes the settings on: n_startup_trials and gamma change what is suggested', () => {
    const trials = randomHistory(PLANE, 30, bowl, 13)
    const suggest = (settings: Record<string, string>): SuggestResult => {
      const parsed = parseSettings(tpeAlgorithm, Object.entries(settings).map(([name, value]) => ({ name, value })))
      return tpeAlgorithm.create(parsed.settings).suggest(makeRequest(PLANE, { trials, count: 2, seed: 5 })) as SuggestResult
    }
    const rng = createRng(5)
    const randomPair = [sampleParams(PLANE, rng), sampleParams(PLANE, rng)]
    assert.deepEqual(suggest({ n_startup_trials: '40' }).suggestions, randomPair)
    assert.notDeepEqual(suggest({}).suggestions, randomPair)
    assert.notDeepEqual(suggest({ gamma: '0.9' }).suggestions, suggest({}).suggestions)
    assert.notDeepEqual(suggest({ multivariate: 'false' }).suggestions, suggest({}).suggestions)
  })
})

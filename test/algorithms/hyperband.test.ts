import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Params, SearchSpace } from '../../core/search-space.ts'
import type { TrialSnapshot } from '../../core/trial.ts'
import { hyperbandSchedule, maxBracketIndex } from '../../algorithms/hyperband/bracket-schedule.ts'
import { hyperbandAlgorithm } from '../../algorithms/hyperband/hyperband-definition.ts'
import { parseSettings } from '../../algorithms/parse-settings.ts'
import type { RawSetting } from '../../algorithms/parse-settings.ts'
import { validateAlgorithm } from '../../algorithms/registry.ts'
import type { SuggestResult } from '../../algorithms/suggester.ts'
import { askAlgorithm } from '../../suggestion/ask-algorithm.ts'
import { describeSuggesterConformance } from './suggester.conformance.ts'
import { makeRequest, makeTrial } from './make-trial.ts'

// The registry test runs the conformance suite once per algorithm; this is the sampler variant.
describeSuggesterConformance('hyperband (sampler tpe)', hyperbandAlgorithm, [
  { name: 'r_l', value: '8' }, { name: 'eta', value: '2' }, { name: 'resource_name', value: 'layers' }, { name: 'sampler', value: 'tpe' },
])

const SPACE: SearchSpace = [
  { name: 'x', type: 'double', min: 0, max: 1, distribution: 'uniform' },
  { name: 'y', type: 'double', min: 0, max: 1, distribution: 'uniform' },
  { name: 'epochs', type: 'int', min: 1, max: 81, distribution: 'uniform' },
]
const settingsOf = (extra: Record<string, string> = {}): RawSetting[] =>
  Object.entries({ r_l: '81', eta: '3', resource_name: 'epochs', ...extra }).map(([name, value]) => ({ name, value }))
const create = (extra: Record<string, string> = {}) => hyperbandAlgorithm.create(parseSettings(hyperbandAlgorithm, settingsOf(extra)).settings)

/** Lower is better; the resource improves every configuration, as training does. */
const loss = (p: Params): number => ((p.x as number) - 0.3) ** 2 + ((p.y as number) - 0.6) ** 2 + 1 / (p.epochs as number)

/** A sequential experiment: ask `count`, run all of them, repeat, until `rounds` or exhausted. */
function simulate(options: { extra?: Record<string, string>; count?: number; maxTrials?: number; direction?: 'minimize' | 'maximize' }) {
  const suggester = create(options.extra)
  const trials: TrialSnapshot[] = []
  const parents: (string | null)[] = []
  let state: unknown
  let last: SuggestResult | undefined
  while (trials.length < (options.maxTrials ?? 10_000)) {
    last = suggester.suggest(makeRequest(SPACE, { trials, count: options.count ?? 1, seed: trials.length, state, direction: options.direction ?? 'minimize' })) as SuggestResult
    state = JSON.parse(JSON.stringify(last.state))
    if (last.suggestions.length === 0) break
    last.suggestions.forEach((params, i) => {
      const value = loss(params)
      trials.push(makeTrial(trials.length, params, { objective: options.direction === 'maximize' ? -value : value }))
      parents.push(last!.parents?.[i] ?? null)
    })
  }
  return { trials, parents, last: last! }
}

describe('hyperband bracket arithmetic (Li et al. 2018)', () => {
  it('gives the paper\'s table for R = 81, eta = 3', () => {
    const schedule = hyperbandSchedule(81, 3)
    assert.equal(schedule.sMax, 4)
    const table = schedule.brackets.map((b) => [b.s, b.rungs.map((r) => [r.n, r.resource])])
    assert.deepEqual(table, [
      [4, [[81, 1], [27, 3], [9, 9], [3, 27], [1, 81]]],
      [3, [[34, 3], [11, 9], [3, 27], [1, 81]]],
      [2, [[15, 9], [5, 27], [1, 81]]],
      [1, [[8, 27], [2, 81]]],
      [0, [[5, 81]]],
    ])
  })

  it('handles R = 8, eta = 2 and ratios that are not powers of eta', () => {
    assert.deepEqual(hyperbandSchedule(8, 2).brackets.map((b) => b.rungs.map((r) => r.n)), [[8, 4, 2, 1], [6, 3, 1], [4, 2], [4]])
    assert.deepEqual(hyperbandSchedule(100, 3).brackets[0]!.rungs.map((r) => Number(r.resource.toFixed(3))), [1.235, 3.704, 11.111, 33.333, 100])
  })

  it('computes s_max exactly at powers of eta, where log(81)/log(3) is not 4 in doubles', () => {
    assert.deepEqual([maxBracketIndex(81, 3), maxBracketIndex(80, 3), maxBracketIndex(243, 3), maxBracketIndex(1, 3), maxBracketIndex(0.5, 3)], [4, 3, 5, 0, -1])
    assert.equal(maxBracketIndex(20, 3, 5), 1)
  })
})

describe('hyperband validation at creation', () => {
  const validate = (extra: Record<string, string>, space: SearchSpace = SPACE) =>
    validateAlgorithm('hyperband', Object.entries({ r_l: '81', eta: '3', resource_name: 'epochs', ...extra }).map(([name, value]) => ({ name, value })), space, { parallelTrialCount: 1 }).issues

  it('accepts Katib\'s settings', () => assert.deepEqual(validate({}), []))

  it('requires r_l and resource_name, and rejects eta below 2', () => {
    const issues = validateAlgorithm('hyperband', [{ name: 'eta', value: '1' }], SPACE, { parallelTrialCount: 1 }).issues
    assert.deepEqual(issues.map((i) => i.path), ['/algorithmSettings/0/value', '/algorithmSettings', '/algorithmSettings'])
    assert.match(issues[0]!.message, /eta" must be an integer >= 2, got "1"/)
    assert.match(issues[1]!.message, /"r_l" is required/)
    assert.match(issues[2]!.message, /"resource_name" is required/)
  })

  it('names a missing resource parameter, with a guess', () => {
    const [issue] = validate({ resource_name: 'epoch' })
    assert.equal(issue!.path, '/algorithmSettings/2/value')
    assert.match(issue!.message, /resource_name "epoch" is not a parameter; did you mean "epochs"\?/)
  })

  it('rejects a categorical resource at its parameterType', () => {
    const space: SearchSpace = [...SPACE.slice(0, 2), { name: 'epochs', type: 'categorical', choices: ['1', '3'] }]
    const [issue] = validate({}, space)
    assert.equal(issue!.path, '/spec/parameters/2/parameterType')
    assert.match(issue!.message, /must be an int or double parameter/)
  })

  it('rejects r_l below one step and a smallest rung below min; r_l above max is only a warning', () => {
    assert.match(validate({ r_l: '0.5' })[0]!.message, /r_l 0.5 is below one step \(1\)/)
    const stepped: SearchSpace = [...SPACE.slice(0, 2), { name: 'epochs', type: 'int', min: 5, max: 100, step: 5, distribution: 'uniform' }]
    assert.match(validate({ r_l: '4' }, stepped)[0]!.message, /below one step \(5\)/)
    // Katib sets the resource itself and never reads its max (its hp-tuning/hyperband.yaml has r_l 2 over max 1).
    const aboveMax = validateAlgorithm('hyperband', [{ name: 'r_l', value: '100' }, { name: 'eta', value: '3' }, { name: 'resource_name', value: 'epochs' }], SPACE, { parallelTrialCount: 1 })
    assert.deepEqual(aboveMax.issues, [])
    const [above] = aboveMax.warnings
    assert.equal(above!.path, '/spec/parameters/2/feasibleSpace/max')
    assert.match(above!.message, /r_l 100 is above feasibleSpace\.max 81 .*run with "epochs" 81/)
    const high: SearchSpace = [...SPACE.slice(0, 2), { name: 'epochs', type: 'int', min: 3, max: 81, distribution: 'uniform' }]
    const [low] = validate({}, high)
    assert.equal(low!.path, '/spec/parameters/2/feasibleSpace/min')
    assert.match(low!.message, /smallest rung gives "epochs" 1, below its feasibleSpace.min 3/)
  })
})

describe('hyperband suggestions', () => {
  it('runs every bracket once, promoting the best 1/eta with more epochs, then is exhausted', () => {
    const { trials, parents, last } = simulate({})
    assert.equal(last.exhausted, true)
    // 81+27+9+3+1, 34+11+3+1, 15+5+1, 8+2, 5
    assert.equal(trials.length, 121 + 49 + 21 + 10 + 5)
    const epochs = trials.map((t) => t.params.epochs)
    assert.deepEqual(epochs.slice(0, 81), new Array(81).fill(1))
    assert.deepEqual(epochs.slice(81, 108), new Array(27).fill(3))
    assert.deepEqual(epochs.slice(121, 155), new Array(34).fill(3))
    // The promoted 27 are the best 27 of the first rung, each continuing its own trial.
    const firstRung = trials.slice(0, 81)
    const best27 = [...firstRung].sort((a, b) => a.objective! - b.objective!).slice(0, 27).map((t) => t.name).sort()
    assert.deepEqual(parents.slice(81, 108).map(String).sort(), best27)
    for (let i = 81; i < 108; i++) {
      const parent = trials.find((t) => t.name === parents[i])!
      assert.equal(trials[i]!.params.x, parent.params.x)
      assert.equal(trials[i]!.params.y, parent.params.y)
    }
    assert.ok(parents.slice(0, 81).every((p) => p === null))
    assert.equal(trials.filter((t) => t.params.epochs === 81).length, 10)
  })

  it('promotes the highest values when maximising', () => {
    const { trials, parents } = simulate({ direction: 'maximize', maxTrials: 82 })
    const best = [...trials.slice(0, 81)].sort((a, b) => b.objective! - a.objective!)[0]!
    assert.ok(parents.slice(81).includes(best.name))
  })

  it('repeats the brackets with n_iterations 0 and never runs dry', () => {
    const { trials, last } = simulate({ extra: { n_iterations: '0' }, maxTrials: 500 })
    assert.equal(trials.length >= 500, true)
    assert.notEqual(last.exhausted, true)
    assert.deepEqual(trials.slice(206, 210).map((t) => t.params.epochs), [1, 1, 1, 1])
  })

  it('fills any request size by opening later brackets while a rung runs, and waits only at the very end', () => {
    const suggester = create()
    const trials: TrialSnapshot[] = []
    const ask = (count: number) => suggester.suggest(makeRequest(SPACE, { trials, count, seed: 1, state: lastState })) as SuggestResult
    let lastState: unknown
    // 200 trials pending: bracket 0's 81, bracket 1's 34, bracket 2's 15, 3's 8, 4's 5 → 143 first-rung trials, all running.
    const first = ask(200)
    lastState = first.state
    assert.equal(first.suggestions.length, 143)
    assert.equal(first.waiting, true)
    assert.notEqual(first.exhausted, true)
    first.suggestions.forEach((p) => trials.push(makeTrial(trials.length, p, { state: 'Running' })))
    assert.equal(ask(3).suggestions.length, 0)
    // Every trial of the first bracket's first rung finishes: its 27 promotions are due.
    for (let i = 0; i < 81; i++) trials[i] = makeTrial(i, trials[i]!.params, { objective: loss(trials[i]!.params) })
    const promoted = ask(5)
    assert.equal(promoted.suggestions.length, 5)
    assert.deepEqual(promoted.suggestions.map((p) => p.epochs), [3, 3, 3, 3, 3])
    assert.equal(promoted.waiting, undefined)
  })

  it('reports waiting through askAlgorithm instead of exhausting the experiment', async () => {
    const settings = settingsOf()
    const trials: TrialSnapshot[] = []
    const first = await askAlgorithm({ algorithmName: 'hyperband', settings, space: SPACE, direction: 'minimize', trials, count: 150, seed: 3, state: undefined })
    assert.equal(first.suggestions.length, 143)
    assert.equal(first.exhausted, false)
    assert.equal(first.parents?.length, 143)
  })

  it('suggests a lost trial again, and ranks a failed one last', () => {
    const suggester = create({ r_l: '9' })
    const s1 = suggester.suggest(makeRequest(SPACE, { count: 9, seed: 2 })) as SuggestResult
    // Trial 0 failed, trial 1 never came (trial 2 exists), the others succeeded.
    const trials = s1.suggestions.map((p, i) => makeTrial(i, p, i === 0 ? { state: 'Failed' } : { objective: loss(p) })).filter((t) => t.number !== 1)
    const s2 = suggester.suggest(makeRequest(SPACE, { trials, count: 1, seed: 3, state: s1.state })) as SuggestResult
    assert.deepEqual(s2.suggestions, [s1.suggestions[1]])
  })

  it('with sampler tpe, proposes new configurations near the best ones once results come in', () => {
    const distance = (p: Params) => Math.hypot((p.x as number) - 0.3, (p.y as number) - 0.6)
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
    const fresh = (extra: Record<string, string>) => {
      const { trials, parents } = simulate({ extra: { ...extra, n_iterations: '2' } })
      // New configurations of the second pass over the brackets.
      return mean(trials.filter((t, i) => i >= 206 && parents[i] === null).map((t) => distance(t.params)))
    }
    assert.ok(fresh({ sampler: 'tpe' }) < 0.5 * fresh({}), 'BOHB proposals should sit much closer to the optimum')
  })
})

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createRng, deriveSeed } from '../../core/rng.ts'
import type { Params, SearchSpace } from '../../core/search-space.ts'
import type { TrialSnapshot } from '../../core/trial.ts'
import { bayesianOptimizationAlgorithm } from '../../algorithms/gp/bayesian-optimization-definition.ts'
import type { BayesianOptimizationSettings } from '../../algorithms/gp/bayesian-optimization-definition.ts'
import type { GpState } from '../../algorithms/gp/gp-suggester.ts'
import { parseSettings } from '../../algorithms/parse-settings.ts'
import type { RawSetting } from '../../algorithms/parse-settings.ts'
import { validateAlgorithm } from '../../algorithms/registry.ts'
import { RandomSuggester } from '../../algorithms/random/random-suggester.ts'
import type { SuggestResult, Suggester } from '../../algorithms/suggester.ts'
import { createUnitCube } from '../../algorithms/unit-cube.ts'
import { assertLegal } from './suggester.conformance.ts'
import { makeRequest, makeTrial } from './make-trial.ts'

const SQUARE: SearchSpace = [
  { name: 'x', type: 'double', min: -5, max: 10, distribution: 'uniform' },
  { name: 'y', type: 'double', min: 0, max: 15, distribution: 'uniform' },
]

function branin(p: Params): number {
  const x = p['x'] as number
  const y = p['y'] as number
  const b = 5.1 / (4 * Math.PI ** 2)
  const c = 5 / Math.PI
  return (y - b * x * x + c * x - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x) + 10
}
const BRANIN_MIN = 5 / (4 * Math.PI)

function create(settings: readonly RawSetting[] = []): Suggester {
  const parsed = parseSettings(bayesianOptimizationAlgorithm, settings)
  assert.deepEqual(parsed.issues, [])
  return bayesianOptimizationAlgorithm.create(parsed.settings as BayesianOptimizationSettings)
}

async function suggest(suggester: Suggester, space: SearchSpace, options: Parameters<typeof makeRequest>[1]): Promise<SuggestResult> {
  return suggester.suggest(makeRequest(space, options))
}

/** `paramsList` as succeeded trials scored by f. */
function scored(paramsList: readonly Params[], f: (p: Params) => number): TrialSnapshot[] {
  return paramsList.map((params, i) => makeTrial(i, params, { objective: f(params) }))
}

/** Points of the Sobol design, as history. */
async function designHistory(n: number, f: (p: Params) => number, space: SearchSpace = SQUARE): Promise<TrialSnapshot[]> {
  const { suggestions } = await suggest(create(), space, { count: n, seed: 7 })
  return scored(suggestions, f)
}

/** Distance in the unit cube, where the model lives. */
function cubeDistance(space: SearchSpace, a: Params, b: Params): number {
  const cube = createUnitCube(space)
  const u = cube.encode(a)!
  const v = cube.encode(b)!
  return Math.hypot(...Array.from(u, (ui, i) => ui - v[i]!))
}

/** Sequential ask/tell on branin; the best regret after `budget` trials. */
async function runBranin(suggester: Suggester, seed: number, budget: number): Promise<number> {
  const trials: TrialSnapshot[] = []
  let state: unknown
  for (let n = 0; n < budget; n++) {
    const result = await suggester.suggest({ space: SQUARE, direction: 'minimize', trials, count: 1, rng: createRng(deriveSeed(seed, n)), state })
    state = result.state
    trials.push(makeTrial(n, result.suggestions[0]!, { objective: branin(result.suggestions[0]!) }))
  }
  return Math.min(...trials.map((t) => t.objective!)) - BRANIN_MIN
}

describe('bayesianoptimization settings', () => {
  const budget = { maxTrialCount: 20, parallelTrialCount: 2 }

  it('defaults as Katib: GP, 10 initial points, gp_hedge, auto', () => {
    assert.deepEqual(parseSettings(bayesianOptimizationAlgorithm, []).settings, { base_estimator: 'GP', n_initial_points: 10, acq_func: 'gp_hedge', acq_optimizer: 'auto', multi_objective: 'smsego' })
  })

  it('accepts RF, ET and GBRT, and refuses acq_optimizer lbfgs with them at creation, as skopt does', () => {
    for (const estimator of ['GP', 'RF', 'ET', 'GBRT']) {
      assert.deepEqual(validateAlgorithm('bayesianoptimization', [{ name: 'base_estimator', value: estimator }], SQUARE, budget).issues, [], estimator)
      assert.deepEqual(validateAlgorithm('bayesianoptimization', [{ name: 'base_estimator', value: estimator }, { name: 'acq_optimizer', value: 'sampling' }], SQUARE, budget).issues, [], estimator)
    }
    for (const estimator of ['RF', 'ET', 'GBRT']) {
      const { issues } = validateAlgorithm('bayesianoptimization', [{ name: 'random_state', value: '3' }, { name: 'base_estimator', value: estimator }, { name: 'acq_optimizer', value: 'lbfgs' }], SQUARE, budget)
      assert.equal(issues.length, 1, JSON.stringify(issues))
      assert.equal(issues[0]!.path, '/algorithmSettings/2/value')
      assert.match(issues[0]!.message, new RegExp(`"lbfgs".*"${estimator}".*sampling or auto`))
      assert.throws(() => bayesianOptimizationAlgorithm.create({ base_estimator: estimator, acq_optimizer: 'lbfgs' }), /sampling or auto/)
    }
    assert.deepEqual(validateAlgorithm('bayesianoptimization', [{ name: 'base_estimator', value: 'GP' }, { name: 'acq_optimizer', value: 'lbfgs' }], SQUARE, budget).issues, [])
  })

  it('rejects bad values and unknown names, and accepts every Katib acq_func and acq_optimizer', () => {
    const issues = (settings: RawSetting[]): number => validateAlgorithm('bayesianoptimization', settings, SQUARE, budget).issues.length
    assert.equal(issues([{ name: 'n_initial_points', value: '-1' }]), 1)
    assert.equal(issues([{ name: 'n_initial_points', value: '2.5' }]), 1)
    assert.equal(issues([{ name: 'acq_func', value: 'UCB' }]), 1)
    assert.equal(issues([{ name: 'acq_optimizer', value: 'adam' }]), 1)
    assert.equal(issues([{ name: 'kappa', value: '2' }]), 1)
    for (const value of ['gp_hedge', 'LCB', 'EI', 'PI', 'EIps', 'PIps']) assert.equal(issues([{ name: 'acq_func', value }]), 0, value)
    for (const value of ['auto', 'sampling', 'lbfgs']) assert.equal(issues([{ name: 'acq_optimizer', value }]), 0, value)
  })

  it('runs every acquisition function and optimiser to legal, new points (EIps and PIps as EI and PI)', async () => {
    const trials = await designHistory(8, branin)
    for (const acq of ['gp_hedge', 'LCB', 'EI', 'PI', 'EIps', 'PIps']) {
      for (const optimizer of ['auto', 'sampling']) {
        const { suggestions } = await suggest(create([{ name: 'acq_func', value: acq }, { name: 'acq_optimizer', value: optimizer }, { name: 'n_initial_points', value: '5' }]), SQUARE, { trials, count: 2, seed: 3 })
        assert.equal(suggestions.length, 2)
        for (const params of suggestions) assertLegal(SQUARE, params)
      }
    }
    const ei = await suggest(create([{ name: 'acq_func', value: 'EI' }]), SQUARE, { trials, count: 2, seed: 3 })
    const eips = await suggest(create([{ name: 'acq_func', value: 'EIps' }]), SQUARE, { trials, count: 2, seed: 3 })
    assert.deepEqual(eips.suggestions, ei.suggestions)
  })
})

describe('bayesianoptimization suggester', () => {
  it('follows the initial design for n_initial_points trials, whatever the objectives, then the model', async () => {
    const history = await designHistory(5, branin)
    const flipped = history.map((t) => ({ ...t, objective: -t.objective! }))
    const next = async (initial: number, trials: TrialSnapshot[]): Promise<Params[]> =>
      [...(await suggest(create([{ name: 'n_initial_points', value: String(initial) }]), SQUARE, { trials, count: 1, seed: 11 })).suggestions]
    // 5 trials, 8 initial points: still the design, blind to the objectives.
    assert.deepEqual(await next(8, history), await next(8, flipped))
    // 5 initial points: the model takes over at trial 5 and reads the objectives.
    assert.notDeepEqual(await next(5, history), await next(5, flipped))
    // 0 initial points: the model as soon as two trials have succeeded.
    assert.notDeepEqual(await next(0, history.slice(0, 2)), await next(0, flipped.slice(0, 2)))
  })

  it('leaves failed, killed and early-stopped trials out of the model', async () => {
    const history = await designHistory(12, branin)
    const withFailures = (objective: number): TrialSnapshot[] => [
      ...history,
      ...(['Failed', 'Killed', 'EarlyStopped', 'MetricsUnavailable'] as const).map((state, i) =>
        makeTrial(12 + i, { x: -4 + i, y: 14 - i }, { state, objective })),
    ]
    const a = await suggest(create(), SQUARE, { trials: withFailures(-1e6), count: 2, seed: 2 })
    const b = await suggest(create(), SQUARE, { trials: withFailures(1e6), count: 2, seed: 2 })
    assert.deepEqual(a.suggestions, b.suggestions)
  })

  it('spreads a batch instead of repeating one maximiser (kriging believer)', async () => {
    const trials = await designHistory(10, branin)
    const { suggestions } = await suggest(create(), SQUARE, { trials, count: 6, seed: 5 })
    assert.equal(suggestions.length, 6)
    let closest = Infinity
    for (let i = 0; i < 6; i++) for (let j = 0; j < i; j++) closest = Math.min(closest, cubeDistance(SQUARE, suggestions[i]!, suggestions[j]!))
    assert.ok(closest > 0.05, `closest pair ${closest.toFixed(4)} apart in the unit square`)
  })

  it('steers away from points still running', async () => {
    // One clear basin: without believing the running trial's outcome, the next best candidate
    // would sit right next to it.
    const line: SearchSpace = [{ name: 'x', type: 'double', min: 0, max: 1, distribution: 'uniform' }]
    const f = (p: Params): number => ((p['x'] as number) - 0.3) ** 2
    const trials = scored([0.05, 0.5, 0.95, 0.2, 0.7, 0.4].map((x) => ({ x })), f)
    const suggester = create([{ name: 'acq_func', value: 'EI' }, { name: 'n_initial_points', value: '3' }])
    const [first] = (await suggest(suggester, line, { trials, count: 1, seed: 5 })).suggestions
    const running = [...trials, makeTrial(trials.length, first!, { state: 'Running' })]
    const [second] = (await suggest(suggester, line, { trials: running, count: 1, seed: 5 })).suggestions
    const gap = Math.abs((first!['x'] as number) - (second!['x'] as number))
    assert.ok(gap > 0.02, `x = ${String(first!['x'])} running, then x = ${String(second!['x'])}`)
  })

  it('suggests the same for maximising −f as for minimising f', async () => {
    const trials = await designHistory(12, branin)
    const negated = trials.map((t) => ({ ...t, objective: -t.objective! }))
    for (const acq of ['gp_hedge', 'EI', 'LCB']) {
      const suggester = create([{ name: 'acq_func', value: acq }])
      const minimize = await suggest(suggester, SQUARE, { trials, count: 3, seed: 8, direction: 'minimize' })
      const maximize = await suggest(suggester, SQUARE, { trials: negated, count: 3, seed: 8, direction: 'maximize' })
      assert.deepEqual(maximize.suggestions, minimize.suggestions, acq)
    }
  })

  it('never repeats a tried point of a small mixed space until it is full', async () => {
    const space: SearchSpace = [
      { name: 'n', type: 'int', min: 1, max: 4, distribution: 'uniform' },
      { name: 'c', type: 'categorical', choices: ['a', 'b'] },
    ]
    const f = (p: Params): number => ((p['n'] as number) - 2.6) ** 2 + (p['c'] === 'a' ? 0 : 0.5)
    const suggester = create([{ name: 'n_initial_points', value: '3' }])
    const trials: TrialSnapshot[] = []
    let state: unknown
    for (let n = 0; n < 8; n++) {
      const result = await suggest(suggester, space, { trials, count: 1, seed: n, state })
      state = result.state
      trials.push(makeTrial(n, result.suggestions[0]!, { objective: f(result.suggestions[0]!) }))
    }
    assert.equal(new Set(trials.map((t) => JSON.stringify(t.params))).size, 8)
  })

  it('keeps its state as plain JSON, and is deterministic given it', async () => {
    const trials = await designHistory(11, branin)
    const first = await suggest(create(), SQUARE, { trials: trials.slice(0, 10), count: 1, seed: 1 })
    const state = first.state as GpState
    assert.deepEqual(JSON.parse(JSON.stringify(state)), state)
    assert.equal(state.hyperparameters?.lengthscales.length, 2)
    assert.equal(state.gains?.length, 3)
    const again = async (): Promise<SuggestResult> => suggest(create(), SQUARE, { trials, count: 2, seed: 4, state })
    assert.deepEqual(await again(), await again())
    // gp_hedge credits its portfolio only when new observations arrive.
    const second = (await again()).state as GpState
    assert.notDeepEqual(second.gains, state.gains)
    const third = (await suggest(create(), SQUARE, { trials, count: 1, seed: 5, state: second })).state as GpState
    assert.deepEqual(third.gains, second.gains)
  })

  it('ignores malformed state', async () => {
    const trials = await designHistory(10, branin)
    for (const state of [null, 42, { scrambleSeed: -1 }, { scrambleSeed: 3, hyperparameters: { lengthscales: [1], signalVariance: 1, noiseVariance: 0 } }, { scrambleSeed: 3, gains: 'x', proposals: [[1]] }]) {
      const { suggestions } = await suggest(create(), SQUARE, { trials, count: 1, seed: 1, state })
      assertLegal(SQUARE, suggestions[0]!)
    }
  })

  it('finds branin\'s minimum far better than random search in 30 trials', async () => {
    const seeds = [0, 1, 2, 3, 4]
    const bo: number[] = []
    const random: number[] = []
    for (const seed of seeds) {
      bo.push(await runBranin(create(), seed, 30))
      random.push(await runBranin(new RandomSuggester(), seed, 30))
    }
    const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!
    assert.ok(bo.filter((r, i) => r < random[i]!).length >= 4, `BO ${bo.map((r) => r.toPrecision(2))} vs random ${random.map((r) => r.toPrecision(2))}`)
    assert.ok(median(bo) < 0.05 && median(bo) < median(random) / 10, `median regret BO ${median(bo)} vs random ${median(random)}`)
  })
})

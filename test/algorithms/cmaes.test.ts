import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createRng, deriveSeed } from '../../core/rng.ts'
import type { Params, SearchSpace } from '../../core/search-space.ts'
import type { TrialSnapshot, TrialState } from '../../core/trial.ts'
import { cmaesAlgorithm, CMAES_DEFAULT_SIGMA } from '../../algorithms/cmaes/cmaes-definition.ts'
import type { CmaesSettings } from '../../algorithms/cmaes/cmaes-suggester.ts'
import { cmaParameters, defaultPopsize } from '../../algorithms/cmaes/cma-parameters.ts'
import type { CmaesState } from '../../algorithms/cmaes/cma-state.ts'
import { createCmaSampler } from '../../algorithms/cmaes/cma-sampler.ts'
import { marginFloors } from '../../algorithms/cmaes/integer-margin.ts'
import { createUnitCube } from '../../algorithms/unit-cube.ts'
import { newRun } from '../../algorithms/cmaes/cma-state.ts'
import { parseSettings } from '../../algorithms/parse-settings.ts'
import { paramsKey } from '../../algorithms/params-key.ts'
import type { Direction, SuggestResult } from '../../algorithms/suggester.ts'
import { assertLegal } from './suggester.conformance.ts'
import { makeRequest, makeTrial } from './make-trial.ts'

const DEFAULTS = parseSettings(cmaesAlgorithm, []).settings as unknown as CmaesSettings

function box(n: number, low = -5, high = 5): SearchSpace {
  return Array.from({ length: n }, (_, i) => ({ name: `x${i}`, type: 'double', min: low, max: high, distribution: 'uniform' }))
}

const vector = (params: Params, n: number): number[] => Array.from({ length: n }, (_, i) => params[`x${i}`] as number)

function suggest(space: SearchSpace, options: Parameters<typeof makeRequest>[1], settings: Partial<CmaesSettings> = {}): SuggestResult {
  return cmaesAlgorithm.create({ ...DEFAULTS, ...settings }).suggest(makeRequest(space, options)) as SuggestResult
}

/**
 * A sequential experiment as the service runs it: one trial per call, the state passed back
 * through JSON, the rng derived from the seed and the trial count.
 */
function runSequential(
  space: SearchSpace,
  objective: (params: Params) => number,
  options: { budget: number; seed: number; direction?: Direction; settings?: Partial<CmaesSettings>; stateOf?: (trial: number) => TrialState; until?: (state: CmaesState) => boolean },
): { trials: TrialSnapshot[]; best: number; states: CmaesState[] } {
  const suggester = cmaesAlgorithm.create({ ...DEFAULTS, ...options.settings })
  const direction = options.direction ?? 'minimize'
  const trials: TrialSnapshot[] = []
  const states: CmaesState[] = []
  let state: unknown
  let best = Infinity
  for (let n = 0; n < options.budget; n++) {
    const result = suggester.suggest({ space, direction, trials, count: 1, rng: createRng(deriveSeed(options.seed, n)), state }) as SuggestResult
    assert.equal(result.suggestions.length, 1)
    state = JSON.parse(JSON.stringify(result.state))
    states.push(state as CmaesState)
    const params = result.suggestions[0]!
    const trialState = options.stateOf?.(n) ?? 'Succeeded'
    const value = objective(params)
    if (trialState === 'Succeeded') best = Math.min(best, direction === 'minimize' ? value : -value)
    trials.push(makeTrial(n, params, { state: trialState, ...(trialState === 'Succeeded' ? { objective: value } : { objective: undefined }) }))
    if (options.until?.(state as CmaesState)) break
  }
  return { trials, best, states }
}

describe('cmaes settings', () => {
  it('defaults to sigma 1/6, Katib\'s restart strategy none and the tutorial population size', () => {
    const { settings, issues } = parseSettings(cmaesAlgorithm, [])
    assert.deepEqual(issues, [])
    assert.equal(settings['sigma'], CMAES_DEFAULT_SIGMA)
    assert.equal(settings['restart_strategy'], 'none')
    assert.equal(settings['popsize'], undefined)
    assert.equal(defaultPopsize(5), 8)
    assert.equal(defaultPopsize(1), 4)
  })

  it('rejects sigma outside (0, 1], an unknown restart strategy and a population below 2, saying what is allowed', () => {
    const message = (name: string, value: string): string => {
      const { issues } = parseSettings(cmaesAlgorithm, [{ name, value }])
      assert.equal(issues.length, 1, `${name}=${value} should be rejected`)
      return issues[0]!.message
    }
    assert.match(message('sigma', '0'), /sigma.*> 0 and <= 1/)
    assert.match(message('sigma', '1.5'), /sigma.*> 0 and <= 1/)
    assert.match(message('sigma', 'big'), /sigma/)
    assert.match(message('restart_strategy', 'foo'), /one of none, ipop, bipop/)
    assert.match(message('restart_strategy', 'ipopp'), /did you mean "ipop"/)
    assert.match(message('popsize', '1'), /popsize.*>= 2/)
    assert.match(message('popsize', '2.5'), /popsize.*integer/)
    assert.deepEqual(parseSettings(cmaesAlgorithm, [{ name: 'sigma', value: '0.3' }, { name: 'restart_strategy', value: 'bipop' }, { name: 'popsize', value: '12' }]).issues, [])
  })

  it('checks the space at creation: log scales need min > 0, at least one parameter; one parameter and all-categorical are fine', () => {
    const check = (space: SearchSpace) => cmaesAlgorithm.check!(space, DEFAULTS, { parallelTrialCount: 1 })
    assert.match(check([{ name: 'lr', type: 'double', min: 0, max: 1, distribution: 'logUniform' }])[0]!.message, /min > 0/)
    assert.equal(check([]).length, 1)
    assert.deepEqual(check(box(1)), [])
    assert.deepEqual(check([{ name: 'c', type: 'categorical', choices: ['a', 'b', 'c'] }]), [])
  })
})

describe('cmaes strategy parameters', () => {
  it('match the tutorial defaults: positive weights sum to 1, negative ones are bounded', () => {
    const p = cmaParameters(5, 8)
    assert.equal(p.mu, 4)
    const positive = p.weights.filter((w) => w > 0)
    assert.equal(positive.length, 4)
    assert.ok(Math.abs(positive.reduce((a, b) => a + b, 0) - 1) < 1e-12)
    assert.ok(p.weights.slice(4).every((w) => w < 0))
    assert.ok(p.weights.every((w, i) => i === 0 || w <= p.weights[i - 1]!))
    assert.ok(Math.abs(p.mueff - 1 / positive.reduce((a, b) => a + b * b, 0)) < 1e-12)
    assert.ok(p.c1 + p.cmu <= 1)
    assert.ok(Math.abs(p.chiN - 2.1285) < 1e-3)
  })
})

describe('cmaes sampling in the box', () => {
  it('draws again outside the box, so samples near a bound are inside and not piled on it', () => {
    const run = newRun([0, 0.02], 0.3, 6, 'large')
    const sampler = createCmaSampler(run, [0, 0], [1, 2, 3, 4])
    const xs = Array.from({ length: 200 }, (_, k) => sampler.sample(k).x)
    assert.ok(xs.every((x) => x.every((v) => v >= 0 && v <= 1)))
    assert.ok(xs.every((x) => x[0]! > 0 && x[1]! > 0), 'no sample should need clipping here')
    // Sample k is the same however it is reached (the state keeps only the seed and the count).
    assert.deepEqual(createCmaSampler(run, [0, 0], [1, 2, 3, 4]).sample(150), sampler.sample(150))
  })

  it('clips when draws keep missing the box, and keeps y and z consistent with the clipped point', () => {
    const run = { ...newRun([0.5, 0.5, 0.5], 50, 6, 'large' as const), cov: [[1, 0.3, 0], [0.3, 2, 0], [0, 0, 0.5]] }
    const sampler = createCmaSampler(run, [0, 0, 0], [5, 6, 7, 8])
    const { x, y, z } = sampler.sample(0)
    assert.ok(x.some((v) => v === 0 || v === 1))
    for (let i = 0; i < 3; i++) assert.ok(Math.abs(x[i]! - (0.5 + 50 * y[i]!)) < 1e-12)
    const back = sampler.rotate(z.map((zj, j) => zj * sampler.axisLengths[j]!))
    for (let i = 0; i < 3; i++) assert.ok(Math.abs(back[i]! - y[i]!) < 1e-9)
  })

  it('caps the Mahalanobis length of the step to an injected point', () => {
    const sampler = createCmaSampler(newRun([0.5, 0.5], 0.01, 6, 'large'), [0, 0], [1, 2, 3, 4])
    const far = sampler.stepTo([0.9, 0.1], 3)
    assert.ok(Math.abs(Math.hypot(...far.z) - 3) < 1e-9)
    assert.ok(Math.abs(far.y[0]! + far.y[1]!) < 1e-9 && far.y[0]! > 0, 'the direction is kept')
    const near = sampler.stepTo([0.51, 0.5], 3)
    assert.ok(Math.abs(near.y[0]! - 1) < 1e-9 && near.y[1] === 0)
  })

  it('keeps a rounded coordinate spread (margin) while σ shrinks, and only that one', () => {
    const space: SearchSpace = [
      { name: 'n', type: 'int', min: 1, max: 4, distribution: 'uniform' },
      { name: 'x', type: 'double', min: 0, max: 1, distribution: 'uniform' },
    ]
    const cube = createUnitCube(space)
    const floors = marginFloors(cube, 6)
    assert.ok(floors[0]! > 0.02 && floors[0]! < 0.25 / 2, `floor ${floors[0]}`)
    assert.equal(floors[1], 0)
    const sampler = createCmaSampler(newRun([0.375, 0.5], 1e-6, 6, 'large'), floors, [1, 1, 1, 1])
    assert.ok(sampler.scale[0]! > 1000)
    assert.equal(sampler.scale[1], 1)
    const values = new Set(Array.from({ length: 300 }, (_, k) => cube.decode(sampler.sample(k).x)['n']))
    assert.ok(values.size >= 2, 'the int never leaves its cell')
  })
})

describe('cmaes convergence', () => {
  const optimum = [1, -2, 0.5, 3, -1]
  const sphere = (params: Params): number => vector(params, 5).reduce((a, x, i) => a + (x - optimum[i]!) ** 2, 0)
  // A fixed random rotation, so the ellipsoid's axes are not the coordinates.
  const rotation: number[][] = []
  const r = createRng(42)
  for (let i = 0; i < 5; i++) {
    let v = Array.from({ length: 5 }, () => r.normal())
    for (const u of rotation) {
      const dot = v.reduce((a, x, j) => a + x * u[j]!, 0)
      v = v.map((x, j) => x - dot * u[j]!)
    }
    const norm = Math.hypot(...v)
    rotation.push(v.map((x) => x / norm))
  }
  const ellipsoid = (params: Params): number => {
    const d = vector(params, 5).map((x, i) => x - optimum[i]!)
    return rotation.reduce((a, row, i) => a + 1e4 ** (i / 4) * row.reduce((s, rij, j) => s + rij * d[j]!, 0) ** 2, 0)
  }

  it('converges on a 5-D sphere', () => {
    // Measured: 500 evaluations reach ~1e-5; random search stays above 1.
    for (const seed of [0, 1, 2, 3]) {
      const { best } = runSequential(box(5), sphere, { budget: 500, seed })
      assert.ok(best < 1e-3, `seed ${seed}: best ${best}`)
    }
  })

  it('learns the covariance of a rotated, ill-conditioned (1e4) 5-D ellipsoid', () => {
    // Measured: 600 evaluations reach 0.05–2.2; without covariance learning (σ only) 24–320.
    const bests = [0, 1, 2, 3].map((seed) => runSequential(box(5), ellipsoid, { budget: 600, seed }).best)
    assert.ok(bests.every((b) => b < 10), `bests ${bests.join(', ')}`)
  })

  it('gives the same trials for maximize on −f as for minimize on f', () => {
    const f = (params: Params): number => sphere(params) + Math.sin(3 * (params['x0'] as number))
    const min = runSequential(box(5), f, { budget: 60, seed: 7 })
    const max = runSequential(box(5), (p) => -f(p), { budget: 60, seed: 7, direction: 'maximize' })
    assert.deepEqual(max.trials.map((t) => t.params), min.trials.map((t) => t.params))
    assert.equal(max.best, min.best)
  })
})

describe('cmaes generations and state', () => {
  const space = box(3)
  const lambda = defaultPopsize(3)

  it('is deterministic: the same request, state included, gives the same result', () => {
    const { trials, states } = runSequential(space, (p) => vector(p, 3).reduce((a, x) => a + x * x, 0), { budget: 20, seed: 3 })
    const request = () => ({ trials, count: 3, seed: 99, state: states.at(-1) })
    assert.deepEqual(suggest(space, request()), suggest(space, request()))
  })

  it('round-trips its state through JSON, and resumes from the copy exactly as from the original', () => {
    const first = suggest(space, { count: lambda, seed: 1 })
    const trials = first.suggestions.map((params, i) => makeTrial(i, params, { objective: i % 3 }))
    const second = suggest(space, { trials, count: 2, seed: 2, state: first.state })
    const copy = JSON.parse(JSON.stringify(second.state)) as CmaesState
    assert.deepEqual(copy, second.state)
    assert.equal(copy.run.generation, 1)
    const next = [...trials, ...second.suggestions.map((params, i) => makeTrial(lambda + i, params, { state: 'Running' }))]
    assert.deepEqual(suggest(space, { trials: next, count: 3, seed: 3, state: copy }), suggest(space, { trials: next, count: 3, seed: 3, state: second.state }))
  })

  it('uses every sequential trial: generation g is updated once its λ trials have finished', () => {
    // A sample whose trial could not be matched again would be dropped and the count would lag.
    const { states } = runSequential(box(5), (p) => vector(p, 5).reduce((a, x, i) => a + (x - i + 2) ** 2, 0), { budget: 200, seed: 11 })
    const l5 = defaultPopsize(5)
    states.forEach((state, calls) => assert.equal(state.run.generation, Math.floor(calls / l5), `after ${calls} trials`))
    assert.equal(states.at(-1)!.restarts, 0)
  })

  it('hands out distinct points in parallel, and later calls continue the same generation', () => {
    const all = suggest(space, { count: 8, seed: 5 })
    const first = suggest(space, { count: 4, seed: 5 })
    assert.equal(new Set(first.suggestions.map((p) => paramsKey(space, p))).size, 4)
    assert.deepEqual(first.suggestions, all.suggestions.slice(0, 4))
    const running = first.suggestions.map((params, i) => makeTrial(i, params, { state: 'Running' }))
    // Another rng: the generation's samples come from its stored seed, not from the call.
    const second = suggest(space, { trials: running, count: 4, seed: 77, state: first.state })
    assert.deepEqual(second.suggestions, all.suggestions.slice(4, 8))
    const state = second.state as CmaesState
    assert.deepEqual(state.generation.members.map((m) => m.trial), [0, 1, 2, 3, 4, 5, 6, 7])
    assert.equal(state.run.generation, 0)
  })

  it('keeps handing out samples while a generation waits, updates once λ have finished, and injects the late ones into the next', () => {
    const first = suggest(space, { count: lambda + 3, seed: 5 })
    assert.equal(first.suggestions.length, lambda + 3)
    // λ finish, the 3 extra ones still run: the generation is complete without them.
    const trials = first.suggestions.map((params, i) => makeTrial(i, params, i < lambda ? { objective: i } : { state: 'Running' }))
    const next = suggest(space, { trials, count: 2, seed: 6, state: first.state })
    assert.equal(next.suggestions.length, 2)
    const state = next.state as CmaesState
    assert.equal(state.run.generation, 1)
    // The running ones belong to generation 1 now, as injected points (no sample index).
    assert.deepEqual(state.generation.members, [
      { trial: lambda }, { trial: lambda + 1 }, { trial: lambda + 2 },
      { sample: 0, trial: lambda + 3 }, { sample: 1, trial: lambda + 4 },
    ])
    // They count: once they and λ − 3 new samples have finished, generation 1 is complete.
    const later = [...trials, ...next.suggestions.map((params, i) => makeTrial(lambda + 3 + i, params, { state: 'Running' }))]
    const third = suggest(space, { trials: later, count: lambda - 5, seed: 7, state: next.state })
    const all = [...later, ...third.suggestions.map((params, i) => makeTrial(later.length + i, params, { state: 'Running' }))]
    const done = all.map((t) => (t.number >= lambda ? makeTrial(t.number, t.params, { objective: -t.number }) : t))
    assert.equal(done.length, 2 * lambda)
    assert.equal((suggest(space, { trials: done, count: 1, seed: 8, state: third.state }).state as CmaesState).run.generation, 2)
  })

  it('does not stall on failed trials: they rank worst and the generation completes', () => {
    const first = suggest(space, { count: lambda, seed: 8 })
    const states: TrialState[] = ['Failed', 'Killed', 'MetricsUnavailable', 'EarlyStopped']
    const trials = first.suggestions.map((params, i) => makeTrial(i, params, i < states.length ? { state: states[i]!, objective: undefined } : { objective: i }))
    const next = suggest(space, { trials, count: 1, seed: 9, state: first.state })
    const state = next.state as CmaesState
    assert.equal(state.run.generation, 1)
    // The mean moved toward the best (trial 4) and away from the failures.
    const best = [...first.suggestions.map((p) => vector(p, 3).map((x) => (x + 5) / 10))][states.length]!
    const centre = [0.5, 0.5, 0.5]
    const dist = (a: readonly number[], b: readonly number[]): number => Math.hypot(...a.map((x, i) => x - b[i]!))
    assert.ok(dist(state.run.mean, best) < dist(centre, best))

    // A long run where every third trial fails still converges.
    const { best: value } = runSequential(space, (p) => vector(p, 3).reduce((a, x) => a + (x - 1) ** 2, 0), { budget: 300, seed: 1, stateOf: (n) => (n % 3 === 1 ? 'Failed' : 'Succeeded') })
    assert.ok(value < 1e-3, `best ${value}`)
  })

  it('treats a non-finite objective as a failure', () => {
    const first = suggest(space, { count: lambda, seed: 8 })
    const trials = first.suggestions.map((params, i) => makeTrial(i, params, { objective: [NaN, Infinity, -Infinity][i % 3]! }))
    const next = suggest(space, { trials, count: 2, seed: 9, state: first.state })
    assert.equal(next.suggestions.length, 2)
    assert.equal((next.state as CmaesState).run.generation, 1)
    assert.deepEqual(JSON.parse(JSON.stringify(next.state)), next.state)
  })

  it('drops samples whose suggestions were never used, and samples again', () => {
    const first = suggest(space, { count: 3, seed: 5 })
    const again = suggest(space, { count: 3, seed: 6, state: first.state })
    assert.equal(again.suggestions.length, 3)
    assert.deepEqual((again.state as CmaesState).generation.members.map((m) => m.trial), [0, 1, 2])
    assert.notDeepEqual(again.suggestions, first.suggestions)
  })

  it('starts afresh from a missing, corrupt or foreign state without crashing', () => {
    const trials = [makeTrial(0, { x0: 1, x1: 2, x2: 3 }, { objective: 1 })]
    for (const state of [undefined, null, 42, 'x', {}, { version: 1, dimensions: 7 }, { version: 1, dimensions: 3, run: { sigma: NaN } }]) {
      const result = suggest(space, { trials, count: 2, seed: 1, state })
      assert.equal(result.suggestions.length, 2)
      for (const params of result.suggestions) assertLegal(space, params)
      assert.equal((result.state as CmaesState).run.generation, 0)
    }
    // Without a state but with history, the fresh run is centred on the best trial.
    const { run } = suggest(space, { trials, count: 1, seed: 1 }).state as CmaesState
    assert.deepEqual(run.mean.map((m) => Math.round(m * 10) / 10), [0.6, 0.7, 0.8])
  })
})

describe('cmaes restarts', () => {
  const space = box(2)
  const lambda = defaultPopsize(2)
  const sphere = (p: Params): number => vector(p, 2).reduce((a, x) => a + (x - 1) ** 2, 0)

  const firstRestart = (strategy: CmaesSettings['restart_strategy']): CmaesState => {
    const { states } = runSequential(space, sphere, { budget: 3000, seed: 4, settings: { restart_strategy: strategy }, until: (s) => s.restarts > 0 })
    const state = states.at(-1)!
    assert.equal(state.restarts, 1, 'the run never converged')
    return state
  }

  it('ipop doubles the population after a run converges, and restarts from a random point', () => {
    const state = firstRestart('ipop')
    assert.equal(state.run.popsize, 2 * lambda)
    assert.equal(state.run.sigma, CMAES_DEFAULT_SIGMA)
    assert.notDeepEqual(state.run.mean, [0.5, 0.5])
    assert.equal(state.largeRestarts, 1)
  })

  it('none keeps the population size; bipop first tries the small regime', () => {
    assert.equal(firstRestart('none').run.popsize, lambda)
    const bipop = firstRestart('bipop')
    assert.equal(bipop.run.regime, 'small')
    assert.ok(bipop.run.sigma < CMAES_DEFAULT_SIGMA)
    assert.ok(bipop.evaluationsLarge > 0 && bipop.evaluationsSmall === 0)
  })

  it('restarts when every sample of a generation rounds to the same parameters', () => {
    const ints: SearchSpace = [
      { name: 'a', type: 'int', min: 0, max: 1, distribution: 'uniform' },
      { name: 'b', type: 'int', min: 0, max: 1, distribution: 'uniform' },
    ]
    // A constant objective makes every generation flat; the 4 points are soon all tried and the
    // generations fill with reuses of them, until one rounds to a single point.
    const { states } = runSequential(ints, () => 1, { budget: 30, seed: 2, until: (s) => s.restarts > 0 })
    assert.ok(states.at(-1)!.restarts > 0)
  })
})

describe('cmaes on rounded and categorical spaces', () => {
  const ints: SearchSpace = [
    { name: 'a', type: 'int', min: 0, max: 2, distribution: 'uniform' },
    { name: 'b', type: 'int', min: 0, max: 2, distribution: 'uniform' },
  ]

  it('reuses the results of points already tried instead of suggesting them again', () => {
    const { trials } = runSequential(ints, (p) => ((p['a'] as number) - 1) ** 2 + ((p['b'] as number) - 2) ** 2, { budget: 9, seed: 3 })
    assert.equal(new Set(trials.map((t) => paramsKey(ints, t.params))).size, 9)
  })

  it('finds the best choice of a categorical together with a continuous parameter', () => {
    const space: SearchSpace = [
      { name: 'kind', type: 'categorical', choices: ['a', 'b', 'c', 'd'] },
      { name: 'x', type: 'double', min: 0, max: 1, distribution: 'uniform' },
    ]
    const offset: Record<string, number> = { a: 1, b: 0.5, c: 0, d: 2 }
    const f = (p: Params): number => offset[p['kind'] as string]! + ((p['x'] as number) - 0.3) ** 2
    for (const seed of [0, 1, 2]) {
      const { best } = runSequential(space, f, { budget: 150, seed })
      assert.ok(best < 1e-3, `seed ${seed}: best ${best}`)
    }
  })
})

/**
 * What every registry algorithm must do, whatever its maths (Optuna's BasicSamplerTestCase):
 * legal values of the right type, determinism per seed, no more suggestions than asked, no
 * crash on empty or failed histories, plain JSON out, inputs left untouched. Algorithms that
 * accept several objectives (`multiObjective`) do the same with two or three objectives and
 * constraints: trials carrying objective vectors (some not finite) and violations.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { formatParamValue } from '../../core/search-space.ts'
import type { Params, SearchSpace } from '../../core/search-space.ts'
import type { TrialSnapshot, TrialState } from '../../core/trial.ts'
import type { AlgorithmDefinition } from '../../algorithms/algorithm-definition.ts'
import { parseSettings } from '../../algorithms/parse-settings.ts'
import type { RawSetting } from '../../algorithms/parse-settings.ts'
import type { Direction, SuggestResult } from '../../algorithms/suggester.ts'
import { makeRequest, makeTrial } from './make-trial.ts'

/** Every kind of parameter, all finite so that grid accepts it. */
export const STEPPED_SPACE: SearchSpace = [
  { name: 'lr', type: 'double', min: 1e-4, max: 1e-1, step: 1e-4, distribution: 'logUniform' },
  { name: 'momentum', type: 'double', min: 0.5, max: 0.99, step: 0.01, distribution: 'normal' },
  { name: 'layers', type: 'int', min: 1, max: 8, distribution: 'uniform' },
  { name: 'units', type: 'int', min: 16, max: 512, step: 16, distribution: 'logUniform' },
  { name: 'wd', type: 'double', min: 1e-6, max: 1e-2, step: 1e-6, distribution: 'logNormal' },
  { name: 'optimizer', type: 'categorical', choices: ['sgd', 'adam', 'ftrl'] },
  { name: 'dropout', type: 'discrete', choices: [0.1, 0.25, 0.5] },
]

/** Continuous doubles in every distribution; algorithms whose `check` rejects it skip those tests. */
export const CONTINUOUS_SPACE: SearchSpace = [
  { name: 'x', type: 'double', min: -5, max: 5, distribution: 'uniform' },
  { name: 'lr', type: 'double', min: 1e-5, max: 1, distribution: 'logUniform' },
  { name: 'm', type: 'double', min: 0, max: 1, distribution: 'normal' },
  { name: 'w', type: 'double', min: 1e-3, max: 10, distribution: 'logNormal' },
  { name: 'n', type: 'int', min: -100, max: 100, distribution: 'normal' },
]

const BUDGET = { maxTrialCount: 50, parallelTrialCount: 4 }
const STATES: readonly TrialState[] = ['Succeeded', 'Failed', 'Running', 'Succeeded', 'Killed', 'EarlyStopped']

/** Settings an algorithm needs to run at all (hyperband's resource), by name; others run with none. */
export const CONFORMANCE_SETTINGS: Readonly<Record<string, readonly RawSetting[]>> = {
  hyperband: [{ name: 'r_l', value: '8' }, { name: 'eta', value: '2' }, { name: 'resource_name', value: 'layers' }],
  // Generations of 4, so that the four rounds below breed children rather than draw at random.
  nsga2: [{ name: 'population_size', value: '4' }],
}

export function describeSuggesterConformance(name: string, def: AlgorithmDefinition, raw: readonly RawSetting[] = CONFORMANCE_SETTINGS[name] ?? []): void {
  const settings = parseSettings(def, raw).settings
  // Warnings (a budget an algorithm finds small) accept the space.
  const refusals = (space: SearchSpace) => (def.check?.(space, settings, BUDGET) ?? []).filter((issue) => !issue.warning)
  const rejects = (space: SearchSpace): boolean => refusals(space).length > 0
  /** `objectives` ≥ 2 or `constraints` > 0 make it a multi-objective or constrained request. */
  interface Shape { readonly objectives?: number; readonly constraints?: number }
  const suggest = async (space: SearchSpace, options: Parameters<typeof makeRequest>[1], shape: Shape = {}): Promise<SuggestResult> => {
    const base = makeRequest(deepFreeze(space), { ...options, trials: deepFreeze([...(options?.trials ?? [])]) })
    const directions: Direction[] = Array.from({ length: shape.objectives ?? 1 }, (_, j) => (j % 2 === 0 ? 'minimize' : 'maximize'))
    const request = {
      ...base,
      ...(directions.length >= 2 ? { directions: deepFreeze(directions), direction: directions[0]! } : {}),
      ...(shape.constraints ? { constraintCount: shape.constraints } : {}),
    }
    return def.create(settings).suggest(request)
  }

  /** A few batches, each fed back as history in mixed states, like an experiment would. */
  const runRounds = async (space: SearchSpace, seed: number, shape: Shape = {}): Promise<Params[][]> => {
    const batches: Params[][] = []
    const trials: TrialSnapshot[] = []
    const m = shape.objectives ?? 1
    for (let round = 0; round < 4; round++) {
      const result = await suggest(space, { trials, count: 4, seed: seed * 100 + round }, shape)
      batches.push([...result.suggestions])
      for (const params of result.suggestions) {
        const number = trials.length
        const state = STATES[number % STATES.length]!
        // Every third succeeded trial has a vector and violations (one not finite, one infeasible).
        const outcome = number % 6 === 0 || (m > 1 && number % 3 === 0)
          ? {
              objective: Math.sin(number),
              ...(m > 1 ? { values: Array.from({ length: m }, (_, j) => (number === 9 && j === 1 ? NaN : Math.sin(number + j))) } : {}),
              ...(shape.constraints ? { constraints: Array.from({ length: shape.constraints }, (_, j) => Math.cos(number * (j + 1))) } : {}),
            }
          : {}
        trials.push(makeTrial(number, params, { state, ...outcome }))
      }
    }
    return batches
  }

  describe(`suggester conformance: ${name}`, () => {
    it('accepts the stepped test space (so the tests below really run)', () => {
      assert.deepEqual(refusals(STEPPED_SPACE), [])
    })

    it('returns legal values of the right type, honouring log, step, int, categorical and discrete', async (t) => {
      for (const space of [STEPPED_SPACE, CONTINUOUS_SPACE]) {
        if (rejects(space)) continue
        for (const batch of await runRounds(space, 3)) for (const params of batch) assertLegal(space, params)
      }
      if (rejects(CONTINUOUS_SPACE)) t.diagnostic('continuous space rejected by check; stepped space only')
    })

    it('is deterministic for the same seed and history', async () => {
      assert.deepEqual(await runRounds(STEPPED_SPACE, 5), await runRounds(STEPPED_SPACE, 5))
    })

    it('suggests something else for another seed on a continuous space', async (t) => {
      if (rejects(CONTINUOUS_SPACE)) return t.skip('check rejects a continuous space')
      const a = await suggest(CONTINUOUS_SPACE, { count: 3, seed: 1 })
      const b = await suggest(CONTINUOUS_SPACE, { count: 3, seed: 2 })
      assert.notDeepEqual(a.suggestions, b.suggestions)
    })

    it('never returns more than asked, and fewer only with exhausted', async () => {
      const tiny: SearchSpace = [{ name: 'c', type: 'categorical', choices: ['a', 'b'] }]
      for (const space of [STEPPED_SPACE, tiny]) {
        for (const count of [0, 1, 2, 5, 9]) {
          const result = await suggest(space, { count, seed: count })
          assert.ok(result.suggestions.length <= count, `${result.suggestions.length} > ${count}`)
          if (result.suggestions.length < count) assert.equal(result.exhausted, true)
          for (const params of result.suggestions) assertLegal(space, params)
        }
      }
      assert.equal((await suggest(STEPPED_SPACE, { count: 6 })).suggestions.length, 6)
    })

    it('survives an empty history, an all-failed history and non-finite objectives', async () => {
      const seen = (await suggest(STEPPED_SPACE, { count: 10, seed: 9 })).suggestions
      const histories: TrialSnapshot[][] = [
        [],
        seen.map((params, i) => makeTrial(i, params, { state: 'Failed' })),
        seen.map((params, i) => makeTrial(i, params, { state: 'Succeeded', objective: [NaN, Infinity, -Infinity][i % 3]! })),
      ]
      for (const trials of histories) {
        const result = await suggest(STEPPED_SPACE, { trials, count: 5, seed: 4 })
        assert.equal(result.suggestions.length, 5)
        for (const params of result.suggestions) assertLegal(STEPPED_SPACE, params)
      }
    })

    if (def.multiObjective) {
      for (const shape of [{ objectives: 2 }, { objectives: 3, constraints: 2 }, { objectives: 1, constraints: 1 }]) {
        it(`with ${shape.objectives} objective(s) and ${shape.constraints ?? 0} constraint(s): legal, deterministic, as many as asked`, async () => {
          for (const space of [STEPPED_SPACE, CONTINUOUS_SPACE]) {
            if (rejects(space)) continue
            const rounds = await runRounds(space, 7, shape)
            for (const batch of rounds) {
              assert.equal(batch.length, 4)
              for (const params of batch) assertLegal(space, params)
            }
            assert.deepEqual(await runRounds(space, 7, shape), rounds)
          }
        })
      }
    }

    it('returns plain JSON-serialisable params and state', async () => {
      const result = await suggest(STEPPED_SPACE, { count: 4, seed: 11 })
      for (const params of result.suggestions) assert.equal(Object.getPrototypeOf(params), Object.prototype)
      assert.deepEqual(JSON.parse(JSON.stringify(result.suggestions)), result.suggestions)
      if (result.state !== undefined) assert.deepEqual(JSON.parse(JSON.stringify(result.state)), result.state)
    })
  })
}

/** Every parameter present, nothing extra, inside its declared space, and stable as a Katib string. */
export function assertLegal(space: SearchSpace, params: Params): void {
  assert.deepEqual(Object.keys(params).sort(), space.map((p) => p.name).sort())
  for (const p of space) {
    const value = params[p.name]
    const where = `${p.name}=${String(value)}`
    if (p.type === 'categorical') {
      assert.equal(typeof value, 'string', where)
      assert.ok(p.choices.includes(value as string), where)
      continue
    }
    assert.equal(typeof value, 'number', where)
    const v = value as number
    assert.ok(Number.isFinite(v), where)
    assert.equal(Number(formatParamValue(v)), v, `${where} does not survive formatParamValue`)
    if (p.type === 'discrete') {
      assert.ok(p.choices.includes(v), where)
      continue
    }
    assert.ok(v >= p.min && v <= p.max, `${where} outside [${p.min}, ${p.max}]`)
    if (p.type === 'int') assert.ok(Number.isInteger(v), where)
    if (p.step !== undefined) {
      const k = (v - p.min) / p.step
      assert.ok(Math.abs(k - Math.round(k)) < 1e-6, `${where} is not min + k·${p.step}`)
    }
    if (p.distribution === 'logUniform' || p.distribution === 'logNormal') assert.ok(v > 0, where)
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !(value instanceof Date) && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child)
  }
  return value
}

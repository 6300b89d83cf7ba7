import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { SettingSpec } from '../../algorithms/algorithm-definition.ts'
import { parseSettings } from '../../algorithms/parse-settings.ts'
import { didYouMean } from '../../algorithms/did-you-mean.ts'
import { randomAlgorithm } from '../../algorithms/random/random-suggester.ts'

const SETTINGS: readonly SettingSpec[] = [
  { name: 'gamma', type: 'float', default: 0.25, min: 0, max: 1, exclusiveMin: true, exclusiveMax: true, description: 'quantile' },
  { name: 'n_EI_candidates', type: 'int', default: 24, min: 0, exclusiveMin: true, description: 'candidates' },
  { name: 'random_state', type: 'int', min: 0, description: 'seed' },
  { name: 'acq_func', type: 'enum', default: 'gp_hedge', values: ['gp_hedge', 'LCB', 'EI'], description: 'acquisition' },
  { name: 'label', type: 'string', description: 'free text' },
  { name: 'r_l', type: 'float', required: true, min: 0, description: 'set it to the maximum resource' },
]
const DEF = { name: 'demo', settings: SETTINGS }
const parse = (list: { name: string; value: string }[]) => parseSettings(DEF, list)

describe('parseSettings', () => {
  it('parses each type and fills defaults', () => {
    const { settings, issues } = parse([
      { name: 'gamma', value: '0.5' },
      { name: 'random_state', value: ' 42 ' },
      { name: 'acq_func', value: 'EI' },
      { name: 'label', value: 'x y' },
      { name: 'r_l', value: '1e2' },
    ])
    assert.deepEqual(issues, [])
    assert.deepEqual(settings, { gamma: 0.5, random_state: 42, acq_func: 'EI', label: 'x y', r_l: 100, n_EI_candidates: 24 })
  })

  it('leaves optional settings without default absent', () => {
    const { settings, issues } = parseSettings(randomAlgorithm, [])
    assert.deepEqual(issues, [])
    assert.deepEqual(settings, {})
  })

  it('rejects an unknown name, guessing the intended one and listing the valid ones', () => {
    const { issues } = parseSettings(randomAlgorithm, [{ name: 'random_seed', value: '1' }])
    assert.deepEqual(issues, [{
      index: 0, field: 'name', name: 'random_seed',
      message: 'unknown setting "random_seed" for algorithm "random"; did you mean "random_state"? Valid settings: random_state',
    }])
    const far = parseSettings(randomAlgorithm, [{ name: 'temperature', value: '1' }]).issues[0]!.message
    assert.equal(far, 'unknown setting "temperature" for algorithm "random". Valid settings: random_state')
    const none = parseSettings({ name: 'settingless', settings: [] }, [{ name: 'x', value: '1' }]).issues[0]!.message
    assert.equal(none, 'algorithm "settingless" takes no settings; remove "x"')
  })

  it('only warns about an unknown name where Katib\'s service ignores it (cmaes, sobol, hyperband, pbt), still guessing', () => {
    const sigma = { name: 'sigma', type: 'float', min: 0, exclusiveMin: true, description: 'initial step' } as const
    const cmaes = parseSettings({ name: 'cmaes', settings: [sigma] }, [{ name: 'sigmma', value: '0.1' }, { name: 'colour', value: 'red' }])
    assert.deepEqual(cmaes.issues, [])
    assert.deepEqual(cmaes.settings, {})
    assert.deepEqual(cmaes.warnings.map((w) => [w.index, w.field, w.message]), [
      [0, 'name', 'setting "sigmma" is not one of algorithm "cmaes" and is ignored, as Katib\'s service ignores it; did you mean "sigma"?'],
      [1, 'name', 'setting "colour" is not one of algorithm "cmaes" and is ignored, as Katib\'s service ignores it; its settings are sigma'],
    ])
    const sobol = parseSettings({ name: 'sobol', settings: [] }, [{ name: 'x', value: '1' }])
    assert.deepEqual([sobol.issues, sobol.warnings.map((w) => w.message)], [[], ['setting "x" is not one of algorithm "sobol" and is ignored, as Katib\'s service ignores it; it takes no settings']])
    assert.equal(parseSettings(randomAlgorithm, [{ name: 'x', value: '1' }]).warnings.length, 0)
  })

  it('rejects a non-integer int with the valid range', () => {
    for (const value of ['abc', '1.5', '', '1e3', '0x10', '99999999999999999999']) {
      const { issues, settings } = parse([{ name: 'random_state', value }, { name: 'r_l', value: '1' }])
      assert.deepEqual(issues, [{ index: 0, field: 'value', name: 'random_state', message: `setting "random_state" must be an integer >= 0, got ${JSON.stringify(value)}` }], value)
      assert.equal(settings['random_state'], undefined)
    }
  })

  it('rejects out-of-range and non-finite numbers, honouring exclusive bounds', () => {
    const bad = (name: string, value: string) => parse([{ name, value }, { name: 'r_l', value: '1' }]).issues.map((i) => i.message)
    assert.deepEqual(bad('gamma', '1'), ['setting "gamma" must be a number > 0 and < 1, got "1"'])
    assert.deepEqual(bad('gamma', '0'), ['setting "gamma" must be a number > 0 and < 1, got "0"'])
    assert.deepEqual(bad('gamma', 'NaN'), ['setting "gamma" must be a number > 0 and < 1, got "NaN"'])
    assert.deepEqual(bad('gamma', 'Infinity'), ['setting "gamma" must be a number > 0 and < 1, got "Infinity"'])
    assert.deepEqual(bad('n_EI_candidates', '0'), ['setting "n_EI_candidates" must be an integer > 0, got "0"'])
    assert.deepEqual(bad('random_state', '-1'), ['setting "random_state" must be an integer >= 0, got "-1"'])
    assert.deepEqual(bad('gamma', '.5'), [])
    assert.deepEqual(bad('random_state', '0'), [])
  })

  it('accepts Katib\'s "None" only where the setting allows it, and says so when a value is wrong', () => {
    const specs: readonly SettingSpec[] = [
      { name: 'temperature', type: 'float', default: 5, min: 0, exclusiveMin: true, noneAllowed: true, description: 't' },
      { name: 'hidden', type: 'int', default: 64, min: 1, description: 'h' },
    ]
    const run = (list: { name: string; value: string }[]) => parseSettings({ name: 'demo', settings: specs }, list)
    assert.deepEqual(run([{ name: 'temperature', value: ' None ' }]), { settings: { temperature: 'None', hidden: 64 }, issues: [], warnings: [] })
    assert.deepEqual(run([{ name: 'temperature', value: 'none' }]).issues.map((i) => i.message), ['setting "temperature" must be a number > 0, or None, got "none"'])
    assert.deepEqual(run([{ name: 'hidden', value: 'None' }]).issues.map((i) => i.message), ['setting "hidden" must be an integer >= 1, got "None"'])
  })

  it('rejects an enum value outside the list, with a guess', () => {
    const { issues } = parse([{ name: 'acq_func', value: 'ei' }, { name: 'r_l', value: '1' }])
    assert.equal(issues[0]!.message, 'setting "acq_func" must be one of gp_hedge, LCB, EI, got "ei"; did you mean "EI"?')
  })

  it('rejects duplicates with different values, keeping the first value', () => {
    const { issues, settings } = parse([{ name: 'gamma', value: '0.1' }, { name: 'r_l', value: '1' }, { name: 'gamma', value: '0.9' }])
    assert.deepEqual(issues, [{ index: 2, field: 'name', name: 'gamma', message: 'setting "gamma" is given more than once with different values (first at index 0); keep one' }])
    assert.equal(settings['gamma'], 0.1)
  })

  it('uses a repeat with the same value once (validate warns about it)', () => {
    const { issues, warnings, settings } = parse([{ name: 'gamma', value: '0.1' }, { name: 'r_l', value: '1' }, { name: 'gamma', value: '0.1' }])
    assert.deepEqual([issues, warnings], [[], []])
    assert.equal(settings['gamma'], 0.1)
  })

  it('reports a missing required setting without an index', () => {
    assert.deepEqual(parse([]).issues, [{ name: 'r_l', message: 'setting "r_l" is required by algorithm "demo"; set it to the maximum resource' }])
  })

  it('random_state is capped at the 32-bit seed range', () => {
    assert.deepEqual(parseSettings(randomAlgorithm, [{ name: 'random_state', value: '4294967295' }]).issues, [])
    assert.equal(parseSettings(randomAlgorithm, [{ name: 'random_state', value: '4294967296' }]).issues.length, 1)
  })
})

describe('didYouMean', () => {
  it('finds near misses, ignoring case and counting swaps as one edit, and gives up on far ones', () => {
    assert.equal(didYouMean('rnadom', ['random', 'grid']), 'random')
    assert.equal(didYouMean('GRID', ['random', 'grid']), 'grid')
    assert.equal(didYouMean('bayesian', ['random', 'grid']), undefined)
    assert.equal(didYouMean('x', []), undefined)
  })
})

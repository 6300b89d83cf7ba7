import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { SearchSpace } from '../../core/search-space.ts'
import { algorithmNames, algorithms, getAlgorithm, validateAlgorithm } from '../../algorithms/registry.ts'
import { describeSuggesterConformance } from './suggester.conformance.ts'

// The one place the conformance suite runs for each registered algorithm (variants with other
// settings, such as hyperband's tpe sampler, run in their algorithm's own file).
for (const name of algorithmNames()) describeSuggesterConformance(name, getAlgorithm(name)!)

const SPACE: SearchSpace = [
  { name: 'optimizer', type: 'categorical', choices: ['sgd', 'adam'] },
  { name: 'lr', type: 'double', min: 0.01, max: 0.05, distribution: 'uniform' },
]
const BUDGET = { maxTrialCount: 12, parallelTrialCount: 3 }

describe('registry', () => {
  it('lists every implemented algorithm, each under its own Katib name', () => {
    assert.deepEqual([...algorithmNames()].sort(), ['bayesianoptimization', 'cmaes', 'grid', 'hyperband', 'multivariate-tpe', 'nsga2', 'pbt', 'random', 'sobol', 'tpe'])
    for (const name of algorithmNames()) assert.equal(algorithms[name].name, name)
  })

  it('returns undefined for unknown names, including prototype keys', () => {
    assert.equal(getAlgorithm('enas'), undefined)
    assert.equal(getAlgorithm('toString'), undefined)
    assert.equal(getAlgorithm('Random'), undefined)
    assert.equal(getAlgorithm('random'), algorithms.random)
  })
})

describe('validateAlgorithm', () => {
  it('accepts a valid algorithm with settings', () => {
    assert.deepEqual(validateAlgorithm('random', [{ name: 'random_state', value: '7' }], SPACE, BUDGET).issues, [])
  })

  it('leaves the architecture searches to the NAS registry (nas/validate-nas-algorithm.ts)', () => {
    for (const name of ['enas', 'darts']) assert.match(validateAlgorithm(name, [], SPACE, BUDGET).issues[0]!.message, new RegExp(`unknown algorithm "${name}"`))
  })

  it('lists known algorithms and guesses a typo for an unknown name', () => {
    const [issue] = validateAlgorithm('rnadom', [], SPACE, BUDGET).issues
    assert.equal(issue!.path, '/algorithmName')
    assert.equal(issue!.message, 'unknown algorithm "rnadom"; did you mean "random"? Known algorithms: random, grid, sobol, tpe, multivariate-tpe, bayesianoptimization, cmaes, nsga2, hyperband, pbt')
    assert.match(validateAlgorithm('', [], SPACE, BUDGET).issues[0]!.message, /algorithmName is required; known algorithms: random, grid, sobol, tpe, multivariate-tpe, bayesianoptimization, cmaes, nsga2, hyperband, pbt/)
    assert.match(validateAlgorithm(undefined, [], SPACE, BUDGET).issues[0]!.message, /required/)
  })

  it('points setting problems at the offending entry', () => {
    const { issues } = validateAlgorithm('random', [
      { name: 'random_state', value: '1' },
      { name: 'random_state', value: '2' },
      { name: 'random_seed', value: '3' },
      { name: 'x', value: 'y' },
    ], SPACE, BUDGET)
    assert.deepEqual(issues.map((i) => i.path), ['/algorithmSettings/1/name', '/algorithmSettings/2/name', '/algorithmSettings/3/name'])
    const bad = validateAlgorithm('grid', [{ name: 'random_state', value: '-1' }], SPACE, BUDGET).issues
    assert.deepEqual(bad.map((i) => i.path), ['/algorithmSettings/0/value'])
  })

  it('points space problems at the parameter, with an absolute path', () => {
    assert.deepEqual(validateAlgorithm('grid', [], SPACE, BUDGET).issues, [
      { path: '/spec/parameters/1/feasibleSpace/step', message: 'grid needs feasibleSpace.step on double parameter "lr"' },
    ])
    const logSpace: SearchSpace = [{ name: 'lr', type: 'double', min: 0, max: 1, distribution: 'logUniform' }]
    const [issue] = validateAlgorithm('random', [], logSpace, BUDGET).issues
    assert.equal(issue!.path, '/spec/parameters/0/feasibleSpace/min')
    assert.match(issue!.message, /logUniform distribution, which needs min > 0, got 0/)
  })

  it('does not run space checks while the settings are wrong', () => {
    const { issues } = validateAlgorithm('grid', [{ name: 'random_state', value: 'abc' }], SPACE, BUDGET)
    assert.equal(issues.length, 1)
    assert.equal(issues[0]!.path, '/algorithmSettings/0/value')
  })
})

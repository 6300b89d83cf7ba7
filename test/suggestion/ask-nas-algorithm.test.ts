import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArchitecture } from '../../core/nas/architecture-assignment.ts'
import { expandNasConfig } from '../../core/nas/expand-nas-config.ts'
import { parseNnConfig } from '../../core/nas/nn-config-assignment.ts'
import type { NasConfig } from '../../core/spec/index.ts'
import { parseExperimentYaml } from '../../core/spec/index.ts'
import type { TrialSnapshot } from '../../core/trial.ts'
import { askAlgorithm, type AskRequest } from '../../suggestion/ask-algorithm.ts'
import { dartsAssignments } from '../../algorithms/nas/darts/darts-assignments.ts'
import { parseSettings } from '../../algorithms/parse-settings.ts'
import { dartsAlgorithm } from '../../algorithms/nas/darts/darts-definition.ts'

const fixture = (name: string) => {
  const file = fileURLToPath(new URL(`../fixtures/katib/nas/${name}`, import.meta.url))
  return parseExperimentYaml(readFileSync(file, 'utf8'), file).experiment!
}
// enas-cpu's 106 operations over four layers.
const nasConfig: NasConfig = { ...fixture('enas-cpu.yaml').spec.nasConfig!, graphConfig: { numLayers: 4, inputSizes: [32, 32, 3], outputSizes: [10] } }
const space = expandNasConfig(nasConfig)

function request(overrides: Partial<AskRequest>): AskRequest {
  return { algorithmName: 'random', settings: [], space: [], direction: 'maximize', trials: [], count: 3, seed: 42, state: undefined, nasConfig, ...overrides }
}

function trial(number: number, architecture: string, objective?: number): TrialSnapshot {
  return {
    id: `t${number}`, number, name: `t-${number}`, state: objective === undefined ? 'Running' : 'Succeeded',
    params: { architecture, nn_config: '{}' }, ...(objective === undefined ? {} : { objective }), createdAt: new Date(0),
  }
}

test('random over nasConfig: each suggestion is { architecture, nn_config } in Katib\'s formats, inside the space', async () => {
  const result = await askAlgorithm(request({}))
  assert.equal(result.suggestions.length, 3)
  assert.equal(result.exhausted, false)
  for (const params of result.suggestions) {
    assert.deepEqual(Object.keys(params), ['architecture', 'nn_config'])
    const architecture = parseArchitecture(params.architecture as string, space)
    assert.match(params.architecture as string, /^\[\[\d+\], \[\d+, [01]\], \[\d+, [01], [01]\], \[\d+, [01], [01], [01]\]\]$/)
    const config = parseNnConfig(params.nn_config as string)
    assert.equal(config.num_layers, 4)
    for (const layer of architecture) assert.equal(config.embedding[String(layer[0])]!.opt_type, space.operations[layer[0]!]!.type)
  }
})

test('trial n\'s architecture depends on the seed and n only, not on how the asks were batched', async () => {
  const once = await askAlgorithm(request({ count: 3 }))
  const first = await askAlgorithm(request({ count: 1 }))
  const rest = await askAlgorithm(request({ count: 2, trialCount: 1, trials: [trial(0, first.suggestions[0]!.architecture as string)] }))
  assert.deepEqual([...first.suggestions, ...rest.suggestions], once.suggestions)
  const other = await askAlgorithm(request({ count: 3, seed: 43 }))
  assert.notDeepEqual(other.suggestions, once.suggestions)
})

test('evolution reads the trials back from their architecture; one it cannot read is left out', async () => {
  const trials = [trial(0, '[[1], [2, 0], [3, 0, 1], [4, 1, 1, 0]]', 0.5), trial(1, 'not an architecture', 0.9), trial(2, '[[5], [6, 1], [7, 0, 0], [8, 1, 0, 1]]', 0.7)]
  const settings = [{ name: 'population_size', value: '2' }, { name: 'sample_size', value: '2' }]
  const result = await askAlgorithm(request({ algorithmName: 'evolution', settings, trials, count: 2 }))
  assert.equal(result.suggestions.length, 2)
  // A population of 2 past its first 2 members: every child is one change away from the best readable trial.
  const best = parseArchitecture('[[5], [6, 1], [7, 0, 0], [8, 1, 0, 1]]')
  for (const params of result.suggestions) {
    const child = parseArchitecture(params.architecture as string, space)
    const changes = child.flat().filter((value, i) => value !== best.flat()[i]).length
    assert.equal(changes, 1, `${params.architecture} is not one change from the best`)
  }
})

test('darts: every trial gets Katib\'s algorithm-settings, search-space and num-layers', async () => {
  const darts = fixture('darts-cpu.yaml')
  const settings = darts.spec.algorithm.algorithmSettings ?? []
  const result = await askAlgorithm(request({ algorithmName: 'darts', nasConfig: darts.spec.nasConfig!, settings, count: 2 }))
  const expected = dartsAssignments(darts.spec.nasConfig!, parseSettings(dartsAlgorithm, settings).settings, settings)
  assert.deepEqual(result.suggestions, [expected, expected])
  assert.deepEqual(Object.keys(expected), ['algorithm-settings', 'search-space', 'num-layers'])
  assert.equal(expected['search-space'], "['max_pooling_3x3']")
  assert.equal(result.exhausted, false)
})

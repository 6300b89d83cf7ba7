import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { NasConfig } from '../../core/spec/experiment-schema.ts'
import { parseSettings } from '../../algorithms/parse-settings.ts'
import { dartsAssignments } from '../../algorithms/nas/darts/darts-assignments.ts'
import { dartsAlgorithm, dartsNasConfigIssues } from '../../algorithms/nas/darts/darts-definition.ts'
import { pythonFloatRepr } from '../../algorithms/nas/darts/katib-quoted-json.ts'

const categorical = (name: string, list: string[]) => ({ name, parameterType: 'categorical' as const, feasibleSpace: { list } })

// Katib's darts-cpu and darts-gpu examples (their nasConfig and algorithmSettings).
const CPU: NasConfig = { graphConfig: { numLayers: 1 }, operations: [{ operationType: 'max_pooling', parameters: [categorical('filter_size', ['3'])] }] }
const CPU_SETTINGS = [{ name: 'num_epochs', value: '1' }, { name: 'num_nodes', value: '1' }, { name: 'init_channels', value: '1' }, { name: 'stem_multiplier', value: '1' }]
const GPU: NasConfig = {
  graphConfig: { numLayers: 3 },
  operations: [
    { operationType: 'separable_convolution', parameters: [categorical('filter_size', ['3'])] },
    { operationType: 'dilated_convolution', parameters: [categorical('filter_size', ['3', '5'])] },
    { operationType: 'avg_pooling', parameters: [categorical('filter_size', ['3'])] },
    { operationType: 'max_pooling', parameters: [categorical('filter_size', ['3'])] },
    { operationType: 'skip_connection' },
  ],
}

function assign(nasConfig: NasConfig, given: { name: string; value: string }[], passGiven = true) {
  const parsed = parseSettings(dartsAlgorithm, given)
  assert.deepEqual(parsed.issues, [])
  return dartsAssignments(nasConfig, parsed.settings, passGiven ? given : undefined)
}

// The expected strings are what Katib's service (json.dumps, then " to ') prints for these inputs.
describe('dartsAssignments', () => {
  it('writes darts-cpu.yaml\'s assignments as Katib\'s service does: defaults as Python numbers, given settings as their text', () => {
    assert.deepEqual(assign(CPU, CPU_SETTINGS), {
      'algorithm-settings': "{'num_epochs': '1', 'w_lr': 0.025, 'w_lr_min': 0.001, 'w_momentum': 0.9, 'w_weight_decay': 0.0003, 'w_grad_clip': 5.0, 'alpha_lr': 0.0003, 'alpha_weight_decay': 0.001, 'batch_size': 128, 'num_workers': 4, 'init_channels': '1', 'print_step': 50, 'num_nodes': '1', 'stem_multiplier': '1'}",
      'search-space': "['max_pooling_3x3']",
      'num-layers': '1',
    })
  })

  it('names every filter size of each operation and keeps skip_connection as is (darts-gpu.yaml)', () => {
    const result = assign(GPU, [{ name: 'num_epochs', value: '3' }])
    assert.equal(result['search-space'], "['separable_convolution_3x3', 'dilated_convolution_3x3', 'dilated_convolution_5x5', 'avg_pooling_3x3', 'max_pooling_3x3', 'skip_connection']")
    assert.equal(result['num-layers'], '3')
    assert.match(result['algorithm-settings']!, /^\{'num_epochs': '3', 'w_lr': 0\.025,.* 'stem_multiplier': 3\}$/)
  })

  it('writes None as null, keeps a setting it does not know after the defaults, and escapes text as Python\'s json does', () => {
    const given = [{ name: 'batch_size', value: 'None' }, { name: 'my_extra', value: 'héllo "x"' }, { name: 'w_lr', value: '1e-2' }]
    const parsed = parseSettings(dartsAlgorithm, given)
    assert.deepEqual(parsed.issues, [])
    assert.deepEqual(parsed.warnings.map((w) => w.message), ['setting "my_extra" is not one of algorithm "darts" and is passed on to the trial unchecked, as Katib\'s service passes it; its settings are num_epochs, w_lr, w_lr_min, w_momentum, w_weight_decay, w_grad_clip, alpha_lr, alpha_weight_decay, batch_size, num_workers, init_channels, print_step, num_nodes, stem_multiplier'])
    assert.equal(dartsAssignments(CPU, parsed.settings, given)['algorithm-settings'],
      "{'num_epochs': 50, 'w_lr': '1e-2', 'w_lr_min': 0.001, 'w_momentum': 0.9, 'w_weight_decay': 0.0003, 'w_grad_clip': 5.0, 'alpha_lr': 0.0003, 'alpha_weight_decay': 0.001, 'batch_size': null, 'num_workers': 4, 'init_channels': 16, 'print_step': 50, 'num_nodes': 4, 'stem_multiplier': 3, 'my_extra': 'h\\u00e9llo \\'x\\''}")
  })

  it('without the given list writes the parsed values as numbers, which the trial reads the same way', () => {
    const settings = JSON.parse(assign(CPU, CPU_SETTINGS, false)['algorithm-settings']!.replaceAll("'", '"')) as Record<string, unknown>
    assert.equal(settings.num_epochs, 1)
    assert.equal(settings.w_grad_clip, 5)
    assert.equal(settings.batch_size, 128)
  })

  it('gives num-layers 0 when graphConfig has none, as protobuf\'s default', () => {
    assert.equal(dartsAssignments({ operations: CPU.operations }, {})['num-layers'], '0')
  })
})

describe('pythonFloatRepr', () => {
  it('prints floats as Python\'s repr does', () => {
    const cases: [number, string][] = [[0.025, '0.025'], [3e-4, '0.0003'], [5, '5.0'], [1e-5, '1e-05'], [1.5e-7, '1.5e-07'], [1e16, '1e+16'], [1.2345678901234568e17, '1.2345678901234568e+17'], [9999999999999998, '9999999999999998.0'], [-0.5, '-0.5'], [100, '100.0'], [0.0001, '0.0001'], [0, '0.0']]
    for (const [value, repr] of cases) assert.equal(pythonFloatRepr(value), repr, String(value))
  })
})

describe('dartsAlgorithm', () => {
  it('validates settings with Katib\'s bounds', () => {
    const bad = parseSettings(dartsAlgorithm, [{ name: 'num_epochs', value: '0' }, { name: 'w_lr', value: '-1' }, { name: 'num_workers', value: '0' }, { name: 'init_channels', value: '0' }])
    assert.deepEqual(bad.issues.map((i) => i.name), ['num_epochs', 'w_lr', 'init_channels'])
  })

  it('accepts batch_size None or an integer >= 1 and refuses anything else', () => {
    const space = { numLayers: 1, inputSizes: [], outputSizes: [], operations: [] }
    const check = (value: string) => dartsAlgorithm.check!(space, parseSettings(dartsAlgorithm, [{ name: 'batch_size', value }]).settings, { parallelTrialCount: 1, maxTrialCount: 1 })
    assert.deepEqual(check('None'), [])
    assert.deepEqual(check('64'), [])
    for (const value of ['0', 'abc', '1.5']) assert.equal(check(value)[0]?.setting, 'batch_size', value)
  })

  it('warns that more than one trial repeats the same search', () => {
    const space = { numLayers: 1, inputSizes: [], outputSizes: [], operations: [] }
    const issues = dartsAlgorithm.check!(space, {}, { parallelTrialCount: 1, maxTrialCount: 3 })
    assert.equal(issues.length, 1)
    assert.equal(issues[0]!.warning, true)
  })

  it('proposes no architecture: one empty entry per trial asked for', async () => {
    const space = { numLayers: 1, inputSizes: [], outputSizes: [], operations: [] }
    const rng = { next: () => 0.5, int: () => 0 } as never
    const result = await dartsAlgorithm.create({}).suggest({ space, direction: 'maximize', trials: [], count: 2, rng, state: undefined })
    assert.deepEqual(result.architectures, [[], []])
  })

  it('warns about operations Katib\'s search space silently leaves out', () => {
    const issues = dartsNasConfigIssues({ operations: [
      { operationType: 'convolution', parameters: [{ name: 'filter_size', parameterType: 'int', feasibleSpace: { min: '3', max: '5' } }] },
      { operationType: 'pooling', parameters: [categorical('filter_size', ['3']), categorical('stride', ['1'])] },
      { operationType: 'skip_connection' },
      { operationType: 'identity' },
    ] })
    assert.deepEqual(issues.map((i) => i.path), ['/spec/nasConfig/operations/0/parameters/0/feasibleSpace', '/spec/nasConfig/operations/1/parameters/1', '/spec/nasConfig/operations/3'])
  })
})

import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { countNasOperations, doubleRange, expandNasConfig } from '../../../core/nas/expand-nas-config.ts'
import { nasConfigIssues, MAX_NAS_OPERATIONS } from '../../../core/nas/nas-config-issues.ts'
import { pythonFloatRepr } from '../../../core/nas/python-float-repr.ts'
import { parseExperimentYaml } from '../../../core/spec/index.ts'
import type { NasConfig } from '../../../core/spec/index.ts'

const dir = fileURLToPath(new URL('../../fixtures/katib/nas/', import.meta.url))

function nasConfigOf(file: string): NasConfig {
  const parsed = parseExperimentYaml(readFileSync(dir + file, 'utf8'), file)
  assert.deepEqual(parsed.issues, [])
  return parsed.experiment!.spec.nasConfig!
}

// Katib multiplies each operation out, last parameter fastest: enas-cpu's convolution is
// 3 filter sizes x 5 filter counts x 2 strides = 30 (ids 0-29), separable_convolution
// 3 x 5 x 2 x 2 = 60 (30-89), depthwise_convolution 3 x 2 x 2 = 12 (90-101), reduction
// 2 types x range(2, 4, 1) = 4 (102-105).
for (const file of ['enas-cpu.yaml', 'enas-gpu.yaml']) {
  test(`${file}: 106 operations numbered in Katib's order`, () => {
    const space = expandNasConfig(nasConfigOf(file))
    assert.equal(space.operations.length, 106)
    assert.equal(countNasOperations(nasConfigOf(file)), 106)
    assert.deepEqual(space.inputSizes, [32, 32, 3])
    assert.deepEqual(space.outputSizes, [10])
    assert.equal(space.numLayers, file === 'enas-cpu.yaml' ? 1 : 8)
    space.operations.forEach((operation, i) => assert.equal(operation.id, i))
    const at = (id: number) => ({ type: space.operations[id]!.type, params: space.operations[id]!.params })
    assert.deepEqual(at(0), { type: 'convolution', params: { filter_size: '3', num_filter: '32', stride: '1' } })
    assert.deepEqual(at(1), { type: 'convolution', params: { filter_size: '3', num_filter: '32', stride: '2' } })
    assert.deepEqual(at(29), { type: 'convolution', params: { filter_size: '7', num_filter: '128', stride: '2' } })
    assert.deepEqual(at(30), { type: 'separable_convolution', params: { filter_size: '3', num_filter: '32', stride: '1', depth_multiplier: '1' } })
    // 47 - 30 = 17: filter_size 17 // 20 = 0, num_filter 17 % 20 // 4 = 4, stride 1 // 2 = 0, depth_multiplier 1.
    assert.deepEqual(at(47), { type: 'separable_convolution', params: { filter_size: '3', num_filter: '128', stride: '1', depth_multiplier: '2' } })
    assert.deepEqual(at(90), { type: 'depthwise_convolution', params: { filter_size: '3', stride: '1', depth_multiplier: '1' } })
    assert.deepEqual(at(101), { type: 'depthwise_convolution', params: { filter_size: '7', stride: '2', depth_multiplier: '2' } })
    assert.deepEqual(at(102), { type: 'reduction', params: { reduction_type: 'max_pooling', pool_size: '2' } })
    assert.deepEqual(at(105), { type: 'reduction', params: { reduction_type: 'avg_pooling', pool_size: '3' } })
    // Only the int range is a number in nn_config.
    assert.deepEqual(space.operations[102]!.numeric, ['pool_size'])
    assert.equal(space.operations[0]!.numeric, undefined)
    assert.deepEqual(nasConfigIssues(nasConfigOf(file), 'enas'), [])
  })
}

test('darts-cpu.yaml: one operation', () => {
  const space = expandNasConfig(nasConfigOf('darts-cpu.yaml'))
  assert.deepEqual(space.operations, [{ id: 0, type: 'max_pooling', params: { filter_size: '3' } }])
})

test('darts-gpu.yaml: skip_connection, without parameters, is one operation with none', () => {
  const space = expandNasConfig(nasConfigOf('darts-gpu.yaml'))
  assert.deepEqual(space.operations.map((o) => [o.type, o.params]), [
    ['separable_convolution', { filter_size: '3' }],
    ['dilated_convolution', { filter_size: '3' }],
    ['dilated_convolution', { filter_size: '5' }],
    ['avg_pooling', { filter_size: '3' }],
    ['max_pooling', { filter_size: '3' }],
    ['skip_connection', {}],
  ])
})

function config(parameters: NasConfig['operations']): NasConfig {
  return { graphConfig: { numLayers: 2, inputSizes: [8], outputSizes: [2] }, operations: parameters }
}

test('int ranges follow Python range(min, max + 1, step); no step moves by 1', () => {
  const space = expandNasConfig(config([
    { operationType: 'dense', parameters: [{ name: 'units', parameterType: 'int', feasibleSpace: { min: '16', max: '64', step: '16' } }] },
    { operationType: 'pool', parameters: [{ name: 'size', parameterType: 'int', feasibleSpace: { min: '2', max: '10', step: '3' } }] },
    { operationType: 'free', parameters: [{ name: 'n', parameterType: 'int', feasibleSpace: { min: '-1', max: '1' } }] },
  ]))
  assert.deepEqual(space.operations.map((o) => `${o.type} ${Object.values(o.params).join()}`), [
    'dense 16', 'dense 32', 'dense 48', 'dense 64', 'pool 2', 'pool 5', 'pool 8', 'free -1', 'free 0', 'free 1',
  ])
})

test('double ranges are numpy arange(min, max + step, step) less a last value above max, printed as Python floats', () => {
  // Reference values: numpy 2 and Python 3 print exactly these for the same calls.
  assert.deepEqual(doubleRange(0.1, 0.3, 0.1).map(pythonFloatRepr), ['0.1', '0.2', '0.30000000000000004'])
  assert.deepEqual(doubleRange(1e-5, 5e-5, 1e-5).map(pythonFloatRepr), ['1e-05', '2e-05', '3.0000000000000004e-05', '4e-05', '5e-05'])
  assert.deepEqual(doubleRange(1, 3, 0.5).map(pythonFloatRepr), ['1.0', '1.5', '2.0', '2.5', '3.0'])
  assert.deepEqual(doubleRange(0.2, 0.9, 0.35).map(pythonFloatRepr), ['0.2', '0.55', '0.9000000000000001'])
  const nas = config([{ operationType: 'dropout', parameters: [{ name: 'rate', parameterType: 'double', feasibleSpace: { min: '0.1', max: '0.3', step: '0.1' } }] }])
  assert.deepEqual(expandNasConfig(nas).operations.map((o) => o.params.rate), ['0.1', '0.2', '0.30000000000000004'])
  assert.equal(countNasOperations(nas), 3)
})

test('Python float repr: positional from 1e-4 to 1e16, scientific outside, .0 on whole numbers', () => {
  assert.deepEqual([1e16, 1e15, 0.0001, 0.00001, 1.2345678901234568e20, 1.5e-7, 2, -3.25, 0].map(pythonFloatRepr),
    ['1e+16', '1000000000000000.0', '0.0001', '1e-05', '1.2345678901234568e+20', '1.5e-07', '2.0', '-3.25', '0.0'])
})

test('a discrete parameter counts as a categorical one, its values as written', () => {
  const space = expandNasConfig(config([{ operationType: 'dense', parameters: [{ name: 'units', parameterType: 'discrete', feasibleSpace: { list: ['16', '32.0'] } }] }]))
  assert.deepEqual(space.operations.map((o) => o.params), [{ units: '16' }, { units: '32.0' }])
})

test('nasConfigIssues: Katib ENAS\'s graph rules, a double\'s step, and the bounds', () => {
  const paths = (nas: NasConfig) => nasConfigIssues(nas, 'enas').map((i) => i.path)
  assert.deepEqual(paths({ operations: [{ operationType: 'x' }] }), ['/spec/nasConfig/graphConfig', '/spec/nasConfig/graphConfig', '/spec/nasConfig/graphConfig'])
  assert.deepEqual(paths({ graphConfig: { numLayers: 0, inputSizes: [1], outputSizes: [] }, operations: [{ operationType: 'x' }] }),
    ['/spec/nasConfig/graphConfig/numLayers', '/spec/nasConfig/graphConfig/outputSizes'])
  const noStep = config([{ operationType: 'dropout', parameters: [{ name: 'rate', parameterType: 'double', feasibleSpace: { min: '0.1', max: '0.3' } }] }])
  const issues = nasConfigIssues(noStep, 'enas')
  assert.deepEqual(issues.map((i) => i.path), ['/spec/nasConfig/operations/0/parameters/0/feasibleSpace/step'])
  assert.match(issues[0]!.message, /step above 0/)
  const huge = config([{ operationType: 'dense', parameters: [{ name: 'units', parameterType: 'int', feasibleSpace: { min: '1', max: '1000000000' } }] }])
  const [tooMany] = nasConfigIssues(huge, 'enas')
  assert.equal(tooMany!.path, '/spec/nasConfig/operations')
  assert.match(tooMany!.message, new RegExp(`1000000000 operations .* more than ${MAX_NAS_OPERATIONS}`))
})

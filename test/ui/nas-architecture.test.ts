import { test } from 'node:test'
import assert from 'node:assert/strict'
import { architectureOf, architectureText, describeLayer, readArchitecture, summarizeArchitecture } from '../../ui/src/nas-architecture.ts'

// Katib's ENAS service prints both with json.dumps and then turns every double quote into a
// single one; categorical values stay strings, int ranges (pool_size) are numbers.
const ARCHITECTURE = '[[27], [3, 1], [68, 0, 1], [2, 1, 0, 1]]'
const NN_CONFIG = "{'num_layers': 4, 'input_sizes': [32, 32, 3], 'output_sizes': [10], 'embedding': {" +
  "'27': {'opt_id': 27, 'opt_type': 'convolution', 'opt_params': {'filter_size': '5', 'num_filter': '64', 'stride': '1'}}, " +
  "'3': {'opt_id': 3, 'opt_type': 'separable_convolution', 'opt_params': {'filter_size': '3', 'num_filter': '32', 'stride': '2', 'depth_multiplier': '1'}}, " +
  "'68': {'opt_id': 68, 'opt_type': 'reduction', 'opt_params': {'reduction_type': 'max_pooling', 'pool_size': 2}}, " +
  "'2': {'opt_id': 2, 'opt_type': 'depthwise_convolution', 'opt_params': {'filter_size': '7', 'stride': '1', 'depth_multiplier': '2'}}}}"

test('each layer reads as its operation, parameters and skips, from Katib\'s strings', () => {
  const reading = readArchitecture(ARCHITECTURE, NN_CONFIG)
  assert.ok(reading.ok)
  assert.deepEqual(reading.architecture.layers.map(describeLayer), [
    'L1 convolution 5x5 64 filters stride 1',
    'L2 separable convolution 3x3 32 filters stride 2 depth multiplier 1 <- skip from input',
    'L3 reduction max pooling 2x2 <- skip from L1',
    'L4 depthwise convolution 7x7 stride 1 depth multiplier 2 <- skips from input, L2',
  ])
  assert.deepEqual(reading.architecture.inputSizes, [32, 32, 3])
  assert.deepEqual(reading.architecture.outputSizes, [10])
  assert.equal(summarizeArchitecture(reading.architecture), 'conv 5x5 64f s1 → sep-conv 3x3 32f s2 d1 +input → max-pool 2x2 +L1 → dw-conv 7x7 s1 d2 +input,L2')
  assert.match(architectureText(reading.architecture), /\ninput 32x32x3 -> output 10$/)
})

test('plain JSON reads the same; an id nn_config lacks is named by its number', () => {
  const reading = readArchitecture(JSON.stringify([[5], [9, 1]]), JSON.stringify({ embedding: { 5: { opt_type: 'dense', opt_params: { units: 64, activation: 'relu' } } } }))
  assert.ok(reading.ok)
  assert.deepEqual(reading.architecture.layers.map(describeLayer), ['L1 dense 64 units relu', 'L2 operation 9 <- skip from input'])
  assert.equal(summarizeArchitecture(reading.architecture), 'dense 64 relu → op 9 +input')
})

test('a value that is not an architecture says why; trials without one have none', () => {
  const broken = architectureOf({ architecture: '[[1], oops', nn_config: '{}' })
  assert.ok(broken && !broken.ok)
  assert.equal(broken.reason, 'not a list of layers')
  const badLayer = readArchitecture("[[1], ['a']]", undefined)
  assert.ok(!badLayer.ok)
  assert.match(badLayer.reason, /layer 1/)
  assert.equal(architectureOf({ lr: 0.1 }), undefined)
})

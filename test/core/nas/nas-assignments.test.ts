import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { formatArchitecture, NasAssignmentError, parseArchitecture } from '../../../core/nas/architecture-assignment.ts'
import { expandNasConfig } from '../../../core/nas/expand-nas-config.ts'
import { formatNnConfig, parseNnConfig } from '../../../core/nas/nn-config-assignment.ts'
import { pythonJsonString } from '../../../core/nas/python-json.ts'
import { parseExperimentYaml } from '../../../core/spec/index.ts'

const file = fileURLToPath(new URL('../../fixtures/katib/nas/enas-cpu.yaml', import.meta.url))
const experiment = parseExperimentYaml(readFileSync(file, 'utf8'), file).experiment!
// enas-cpu's operations over three layers.
const space = { ...expandNasConfig(experiment.spec.nasConfig!), numLayers: 3 }

// What Katib's ENAS service.py prints for this architecture: json.dumps, then " to '
// (computed by running its formatting code on the same space).
const ARCH = [[102], [27, 1], [102, 0, 1]]
const ARCH_TEXT = '[[102], [27, 1], [102, 0, 1]]'
const NN_CONFIG_TEXT = "{'num_layers': 3, 'input_sizes': [32, 32, 3], 'output_sizes': [10], 'embedding': {" +
  "'102': {'opt_id': 102, 'opt_type': 'reduction', 'opt_params': {'reduction_type': 'max_pooling', 'pool_size': 2}}, " +
  "'27': {'opt_id': 27, 'opt_type': 'convolution', 'opt_params': {'filter_size': '7', 'num_filter': '96', 'stride': '2'}}}}"

test('architecture: Katib\'s text, and back', () => {
  assert.equal(formatArchitecture(ARCH), ARCH_TEXT)
  assert.deepEqual(parseArchitecture(ARCH_TEXT, space), ARCH)
  assert.deepEqual(parseArchitecture('[[5]]'), [[5]])
})

test('nn_config: Katib\'s text (embedding in layer order, a repeat once, ints bare, categoricals quoted), read back as a trial reads it', () => {
  const text = formatNnConfig(space, ARCH)
  assert.equal(text, NN_CONFIG_TEXT)
  const read = parseNnConfig(text)
  assert.equal(read.num_layers, 3)
  assert.deepEqual(Object.keys(read.embedding).sort(), ['102', '27'])
  assert.deepEqual(read.embedding['27']!.opt_params, { filter_size: '7', num_filter: '96', stride: '2' })
  assert.equal(read.embedding['102']!.opt_params.pool_size, 2)
})

test('nn_config escapes as json.dumps with ensure_ascii, before " becomes \'', () => {
  // Python: json.dumps("é\x7f\"x'\\ 😀") == '"\\u00e9\\u007f\\"x\'\\\\ \\ud83d\\ude00"'
  assert.equal(pythonJsonString('é\u007f"x\'\\ 😀'), '"\\u00e9\\u007f\\"x\'\\\\ \\ud83d\\ude00"')
  const odd = { numLayers: 1, inputSizes: [1], outputSizes: [1], operations: [{ id: 0, type: 'conv é', params: { act: 'relu' } }] }
  assert.equal(formatNnConfig(odd, [[0]]), "{'num_layers': 1, 'input_sizes': [1], 'output_sizes': [1], 'embedding': {'0': {'opt_id': 0, 'opt_type': 'conv \\u00e9', 'opt_params': {'act': 'relu'}}}}")
})

test('parseArchitecture says what is wrong', () => {
  const message = (text: string) => {
    try {
      parseArchitecture(text, space)
    } catch (error) {
      assert.ok(error instanceof NasAssignmentError)
      return error.message
    }
    assert.fail(`${text} was accepted`)
  }
  assert.match(message('[[1], [2'), /not a list of lists of numbers/)
  assert.match(message('[[1], [2, 0]]'), /has 2 layers; the search space has 3/)
  assert.match(message('[[1], [2], [3, 0, 1]]'), /layer 1 must be \[operation id, then 1 skip bit \(0 or 1\)\]/)
  assert.match(message('[[1], [2, 2], [3, 0, 1]]'), /layer 1's skips must be 0 or 1/)
  assert.match(message('[[1], [2, 0], [106, 0, 1]]'), /operation 106 is not one of the 106 operations \(0 to 105\)/)
})

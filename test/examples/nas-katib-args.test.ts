import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { formatArchitecture } from '../../core/nas/architecture-assignment.ts'
import { expandNasConfig } from '../../core/nas/expand-nas-config.ts'
import { formatNnConfig } from '../../core/nas/nn-config-assignment.ts'
import { denseLayers } from '../../examples/nas/dense-network.ts'
import { checkArchitectureAgainstConfig, NasArgumentError, parseArchitecture, parseNnConfig } from '../../examples/nas/katib-nas-args.ts'
import { parseTrialFlags } from '../../examples/nas/trial-flags.ts'

// The NAS example's reading of Katib's `architecture` and `nn_config` values (JSON with ' for ").
const NN_CONFIG =
  "{'num_layers': 2, 'input_sizes': [64], 'output_sizes': [10], 'embedding': {'0': {'opt_id': 0, 'opt_type': 'dense', 'opt_params': {'units': 16, 'activation': 'relu'}}, '2': {'opt_id': 2, 'opt_type': 'dense', 'opt_params': {'units': '32', 'activation': 'tanh'}}}}"

function refusal(work: () => unknown, message: RegExp) {
  assert.throws(work, (error: unknown) => {
    assert.ok(error instanceof NasArgumentError)
    assert.match(error.message, message)
    return true
  })
}

test("reads Katib's formats: int-range parameters as numbers, categorical ones as strings", () => {
  assert.deepEqual(parseArchitecture('[[0], [2, 1]]'), [[0], [2, 1]])
  const config = parseNnConfig(NN_CONFIG)
  assert.equal(config.numLayers, 2)
  assert.deepEqual(config.inputSizes, [64])
  assert.deepEqual(config.outputSizes, [10])
  assert.deepEqual(config.embedding.get(0), { type: 'dense', params: { units: 16, activation: 'relu' } })
  assert.deepEqual(config.embedding.get(2), { type: 'dense', params: { units: '32', activation: 'tanh' } })
  assert.deepEqual(denseLayers([[0], [2, 1]], config).map((l) => l.units), [16, 32])
})

test('refuses a malformed architecture, naming the place in it', () => {
  refusal(() => parseArchitecture('[[0], [2, 1]'), /^--architecture is not JSON \(Katib's format, with ' for "\): .*; expected per layer \[operation_id, skip\.\.\.\]/)
  refusal(() => parseArchitecture('[]'), /--architecture must be a non-empty list of layers/)
  refusal(() => parseArchitecture('{"0": [1]}'), /--architecture must be a non-empty list of layers/)
  refusal(() => parseArchitecture('[[0], [2]]'), /--architecture \[1\]: layer 1 must be a list of 2 numbers .*; got \[2\]/)
  refusal(() => parseArchitecture('[[0, 1]]'), /--architecture \[0\]: layer 0 must be a list of 1 numbers/)
  refusal(() => parseArchitecture('[[0], [-1, 0]]'), /--architecture \[1\]\[0\]: the operation id must be an integer 0 or more; got -1/)
  refusal(() => parseArchitecture("[['dense'], [1, 0]]"), /--architecture \[0\]\[0\]: the operation id must be an integer 0 or more; got "dense"/)
  refusal(() => parseArchitecture('[[0], [2, 3]]'), /--architecture \[1\]\[1\]: a skip bit must be 0 or 1; got 3/)
})

test('refuses a malformed nn_config, naming the field', () => {
  refusal(() => parseNnConfig('num_layers=2'), /^--nn_config is not JSON/)
  refusal(() => parseNnConfig(NN_CONFIG.replace("'num_layers': 2", "'num_layers': 0")), /--nn_config \.num_layers: expected a positive integer; got 0/)
  refusal(() => parseNnConfig(NN_CONFIG.replace("'output_sizes': [10]", "'output_sizes': []")), /--nn_config \.output_sizes: expected a non-empty list of positive integers; got \[\]/)
  refusal(() => parseNnConfig(NN_CONFIG.replace("'opt_params': {'units': 16, 'activation': 'relu'}", "'opt_params': {'units': [16]}")), /--nn_config \.embedding\["0"\]\.opt_params\.units: expected a string or a number; got \[16\]/)
  refusal(() => parseNnConfig(NN_CONFIG.replace("{'opt_id': 0, 'opt_type': 'dense', ", "{'opt_id': 0, ")), /--nn_config \.embedding\["0"\]: expected \{'opt_id': 0, 'opt_type': \.\.\., 'opt_params': \{\.\.\.\}\}/)
})

test('refuses an architecture and nn_config that do not fit together, or an operation this trial cannot build', () => {
  const config = parseNnConfig(NN_CONFIG)
  refusal(() => checkArchitectureAgainstConfig([[0], [2, 1], [0, 1, 1]], config), /--architecture has 3 layers but --nn_config's num_layers is 2/)
  refusal(() => checkArchitectureAgainstConfig([[0], [7, 1]], config), /--architecture \[1\]\[0\]: operation 7 is not in --nn_config's embedding \(it describes 0, 2\)/)
  refusal(() => denseLayers([[0], [2, 1]], parseNnConfig(NN_CONFIG.replace("'relu'", "'softsign'"))), /--nn_config \.embedding\["0"\]\.opt_params\.activation must be one of relu, tanh, sigmoid; got "softsign"/)
  refusal(() => denseLayers([[0], [2, 1]], parseNnConfig(NN_CONFIG.replace("'units': '32'", "'units': '3.5'"))), /--nn_config \.embedding\["2"\]\.opt_params\.units must be an integer from 1 to 4096; got "3\.5"/)
})

test('reads flags as argparse does, and says what is wrong with one', () => {
  const base = ['--architecture=[[0]]', "--nn_config={'a': 1}"]
  assert.deepEqual(parseTrialFlags([...base, '--num_epochs', '4', '--learning_rate=0.01']), {
    architecture: '[[0]]', nnConfig: "{'a': 1}", numEpochs: 4, batchSize: 32, learningRate: 0.01, seed: 1,
  })
  refusal(() => parseTrialFlags([...base, '--num_epochs=2.5']), /--num_epochs must be an integer of at least 1; got "2\.5"/)
  refusal(() => parseTrialFlags([...base, '--learning_rate=0']), /--learning_rate must be a number above 0; got "0"/)
  refusal(() => parseTrialFlags([...base, '--seed']), /--seed expects a value/)
  refusal(() => parseTrialFlags([...base, 'extra']), /unrecognized argument "extra"/)
  refusal(() => parseTrialFlags(['--architecture=  ']), /--architecture is required/)
})

test("every operation of the example's nasConfig, as Tunewell's NAS service formats it, builds the layer it describes", () => {
  for (const file of ['enas-digits.yaml', 'evolution-digits.yaml']) {
    const experiment = parse(readFileSync(new URL(`../../examples/nas/${file}`, import.meta.url), 'utf8'))
    const space = expandNasConfig(experiment.spec.nasConfig)
    assert.equal(space.operations.length, 12, file)
    for (const operation of space.operations) {
      // The operation in every layer, with every skip taken.
      const architecture = Array.from({ length: space.numLayers }, (_, i) => [operation.id, ...Array<number>(i).fill(1)])
      const config = parseNnConfig(formatNnConfig(space, architecture))
      const parsed = parseArchitecture(formatArchitecture(architecture))
      checkArchitectureAgainstConfig(parsed, config)
      const layers = denseLayers(parsed, config)
      assert.deepEqual(layers.at(-1), { units: Number(operation.params.units), activation: operation.params.activation, sources: [2, 0, 1] }, `${file} operation ${operation.id}`)
    }
  }
})

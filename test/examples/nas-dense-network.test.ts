import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Matrix } from 'ml-matrix'
import { DenseNetwork, denseLayers, type Activation } from '../../examples/nas/dense-network.ts'
import { parseArchitecture, parseNnConfig } from '../../examples/nas/katib-nas-args.ts'
import { seededRandom } from '../../examples/nas/seeded-random.ts'

// The NAS example's backpropagation against central differences of its own loss, through
// concatenated skips (a layer read by two later layers, the image read by a deep layer), for
// each activation it offers.
for (const activation of ['relu', 'tanh', 'sigmoid'] as const satisfies readonly Activation[]) {
  test(`backpropagation matches finite differences through skip connections (${activation})`, () => {
    const random = seededRandom(11)
    const layers = [
      { units: 5, activation, sources: [0] },
      { units: 4, activation: 'tanh' as const, sources: [1, 0] },
      { units: 3, activation, sources: [2, 0, 1] },
    ]
    const network = new DenseNetwork(layers, 6, 4, random, 0.01)
    const x = new Matrix(Array.from({ length: 7 }, () => Array.from({ length: 6 }, () => 2 * random.next() - 1)))
    const labels = [0, 1, 2, 3, 1, 2, 0]
    const { gradients } = network.gradients(x, labels)
    network.parameters.forEach((parameter, k) => {
      for (let i = 0; i < parameter.rows; i++) {
        for (let j = 0; j < parameter.columns; j++) {
          const value = parameter.get(i, j)
          const h = 1e-5
          parameter.set(i, j, value + h)
          const up = network.evaluate(x, labels).loss
          parameter.set(i, j, value - h)
          const down = network.evaluate(x, labels).loss
          parameter.set(i, j, value)
          assert.ok(Math.abs((up - down) / (2 * h) - gradients[k]!.get(i, j)) < 1e-7, `parameter ${k} (${i}, ${j})`)
        }
      }
    })
  })
}

test("skip bits connect layers as Katib's ENAS trial connects them", () => {
  // Layer i reads layer i-1 (the image for layer 0) and, for skip bit j, the output numbered j
  // in Katib's list of outputs, where 0 is the image.
  const config = parseNnConfig(
    "{'num_layers': 4, 'input_sizes': [64], 'output_sizes': [10], 'embedding': {'0': {'opt_id': 0, 'opt_type': 'dense', 'opt_params': {'units': 16, 'activation': 'relu'}}, '5': {'opt_id': 5, 'opt_type': 'dense', 'opt_params': {'units': '48', 'activation': 'sigmoid'}}}}",
  )
  const layers = denseLayers(parseArchitecture('[[0], [5, 1], [0, 0, 1], [5, 1, 0, 1]]'), config)
  assert.deepEqual(layers.map((l) => l.sources), [[0], [1, 0], [2, 1], [3, 0, 2]])
  assert.deepEqual(layers.map((l) => [l.units, l.activation]), [[16, 'relu'], [48, 'sigmoid'], [16, 'relu'], [48, 'sigmoid']])
})

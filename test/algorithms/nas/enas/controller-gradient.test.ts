import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createRng } from '../../../../core/rng.ts'
import { controllerLayout, type ControllerLayout } from '../../../../algorithms/nas/enas/controller-layout.ts'
import { backward, sampleArchitecture, scoreArchitecture, type ControllerConfig } from '../../../../algorithms/nas/enas/controller-pass.ts'

// The hand-written backpropagation through time against central finite differences of the
// same pass, for every weight, with and without temperature and tanh squashing.
describe('ENAS controller gradient', () => {
  const configs: ControllerConfig[] = [
    { temperature: 5, tanhConst: 2.25, skipTarget: 0.4 },
    { temperature: null, tanhConst: null, skipTarget: 0.4 },
    { temperature: 1.3, tanhConst: null, skipTarget: 0.1 },
    { temperature: null, tanhConst: 1.5, skipTarget: 0.8 },
  ]
  for (const config of configs) {
    it(`matches finite differences (temperature ${config.temperature}, tanh ${config.tanhConst})`, () => {
      const layout = controllerLayout(4, 4, 3)
      const rng = createRng(7)
      // Large weights, so that every path (gates, attention, squashing) has a visible slope.
      const weights = Float64Array.from({ length: layout.size }, () => (rng.next() * 2 - 1) * 0.8)
      // Skips on and off in every layer that has them, including ones that feed the next
      // layer's input (the mean of the chosen anchors).
      const architectures = [
        [[1], [0, 1], [2, 1, 0], [1, 0, 1, 1]],
        [[0], [2, 0], [1, 1, 1], [0, 1, 0, 0]],
        sampleArchitecture(weights, layout, config, rng),
      ]
      for (const architecture of architectures) {
        const { worst, largest } = compareWithFiniteDifferences(weights, layout, config, architecture)
        assert.ok(largest > 1e-2, `the objective depends on the weights (largest slope ${largest})`)
        assert.ok(worst < 1e-6, `${JSON.stringify(architecture)}: worst relative error ${worst}`)
      }
    })
  }

  it('scoring an architecture retraces the choices that sampled it', () => {
    const layout = controllerLayout(6, 5, 4)
    const config: ControllerConfig = { temperature: 5, tanhConst: 2.25, skipTarget: 0.4 }
    const rng = createRng(3)
    const weights = Float64Array.from({ length: layout.size }, () => (rng.next() * 2 - 1) * 0.5)
    const architecture = sampleArchitecture(weights, layout, config, createRng(11))
    const pass = scoreArchitecture(weights, layout, config, architecture)
    assert.deepEqual(pass.architecture, architecture)
    assert.equal(architecture.length, 5)
    architecture.forEach((row, layer) => assert.equal(row.length, 1 + layer))
    assert.ok(pass.logProb < 0 && Number.isFinite(pass.logProb))
    assert.equal(pass.skipCount, architecture.reduce((n, row) => n + row.slice(1).reduce((a, b) => a + b, 0), 0))
  })
})

function hasBothSkips(architecture: readonly (readonly number[])[]): boolean {
  const skips = architecture.flatMap((row) => row.slice(1))
  return skips.includes(0) && skips.includes(1)
}

/** The largest relative difference between backward's gradient and central differences. */
function compareWithFiniteDifferences(
  weights: Float64Array, layout: ControllerLayout, config: ControllerConfig, architecture: readonly (readonly number[])[],
): { worst: number; largest: number } {
  const alpha = -0.7
  const beta = 0.3
  const objective = () => {
    const pass = scoreArchitecture(weights, layout, config, architecture)
    return alpha * pass.logProb + beta * pass.skipKl
  }
  const grad = new Float64Array(layout.size)
  backward(weights, layout, config, scoreArchitecture(weights, layout, config, architecture), alpha, beta, grad)
  const eps = 1e-5
  let worst = 0
  let largest = 0
  for (let k = 0; k < layout.size; k++) {
    const saved = weights[k]!
    weights[k] = saved + eps
    const up = objective()
    weights[k] = saved - eps
    const down = objective()
    weights[k] = saved
    const numeric = (up - down) / (2 * eps)
    worst = Math.max(worst, Math.abs(numeric - grad[k]!) / Math.max(1e-2, Math.abs(numeric) + Math.abs(grad[k]!)))
    largest = Math.max(largest, Math.abs(numeric))
  }
  return { worst, largest }
}

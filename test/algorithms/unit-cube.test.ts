import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createRng } from '../../core/rng.ts'
import type { SearchSpace } from '../../core/search-space.ts'
import { sampleParams } from '../../algorithms/sample-parameter.ts'
import { createUnitCube, numericFromUnit, numericToUnit } from '../../algorithms/unit-cube.ts'
import { CONTINUOUS_SPACE, STEPPED_SPACE, assertLegal } from './suggester.conformance.ts'

describe('createUnitCube', () => {
  it('gives categoricals one coordinate per choice and everything else one', () => {
    const cube = createUnitCube(STEPPED_SPACE)
    assert.equal(cube.dimensions, STEPPED_SPACE.length - 1 + 3)
    assert.deepEqual(cube.slots.map((s) => [s.start, s.size]), [[0, 1], [1, 1], [2, 1], [3, 1], [4, 1], [5, 3], [8, 1]])
  })

  it('decodes what it encodes, for legal points of every parameter kind', () => {
    for (const space of [STEPPED_SPACE, CONTINUOUS_SPACE]) {
      const cube = createUnitCube(space)
      const rng = createRng(7)
      for (let i = 0; i < 300; i++) {
        const params = sampleParams(space, rng)
        const x = cube.encode(params)
        assert.ok(x, 'legal params encode')
        for (const u of x) assert.ok(u >= 0 && u <= 1)
        const back = cube.decode(x)
        for (const p of space) {
          const a = params[p.name]!
          const b = back[p.name]!
          if (typeof a === 'number' && p.type === 'double' && p.step === undefined) assert.ok(Math.abs(a - (b as number)) <= 1e-9 * Math.max(1, Math.abs(a)), `${p.name}: ${a} vs ${b}`)
          else assert.equal(b, a, p.name)
        }
      }
    }
  })

  it('decodes any point of the box, and beyond it, to a legal point', () => {
    const cube = createUnitCube(STEPPED_SPACE)
    const rng = createRng(3)
    for (let i = 0; i < 300; i++) {
      const x = Array.from({ length: cube.dimensions }, () => rng.next() * 1.4 - 0.2)
      assertLegal(STEPPED_SPACE, cube.decode(x))
    }
    assertLegal(STEPPED_SPACE, cube.decode(new Array<number>(cube.dimensions).fill(Number.NaN)))
  })

  it('refuses params with a missing or unknown value', () => {
    const cube = createUnitCube(STEPPED_SPACE)
    const good = sampleParams(STEPPED_SPACE, createRng(1))
    assert.equal(cube.encode({ ...good, optimizer: 'rmsprop' }), undefined)
    assert.equal(cube.encode({ ...good, dropout: 0.3 }), undefined)
    const { layers: _, ...missing } = good
    assert.equal(cube.encode(missing), undefined)
  })
})

describe('numeric unit scale', () => {
  const space: SearchSpace = [
    { name: 'lr', type: 'double', min: 1e-4, max: 1, distribution: 'logUniform' },
    { name: 'n', type: 'int', min: 0, max: 3, distribution: 'uniform' },
  ]
  const [lr, n] = space as [Extract<SearchSpace[number], { type: 'double' | 'int' }>, Extract<SearchSpace[number], { type: 'double' | 'int' }>]

  it('is logarithmic for log distributions', () => {
    assert.ok(Math.abs(numericFromUnit(lr, 0.5) - 1e-2) < 1e-12)
    assert.ok(Math.abs(numericToUnit(lr, 1e-3) - 0.25) < 1e-12)
  })

  it('gives each integer an equal cell', () => {
    assert.deepEqual([0.01, 0.24, 0.26, 0.49, 0.51, 0.74, 0.76, 0.99].map((u) => numericFromUnit(n, u)), [0, 0, 1, 1, 2, 2, 3, 3])
    assert.deepEqual([0, 1, 2, 3].map((v) => numericToUnit(n, v)), [0.125, 0.375, 0.625, 0.875])
  })
})

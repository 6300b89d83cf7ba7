import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { lcbenchLike } from '../../bench/problems/lcbench-like.ts'
import { paramsIssue } from '../../bench/problems/params-issue.ts'
import type { Problem, ProblemParams } from '../../bench/problems/problem.ts'
import { problemSearchSpace } from '../../bench/problems/problem-search-space.ts'
import { singleFidelityProblems } from '../../bench/problems/single-fidelity-problems.ts'
import { mixedNnLike } from '../../bench/problems/mixed-nn-like.ts'
import { branin } from '../../bench/problems/branin.ts'

interface SuiteProblem {
  readonly name: string
  readonly kind: 'single_fidelity' | 'multi_fidelity'
  readonly params: readonly Record<string, unknown>[]
  readonly global_min: number
  readonly argmin: readonly ProblemParams[]
  readonly resource?: { readonly name: string; readonly min: number; readonly max: number }
  readonly test_vectors: readonly { readonly params: ProblemParams; readonly resource?: number; readonly value: number }[]
}

const suite = JSON.parse(readFileSync(new URL('../../bench/hpo-anchor-v1/suite.json', import.meta.url), 'utf8')) as { problems: SuiteProblem[] }
const ours = new Map<string, Problem>([...singleFidelityProblems, lcbenchLike].map((p) => [p.name, p]))

/** SUITE.md's tolerance: |Δ| ≤ 1e-12·max(1, |value|). */
function assertClose(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= 1e-12 * Math.max(1, Math.abs(expected)), `${what}: got ${actual}, suite says ${expected}`)
}

describe('bench problems against hpo-anchor-v1/suite.json', () => {
  it('has the 8 single-fidelity problems in the suite order, plus lcbench_like', () => {
    assert.deepEqual(singleFidelityProblems.map((p) => p.name), suite.problems.filter((p) => p.kind === 'single_fidelity').map((p) => p.name))
    assert.deepEqual(suite.problems.filter((p) => p.kind === 'multi_fidelity').map((p) => p.name), [lcbenchLike.name])
  })

  for (const expected of suite.problems) {
    describe(expected.name, () => {
      const problem = ours.get(expected.name)!

      it('declares the same parameters and global minimum', () => {
        assert.deepEqual(problem.params.map((p) => ({ ...p })), expected.params)
        assert.equal(problem.globalMin, expected.global_min)
        if (expected.resource) assert.deepEqual(lcbenchLike.resource, { name: expected.resource.name, min: expected.resource.min, max: expected.resource.max })
      })

      it(`reproduces all ${expected.test_vectors.length} test vectors`, () => {
        assert.ok(expected.test_vectors.length > 0)
        expected.test_vectors.forEach((v, i) => {
          const value = v.resource === undefined ? problem.evaluate(v.params) : lcbenchLike.loss(v.params, v.resource)
          assertClose(value, v.value, `vector ${i} ${JSON.stringify(v.params)}${v.resource === undefined ? '' : ` at r=${v.resource}`}`)
        })
      })

      it('reaches the global minimum at every stated minimiser, which lies in the domain', () => {
        for (const x of expected.argmin) {
          assert.equal(paramsIssue(problem, x), undefined)
          assertClose(problem.evaluate(x), expected.global_min, `argmin ${JSON.stringify(x)}`)
        }
      })
    })
  }
})

describe('problemSearchSpace', () => {
  it('maps log doubles to logUniform, keeps int steps and categorical choices', () => {
    assert.deepEqual(problemSearchSpace(mixedNnLike), [
      { name: 'lr', type: 'double', min: 1e-5, max: 1e-1, distribution: 'logUniform' },
      { name: 'weight_decay', type: 'double', min: 1e-6, max: 1e-2, distribution: 'logUniform' },
      { name: 'dropout', type: 'double', min: 0, max: 0.5, distribution: 'uniform' },
      { name: 'n_layers', type: 'int', min: 1, max: 6, step: 1, distribution: 'uniform' },
      { name: 'hidden_units', type: 'int', min: 32, max: 512, step: 32, distribution: 'uniform' },
      { name: 'batch_size', type: 'int', min: 16, max: 256, step: 16, distribution: 'uniform' },
      { name: 'optimizer', type: 'categorical', choices: ['sgd', 'adam', 'rmsprop'] },
      { name: 'activation', type: 'categorical', choices: ['relu', 'tanh', 'gelu', 'sigmoid'] },
    ])
  })
})

describe('paramsIssue', () => {
  it('accepts domain points and names what is wrong with others', () => {
    const good = { lr: 1e-3, weight_decay: 1e-4, dropout: 0.2, n_layers: 3, hidden_units: 256, batch_size: 64, optimizer: 'adam', activation: 'gelu' }
    assert.equal(paramsIssue(mixedNnLike, good), undefined)
    assert.match(paramsIssue(mixedNnLike, { ...good, hidden_units: 250 }) ?? '', /hidden_units.*grid/)
    assert.match(paramsIssue(mixedNnLike, { ...good, n_layers: 2.5 }) ?? '', /n_layers.*integer/)
    assert.match(paramsIssue(mixedNnLike, { ...good, optimizer: 'lbfgs' }) ?? '', /optimizer.*not one of/)
    assert.match(paramsIssue(branin, { x1: 11, x2: 0 }) ?? '', /x1.*outside \[-5, 10\]/)
    assert.match(paramsIssue(branin, { x1: 0 }) ?? '', /x2.*missing/)
    assert.match(paramsIssue(branin, { x1: 0, x2: 0, x3: 1 }) ?? '', /unknown parameter "x3"/)
  })
})

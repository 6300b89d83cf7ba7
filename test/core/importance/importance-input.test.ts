import { test } from 'node:test'
import assert from 'node:assert/strict'
import { importanceInput, resourceParameterOf } from '../../../core/importance/importance-input.ts'
import { pedAnova } from '../../../core/importance/ped-anova.ts'
import { createRng } from '../../../core/rng.ts'
import type { Parameter } from '../../../core/search-space.ts'
import type { TrialState } from '../../../core/trial.ts'

const lr: Parameter = { name: 'lr', type: 'double', min: 0, max: 1, distribution: 'uniform' }
const width: Parameter = { name: 'width', type: 'double', min: 0, max: 1, distribution: 'uniform' }
const epochs: Parameter = { name: 'epochs', type: 'int', min: 1, max: 27, distribution: 'uniform' }
const hyperband = { algorithmName: 'hyperband', algorithmSettings: [{ name: 'r_l', value: '27' }, { name: 'resource_name', value: 'epochs' }] }

type Trial = { state: TrialState; objective: number | null; params: Record<string, number> }

test('hyperband: the resource parameter is left out, so the hyperparameter that matters gets the importance', () => {
  const rng = createRng(3)
  // Rungs of 1, 3, 9 and 27 epochs; longer training lowers the loss far more than lr does.
  const trials: Trial[] = Array.from({ length: 400 }, (_, i) => {
    const params = { lr: rng.next(), width: rng.next(), epochs: [1, 3, 9, 27][i % 4]! }
    return { state: 'Succeeded', objective: (params.lr - 0.3) ** 2 + 2 / params.epochs, params }
  })
  const input = importanceInput([lr, width, epochs], hyperband, trials)
  assert.equal(input.resourceParameter, 'epochs')
  assert.deepEqual(input.parameters.map((p) => p.name), ['lr', 'width'])
  const result = pedAnova(input.parameters, input.trials, { minimize: true })!
  assert.deepEqual(result.parameters.map((p) => p.name), ['lr', 'width'])
  assert.ok(result.parameters[0]!.importance > 0.8, `lr: ${result.parameters[0]!.importance}`)
  // With the resource in, it would have taken most of it: what leaving it out avoids.
  const withResource = pedAnova([lr, width, epochs], input.trials, { minimize: true })!
  assert.ok(withResource.parameters[2]!.importance > 0.5, `epochs when counted: ${withResource.parameters[2]!.importance}`)
})

test('early-stopped trials count with the objective they reached at their rung', () => {
  const rng = createRng(5)
  // A stopping rule ended every trial with width above 0.5 early, at a poor loss: among the trials
  // that ran in full, width no longer varies with the loss, so only the stopped ones show it matters.
  const trials: Trial[] = Array.from({ length: 400 }, () => {
    const params = { lr: rng.next(), width: rng.next() }
    return params.width > 0.5
      ? { state: 'EarlyStopped', objective: 1 + rng.next(), params }
      : { state: 'Succeeded', objective: (params.lr - 0.3) ** 2, params }
  })
  trials.push({ state: 'Failed', objective: -5, params: { lr: 0.9, width: 0.9 } }, { state: 'Running', objective: null, params: { lr: 0.1, width: 0.1 } })
  const input = importanceInput([lr, width], { algorithmName: 'tpe' }, trials)
  assert.equal(input.resourceParameter, undefined)
  assert.equal(input.trials.length, 400, 'succeeded and early-stopped trials, not failed or running ones')
  const result = pedAnova(input.parameters, input.trials, { minimize: true })!
  assert.ok(result.parameters[1]!.importance > 0.2, `width, with the stopped trials: ${result.parameters[1]!.importance}`)
  const succeededOnly = pedAnova([lr, width], input.trials.filter((t) => t.objective < 1), { minimize: true })!
  assert.ok(succeededOnly.parameters[1]!.importance < result.parameters[1]!.importance / 2, `width, without them: ${succeededOnly.parameters[1]!.importance}`)
})

test('only hyperband names a resource, and only one of the space', () => {
  assert.equal(resourceParameterOf({ algorithmName: 'hyperband', algorithmSettings: [{ name: 'resource_name', value: 'steps' }] }, [lr, epochs]), undefined)
  assert.equal(resourceParameterOf({ algorithmName: 'random', algorithmSettings: [{ name: 'resource_name', value: 'epochs' }] }, [lr, epochs]), undefined)
  assert.equal(resourceParameterOf(hyperband, [lr, epochs]), 'epochs')
})

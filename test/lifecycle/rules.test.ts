import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { TrialState } from '../../core/trial.ts'
import type { TrialRecord } from '../../db/store.ts'
import { bestTrial, improves } from '../../lifecycle/best-trial.ts'
import { countStates } from '../../lifecycle/count-states.ts'
import { mayComplete } from '../../lifecycle/may-complete.ts'
import { tallyCounts } from '../../lifecycle/tally-counts.ts'
import { trialFinishedEvent } from '../../lifecycle/trial-finished-event.ts'
import { ASK_TELL_COLLECTOR, decideTrialOutcome } from '../../lifecycle/trial-outcome.ts'
import type { Experiment } from '../../core/spec/index.ts'

const trial = (number: number, state: TrialState, objective: number | null) => ({ id: `t${number}`, number, state, objective }) as TrialRecord
const objective = { metric: 'loss', strategy: 'min' as const, collector: 'StdOut' }
const clean = { garbageCount: 0, nonFiniteOnly: [] }

describe('lifecycle rules (pure)', () => {
  test('best trial: Succeeded and EarlyStopped compete, non-finite and other states do not, ties keep the earlier', () => {
    const trials = [
      trial(0, 'Succeeded', 0.5), trial(1, 'Killed', 0.1), trial(2, 'EarlyStopped', 0.3),
      trial(3, 'Succeeded', Number.NaN), trial(4, 'Succeeded', 0.3), trial(5, 'Running', 0.01),
    ]
    assert.equal(bestTrial(trials, 'minimize')?.id, 't2')
    assert.equal(bestTrial(trials, 'maximize')?.id, 't0')
    assert.equal(bestTrial([trial(0, 'Failed', 1)], 'minimize'), undefined)
    assert.equal(improves('minimize', 0.3, 0.3), false)
    assert.equal(improves('maximize', Number.POSITIVE_INFINITY, undefined), false)
    assert.equal(improves('maximize', 2, undefined), true)
  })

  test('trial outcome: objective by strategy, MetricsUnavailable says why, a completion stop is Killed with its value', () => {
    const summary = { loss: { min: 0.1, max: 0.9, latest: 0.4 } }
    assert.deepEqual(decideTrialOutcome({ phase: 'succeeded' }, summary, objective, clean),
      { state: 'Succeeded', reason: 'TrialSucceeded', message: 'trial succeeded', objective: 0.1 })
    assert.deepEqual(decideTrialOutcome({ phase: 'failed', reason: 'ExperimentCompleted', message: 'stopped' }, summary, { ...objective, strategy: 'latest' }, clean),
      { state: 'Killed', reason: 'TrialKilled', message: 'stopped because the experiment completed', objective: 0.4 })
    const failed = decideTrialOutcome({ phase: 'failed', reason: 'Error', message: 'exit code 3' }, {}, objective, clean)
    assert.equal(failed.state, 'Failed')
    assert.equal(failed.message, 'Job reason: Error. exit code 3')
    const missing = decideTrialOutcome({ phase: 'succeeded' }, {}, { ...objective, collector: ASK_TELL_COLLECTOR }, { garbageCount: 0, nonFiniteOnly: ['loss'] })
    assert.equal(missing.state, 'MetricsUnavailable')
    assert.match(missing.message, /only as NaN or Infinity/)
    assert.deepEqual(trialFinishedEvent(missing), { type: 'trial:state-changed', payload: { state: 'MetricsUnavailable', reason: 'MetricsUnavailable', objective: null } })
  })

  test('a further objective never reported makes the run MetricsUnavailable, naming it and what was reported', () => {
    const summary = { loss: { min: 0.1, max: 0.4, latest: 0.2 }, latncy_ms: { min: 30, max: 30, latest: 30 } }
    const outcome = decideTrialOutcome({ phase: 'succeeded' }, summary, { ...objective, further: ['latency_ms'] }, clean)
    assert.equal(outcome.state, 'MetricsUnavailable')
    assert.match(outcome.message, /objective metric "latency_ms" was never reported/)
    assert.match(outcome.message, /did you mean "latncy_ms"/)
    // Every objective reported: Succeeded, the first objective's value as before.
    const both = decideTrialOutcome({ phase: 'succeeded' }, { ...summary, latency_ms: summary.latncy_ms }, { ...objective, further: ['latency_ms'] }, clean)
    assert.deepEqual(both, { state: 'Succeeded', reason: 'TrialSucceeded', message: 'trial succeeded', objective: 0.1 })
  })

  test('state counters: from trials and from a tally, every state present', () => {
    assert.deepEqual(countStates([trial(0, 'Running', null), trial(1, 'Running', null), trial(2, 'Killed', null)]),
      { Pending: 0, Running: 2, Succeeded: 0, Failed: 0, Killed: 1, EarlyStopped: 0, MetricsUnavailable: 0 })
    // Ended without failing (Succeeded, Killed, EarlyStopped) all count as Succeeded: the plan only sums them.
    assert.deepEqual(tallyCounts({ total: 10, Pending: 1, Running: 2, Failed: 3, MetricsUnavailable: 1 }),
      { Pending: 1, Running: 2, Failed: 3, MetricsUnavailable: 1, Succeeded: 3, Killed: 0, EarlyStopped: 0 })
  })

  test('mayComplete: skipped only when no completion reason can apply', () => {
    const spec = (s: Partial<Experiment['spec']> & { goal?: number }) => ({
      metadata: { name: 'rules' },
      spec: { objective: { type: 'minimize', objectiveMetricName: 'loss', ...(s.goal !== undefined ? { goal: s.goal } : {}) }, ...s },
    }) as unknown as Experiment
    const progress = { total: 10, suggestionExhausted: false }
    assert.equal(mayComplete(spec({ maxTrialCount: 100_000 }), progress, 0.5), false)
    assert.equal(mayComplete(spec({ maxTrialCount: 100_000, goal: 0.6 }), progress, 0.5), true)
    assert.equal(mayComplete(spec({ maxTrialCount: 100_000, goal: 0.4 }), progress, 0.5), false)
    assert.equal(mayComplete(spec({ maxFailedTrialCount: 3 }), progress, undefined), true)
    assert.equal(mayComplete(spec({ maxTrialCount: 500 }), progress, undefined), true)
    assert.equal(mayComplete(spec({}), { ...progress, suggestionExhausted: true }, undefined), true)
  })
})

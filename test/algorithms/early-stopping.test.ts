import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import type { TrialSnapshot, TrialState } from '../../core/trial.ts'
import { createEarlyStopper, validateEarlyStopping } from '../../algorithms/early-stopping/early-stopping-registry.ts'
import { MedianStopper } from '../../algorithms/early-stopping/median-stop.ts'
import { AshaStopper } from '../../algorithms/early-stopping/successive-halving-stop.ts'
import { checkExperimentYaml } from '../../suggestion/check-experiment.ts'
import { makeTrial } from './make-trial.ts'

/** A trial with values reported at steps 1, 2, …; `state` Running unless given. */
function curve(number: number, values: readonly number[], state: TrialState = 'Running', firstStep = 1): TrialSnapshot {
  return makeTrial(number, { x: number }, { state, intermediate: values.map((value, i) => ({ step: firstStep + i, value })) })
}

describe('medianstop (Golovin et al. 2017)', () => {
  const stopper = new MedianStopper({ minTrialsRequired: 3, startStep: 4 })
  // Running averages at step 4: 1, 2 and 10 (Katib's mean would be 4.33, the median is 2).
  const peers = [curve(0, [1, 1, 1, 1, 1], 'Succeeded'), curve(1, [2, 2, 2, 2], 'Succeeded'), curve(2, [10, 10, 10, 10, 10], 'EarlyStopped')]

  it('stops a trial whose best so far is worse than the median of the running averages, where Katib\'s mean would not', () => {
    const trial = curve(3, [5, 4, 3.5, 3])
    const decision = stopper.decide({ trial, trials: [...peers, trial], direction: 'minimize' })
    assert.equal(decision.stop, true)
    assert.match(decision.reason, /best value 3 by step 4 against the median 2 of 3 completed trials/)
    // Katib: mean of the per-trial averages of the first start_step values = 13/3 > 3, no stop.
    assert.ok(3 < (1 + 2 + 10) / 3)
  })

  it('keeps a trial at or better than the median', () => {
    const trial = curve(3, [5, 4, 3, 2])
    assert.equal(stopper.decide({ trial, trials: [...peers, trial], direction: 'minimize' }).stop, false)
  })

  it('does not judge before start_step reports', () => {
    const trial = curve(3, [50, 50, 50])
    const decision = stopper.decide({ trial, trials: [...peers, trial], direction: 'minimize' })
    assert.equal(decision.stop, false)
    assert.match(decision.reason, /3 of start_step 4 reports/)
  })

  it('needs min_trials_required completed peers that reached the step; running ones and shorter ones do not vote', () => {
    const trial = curve(3, [50, 50, 50, 50, 50])
    // At step 5 only trials 0 and 2 reached it; trial 4 is running, trial 5 stopped at step 2.
    const others = [...peers, curve(4, [0, 0, 0, 0, 0, 0]), curve(5, [0, 0], 'EarlyStopped')]
    const decision = stopper.decide({ trial, trials: [...others, trial], direction: 'minimize' })
    assert.equal(decision.stop, false)
    assert.match(decision.reason, /2 completed trials reached step 5; min_trials_required is 3/)
  })

  it('is evaluated at every report after start_step, not once', () => {
    // Peers' running averages: 3, 3, 1.75 at step 4 (median 3); 2.5, 2.5, 1.42 at step 6 (median 2.5).
    const others = [curve(0, [3, 3, 3, 3, 2, 1], 'Succeeded'), curve(1, [3, 3, 3, 3, 2, 1], 'Succeeded'), curve(2, [3, 2, 1, 1, 1, 0.5], 'Succeeded')]
    const atStep4 = curve(3, [3, 3, 3, 3])
    assert.equal(stopper.decide({ trial: atStep4, trials: [...others, atStep4], direction: 'minimize' }).stop, false)
    const atStep6 = curve(3, [3, 3, 3, 3, 3, 3])
    assert.equal(stopper.decide({ trial: atStep6, trials: [...others, atStep6], direction: 'minimize' }).stop, true)
  })

  it('compares the running maximum when maximising', () => {
    const up = [curve(0, [1, 2, 3, 4], 'Succeeded'), curve(1, [2, 3, 4, 5], 'Succeeded'), curve(2, [0, 0, 0, 0], 'Succeeded')]
    // Running averages 2.5, 3.5, 0 → median 2.5. Best so far 2.4 → stop; 2.6 → keep.
    const low = curve(3, [2.4, 1, 1, 1])
    const high = curve(3, [2.6, 1, 1, 1])
    assert.equal(stopper.decide({ trial: low, trials: [...up, low], direction: 'maximize' }).stop, true)
    assert.equal(stopper.decide({ trial: high, trials: [...up, high], direction: 'maximize' }).stop, false)
  })

  it('ignores NaN reports and trials without a series', () => {
    const trial = curve(3, [NaN, 9, 9, 9, 9])
    const decision = stopper.decide({ trial, trials: [...peers, makeTrial(9, {}), trial], direction: 'minimize' })
    assert.equal(decision.stop, false)
    assert.match(decision.reason, /4 of start_step 4|completed trials reached step 5/)
  })
})

describe('asha stopping (Li et al. 2020)', () => {
  const stopper = new AshaStopper({ minResource: 1, eta: 3, minEarlyStoppingRate: 0, maxResource: 27 })

  it('puts rungs at min_resource·eta^k', () => {
    assert.deepEqual([0, 1, 2, 3].map((k) => stopper.rung(k)), [1, 3, 9, 27])
    assert.equal(new AshaStopper({ minResource: 2, eta: 2, minEarlyStoppingRate: 1 }).rung(0), 4)
  })

  it('lets the first trial at a rung continue, then keeps only the top 1/eta of those that reached it', () => {
    const first = curve(0, [5])
    assert.equal(stopper.decide({ trial: first, trials: [first], direction: 'minimize' }).stop, false)
    const history = [curve(0, [5, 4, 3], 'Succeeded'), curve(1, [6], 'EarlyStopped'), curve(2, [7], 'EarlyStopped')]
    // 4 trials at rung 1 (step 1): keep ⌊4/3⌋ = 1, the best.
    const best = curve(3, [4])
    const second = curve(3, [5.5])
    assert.equal(stopper.decide({ trial: best, trials: [...history, best], direction: 'minimize' }).stop, false)
    const decision = stopper.decide({ trial: second, trials: [...history, second], direction: 'minimize' })
    assert.equal(decision.stop, true)
    assert.match(decision.reason, /rung 0 \(step 1\) its value 5.5 ranks 2 of the 4 trials/)
  })

  it('promotes asynchronously: with 6 at a rung the best 2 continue, whatever is still running', () => {
    const history = [1, 2, 3, 4, 5].map((v, i) => curve(i, [v, v], i < 2 ? 'Running' : 'EarlyStopped'))
    const trial = curve(9, [2.5])
    // ⌊6/3⌋ = 2: 2.5 ranks third.
    assert.equal(stopper.decide({ trial, trials: [...history, trial], direction: 'minimize' }).stop, true)
    const good = curve(9, [1.5])
    assert.equal(stopper.decide({ trial: good, trials: [...history, good], direction: 'minimize' }).stop, false)
  })

  it('judges only reports that cross a rung, with the value at the rung when a report skips over it', () => {
    const history = [curve(0, [1, 1, 1]), curve(1, [1, 1, 1]), curve(2, [1, 1, 1])]
    const between = curve(3, [0.5, 9])
    assert.equal(stopper.decide({ trial: between, trials: [...history, between], direction: 'minimize' }).stop, false)
    const skipping = makeTrial(3, { x: 3 }, { state: 'Running', intermediate: [{ step: 2, value: 5 }, { step: 4, value: 0.1 }] })
    // Crosses rung 3 at step 4; its value at step 3 is the one reported at step 2, 5: worst of 4.
    assert.equal(stopper.decide({ trial: skipping, trials: [...history, skipping], direction: 'minimize' }).stop, true)
  })

  it('does not judge the max_resource rung', () => {
    const history = [0, 1, 2].map((i) => curve(i, new Array(27).fill(0), 'Succeeded'))
    const trial = curve(3, [...new Array(26).fill(0), 9])
    assert.equal(stopper.decide({ trial, trials: [...history, trial], direction: 'minimize' }).stop, false)
  })

  it('ranks by the highest value when maximising', () => {
    const history = [curve(0, [5]), curve(1, [6]), curve(2, [7])]
    const trial = curve(3, [8])
    assert.equal(stopper.decide({ trial, trials: [...history, trial], direction: 'maximize' }).stop, false)
    assert.equal(stopper.decide({ trial, trials: [...history, trial], direction: 'minimize' }).stop, true)
  })
})

describe('early-stopping settings', () => {
  it('accepts Katib\'s medianstop settings and fills the defaults', () => {
    assert.deepEqual(validateEarlyStopping('medianstop', [{ name: 'min_trials_required', value: '5' }, { name: 'start_step', value: '2' }]).issues, [])
    const stopper = createEarlyStopper('medianstop', [])
    const trial = curve(0, [1, 1, 1])
    assert.match(stopper.decide({ trial, trials: [trial], direction: 'minimize' }).reason, /start_step 4/)
  })

  it('points at the bad entry with a clear message', () => {
    assert.deepEqual(validateEarlyStopping('medianstop', [{ name: 'start_step', value: '0' }, { name: 'min_trial_required', value: '3' }]).issues, [
      { path: '/algorithmSettings/0/value', message: 'setting "start_step" must be an integer >= 1, got "0"' },
      { path: '/algorithmSettings/1/name', message: 'unknown setting "min_trial_required" for algorithm "medianstop"; did you mean "min_trials_required"? Valid settings: min_trials_required, start_step' },
    ])
    assert.match(validateEarlyStopping('asha', [{ name: 'eta', value: '1' }]).issues[0]!.message, /eta" must be an integer >= 2/)
  })

  it('names unknown rules with a guess', () => {
    assert.deepEqual(validateEarlyStopping('medianstp', []).issues, [{ path: '/algorithmName', message: 'unknown early-stopping algorithm "medianstp"; did you mean "medianstop"? Known: medianstop, asha' }])
  })
})

describe('spec.earlyStopping at experiment creation', () => {
  const quickstart = readFileSync(new URL('../../examples/quickstart.yaml', import.meta.url), 'utf8')
  const withStopping = (block: string) => quickstart.replace(/^spec:\n/m, `spec:\n  earlyStopping:\n${block}`)

  it('reports a bad rule setting with its path and line', () => {
    const { issues } = checkExperimentYaml(withStopping('    algorithmName: medianstop\n    algorithmSettings:\n      - {name: start_step, value: "0"}\n'), 'e.yaml')
    assert.equal(issues.length, 1)
    assert.equal(issues[0]!.path, '/spec/earlyStopping/algorithmSettings/0/value')
    assert.equal(issues[0]!.line, 12)
  })

  it('accepts medianstop and asha with defaults', () => {
    for (const name of ['medianstop', 'asha']) assert.deepEqual(checkExperimentYaml(withStopping(`    algorithmName: ${name}\n`)).issues, [])
  })
})

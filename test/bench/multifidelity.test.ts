import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { lcbenchLike } from '../../bench/problems/lcbench-like.ts'
import { DEFAULT_MULTIFIDELITY_CONFIGS } from '../../bench/multifidelity/multifidelity-configs.ts'
import { loadMultiFidelityAnchor } from '../../bench/multifidelity/load-multifidelity-anchor.ts'
import { summarizeWithMissing } from '../../bench/multifidelity/multifidelity-report.ts'
import { renderMultiFidelityMarkdown } from '../../bench/multifidelity/render-multifidelity-markdown.ts'
import { runMultiFidelity } from '../../bench/multifidelity/run-multifidelity.ts'
import { runMultiFidelityOne } from '../../bench/multifidelity/run-multifidelity-one.ts'

const config = (name: string) => DEFAULT_MULTIFIDELITY_CONFIGS.find((c) => c.name === name)!

describe('bench:multifidelity harness (lcbench_like protocol)', () => {
  it('spends exactly the budget, one epoch per report, and counts only trials that reached 81 epochs', async () => {
    const run = await runMultiFidelityOne(lcbenchLike, config('random'), 0, 200, [80, 81, 162, 200])
    assert.equal(run.epochs_used, 200)
    assert.equal(run.n_trials_started, 3)
    assert.equal(run.n_trials_full_fidelity, 2)
    assert.equal(run.regret['80'], null)
    assert.ok(run.regret['81']! > 0)
    assert.ok(run.regret['162']! <= run.regret['81']!)
    assert.deepEqual(run.stop_epoch_histogram, { 81: 2, 38: 1 })
  })

  it('lets a stopping rule stop trials at rungs', async () => {
    const run = await runMultiFidelityOne(lcbenchLike, config('tpe+asha'), 1, 300, [300])
    assert.equal(run.epochs_used, 300)
    assert.ok(run.n_trials_stopped > 0)
    // Trials end at a rung (stopped) or at 81 (finished); only the one the budget cut may end elsewhere.
    const offRung = Object.entries(run.stop_epoch_histogram).filter(([epoch]) => !['1', '3', '9', '27', '81'].includes(epoch))
    assert.ok(offRung.length <= 1 && offRung.every(([, count]) => count === 1), JSON.stringify(run.stop_epoch_histogram))
    assert.ok(run.n_trials_started > 300 / 81)
  })

  it('resumes hyperband promotions from the parent\'s epochs instead of retraining', async () => {
    // Bracket s = 4 with resumption costs 81·1 + 27·2 + 9·6 + 3·18 + 54 = 297 epochs and ends with one trial at 81.
    const run = await runMultiFidelityOne(lcbenchLike, config('hyperband'), 0, 297, [296, 297])
    assert.equal(run.n_trials_started, 121)
    assert.equal(run.regret['296'], null)
    assert.notEqual(run.regret['297'], null)
    assert.equal(run.error, undefined)
  })

  it('counts a seed without a full-fidelity trial as +inf in the median, null in JSON', () => {
    const summary = summarizeWithMissing([0.1, null, 0.3, null, null])
    assert.equal(summary.median, null)
    assert.equal(summary.q25, 0.3)
    assert.equal(summary.n_missing, 3)
    assert.equal(summarizeWithMissing([0.1, 0.2, null]).median, 0.2)
  })

  it('renders the anchor\'s table with Optuna\'s rows and the targets', async () => {
    const report = await runMultiFidelity({ configs: ['tpe+medianstop', 'hyperband'], seeds: [0, 1], budget: 810 })
    assert.deepEqual(report.meta.checkpoints, [405, 810])
    const cell = report.multi_fidelity.lcbench_like['hyperband']!
    assert.equal(cell.n_seeds, 2)
    assert.equal(cell.errors.length, 0)
    const markdown = renderMultiFidelityMarkdown(report, loadMultiFidelityAnchor())
    assert.match(markdown, /\| config \| 405 ep \| 810 ep \| trials started \| reached 81 \| missing@405 \|/)
    assert.match(markdown, /\| optuna: tpe_sha \| \*\*0.247\*\* \[0.214, 0.302\] \| \*\*0.155\*\*/)
    assert.match(markdown, /best at 810 epochs < every Optuna row/)
  })

  it('rejects unknown configurations and checkpoints past the budget before running', async () => {
    await assert.rejects(runMultiFidelity({ configs: ['bohb'], seeds: [0], budget: 100 }), /unknown configuration "bohb"/)
    await assert.rejects(runMultiFidelity({ seeds: [0], budget: 100, checkpoints: [200] }), /checkpoint 200/)
  })
})

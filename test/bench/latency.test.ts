import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { latencyHistory } from '../../bench/latency/latency-history.ts'
import { renderLatencyMarkdown } from '../../bench/latency/render-latency-markdown.ts'
import { runLatency } from '../../bench/latency/run-latency.ts'
import { timeAsk } from '../../bench/latency/time-ask.ts'
import { hartmann6 } from '../../bench/problems/hartmann6.ts'
import { loadAnchor } from '../../bench/report/load-anchor.ts'

describe('latency benchmark', () => {
  it('builds a deterministic hartmann6 history whose prefixes are the smaller histories', () => {
    const long = latencyHistory(50)
    assert.deepEqual(latencyHistory(20), long.slice(0, 20))
    for (const t of long) {
      assert.equal(t.state, 'Succeeded')
      assert.equal(t.objective, hartmann6.evaluate(t.params))
      assert.ok(Object.values(t.params).every((v) => typeof v === 'number' && v >= 0 && v < 1))
    }
  })

  it('times random next to Optuna\'s figure and skips algorithms not registered yet', async () => {
    const anchor = loadAnchor()
    const report = await runLatency({ algorithms: ['random', 'tpe', 'bayesianoptimization'], n: [1000], reps: 5, warmups: 1, anchor })
    const entry = report.latency.in_memory['random_N1000']!
    assert.equal(entry.ask.n, 5)
    assert.ok(entry.ask.p25_ms <= entry.ask.median_ms && entry.ask.median_ms <= entry.ask.p75_ms)
    assert.equal(entry.optuna_ask_median_ms, anchor.latency.in_memory['random_N1000']!.ask.median_ms)
    assert.equal(entry.speedup_vs_optuna, entry.optuna_ask_median_ms! / entry.ask.median_ms)
    // random is synchronous, so it blocks the event loop for the whole ask.
    assert.ok(entry.longest_block.median_ms <= entry.ask.median_ms + 1e-9)
    for (const name of ['tpe', 'bayesianoptimization']) {
      const measured = report.latency.in_memory[`${name}_N1000`] !== undefined
      assert.ok(measured || report.latency.skipped.some((s) => s.algorithm === name), name)
    }
    const markdown = renderLatencyMarkdown(report, anchor)
    assert.match(markdown, /\| random \| 1000 \| [\d.]+ \[[\d.]+, [\d.]+\] \| 0\.409 \|/)
  })

  it('rejects a misspelt algorithm', async () => {
    await assert.rejects(runLatency({ algorithms: ['randon'], reps: 1 }), /unknown algorithm "randon"/)
  })

  it('measures the longest event-loop block of an ask that yields', async () => {
    const busy = (ms: number): void => {
      const end = performance.now() + ms
      while (performance.now() < end) { /* spin */ }
    }
    const t = await timeAsk(async () => {
      busy(20)
      await new Promise((resolve) => setImmediate(resolve))
      busy(5)
    })
    assert.ok(t.totalMs >= 25, `total ${t.totalMs}`)
    assert.ok(t.longestBlockMs >= 20 && t.longestBlockMs < t.totalMs, `longest ${t.longestBlockMs} of ${t.totalMs}`)
  })
})

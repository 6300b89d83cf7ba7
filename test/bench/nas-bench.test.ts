import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { architectureAt, spaceSize } from '../../algorithms/nas/evolution/enumerate-architectures.ts'
import { sampleArchitecture } from '../../algorithms/nas/sample-architecture.ts'
import type { Architecture, ArchitectureSpace } from '../../core/nas/architecture-space.ts'
import { createRng } from '../../core/rng.ts'
import { formatArchitecture, parseArchitecture } from '../../core/nas/architecture-assignment.ts'
import { enasCpuNasConfig, enasCpuSpace } from '../../bench/nas/enas-cpu-space.ts'
import { nasTargets } from '../../bench/nas/nas-targets.ts'
import { parseNasArgs } from '../../bench/nas/parse-nas-args.ts'
import { renderNasMarkdown } from '../../bench/nas/render-nas-markdown.ts'
import { runNasOne } from '../../bench/nas/run-nas-one.ts'
import { runNas } from '../../bench/nas/run-nas.ts'
import type { NasReport } from '../../bench/nas/run-nas.ts'
import { ACCURACY_BEST, ACCURACY_FLOOR, surrogateAccuracy, surrogateScore } from '../../bench/nas/surrogate-accuracy.ts'
import { surrogateExtremes } from '../../bench/nas/surrogate-extremes.ts'
import { summarize } from '../../bench/report/summarize.ts'

/** Four layers over a few enas-cpu operations of every kind: 6^4 · 2^6 = 82,944 architectures, few enough to score them all. */
function smallSpace(): ArchitectureSpace {
  const full = enasCpuSpace(4)
  const pick = (type: string, params: Record<string, string>) => full.operations.find((op) => op.type === type && Object.entries(params).every(([k, v]) => op.params[k] === v))!
  const operations = [
    pick('convolution', { filter_size: '7', num_filter: '32', stride: '1' }),
    pick('convolution', { filter_size: '3', num_filter: '128', stride: '2' }),
    pick('separable_convolution', { filter_size: '5', num_filter: '64', stride: '1', depth_multiplier: '2' }),
    pick('separable_convolution', { filter_size: '3', num_filter: '96', stride: '2', depth_multiplier: '1' }),
    pick('depthwise_convolution', { filter_size: '5', stride: '1', depth_multiplier: '2' }),
    pick('reduction', { reduction_type: 'max_pooling', pool_size: '3' }),
  ].map((op, id) => ({ ...op, id }))
  return { ...full, operations }
}

describe('bench:nas surrogate', () => {
  it('expands enas-cpu\'s nasConfig as the service does: 30 + 60 + 12 + 4 operations, numbered from 0', () => {
    const space = enasCpuSpace(6)
    assert.equal(space.operations.length, 106)
    assert.deepEqual(space.operations.map((op) => op.id), space.operations.map((_, i) => i))
    assert.deepEqual(space.operations[0], { id: 0, type: 'convolution', params: { filter_size: '3', num_filter: '32', stride: '1' } })
    assert.deepEqual(space.operations[105], { id: 105, type: 'reduction', params: { reduction_type: 'avg_pooling', pool_size: '3' }, numeric: ['pool_size'] })
    assert.equal(space.operations.filter((op) => op.type === 'separable_convolution').length, 60)
  })

  it('finds the true best and worst score: every architecture of a small space scored agrees', () => {
    const space = smallSpace()
    let max = -Infinity
    let min = Infinity
    for (let index = 0; index < spaceSize(space); index++) {
      const score = surrogateScore(space, architectureAt(space, index))
      max = Math.max(max, score)
      min = Math.min(min, score)
    }
    const extremes = surrogateExtremes(space)
    assert.ok(Math.abs(extremes.max - max) < 1e-9, `dynamic programme ${extremes.max}, exhaustive ${max}`)
    assert.ok(Math.abs(extremes.min - min) < 1e-9, `dynamic programme ${extremes.min}, exhaustive ${min}`)
    assert.ok(Math.abs(surrogateScore(space, extremes.best) - max) < 1e-9)
    assert.ok(Math.abs(surrogateScore(space, extremes.worst) - min) < 1e-9)
  })

  it('on the benchmark space, maps the best to 0.95 and the worst to 0.10, and nothing drawn beats the best', () => {
    const space = enasCpuSpace(6)
    const extremes = surrogateExtremes(space)
    assert.equal(formatArchitecture(parseArchitecture(formatArchitecture(extremes.best), space)), formatArchitecture(extremes.best))
    assert.ok(Math.abs(surrogateAccuracy(space, extremes.best, extremes) - ACCURACY_BEST) < 1e-12)
    assert.ok(Math.abs(surrogateAccuracy(space, extremes.worst, extremes) - ACCURACY_FLOOR) < 1e-12)
    const rng = createRng(3)
    for (let i = 0; i < 5000; i++) {
      const accuracy = surrogateAccuracy(space, sampleArchitecture(space, rng), extremes)
      assert.ok(accuracy <= ACCURACY_BEST + 1e-12 && accuracy >= ACCURACY_FLOOR - 1e-12)
    }
  })

  it('has interactions: what one change is worth depends on another layer\'s operation or skips', () => {
    const space = enasCpuSpace(6)
    const rng = createRng(8)
    let interacting = 0
    for (let i = 0; i < 200; i++) {
      const base = sampleArchitecture(space, rng)
      const other = sampleArchitecture(space, rng)
      const layerA = rng.int(6)
      const layerB = (layerA + 1 + rng.int(5)) % 6
      const swap = (a: Architecture, layers: number[]) => a.map((row, l) => (layers.includes(l) ? other[l]! : row))
      const both = surrogateScore(space, swap(base, [layerA, layerB])) - surrogateScore(space, base)
      const apart = surrogateScore(space, swap(base, [layerA])) - surrogateScore(space, base) + surrogateScore(space, swap(base, [layerB])) - surrogateScore(space, base)
      if (Math.abs(both - apart) > 1e-9) interacting++
    }
    assert.ok(interacting > 50, `${interacting} of 200 pairs of layer changes interact`)
  })
})

describe('bench:nas harness', () => {
  it('runs a registered algorithm to the budget with trials in flight, best-so-far as told, in rounds or one by one', async () => {
    for (const refill of ['all', 'one'] as const) {
      const evaluated: number[] = []
      const accuracy = (a: Architecture): number => {
        const value = (a[0]![0]! % 10) / 10 + a[3]!.reduce((s, x) => s + x, 0) / 100
        evaluated.push(value)
        return value
      }
      const asks: number[] = []
      const outcome = await runNasOne(enasCpuNasConfig(4), accuracy, { algorithm: 'evolution', settings: [{ name: 'population_size', value: '5' }], seed: 1, budget: 23, parallel: 4, refill })
      assert.equal(outcome.error, undefined)
      assert.equal(outcome.best.length, 23)
      assert.equal(outcome.askMs.length, 23)
      assert.deepEqual(outcome.best, evaluated.map((_, i) => Math.max(...evaluated.slice(0, i + 1))))
      assert.equal(accuracy(outcome.bestArchitecture!), outcome.best.at(-1))
      // Trials made by one ask share its time per architecture: rounds of 4 (and 3 at the end), or 4 then one at a time.
      outcome.askMs.forEach((ms, i) => { if (i === 0 || ms !== outcome.askMs[i - 1]) asks.push(i) })
      assert.deepEqual(asks, refill === 'all' ? [0, 4, 8, 12, 16, 20] : [0, ...Array.from({ length: 19 }, (_, i) => 4 + i)])
    }
    const failed = await runNasOne(enasCpuNasConfig(4), () => 0, { algorithm: 'no-such-search', settings: [], seed: 1, budget: 5, parallel: 2, refill: 'all' })
    assert.match(failed.error!, /trial 0: ask threw "no-such-search" is not an architecture search algorithm/)
  })

  it('refuses settings validate would refuse, and an unknown algorithm, before running anything', async () => {
    const options = { seeds: [0, 1], budgets: [8], parallel: 2, refill: 'all', workers: 0, layers: 3, command: 'test' } as const
    await assert.rejects(runNas({ ...options, settings: { evolution: [{ name: 'sample_size', value: '9' }, { name: 'population_size', value: '4' }] } }),
      /--settings for evolution: \/algorithmSettings\/0\/value: sample_size 9 is larger than population_size 4/)
    await assert.rejects(runNas({ ...options, algorithms: ['evolution', 'evolutoin'], settings: {} }), /--algorithms: no NAS algorithm named evolutoin/)
    const report = await runNas({ ...options, algorithms: ['random', 'evolution'], settings: {} })
    assert.deepEqual(Object.keys(report.algorithms), ['random', 'evolution'])
    assert.equal(report.algorithms['evolution']!.regret['8']!.n, 2)
    // Worker threads give the same runs.
    const threaded = await runNas({ ...options, algorithms: ['random', 'evolution'], settings: {}, workers: 2 })
    assert.deepEqual(threaded.algorithms['evolution']!.regret['8']!.per_seed, report.algorithms['evolution']!.regret['8']!.per_seed)
  })

  it('judges the targets: both beat random at every budget, one halves it at the largest', () => {
    const report = (medians: Record<string, [number, number]>): NasReport => ({
      meta: { command: 'npm run bench:nas', date: '2026-12-07T00:00:00.000Z', machine: { cpu: 'cpu', cores: 2, node: 'v20', platform: 'Linux', memory_gib: 8, load_average_1m: 0 }, runtime_s: 1, seeds: [0, 1], budgets: [100, 300], parallel: 4, refill: 'all', workers: 2, layers: 6, operations: 106, best_accuracy: 0.95, best_architecture: [[0]], missing: [] },
      algorithms: Object.fromEntries(Object.entries(medians).map(([name, [at100, at300]]) => [name, {
        settings: [], run_s: summarize([1, 1]), errors: [],
        regret: { 100: summarize([at100, at100]), 300: summarize([at300, at300]) },
        ask_ms: { 10: summarize([0.1, 0.2]), 100: summarize([0.3, 0.4]) },
      }])),
    })
    const verdicts = (r: NasReport) => nasTargets(r).map((t) => t.pass)
    assert.deepEqual(verdicts(report({ random: [0.2, 0.16], evolution: [0.15, 0.06], enas: [0.18, 0.1] })), [true, true, true])
    assert.deepEqual(verdicts(report({ random: [0.2, 0.16], evolution: [0.15, 0.09], enas: [0.21, 0.1] })), [true, false, false])
    const withoutEnas = report({ random: [0.2, 0.16], evolution: [0.15, 0.06] })
    assert.deepEqual(verdicts(withoutEnas), [true, false, true])
    assert.match(nasTargets(withoutEnas)[1]!.detail, /not run/)
    const markdown = renderNasMarkdown(withoutEnas)
    assert.match(markdown, /\| evolution \| 300 \| 0\.0600 \[0\.0600, 0\.0600\] \| 0\.0600 \| 0\.38 \| 2 \|/)
    assert.match(markdown, /evolution or enas halves random's median regret at 300 trials: \*\*PASS\*\* \(evolution 0\.0600 = 0\.38 × random's 0\.1600\)/)
    assert.match(markdown, /\| evolution \| 0\.15 \[0\.125, 0\.175\] \| 0\.35 \[0\.325, 0\.375\] \| 1 \[1, 1\] \|/)
  })

  it('parses its flags with defaults, and refuses bad ones', () => {
    const args = parseNasArgs([], 'bench/results')
    assert.deepEqual({ ...args, settings: undefined }, { help: false, seeds: Array.from({ length: 20 }, (_, i) => i), budgets: [100, 300], parallel: 4, refill: 'all', workers: args.workers, layers: 6, settings: undefined, outDir: 'bench/results' })
    assert.deepEqual(parseNasArgs(['--budgets', '300,30,300', '--settings', 'evolution:sample_size=4', '--algorithms', 'random,evolution', '--refill', 'one', '--workers', '0'], '.'), {
      help: false, algorithms: ['random', 'evolution'], seeds: args.seeds, budgets: [30, 300], parallel: 4, refill: 'one', workers: 0, layers: 6, settings: { evolution: [{ name: 'sample_size', value: '4' }] }, outDir: '.',
    })
    assert.throws(() => parseNasArgs(['--layers', '9'], '.'), /--layers must be at most 8/)
    assert.throws(() => parseNasArgs(['--parallel', '0'], '.'), /--parallel must be a positive integer/)
    assert.throws(() => parseNasArgs(['--refill', 'some'], '.'), /--refill must be all or one/)
    assert.throws(() => parseNasArgs(['--bogus'], '.'), /bogus/)
  })
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { hypervolumeRegret } from '../../bench/multiobjective/hypervolume-regret.ts'
import { czdt1 } from '../../bench/multiobjective/czdt1.ts'
import { dtlz2 } from '../../bench/multiobjective/dtlz2.ts'
import { zdt1, zdt2 } from '../../bench/multiobjective/zdt.ts'
import type { MultiObjectiveProblem } from '../../bench/multiobjective/multiobjective-problem.ts'
import { runMultiObjective } from '../../bench/multiobjective/run-multiobjective.ts'
import { runMultiObjectiveOne } from '../../bench/multiobjective/run-multiobjective-one.ts'
import { renderMultiObjectiveMarkdown } from '../../bench/multiobjective/render-multiobjective-markdown.ts'
import { parseMultiObjectiveArgs } from '../../bench/multiobjective/parse-multiobjective-args.ts'
import type { ProblemParams } from '../../bench/problems/problem.ts'
import { hypervolume } from '../../core/multiobjective/hypervolume.ts'

const xs = (values: number[]): ProblemParams => Object.fromEntries(values.map((v, i) => [`x${i + 1}`, v]))

test('hypervolume regret by hand: two feasible corners of the chord and an infeasible point', () => {
  // Boxes from (0, 1) and (1, 0) to (11, 11): 110 + 110 − 100 = 120; the true 120.5 leaves 0.5.
  const points = [{ values: [0, 1], feasible: true }, { values: [1, 0], feasible: true }, { values: [0.5, 0.1], feasible: false }]
  assert.equal(hypervolumeRegret(czdt1, points), 0.5)
  // The infeasible point would have added area; feasible it counts.
  // Feasible, (0.5, 0.1) adds the rectangle [0.5, 1] × [0.1, 1] = 0.45.
  const allFeasible = hypervolumeRegret(czdt1, points.map((p) => ({ ...p, feasible: true })))
  assert.ok(Math.abs(allFeasible - 0.05) < 1e-12, String(allFeasible))
  // Outside the box: nothing, the whole true hypervolume is regret.
  assert.equal(hypervolumeRegret(zdt1, [{ values: [12, 0], feasible: true }]), zdt1.trueHypervolume)
})

test('the problems: optimal points evaluate onto the stated fronts and their hypervolumes approach the true ones', () => {
  const n = 400
  const zdt1Front = Array.from({ length: n + 1 }, (_, i) => zdt1.evaluate(xs([i / n, ...new Array(9).fill(0)])))
  assert.ok(zdt1Front.every(([f1, f2]) => Math.abs(f2! - (1 - Math.sqrt(f1!))) < 1e-12), 'zdt1 front')
  const zdt2Front = Array.from({ length: n + 1 }, (_, i) => zdt2.evaluate(xs([i / n, ...new Array(9).fill(0)])))
  for (const [problem, front] of [[zdt1, zdt1Front], [zdt2, zdt2Front]] as const) {
    const gap = problem.trueHypervolume - hypervolume(front, problem.referencePoint)
    assert.ok(gap > 0 && gap < 0.01, `${problem.name}: ${gap}`)
  }
  assert.ok(Math.abs(zdt1.trueHypervolume - 120.666667) < 1e-6 && Math.abs(zdt2.trueHypervolume - 120.333333) < 1e-6, 'anchor values')
  assert.ok(Math.abs(dtlz2.trueHypervolume - 0.807401) < 1e-6, 'anchor value')
  const [f1, f2, f3] = dtlz2.evaluate(xs([0.3, 0.6, 0.5, 0.5, 0.5, 0.5, 0.5]))
  assert.ok(Math.abs(f1! ** 2 + f2! ** 2 + f3! ** 2 - 1) < 1e-12, 'dtlz2 on the sphere')
  // czdt1: the chord's points are feasible (violation 0 up to rounding), the ZDT1 curve's inner points are not.
  assert.ok(czdt1.constraints!(xs([0.25, ...new Array(9).fill(0)]))[0]! > 0, 'the curve is infeasible')
  // n points on the chord leave n small triangles of (1/n)²/2 under it.
  const chord = Array.from({ length: n + 1 }, (_, i) => [i / n, 1 - i / n])
  const chordHv = hypervolume(chord, czdt1.referencePoint)
  assert.ok(Math.abs(czdt1.trueHypervolume - 1 / (2 * n) - chordHv) < 1e-9, String(chordHv))
})

test('a run records the regret of exactly the points it evaluated, feasibility included', async () => {
  const seen: { values: number[]; feasible: boolean }[] = []
  const spy: MultiObjectiveProblem = {
    ...czdt1,
    evaluate: (params) => {
      const values = czdt1.evaluate(params)
      seen.push({ values, feasible: czdt1.constraints!(params)[0]! <= 0 })
      return values
    },
  }
  const outcome = await runMultiObjectiveOne(spy, { problem: 'czdt1', algorithm: 'random', settings: [], seed: 3, budget: 20, checkpoints: [5, 20] })
  assert.equal(outcome.error, undefined)
  assert.equal(seen.length, 20)
  // Independent 2-D staircase over the feasible points.
  const staircase = (pts: number[][]): number => {
    const inside = pts.filter(([a, b]) => a! < 11 && b! < 11).sort((p, q) => p[0]! - q[0]!)
    let area = 0
    let bestY = 11
    inside.forEach((p, i) => {
      bestY = Math.min(bestY, p[1]!)
      area += ((inside[i + 1]?.[0] ?? 11) - p[0]!) * (11 - bestY)
    })
    return area
  }
  for (const c of [5, 20]) {
    const feasible = seen.slice(0, c).filter((p) => p.feasible).map((p) => p.values)
    const expected = Math.max(0, 120.5 - staircase(feasible))
    assert.ok(Math.abs(outcome.hvRegret[String(c)]! - expected) < 1e-9, `${outcome.hvRegret[String(c)]} vs ${expected}`)
  }
  assert.equal(outcome.feasibleTrials, seen.filter((p) => p.feasible).length)
})

test('the harness, tiny: the JSON has multi_objective[problem][algorithm].hv_regret[checkpoint] with quartiles, and ask latency', async () => {
  const report = await runMultiObjective({ algorithms: ['random', 'sobol'], seeds: [0], budget: 20, workers: 0, latencyTrials: 10, latencyRepeats: 1 })
  assert.deepEqual(report.meta.checkpoints, [20])
  assert.deepEqual(Object.keys(report.multi_objective), ['zdt1', 'zdt2', 'dtlz2', 'czdt1'])
  for (const [problem, row] of Object.entries(report.multi_objective)) {
    assert.deepEqual(Object.keys(row), ['random', 'sobol'])
    for (const cell of Object.values(row)) {
      const s = cell.hv_regret['20']!
      assert.equal(s.n, 1)
      assert.ok(typeof s.median === 'number' && s.median > 0 && s.median < report.meta.problems[problem]!.true_hypervolume, `${problem}: ${s.median}`)
      assert.equal(s.q1, s.median)
      assert.equal(s.q3, s.median)
      assert.deepEqual(cell.errors, [])
    }
  }
  assert.deepEqual(Object.keys(report.ask_latency), ['random', 'sobol'])
  assert.equal(report.ask_latency['random']!.trials, 10)
  const json = JSON.parse(JSON.stringify(report)) as typeof report
  assert.equal(typeof json.multi_objective['dtlz2']!['sobol']!.hv_regret['20']!.median, 'number')
  const md = renderMultiObjectiveMarkdown(report)
  assert.match(md, /## zdt1\n\n\| algorithm \| 20 \|/)
  assert.match(md, /optuna: RandomSampler/)
  assert.match(md, /## Ask latency at 10 trials/)
})

test('bad options are refused before any run, naming what is wrong', async () => {
  await assert.rejects(runMultiObjective({ algorithms: ['nope'], seeds: [0], budget: 5, workers: 0, latencyTrials: 0 }), /unknown algorithm "nope"/)
  await assert.rejects(runMultiObjective({ algorithms: ['random'], seeds: [0], budget: 5, checkpoints: [10], workers: 0, latencyTrials: 0 }), /checkpoint 10 is not a trial count between 1 and the budget 5/)
  assert.throws(() => parseMultiObjectiveArgs(['--budget', 'x'], '.'), /--budget must be a positive integer/)
  assert.deepEqual(parseMultiObjectiveArgs([], 'out').seeds, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
})

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { loadProblems } from '../../bench/problems/load-problems.ts'
import { paramsIssue } from '../../bench/problems/params-issue.ts'
import { renderQualityMarkdown } from '../../bench/quality/render-quality-markdown.ts'
import { runQuality } from '../../bench/quality/run-quality.ts'
import type { QualityReport } from '../../bench/quality/quality-report.ts'

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/bench/${name}`, import.meta.url))
const REPO = fileURLToPath(new URL('../../', import.meta.url))
const TINY = fixture('tiny-problems.mjs')
const CHECKPOINTS = ['2', '5', '10']

async function tinyReport(workers: number): Promise<QualityReport> {
  return runQuality({ problemsModule: TINY, algorithms: ['random', 'sobol'], seeds: [0, 1], budget: 10, checkpoints: [2, 5, 10], workers })
}

describe('quality harness', () => {
  it('gives the anchor JSON shape, with regrets >= 0 that never increase over checkpoints', async () => {
    const report = await tinyReport(0)
    const problems = await loadProblems(TINY)
    assert.deepEqual(Object.keys(report.single_fidelity), ['sphere2', 'tiny_mixed'])
    assert.deepEqual(report.skipped, {})
    assert.deepEqual(report.meta.checkpoints, [2, 5, 10])
    assert.equal(report.meta.budget_sf, 10)
    assert.equal(report.meta.seeds_sf, '0..1 (2)')
    for (const problem of problems) {
      const cells = report.single_fidelity[problem.name]!
      assert.deepEqual(Object.keys(cells), ['random', 'sobol'])
      for (const [algorithm, cell] of Object.entries(cells)) {
        const where = `${problem.name}/${algorithm}`
        assert.equal(cell.n_seeds, 2, where)
        assert.deepEqual(cell.errors, [], where)
        assert.deepEqual(Object.keys(cell.regret), CHECKPOINTS, where)
        for (const key of CHECKPOINTS) {
          const s = cell.regret[key]!
          assert.equal(s.per_seed.length, 2, where)
          assert.equal(s.n, 2)
          assert.equal(s.n_missing, 0)
          for (const field of ['median', 'q25', 'q75', 'mean'] as const) assert.equal(typeof s[field], 'number', `${where} ${field}`)
          assert.ok(s.q25! <= s.median! && s.median! <= s.q75!, where)
          for (const v of s.per_seed) assert.ok(v !== null && v >= 0, `${where} regret ${v}`)
        }
        for (let seed = 0; seed < 2; seed++) {
          const curve = CHECKPOINTS.map((k) => cell.regret[k]!.per_seed[seed]!)
          assert.ok(curve.every((v, i) => i === 0 || v <= curve[i - 1]!), `${where} seed ${seed}: ${curve}`)
          assert.equal(cell.best_value_per_seed[seed]! - problem.globalMin, cell.regret['10']!.per_seed[seed])
          assert.equal(paramsIssue(problem, cell.best_params_per_seed[seed]!), undefined)
          assert.equal(problem.evaluate(cell.best_params_per_seed[seed]!), cell.best_value_per_seed[seed])
        }
        assert.equal(typeof cell.wall_s_median, 'number')
      }
    }
    // JSON-serialisable as written to quality.json.
    assert.deepEqual(JSON.parse(JSON.stringify(report)), report)
  })

  it('gives the same per-seed results in worker threads as in the main thread', async () => {
    const inline = await tinyReport(0)
    const threaded = await tinyReport(2)
    for (const [problem, cells] of Object.entries(inline.single_fidelity)) {
      for (const [algorithm, cell] of Object.entries(cells)) {
        const other = threaded.single_fidelity[problem]![algorithm]!
        assert.deepEqual(other.best_params_per_seed, cell.best_params_per_seed, `${problem}/${algorithm}`)
        for (const key of CHECKPOINTS) assert.deepEqual(other.regret[key]!.per_seed, cell.regret[key]!.per_seed)
      }
    }
  })

  it('reports a throwing, NaN-returning or worker-killing objective as failed runs and finishes the rest', async () => {
    const report = await runQuality({ problemsModule: fixture('failing-problems.mjs'), algorithms: ['random'], seeds: [0, 1], budget: 10, workers: 2 })
    const cell = (problem: string) => report.single_fidelity[problem]!['random']!
    assert.deepEqual(cell('fine').errors, [])
    assert.equal(cell('fine').regret['10']!.n, 2)
    for (const [problem, message] of [['throws_at_trial_3', /trial 3: objective threw Error: objective exploded/], ['returns_nan', /trial 0: objective returned NaN/], ['kills_worker', /exited with code 7/]] as const) {
      assert.equal(cell(problem).errors.length, 2, problem)
      for (const e of cell(problem).errors) assert.match(e.message, message)
      assert.deepEqual(cell(problem).regret['10']!.per_seed, [null, null])
      assert.equal(cell(problem).regret['10']!.n_missing, 2)
      assert.equal(cell(problem).regret['10']!.median, null)
    }
    const markdown = renderQualityMarkdown({ report, problems: await loadProblems(fixture('failing-problems.mjs')) })
    assert.match(markdown, /\| random \| \*\*[^|]+\| error \(2\/2 failed\) \| error \(2\/2 failed\) \| error \(2\/2 failed\) \|/)
    assert.match(markdown, /## Failed runs/)
  })

  it('renders the anchor layout without Optuna rows for problems the anchor does not have', async () => {
    const report = await tinyReport(0)
    const markdown = renderQualityMarkdown({ report, problems: await loadProblems(TINY) })
    assert.match(markdown, /## Budget 10: median regret \[q25, q75\]/)
    assert.match(markdown, /## Checkpoint 5 evaluations: median regret/)
    assert.match(markdown, /\| random \| \*\*/)
    assert.match(markdown, /tiny_mixed\.kind/)
    assert.doesNotMatch(markdown, /optuna:/)
  })

  it('rejects a bad problems module with every mistake named', async () => {
    await assert.rejects(loadProblems(fixture('bad-problems.mjs')), (error: Error) => {
      assert.match(error.message, /problems\[0\] \(no_evaluate\)\.evaluate must be a function/)
      assert.match(error.message, /problems\[1\] \(bad_param\)\.params\[0\] \(x\)\.type must be "double", "int" or "categorical", got "float"/)
      assert.match(error.message, /problems\[2\] \(bad_log\)\.params\[0\] \(x\) is log-scaled and needs low > 0/)
      assert.match(error.message, /problems\[2\] \(bad_log\)\.globalMin must be a finite number/)
      return true
    })
    await assert.rejects(loadProblems(fixture('missing.mjs')), /cannot load problems module .*missing\.mjs/)
    await assert.rejects(loadProblems(fileURLToPath(new URL('../../bench/report/quantile.ts', import.meta.url))), /must export "problems", an array of problems; it exports quantile/)
  })

  it('rejects unknown algorithms and bad settings before running anything', async () => {
    await assert.rejects(runQuality({ problemsModule: TINY, algorithms: ['nope'], seeds: [0], budget: 2, workers: 0 }), /unknown algorithm "nope"; registered: .*random/)
    await assert.rejects(runQuality({ problemsModule: TINY, algorithms: ['random'], seeds: [0], budget: 2, workers: 0, settings: { random: [{ name: 'random_state', value: 'x' }] } }), /--settings for random: .*random_state/)
    await assert.rejects(runQuality({ problemsModule: TINY, algorithms: ['random'], seeds: [0], budget: 2, checkpoints: [5], workers: 0 }), /checkpoint 5/)
  })

  it('runs from the command line, and exits 1 with the reason on a bad module', async () => {
    const out = mkdtempSync(join(tmpdir(), 'bench-quality-'))
    try {
      const run = promisify(execFile)
      const main = join('bench', 'quality', 'main.ts')
      await run(process.execPath, ['--import', 'tsx', main, '--problems', TINY, '--algorithms', 'random', '--seeds', '0-1', '--budget', '5', '--workers', '1', '--out', out], { cwd: REPO })
      const json = JSON.parse(readFileSync(join(out, 'quality.json'), 'utf8')) as QualityReport
      assert.deepEqual(Object.keys(json.single_fidelity['sphere2']!['random']!.regret), ['5'])
      assert.match(readFileSync(join(out, 'quality.md'), 'utf8'), /# Quality benchmark/)
      await assert.rejects(run(process.execPath, ['--import', 'tsx', main, '--problems', fixture('bad-problems.mjs'), '--out', out], { cwd: REPO }), (error: { code: number; stderr: string }) => {
        assert.equal(error.code, 1)
        assert.match(error.stderr, /bench:quality: problems module .*bad-problems\.mjs is invalid/)
        return true
      })
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
  })
})

import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRng } from '../../core/rng.ts'
import type { TrialRecord } from '../../db/store.ts'
import { deleteCliExperiments, withCliStore } from '../helpers/cli-store.ts'
import { quadraticExperiment, quadraticExperimentYaml } from '../helpers/experiment-yaml.ts'

const bin = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url))
const home = mkdtempSync(join(tmpdir(), 'tunewell-warm-start-'))
const suffix = Date.now().toString(36)
const source = `source-${suffix}`
const warm = `warm-${suffix}`
const cold = `cold-${suffix}`
const narrow = `narrow-${suffix}`

after(() => deleteCliExperiments(home, [source, warm, cold, narrow]))

/**
 * The finished experiment to start from, written straight into the database: 30 succeeded
 * trials at uniform random points with the quadratic fixture's loss, (x-0.3)² + (y-0.7)².
 * Running them would cost thirty processes and prove nothing more.
 */
async function finishedSource(): Promise<TrialRecord[]> {
  return withCliStore(home, async (store) => {
    const record = await store.experiments.create({ name: source, spec: quadraticExperiment({ name: source, max: 30 }), seed: 11 })
    const rng = createRng(11)
    const created = await store.trials.createMany(record.id, Array.from({ length: 30 }, (_, i) => ({ name: `${source}-${i}`, params: { x: rng.next(), y: rng.next() } })))
    for (const trial of created) {
      const loss = ((trial.params.x as number) - 0.3) ** 2 + ((trial.params.y as number) - 0.7) ** 2
      assert.ok(await store.trials.transition(trial.id, ['Pending'], 'Succeeded', { objective: loss, finishedAt: new Date() }))
    }
    await store.experiments.transition(record.id, ['Created'], { state: 'Succeeded', reason: 'ExperimentMaxTrialsReached' })
    return store.trials.list(record.id)
  })
}

function cli(args: readonly string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: home, encoding: 'utf8', env: process.env, timeout: 120_000 })
  return { code: result.status, output: result.stdout + result.stderr }
}

function write(name: string, yaml: string): string {
  const file = join(home, `${name}.yaml`)
  writeFileSync(file, yaml)
  return file
}

const trialsOf = (name: string): Promise<TrialRecord[]> =>
  withCliStore(home, async (store) => store.trials.list((await store.experiments.getByName(name))!.id))

// One trial at a time: each suggestion sees every earlier result, so the runs are reproducible.
const tpe = (name: string, max: number, parameters?: string) =>
  quadraticExperimentYaml({ name, algorithm: 'tpe', settings: { random_state: '5' }, parallel: 1, max, ...(parameters ? { parameters } : {}) })

describe('warm start (run --from)', () => {
  test('tpe warm-started from a finished experiment searches near its optimum from the first trial; cold, the same seed draws at random', async () => {
    const sourceTrials = await finishedSource()
    const warmRun = cli(['run', write(warm, tpe(warm, 4)), '--from', source])
    assert.equal(warmRun.code, 0, warmRun.output)
    assert.match(warmRun.output, new RegExp(`experiment "${warm}" warm-started from ${source} \\(30 trials used, 0 skipped\\)`))
    const coldRun = cli(['run', write(cold, tpe(cold, 4))])
    assert.equal(coldRun.code, 0, coldRun.output)
    assert.doesNotMatch(coldRun.output, /warm-started/)

    const [warmTrials, coldTrials] = [await trialsOf(warm), await trialsOf(cold)]
    // The prior trials are no trials of the new experiment: its own four are numbered from 0.
    assert.deepEqual(warmTrials.map((t) => t.number), [0, 1, 2, 3])
    assert.ok(warmTrials.every((t) => t.state === 'Succeeded'))
    // Cold, tpe's first trials are its random startup, spread over the square; warm, the model
    // of the 30 earlier results places them together in the good region: each better than
    // three quarters of those results (the quadratic's optimum is loss 0 at (0.3, 0.7)).
    const spread = (trials: readonly TrialRecord[]) => {
      const at = (key: string) => trials.reduce((sum, t) => sum + (t.params[key] as number), 0) / trials.length
      return trials.reduce((sum, t) => sum + Math.hypot((t.params.x as number) - at('x'), (t.params.y as number) - at('y')), 0) / trials.length
    }
    const points = JSON.stringify({ warm: warmTrials.map((t) => t.params), cold: coldTrials.map((t) => t.params) })
    assert.ok(spread(warmTrials) < spread(coldTrials) / 3, points)
    const quartile = sourceTrials.map((t) => t.objective!).sort((a, b) => a - b)[7]!
    assert.ok(warmTrials.every((t) => t.objective! < quartile), `warm losses ${warmTrials.map((t) => t.objective)}, the source's lower quartile ${quartile}`)
  })

  // Refusals (an unknown source, another objective metric) are test/api/trial-enqueue.test.ts's: no trial runs for them.
  test('a narrowed range skips the trials outside it and counts them', async () => {
    const sourceTrials = await trialsOf(source)
    const outside = sourceTrials.filter((t) => (t.params.x as number) > 0.5).length
    assert.ok(outside > 0 && outside < 30)
    const narrowed = cli(['run', write(narrow, tpe(narrow, 1, `    - {name: x, parameterType: double, feasibleSpace: {min: "0", max: "0.5"}}
    - {name: y, parameterType: double, feasibleSpace: {min: "0", max: "1"}}`)), '--from', source])
    assert.equal(narrowed.code, 0, narrowed.output)
    assert.match(narrowed.output, new RegExp(`warm-started from ${source} \\(${30 - outside} trials used, ${outside} skipped\\)`))
  })
})

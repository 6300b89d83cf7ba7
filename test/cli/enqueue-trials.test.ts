import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseExperimentYaml, toSearchSpace } from '../../core/spec/index.ts'
import { askAlgorithm } from '../../suggestion/ask-algorithm.ts'
import { deleteCliExperiments, withCliStore } from '../helpers/cli-store.ts'
import { quadraticExperimentYaml } from '../helpers/experiment-yaml.ts'

const bin = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url))
const home = mkdtempSync(join(tmpdir(), 'tunewell-enqueue-'))
const name = `enqueue-${Date.now().toString(36)}`
const RANDOM_STATE = 3

after(() => deleteCliExperiments(home, [name]))

/** The quadratic experiment with its queued parameter sets in the annotation. */
function withQueue(queue: string): string {
  const yaml = quadraticExperimentYaml({ name, settings: { random_state: String(RANDOM_STATE) }, parallel: 1, max: 4 })
  return yaml.replace(`  name: ${name}\n`, `  name: ${name}\n  annotations:\n    tunewell.dev/enqueue-trials: '${queue}'\n`)
}

function cli(args: readonly string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: home, encoding: 'utf8', env: process.env, timeout: 240_000 })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

describe('tunewell.dev/enqueue-trials', () => {
  test('validate names each queued value that does not fit the search space by its JSON path', () => {
    const file = join(home, 'bad.yaml')
    writeFileSync(file, withQueue('[{"x": 0.3, "y": 0.7}, {"x": 2, "y": 0.5}, {"x": 0.1}, {"x": 0.1, "y": 0.1, "z": 1}]'))
    const result = cli(['validate', file])
    assert.equal(result.code, 2, result.stdout + result.stderr)
    const output = result.stdout + result.stderr
    assert.match(output, /\/metadata\/annotations\/tunewell\.dev~1enqueue-trials\/1\/x.*2 is outside x's range 0 to 1/)
    assert.match(output, /\/metadata\/annotations\/tunewell\.dev~1enqueue-trials\/2.*gives no value for "y"/)
    assert.match(output, /\/metadata\/annotations\/tunewell\.dev~1enqueue-trials\/3\/z.*"z" is not a parameter/)
    assert.doesNotMatch(output, /enqueue-trials\/0/)

    writeFileSync(file, withQueue('{not json'))
    assert.match(cli(['validate', file]).stderr + cli(['validate', file]).stdout, /enqueue-trials.*is not JSON/)
  })

  test('the queued sets are the first trials, then the algorithm goes on with its own draws', { timeout: 480_000 }, async () => {
    const yaml = withQueue('[{"x": 0.3, "y": 0.7}, {"x": "0.25", "y": 0.5}]')
    const file = join(home, `${name}.yaml`)
    writeFileSync(file, yaml)
    const run = cli(['run', file])
    assert.equal(run.code, 0, run.stderr + run.stdout)
    const trials = await withCliStore(home, async (store) => store.trials.list((await store.experiments.getByName(name))!.id))
    assert.deepEqual(trials.map((t) => t.number), [0, 1, 2, 3])
    assert.deepEqual(trials.slice(0, 2).map((t) => t.params), [{ x: 0.3, y: 0.7 }, { x: 0.25, y: 0.5 }])
    // Trial 0 is the optimum of the quadratic: the queued set ran as given.
    assert.equal(trials[0]!.objective, 0)
    const space = toSearchSpace(parseExperimentYaml(yaml, file).experiment!)
    for (const number of [2, 3]) {
      const ask = await askAlgorithm({
        algorithmName: 'random', settings: [{ name: 'random_state', value: String(RANDOM_STATE) }], space,
        direction: 'minimize', trials: [], trialCount: number, count: 1, seed: RANDOM_STATE, state: undefined,
      })
      assert.deepEqual(trials[number]!.params, ask.suggestions[0])
    }
  })
})

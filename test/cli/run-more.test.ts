import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Params } from '../../core/search-space.ts'
import { parseExperimentYaml, toSearchSpace } from '../../core/spec/index.ts'
import type { ExperimentRecord, TrialRecord } from '../../db/store.ts'
import { askAlgorithm } from '../../suggestion/ask-algorithm.ts'
import { deleteCliExperiments, withCliStore } from '../helpers/cli-store.ts'
import { quadraticExperimentYaml } from '../helpers/experiment-yaml.ts'

const bin = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url))
const home = mkdtempSync(join(tmpdir(), 'tunewell-more-'))
const stamp = Date.now().toString(36)
const name = `more-${stamp}`
const goalName = `more-goal-${stamp}`
const RANDOM_STATE = 11

after(() => deleteCliExperiments(home, [name, goalName]))

function write(fileName: string, yaml: string): string {
  const file = join(home, fileName)
  writeFileSync(file, yaml)
  return file
}

function cli(args: readonly string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: home, encoding: 'utf8', env: process.env, timeout: 240_000 })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

function stored(experimentName: string): Promise<{ experiment: ExperimentRecord; trials: TrialRecord[] }> {
  return withCliStore(home, async (store) => {
    const experiment = (await store.experiments.getByName(experimentName))!
    return { experiment, trials: await store.trials.list(experiment.id) }
  })
}

/** What random with this random_state gives each trial number: an extension must continue it. */
async function drawn(yaml: string, count: number): Promise<Params[]> {
  const space = toSearchSpace(parseExperimentYaml(yaml, 'x.yaml').experiment!)
  const params: Params[] = []
  for (let number = 0; number < count; number++) {
    const ask = await askAlgorithm({
      algorithmName: 'random', settings: [{ name: 'random_state', value: String(RANDOM_STATE) }], space,
      direction: 'minimize', trials: [], trialCount: number, count: 1, seed: RANDOM_STATE, state: undefined,
    })
    params.push(ask.suggestions[0]!)
  }
  return params
}

describe('tunewell run --more N', () => {
  test('adds N trials to a finished experiment with resumePolicy Never, keeps the earlier ones and continues the algorithm', { timeout: 480_000 }, async () => {
    const yaml = quadraticExperimentYaml({ name, settings: { random_state: String(RANDOM_STATE) }, parallel: 1, max: 3 })
    const file = write(`${name}.yaml`, yaml)
    const first = cli(['run', file])
    assert.equal(first.code, 0, first.stderr + first.stdout)
    const before = await stored(name)
    assert.equal(before.experiment.reason, 'ExperimentMaxTrialsReached')
    assert.equal(before.trials.length, 3)

    // Raising maxTrialCount in the file is Katib's restart, which resumePolicy Never refuses:
    // the message names what works instead of a resumePolicy change that would be refused too.
    const raised = write(`${name}-raised.yaml`, yaml.replace('maxTrialCount: 3', 'maxTrialCount: 5'))
    const refused = cli(['run', raised])
    assert.equal(refused.code, 2, refused.stderr + refused.stdout)
    assert.match(refused.stderr, /--more N/)
    assert.doesNotMatch(refused.stderr, /set spec\.resumePolicy/)

    const more = cli(['run', file, '--more', '3'])
    assert.equal(more.code, 0, more.stderr + more.stdout)
    assert.match(more.stdout, /3 more trials, maxTrialCount 3 -> 6/)
    const extended = await stored(name)
    assert.equal(extended.experiment.state, 'Succeeded')
    assert.equal(extended.experiment.reason, 'ExperimentMaxTrialsReached')
    assert.equal(extended.experiment.spec.spec.maxTrialCount, 6)
    assert.deepEqual(extended.trials.map((t) => t.number), [0, 1, 2, 3, 4, 5])
    assert.ok(extended.trials.every((t) => t.state === 'Succeeded'), extended.trials.map((t) => t.state).join())
    // The first three untouched: same rows, same parameters, same results, same times.
    assert.deepEqual(extended.trials.slice(0, 3).map(comparable), before.trials.map(comparable))
    // The algorithm went on where it was: trial n has the draw it would have had in one run of 6.
    assert.deepEqual(extended.trials.map((t) => t.params), await drawn(yaml, 6))

    // The file that started it is not a change now: it stays complete with its 6 trials.
    const again = cli(['run', file])
    assert.equal(again.code, 0, again.stderr + again.stdout)
    assert.match(again.stdout, /already completed; run with --more N/)
    assert.equal((await stored(name)).trials.length, 6)

    const zero = cli(['run', file, '--more', '0'])
    assert.equal(zero.code, 2)
    assert.match(zero.stderr, /--more takes the number of trials to add/)
  })

  test('an experiment that ended by its goal runs the added trials in full', { timeout: 480_000 }, async () => {
    // Any loss is below 10: the first trial reaches the goal.
    const yaml = quadraticExperimentYaml({ name: goalName, settings: { random_state: String(RANDOM_STATE) }, parallel: 1, max: 10, goal: 10 })
    const file = write(`${goalName}.yaml`, yaml)
    const first = cli(['run', file])
    assert.equal(first.code, 0, first.stderr + first.stdout)
    const before = await stored(goalName)
    assert.equal(before.experiment.reason, 'ExperimentGoalReached')
    const count = before.trials.length

    const more = cli(['run', file, '--more', '2'])
    assert.equal(more.code, 0, more.stderr + more.stdout)
    const extended = await stored(goalName)
    assert.equal(extended.trials.length, count + 2)
    assert.equal(extended.experiment.reason, 'ExperimentMaxTrialsReached')
    assert.equal(extended.experiment.spec.spec.maxTrialCount, count + 2)
  })
})

function comparable(t: TrialRecord) {
  return { name: t.name, params: t.params, state: t.state, objective: t.objective, createdAt: t.createdAt, startedAt: t.startedAt, finishedAt: t.finishedAt }
}

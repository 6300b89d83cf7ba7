import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Params } from '../../core/search-space.ts'
import { parseExperimentYaml, toSearchSpace } from '../../core/spec/index.ts'
import { askAlgorithm } from '../../suggestion/ask-algorithm.ts'
import { deleteCliExperiments, withCliStore } from '../helpers/cli-store.ts'
import { quadraticExperimentYaml } from '../helpers/experiment-yaml.ts'

const bin = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url))
const home = mkdtempSync(join(tmpdir(), 'tunewell-seed-'))
const name = `seeded-${Date.now().toString(36)}`
const RANDOM_STATE = 7
const MAX_TRIALS = 9

after(() => deleteCliExperiments(home, [name]))

const file = join(home, `${name}.yaml`)
const yaml = quadraticExperimentYaml({ name, settings: { random_state: String(RANDOM_STATE) }, parallel: 3, max: MAX_TRIALS, flags: ['--sleep-ms=150'] })
writeFileSync(file, yaml)

function cli(args: readonly string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: home, encoding: 'utf8', env: process.env, timeout: 240_000 })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

/** Parameters by trial number, read from the database the CLI used. */
function paramsByNumber(): Promise<Params[]> {
  return withCliStore(home, async (store) => {
    const trials = await store.trials.list((await store.experiments.getByName(name))!.id)
    assert.deepEqual(trials.map((t) => t.number), Array.from({ length: MAX_TRIALS }, (_, i) => i))
    assert.ok(trials.every((t) => t.state === 'Succeeded'), trials.map((t) => t.state).join())
    return trials.map((t) => t.params)
  })
}

/** What the algorithm gives each trial number asked one at a time: what any batching must give. */
async function oneAtATime(): Promise<Params[]> {
  const space = toSearchSpace(parseExperimentYaml(yaml, file).experiment!)
  const params: Params[] = []
  for (let number = 0; number < MAX_TRIALS; number++) {
    const ask = await askAlgorithm({
      algorithmName: 'random', settings: [{ name: 'random_state', value: String(RANDOM_STATE) }], space,
      direction: 'minimize', trials: [], trialCount: number, count: 1, seed: RANDOM_STATE, state: undefined,
    })
    params.push(ask.suggestions[0]!)
  }
  return params
}

describe('random_state through tunewell run', () => {
  // Three runs of the CLI, each starting its database (PGlite: several seconds apiece).
  test('the same file gives every trial number the same parameters, straight through or killed with -9 and resumed', { timeout: 180_000 }, async () => {
    const straight = cli(['run', file])
    assert.equal(straight.code, 0, straight.stderr + straight.stdout)
    const first = await paramsByNumber()
    // parallelTrialCount 3 makes the first ask a batch of 3; trial n must still get its own draw.
    assert.deepEqual(first, await oneAtATime())

    const child = spawn(process.execPath, [bin, 'run', file, '--fresh'], { cwd: home, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no progress: ${output}`)), 120_000)
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString()
        if (/trials done [2-6],/.test(output)) {
          clearTimeout(timer)
          resolve()
        }
      })
    })
    child.kill('SIGKILL')
    await new Promise((resolve) => child.once('close', resolve))
    const killedAt = await withCliStore(home, async (store) => store.trials.list((await store.experiments.getByName(name))!.id))
    assert.ok(killedAt.some((t) => t.state !== 'Succeeded') || killedAt.length < MAX_TRIALS, `killed partway: ${killedAt.map((t) => t.state)}`)

    const resumed = cli(['run', file])
    assert.equal(resumed.code, 0, resumed.stderr + resumed.stdout)
    assert.match(resumed.stdout, /resuming experiment/)
    assert.deepEqual(await paramsByNumber(), first)
  })
})

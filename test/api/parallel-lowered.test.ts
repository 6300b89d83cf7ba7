import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { ExperimentResource } from '../../api/schemas/experiment.ts'
import type { TrialView } from '../../api/schemas/trial.ts'
import { PARALLELISM_LOWERED } from '../../lifecycle/stop-excess-trials.ts'
import { quadraticExperiment } from '../helpers/experiment-yaml.ts'
import { startServe } from '../helpers/serve-process.ts'
import { uniqueName } from '../helpers/test-app.ts'

const home = mkdtempSync(join(tmpdir(), 'tunewell-parallel-'))
const pids = join(home, 'pids')
const release = join(home, 'release')

// A trial that records its pid and x, then holds its slot until the test lets it finish.
const gate = join(home, 'gate.mjs')
writeFileSync(gate, `import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
mkdirSync(${JSON.stringify(pids)}, { recursive: true })
writeFileSync(${JSON.stringify(pids)} + '/' + process.pid, process.argv[2])
while (!existsSync(${JSON.stringify(release)})) await sleep(50)
console.log('loss=' + process.argv[2].slice(4))
`)

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** pid by x, of every trial process started so far. */
const started = (): Map<string, number> =>
  new Map(existsSync(pids) ? readdirSync(pids).map((pid) => [readFileSync(join(pids, pid), 'utf8'), Number(pid)] as const) : [])

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

test('PATCH lowering parallelTrialCount stops the newest running trials and their processes; they do not use up maxTrialCount (Katib)', { timeout: 240_000 }, async () => {
  const server = await startServe(['--home', home])
  try {
    const base = server.url
    const name = uniqueName('lower')
    const experiment = quadraticExperiment({ name, max: 4, parallel: 3, command: [process.execPath, gate, '--x=${trialParameters.x}', '--y=${trialParameters.y}'] })
    const created = await fetch(`${base}/api/v1/experiments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(experiment) })
    assert.equal(created.status, 201, await created.clone().text())
    const trialsOf = async () => ((await (await fetch(`${base}/api/v1/experiments/${name}/trials`)).json()) as { items: TrialView[] }).items
    await until('three running trial processes', () => (started().size === 3 ? true : undefined))
    const running = await until('three Running trials', async () => {
      const trials = await trialsOf()
      return trials.filter((t) => t.state === 'Running').length === 3 ? trials : undefined
    })

    const patched = await fetch(`${base}/api/v1/experiments/${name}`, {
      method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' }, body: JSON.stringify({ spec: { parallelTrialCount: 1 } }),
    })
    assert.equal(patched.status, 200, await patched.clone().text())

    // The two newest (by creation, then number) are Killed with the reason, at once.
    const newestFirst = [...running].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.number - a.number)
    const after = new Map((await trialsOf()).map((t) => [t.name, t]))
    for (const t of newestFirst.slice(0, 2)) {
      assert.equal(after.get(t.name)?.state, 'Killed', t.name)
      assert.equal(after.get(t.name)?.reason, PARALLELISM_LOWERED)
      assert.match(after.get(t.name)?.message ?? '', /parallelTrialCount was lowered from 3 to 1/)
    }
    const oldest = newestFirst[2]!
    assert.equal(after.get(oldest.name)?.state, 'Running')
    // Their processes end; the oldest one's goes on.
    const pidOf = (t: TrialView) => started().get(`--x=${t.parameterAssignments.find((a) => a.name === 'x')!.value}`)!
    for (const t of newestFirst.slice(0, 2)) await until(`the process of ${t.name} to end`, () => (alive(pidOf(t)) ? undefined : true), 30_000)
    assert.equal(alive(pidOf(oldest)), true)
    assert.equal(started().size, 3, 'nothing launched while the oldest holds the one slot')

    writeFileSync(release, '')
    const done = await until('the experiment to complete', async () => {
      const resource = (await (await fetch(`${base}/api/v1/experiments/${name}`)).json()) as ExperimentResource
      return resource.status.state === 'Succeeded' || resource.status.state === 'Failed' ? resource : undefined
    })
    assert.equal(done.status.reason, 'ExperimentMaxTrialsReached', JSON.stringify(done.status))
    // Katib deletes the stopped trials: the budget of 4 is spent on four trials that ran to their end.
    assert.equal(done.status.trialsSucceeded, 4)
    const final = await trialsOf()
    assert.equal(final.length, 6)
    assert.deepEqual(final.filter((t) => t.state === 'Killed').map((t) => t.name).sort(), newestFirst.slice(0, 2).map((t) => t.name).sort())
  } finally {
    await server.stop()
  }
})

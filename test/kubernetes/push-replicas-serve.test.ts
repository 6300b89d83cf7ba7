import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { jobExperiment } from '../helpers/job-experiment.ts'
import { ServeReplicas, until } from '../helpers/serve-replicas.ts'
import { freePort } from '../helpers/free-port.ts'

// Two `tunewell serve --executor kubernetes --report-url` replicas on one PostgreSQL and one fake
// API server, each listening for pushes on a port of its own (on a cluster: each pod's IP, the
// same port, one Service in front). The trials (Push collector) push with the token from their
// Secret, the way a Service spreads connections: each point to the next replica in turn, and on
// a connection refused (a dead replica) to the next one; a 503 is retried at the same replica.
// Any other answer fails the trial. The leader is killed with -9 while the trials wait.
const baseUrl = process.env.DATABASE_URL?.trim()
const skip = baseUrl ? false : 'DATABASE_URL is not set: two serve processes can only share a PostgreSQL database (the embedded one admits one process)'
let replicas: ServeReplicas
let dir: string

before(async () => {
  if (!baseUrl) return
  replicas = await ServeReplicas.start(baseUrl)
  dir = mkdtempSync(join(tmpdir(), 'tunewell-push-replicas-'))
})
after(async () => {
  await replicas?.close()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

const PROGRAM = `import { existsSync } from 'node:fs'
const flags = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')))
const urls = flags.urls.split(',')
const path = new URL(process.env.TUNEWELL_REPORT_URL).pathname
const token = process.env.TUNEWELL_REPORT_TOKEN
let turn = 0
async function push(step) {
  const body = JSON.stringify({ metrics: { loss: Number(flags.lr) + step / 1000 }, step })
  let url = urls[turn++ % urls.length]
  for (let attempt = 0; attempt < 1200; attempt++) {
    let res
    try {
      res = await fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token }, body, signal: AbortSignal.timeout(10000) })
    } catch (error) {
      url = urls[turn++ % urls.length]
      await new Promise((r) => setTimeout(r, 100))
      continue
    }
    const text = await res.text()
    if (res.ok) return
    if (res.status !== 503) {
      console.error('push of step ' + step + ' to ' + url + ' answered ' + res.status + ' ' + text)
      process.exit(3)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  console.error('push of step ' + step + ' never got through')
  process.exit(4)
}
await push(1)
await push(2)
while (!existsSync(flags.gate)) await new Promise((r) => setTimeout(r, 50))
await push(3)
await push(4)
`


test('pushes with the Secret\'s token reach the trial through either replica, before and after the leader is killed with -9; every point stored once', { skip, timeout: 300_000 }, async (t) => {
  const ports = [await freePort(), await freePort()]
  const urls = ports.map((p) => `http://127.0.0.1:${p}`)
  const ttl = { TUNEWELL_LEASE_TTL_SECONDS: '3' }
  const a = await replicas.replica('replica-a', { ...ttl, TUNEWELL_REPORT_URL: urls[0] })
  const b = await replicas.replica('replica-b', { ...ttl, TUNEWELL_REPORT_URL: urls[1] })
  const program = join(dir, 'push-trial.mjs')
  writeFileSync(program, PROGRAM)
  const gate = replicas.gate('push-kill')
  const name = `push-replicas-${Date.now().toString(36)}`
  const experiment = jobExperiment({
    name, maxTrials: 2, parallel: 2, image: 'docker.io/library/node:20',
    command: [process.execPath, program, '--lr=${trialParameters.learningRate}', `--gate=${gate.path}`, `--urls=${urls.join(',')}`],
  })
  const pushed = { ...experiment, spec: { ...experiment.spec, metricsCollectorSpec: { collector: { kind: 'Push' } } } }
  const response = await fetch(`${a.url}/api/v1/experiments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(pushed) })
  assert.equal(response.status, 201, await response.text())
  const record = await until(`experiment ${name}`, () => replicas.store.experiments.getByName(name))

  // Both trials pushed their first two points, one through each replica, and wait at the gate.
  const running = await until('two trials with their first two points', async () => {
    const failed = (await replicas.store.trials.list(record.id)).find((x) => x.state === 'Failed')
    assert.equal(failed, undefined, `${failed?.name} failed: ${failed?.message}`)
    const trials = await replicas.store.trials.list(record.id, { states: ['Running'] })
    if (trials.length < 2) return undefined
    for (const trial of trials) if ((await replicas.store.observations.list(trial.id)).length < 2) return undefined
    return trials
  })
  const leaderName = await replicas.holder(record)
  const [leader, other, otherName] = leaderName === 'replica-a' ? [a, b, 'replica-b'] : [b, a, 'replica-a']
  leader.kill('SIGKILL')
  assert.equal(await leader.exited, null)
  // Pushes from now on: refused connections at the dead replica, 503 at the other until it has
  // taken the experiment over and re-attached, then accepted with the same tokens.
  gate.open()
  await replicas.heldBy(record, otherName)
  const done = await until('the experiment to complete', async () => {
    const current = await replicas.store.experiments.get(record.id)
    return current && (current.state === 'Succeeded' || current.state === 'Failed') ? current : undefined
  })
  assert.equal(done.state, 'Succeeded', done.message ?? '')
  const trials = await replicas.store.trials.list(record.id)
  assert.deepEqual(trials.map((x) => x.name).sort(), running.map((x) => x.name).sort())
  for (const trial of trials) {
    assert.equal(trial.state, 'Succeeded', `${trial.name}: ${trial.message ?? ''}`)
    const points = (await replicas.store.observations.list(trial.id)).sort((x, y) => x.step - y.step)
    const expected = [1, 2, 3, 4].map((step) => `loss@${step}=${Number(trial.params.lr) + step / 1000}`)
    assert.deepEqual(points.map((p) => `${p.name}@${p.step}=${p.value}`), expected, `${trial.name}: every pushed point stored once`)
  }
  t.diagnostic(`experiment finished by ${otherName} after ${leaderName} was killed`)
  assert.equal(await other.stop(), 0, other.output.err)
})

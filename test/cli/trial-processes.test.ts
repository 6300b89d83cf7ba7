import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { deleteCliExperiments } from '../helpers/cli-store.ts'
import { isRunning, liveGroupMembers, until } from '../helpers/processes.ts'

const bin = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url))
const lingering = fileURLToPath(new URL('../fixtures/trials/lingering.mjs', import.meta.url))
const fileMetrics = fileURLToPath(new URL('../fixtures/trials/file-metrics.mjs', import.meta.url))
const home = mkdtempSync(join(tmpdir(), 'tunewell-cli-trials-'))
const suffix = Date.now().toString(36)
const created: string[] = []

after(() => deleteCliExperiments(home, created))

function writeExperiment(name: string, body: string, maxTrialCount = 1): string {
  const file = join(home, `${name}.yaml`)
  writeFileSync(file, `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: ${name}
spec:
  objective: {type: minimize, objectiveMetricName: loss}
  algorithm: {algorithmName: random}
  maxTrialCount: ${maxTrialCount}
  parameters:
    - {name: x, parameterType: double, feasibleSpace: {min: "0", max: "1"}}
${body}`)
  return file
}

function trialDir(name: string): string | undefined {
  const runs = join(home, '.tunewell', 'runs', name)
  if (!existsSync(runs)) return undefined
  const [trial] = readdirSync(runs)
  return trial === undefined ? undefined : join(runs, trial)
}

describe('tunewell run: trial processes', () => {
  test('a trial gets the user\'s environment without the server\'s token, database URL or libpq password', () => {
    const name = `env-${suffix}`
    created.push(name)
    const file = writeExperiment(name, `  parallelTrialCount: 1
  trialTemplate:
    command: ["${process.execPath}", "${lingering}", "--x=\${trialParameters.x}"]
`)
    const env = { ...process.env, TUNEWELL_TOKEN: 'admin-token-0123456789abcdef', PGPASSWORD: 'db-password', VIRTUAL_ENV: '/opt/venvs/mine' }
    const result = spawnSync(process.execPath, [bin, 'run', file], { cwd: home, encoding: 'utf8', env, timeout: 240_000 })
    assert.equal(result.status, 0, result.stderr + result.stdout)
    const seen = JSON.parse(readFileSync(join(trialDir(name)!, 'env.json'), 'utf8')) as Record<string, string>
    for (const secret of ['TUNEWELL_TOKEN', 'DATABASE_URL', 'PGPASSWORD']) assert.equal(seen[secret], undefined, `${secret} reached the trial`)
    assert.equal(seen.VIRTUAL_ENV, '/opt/venvs/mine')
    assert.equal(seen.PATH, process.env.PATH)
    assert.ok(seen.TUNEWELL_TRIAL_NAME && seen.TUNEWELL_REPORT_TOKEN, 'what is meant for the trial is there')
  })

  test('kill -9 of run: its running trial and the trial\'s children stop by themselves', { timeout: 180_000 }, async () => {
    const name = `orphans-${suffix}`
    created.push(name)
    const file = writeExperiment(name, `  parallelTrialCount: 1
  trialTemplate:
    command: ["${process.execPath}", "${lingering}", "--x=\${trialParameters.x}", "--linger"]
`)
    const run = spawn(process.execPath, [bin, 'run', file], { cwd: home, env: process.env, stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    run.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
    let pid = 0
    try {
      await until(() => {
        const dir = trialDir(name)
        return dir !== undefined && existsSync(join(dir, 'pid')) && existsSync(join(dir, 'grandchild'))
      }, `the trial started (run said: ${stderr})`, 150_000)
      pid = Number(readFileSync(join(trialDir(name)!, 'pid'), 'utf8'))
      const grandchild = Number(readFileSync(join(trialDir(name)!, 'grandchild'), 'utf8'))
      assert.ok(isRunning(pid) && isRunning(grandchild))
      run.kill('SIGKILL')
      await new Promise((resolve) => run.once('close', resolve))
      await until(() => liveGroupMembers(pid).length === 0 && !isRunning(grandchild), `trial group ${pid} gone after its supervisor died`)
    } finally {
      run.kill('SIGKILL')
      if (pid > 1) try { process.kill(-pid, 'SIGKILL') } catch { /* gone, as it should be */ }
    }
  })

  test('run refuses parallel trials on one metrics file outside their folders, and a path that leaves the folder', () => {
    const shared = writeExperiment(`shared-${suffix}`, `  parallelTrialCount: 2
  metricsCollectorSpec:
    collector: {kind: File}
    source: {fileSystemPath: {path: /var/log/katib/metrics.log, kind: File}}
  trialTemplate:
    command: ["${process.execPath}", "${lingering}", "--x=\${trialParameters.x}"]
`, 2)
    const refused = spawnSync(process.execPath, [bin, 'run', shared], { cwd: home, encoding: 'utf8', env: process.env, timeout: 60_000 })
    assert.equal(refused.status, 2, refused.stderr)
    assert.match(refused.stderr, /\/spec\/metricsCollectorSpec\/source\/fileSystemPath\/path: parallel trials .* name the path in the trial's command/)

    const escaping = writeExperiment(`escape-${suffix}`, `  parallelTrialCount: 1
  metricsCollectorSpec:
    collector: {kind: File}
    source: {fileSystemPath: {path: ../../outside.log, kind: File}}
  trialTemplate:
    command: ["${process.execPath}", "${lingering}", "--x=\${trialParameters.x}"]
`)
    const result = spawnSync(process.execPath, [bin, 'run', escaping], { cwd: home, encoding: 'utf8', env: process.env, timeout: 60_000 })
    assert.equal(result.status, 2, result.stderr)
    assert.match(result.stderr, /not inside the trial's folder/)
  })

  test('an absolute metrics path that climbs above / stays in the trial\'s folder: nothing outside it is deleted or written', () => {
    const name = `climb-${suffix}`
    created.push(name)
    // From <home>/.tunewell/runs/<experiment>/<trial>/root, four `..` reach <home>/.tunewell.
    const climbing = '/../../../../victim.log'
    const victim = join(home, '.tunewell', 'victim.log')
    const file = writeExperiment(name, `  parallelTrialCount: 1
  metricsCollectorSpec:
    collector: {kind: File}
    source: {fileSystemPath: {path: "${climbing}", kind: File}}
  trialTemplate:
    command: ["${process.execPath}", "${fileMetrics}", "--x=\${trialParameters.x}", "--log-path=${climbing}"]
`)
    mkdirSync(dirname(victim), { recursive: true })
    writeFileSync(victim, 'not a trial\'s\n')
    const result = spawnSync(process.execPath, [bin, 'run', file], { cwd: home, encoding: 'utf8', env: process.env, timeout: 120_000 })
    assert.equal(result.status, 0, result.stderr + result.stdout)
    assert.equal(readFileSync(victim, 'utf8'), 'not a trial\'s\n')
    assert.match(readFileSync(join(trialDir(name)!, 'root', 'victim.log'), 'utf8'), /^loss=/)
  })
})

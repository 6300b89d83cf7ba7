import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parameterAssignments } from '../../api/views/trial-view.ts'
import { deleteCliExperiments, withCliStore } from '../helpers/cli-store.ts'

const bin = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url))
const home = mkdtempSync(join(tmpdir(), 'tunewell-discrete-'))
const name = `discrete-${Date.now().toString(36)}`
const seen = join(home, 'seen.jsonl')

after(() => deleteCliExperiments(home, [name]))

// Appends what it was given (its arguments and the env entry) and reports a loss.
const program = join(home, 'seen.mjs')
writeFileSync(program, `import { appendFileSync } from 'node:fs'
appendFileSync(${JSON.stringify(seen)}, JSON.stringify({ argv: process.argv.slice(2), env: process.env.LR }) + '\\n')
console.log('loss=' + Number(process.argv[2].slice(5)))
`)

test('discrete values reach the trial as written in feasibleSpace.list ("0.10" stays "0.10"), algorithms still see numbers', () => {
  writeFileSync(join(home, 'exp.yaml'), `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: ${name}
spec:
  objective: {type: minimize, objectiveMetricName: loss}
  algorithm: {algorithmName: grid}
  parallelTrialCount: 1
  maxTrialCount: 3
  parameters:
    - {name: lr, parameterType: discrete, feasibleSpace: {list: ["0.10", "1e-3", "2"]}}
  trialTemplate:
    command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(program)}, "--lr=\${trialParameters.lr}"]
    env:
      - {name: LR, value: "\${trialParameters.lr}"}
`)
  const result = spawnSync(process.execPath, [bin, 'run', join(home, 'exp.yaml'), '--home', home], { cwd: home, encoding: 'utf8', timeout: 110_000 })
  assert.equal(result.status, 0, result.stderr + result.stdout)
  const runs = readFileSync(seen, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { argv: string[]; env: string })
  assert.deepEqual(runs.map((r) => r.argv[0]).sort(), ['--lr=0.10', '--lr=1e-3', '--lr=2'])
  assert.deepEqual(runs.map((r) => r.env).sort(), ['0.10', '1e-3', '2'])
  // The best trial as `run` prints it, and the stored trials: numbers for the algorithm, the
  // written text for what a trial or a Katib client is shown.
  assert.match(result.stdout, /lr = 1e-3/)
  // The summary's trial table shows each value as written too (the loss column, a number, follows it).
  assert.match(result.stdout, /Succeeded\s+0\.10\s+0\.1\b/)
  assert.match(result.stdout, /Succeeded\s+1e-3\s+0\.001\b/)
  return withCliStore(home, async (store) => {
    const record = (await store.experiments.getByName(name))!
    const trials = await store.trials.list(record.id)
    assert.deepEqual(trials.map((t) => t.params.lr).sort(), [0.001, 0.1, 2])
    assert.deepEqual(trials.map((t) => parameterAssignments(t, record.spec)[0]!.value).sort(), ['0.10', '1e-3', '2'])
  })
})

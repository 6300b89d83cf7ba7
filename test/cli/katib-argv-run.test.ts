import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { deleteCliExperiments } from '../helpers/cli-store.ts'

const bin = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url))
const printArgv = fileURLToPath(new URL('../fixtures/trials/print-argv.mjs', import.meta.url))
const home = mkdtempSync(join(tmpdir(), 'tunewell-cli-argv-'))
const name = `argv-${Date.now().toString(36)}`
const refusedName = `argv-refused-${Date.now().toString(36)}`
after(() => deleteCliExperiments(home, [name, refusedName]))

// A categorical value with everything a shell would act on; Katib's shell would mangle it.
const HOSTILE = `a b'"$HOME\`id\`*;|{x}`

test('tunewell run: a Katib Job trial gets the argv its sh -c would, values untouched, env valueFrom answered', () => {
  const file = join(home, `${name}.yaml`)
  writeFileSync(file, `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: ${name}
  namespace: team
spec:
  objective: {type: minimize, objectiveMetricName: loss}
  algorithm: {algorithmName: random}
  maxTrialCount: 1
  parallelTrialCount: 1
  parameters:
    - name: arch
      parameterType: categorical
      feasibleSpace: {list: [${JSON.stringify(HOSTILE)}]}
  trialTemplate:
    primaryContainerName: training-container
    trialParameters:
      - {name: architecture, reference: arch}
    trialSpec:
      apiVersion: batch/v1
      kind: Job
      spec:
        template:
          metadata:
            labels: {team: vision}
          spec:
            containers:
              - name: training-container
                image: docker.io/library/node:20
                command:
                  - ${JSON.stringify(process.execPath)}
                  - ${JSON.stringify(printArgv)}
                  - --architecture="\${trialParameters.architecture}"
                  - --raw=\${trialParameters.architecture}
                  - --out=$(OUT)/x
                  - --quoted='a  b'
                env:
                  - {name: NS, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}
                  - {name: TRIAL, valueFrom: {fieldRef: {fieldPath: "metadata.labels['katib.kubeflow.org/trial']"}}}
                  - {name: TEAM, valueFrom: {fieldRef: {fieldPath: "metadata.labels['team']"}}}
                  - {name: OUT, value: /data/$(NS)}
                  - {name: ARCH, value: "\${trialParameters.architecture}"}
            restartPolicy: Never
`)
  const result = spawnSync(process.execPath, [bin, 'run', file], { cwd: home, encoding: 'utf8', env: process.env, timeout: 120_000 })
  assert.equal(result.status, 0, result.stderr + result.stdout)
  const runs = join(home, '.tunewell', 'runs', name)
  const [trial] = readdirSync(runs)
  const seen = JSON.parse(readFileSync(join(runs, trial, 'argv.json'), 'utf8')) as { argv: string[]; env: Record<string, string> }
  assert.deepEqual(seen.argv, [`--architecture=${HOSTILE}`, `--raw=${HOSTILE}`, '--out=/data/team/x', '--quoted=a  b'])
  assert.equal(seen.env.NS, 'team')
  assert.equal(seen.env.TRIAL, trial)
  assert.equal(seen.env.TEAM, 'vision')
  assert.equal(seen.env.ARCH, HOSTILE)
})

test('tunewell run refuses, before any trial, a command that needs a real shell, at its line', () => {
  const file = join(home, `${refusedName}.yaml`)
  writeFileSync(file, `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: ${refusedName}
spec:
  objective: {type: minimize, objectiveMetricName: loss}
  algorithm: {algorithmName: random}
  maxTrialCount: 1
  parallelTrialCount: 1
  parameters:
    - {name: lr, parameterType: double, feasibleSpace: {min: "0.1", max: "0.2"}}
  trialTemplate:
    primaryContainerName: training-container
    trialParameters:
      - {name: learningRate, reference: lr}
    trialSpec:
      apiVersion: batch/v1
      kind: Job
      spec:
        template:
          spec:
            containers:
              - name: training-container
                image: docker.io/library/node:20
                command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(printArgv)}, "--lr=\${trialParameters.learningRate}", "|", tee, log.txt]
            restartPolicy: Never
`)
  const result = spawnSync(process.execPath, [bin, 'run', file], { cwd: home, encoding: 'utf8', env: process.env, timeout: 120_000 })
  assert.equal(result.status, 2, result.stderr + result.stdout)
  assert.match(result.stderr, /:25:17 \/spec\/trialTemplate\/trialSpec\/spec\/template\/spec\/containers\/0\/command: Katib runs the primary container's command and args as one `sh -c` line \(collector StdOut\), and a pipe \(\|\) in it needs a real shell: .*--lr=0 ⟨here⟩\| tee log\.txt; quote it to pass it as text, or write the command as `command: \[sh, -c, "\.\.\."\]`/)
})

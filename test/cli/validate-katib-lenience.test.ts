/**
 * `tunewell validate` (the CLI, as a child process, once for both files) on what Katib accepts
 * although it looks wrong: empty strings Katib defaults, harmless things it ignores (warnings),
 * and on a Go regexp filter that cannot be run (refused at file:line:col with the reason).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const bin = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'tunewell-lenience-'))

const LENIENT = `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: lenient
  namespace: ""
spec:
  objective:
    type: minimize
    objectiveMetricName: loss
    additionalMetricNames: [acc, acc]
    metricStrategies:
      - {name: accuracy, value: max}
  algorithm:
    algorithmName: cmaes
    algorithmSettings:
      - {name: sigmma, value: "0.2"}
  resumePolicy: ""
  maxTrialCount: 4
  parameters:
    - {name: x, parameterType: double, feasibleSpace: {min: "0", max: "1", distribution: ""}}
    - {name: y, parameterType: double, feasibleSpace: {min: "0", max: "1", step: ""}}
  metricsCollectorSpec:
    collector: {kind: File}
    source:
      fileSystemPath: {path: metrics.log, kind: "", format: ""}
      filter:
        metricsFormat: ["(?i)(LOSS|acc)\\\\s*[:=]\\\\s*([[:digit:].]+)"]
  trialTemplate:
    command: ["true", "\${trialParameters.x}", "\${trialParameters.y}"]
`

const UNRUNNABLE = LENIENT.replace('name: lenient', 'name: unrunnable').replace('["(?i)', '["(?=x)(?i)')

test('validate accepts Katib\'s empty strings with warnings for what is ignored, and refuses a filter Go refuses where it stands', () => {
  const lenient = join(dir, 'lenient.yaml')
  const unrunnable = join(dir, 'unrunnable.yaml')
  writeFileSync(lenient, LENIENT)
  writeFileSync(unrunnable, UNRUNNABLE)
  const result = spawnSync(process.execPath, [bin, 'validate', lenient, unrunnable], { cwd: dir, encoding: 'utf8', timeout: 120_000 })
  assert.equal(result.status, 2, result.stderr)
  assert.match(result.stdout, /lenient\.yaml: valid Experiment "lenient" \(cmaes, 2 parameters, 4 trials, 3 in parallel\)/)
  const warning = (line: number, col: number, path: string, text: string) =>
    assert.ok(result.stdout.includes(`${lenient}:${line}:${col} ${path}: `) && result.stdout.includes(text), `expected ${line}:${col} ${path} ... ${text} in:\n${result.stdout}`)
  warning(10, 34, '/spec/objective/additionalMetricNames/1', 'metric "acc" is listed twice; the repeat is ignored')
  warning(12, 10, '/spec/objective/metricStrategies/0/name', 'so its strategy is ignored')
  warning(16, 10, '/spec/algorithm/algorithmSettings/0/name', 'did you mean "sigma"?')
  assert.doesNotMatch(result.stdout, /resumePolicy|distribution|format/)
  assert.match(result.stderr, new RegExp(`${unrunnable.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:27:25 /spec/metricsCollectorSpec/source/filter/metricsFormat/0: filter .* is not a valid regular expression .*invalid or unsupported Perl syntax: \`\\(\\?=\`; Go has no lookahead`))
  assert.match(result.stderr, /1 problem\(s\) in .*unrunnable\.yaml/)
})

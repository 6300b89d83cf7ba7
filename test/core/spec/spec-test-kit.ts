/** Shared fixtures for the core/spec tests: a valid document to break one rule at a time. */
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { examplesDir } from './example-sets.ts'
import type { SpecIssue } from '../../../core/errors.ts'
import { parseExperimentYaml, type Experiment, type ParsedExperiment } from '../../../core/spec/index.ts'

export { examplesDir, exampleSets, sharedExamplesDir, sharedExamplesSkip } from './example-sets.ts'

/** Relative paths of every example .yaml under `dir`; fails (never passes vacuously) when the folder is absent. */
export function exampleFiles(dir = examplesDir): string[] {
  assert.ok(existsSync(dir), `Katib examples not found at ${dir}`)
  const files = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.yaml')).sort()
  assert.ok(files.length > 0, `no .yaml files under ${dir}`)
  return files
}

export function exampleText(file: string, dir = examplesDir): string {
  const path = join(dir, file)
  assert.ok(existsSync(path), `Katib example ${file} not found under ${dir}`)
  return readFileSync(path, 'utf8')
}

/** Parses a document that must be valid. */
export function experimentOf(text: string): Experiment {
  const parsed = parseExperimentYaml(text)
  assert.deepEqual(parsed.issues, [])
  assert.ok(parsed.experiment)
  return parsed.experiment
}

export function example(file: string): Experiment {
  return experimentOf(exampleText(file))
}

/** A valid Job-based experiment exercising double, int and categorical parameters. */
export const JOB = `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: demo
  namespace: kubeflow
spec:
  objective:
    type: minimize
    goal: 0.001
    objectiveMetricName: loss
    additionalMetricNames:
      - accuracy
  algorithm:
    algorithmName: random
  parallelTrialCount: 2
  maxTrialCount: 6
  maxFailedTrialCount: 2
  parameters:
    - name: lr
      parameterType: double
      feasibleSpace:
        min: "0.01"
        max: "0.05"
    - name: layers
      parameterType: int
      feasibleSpace:
        min: "1"
        max: "4"
    - name: optimizer
      parameterType: categorical
      feasibleSpace:
        list: ["sgd", "adam"]
  trialTemplate:
    primaryContainerName: training
    trialParameters:
      - name: learningRate
        reference: lr
      - name: layers
        reference: layers
      - name: optimizer
        reference: optimizer
    trialSpec:
      apiVersion: batch/v1
      kind: Job
      spec:
        template:
          spec:
            containers:
              - name: training
                image: train:latest
                command:
                  - python3
                  - train.py
                  - --lr=\${trialParameters.learningRate}
                  - --layers=\${trialParameters.layers}
                  - --optimizer=\${trialParameters.optimizer}
            restartPolicy: Never
`

/** A valid experiment in the local command form, with numbers where Katib wants strings. */
export const LOCAL = `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: local
spec:
  objective:
    type: maximize
    objectiveMetricName: accuracy
  algorithm:
    algorithmName: random
  maxTrialCount: 4
  parameters:
    - name: lr
      parameterType: double
      feasibleSpace: {min: 0.01, max: 0.1}
    - name: epochs
      parameterType: int
      feasibleSpace: {min: 1, max: 3}
  trialTemplate:
    command: ["python3", "train.py", "--lr=\${trialParameters.lr}", "--epochs", "\${trialParameters.epochs}"]
`

/** Replaces each `from` (which must occur exactly once, so a fixture change fails loudly). */
export function edit(text: string, ...replacements: readonly (readonly [string, string])[]): string {
  for (const [from, to] of replacements) {
    const count = text.split(from).length - 1
    assert.equal(count, 1, `fixture edit: ${JSON.stringify(from)} occurs ${count} times`)
    text = text.replace(from, () => to)
  }
  return text
}

/** 1-based position of the `nth` occurrence of `snippet` in `text`. */
export function positionOf(text: string, snippet: string, nth = 0): { line: number; col: number } {
  let index = -1
  for (let i = 0; i <= nth; i++) {
    index = text.indexOf(snippet, index + 1)
    assert.ok(index >= 0, `fixture: ${JSON.stringify(snippet)} occurrence ${nth} not found`)
  }
  const before = text.slice(0, index).split('\n')
  return { line: before.length, col: before[before.length - 1].length + 1 }
}

export function parse(text: string): ParsedExperiment {
  return parseExperimentYaml(text, 'test.yaml')
}

/** Asserts the document is invalid with exactly one issue, at `path`, and returns it. */
export function onlyIssue(parsed: ParsedExperiment, path: string): SpecIssue {
  assert.equal(parsed.experiment, undefined, 'an invalid document must not yield an experiment')
  assert.equal(parsed.issues.length, 1, `expected one issue, got:\n${parsed.issues.map((i) => `${i.path}: ${i.message}`).join('\n')}`)
  const [issue] = parsed.issues
  assert.equal(issue.path, path)
  return issue
}

export function assertMentions(message: string, ...fragments: readonly string[]): void {
  for (const fragment of fragments) assert.ok(message.includes(fragment), `message ${JSON.stringify(message)} should mention ${JSON.stringify(fragment)}`)
}

import { fileURLToPath } from 'node:url'
import type { Experiment } from '../../core/spec/index.ts'
import { parseExperimentYaml } from '../../core/spec/index.ts'

export const quadraticFixture = fileURLToPath(new URL('../fixtures/trials/quadratic.mjs', import.meta.url))

export interface QuadraticOptions {
  readonly name: string
  readonly algorithm?: string
  readonly settings?: Record<string, string>
  readonly parallel?: number
  readonly max?: number
  readonly maxFailed?: number
  readonly goal?: number
  /** Extra flags for the fixture program, e.g. `--mode=fail`. */
  readonly flags?: readonly string[]
  readonly parameters?: string
  readonly extraSpec?: string
  readonly deadlineSeconds?: number
  readonly command?: readonly string[]
}

/** An Experiment over the quadratic fixture program, parsed and validated like a user's file. */
export function quadraticExperiment(o: QuadraticOptions): Experiment {
  const text = quadraticExperimentYaml(o)
  const parsed = parseExperimentYaml(text, `${o.name}.yaml`)
  if (!parsed.experiment) throw new Error(`test experiment is invalid:\n${parsed.issues.map((i) => `${i.line}:${i.col} ${i.path} ${i.message}`).join('\n')}\n${text}`)
  return parsed.experiment
}

/** The Experiment file quadraticExperiment parses: what CLI tests write for `tunewell run`. */
export function quadraticExperimentYaml(o: QuadraticOptions): string {
  const command = o.command ?? [process.execPath, quadraticFixture, '--x=${trialParameters.x}', '--y=${trialParameters.y}', ...(o.flags ?? [])]
  return `
apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: ${o.name}
spec:
  objective:
    type: minimize
    objectiveMetricName: loss
    additionalMetricNames: [accuracy]
${o.goal !== undefined ? `    goal: ${o.goal}\n` : ''}  algorithm:
    algorithmName: ${o.algorithm ?? 'random'}
    algorithmSettings:
${Object.entries(o.settings ?? { random_state: '1' }).map(([k, v]) => `      - {name: ${k}, value: "${v}"}`).join('\n') || '      []'}
  parallelTrialCount: ${o.parallel ?? 2}
  maxTrialCount: ${o.max ?? 4}
${o.maxFailed !== undefined ? `  maxFailedTrialCount: ${o.maxFailed}\n` : ''}  parameters:
${o.parameters ?? `    - {name: x, parameterType: double, feasibleSpace: {min: "0", max: "1"}}
    - {name: y, parameterType: double, feasibleSpace: {min: "0", max: "1"}}`}
${o.extraSpec ?? ''}
  trialTemplate:
    command: ${JSON.stringify(command)}
${o.deadlineSeconds ? `    activeDeadlineSeconds: ${o.deadlineSeconds}\n` : ''}`
}

/**
 * Experiment YAML with two mistakes at known places: `maxTrialCount: 0` on line 8 and a
 * feasibleSpace whose min is above its max on line 10.
 */
export function invalidExperimentYaml(name: string): string {
  return `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: ${name}
spec:
  objective: {type: minimize, objectiveMetricName: loss}
  algorithm: {algorithmName: random}
  maxTrialCount: 0
  parameters:
    - {name: x, parameterType: double, feasibleSpace: {min: "2", max: "1"}}
  trialTemplate:
    command: [node, train.js]
`
}

/** A valid ask/tell Experiment (no trialTemplate) with random search over one double `x`. */
export function askTellExperimentObject(name: string, o: { readonly parallel?: number; readonly max: number }) {
  return {
    apiVersion: 'kubeflow.org/v1beta1',
    kind: 'Experiment',
    metadata: { name },
    spec: {
      objective: { type: 'minimize', objectiveMetricName: 'loss' },
      algorithm: { algorithmName: 'random' },
      ...(o.parallel !== undefined ? { parallelTrialCount: o.parallel } : {}),
      maxTrialCount: o.max,
      parameters: [{ name: 'x', parameterType: 'double', feasibleSpace: { min: '0', max: '1' } }],
    },
  }
}

import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseExperimentYaml, type Experiment } from '../../core/spec/index.ts'

export interface JobExperimentOptions {
  readonly name: string
  /** metadata.namespace; absent: the executor's (the kubeconfig context's). */
  readonly namespace?: string
  readonly maxTrials: number
  readonly parallel: number
  readonly image: string
  /** The primary container's command; `${trialParameters.learningRate}` is the trial's `lr`. */
  readonly command: readonly string[]
  readonly backoffLimit?: number
  readonly restartPolicy?: string
  /** More fields of the Job's spec, as YAML lines indented by eight spaces. */
  readonly extraJobSpec?: string
}

/**
 * A Katib Experiment whose trials are batch/v1 Jobs: random search over one parameter `lr`
 * (0.01–0.1), minimising `loss`, read from the stdout of the Job's container `training`. The
 * Kubernetes tests and bench:kubernetes run it against the fake API server.
 */
export function jobExperiment(o: JobExperimentOptions): Experiment {
  const parsed = parseExperimentYaml(`apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: ${o.name}
${o.namespace === undefined ? '' : `  namespace: ${o.namespace}\n`}spec:
  objective: { type: minimize, objectiveMetricName: loss }
  algorithm: { algorithmName: random }
  maxTrialCount: ${o.maxTrials}
  parallelTrialCount: ${o.parallel}
  parameters:
    - name: lr
      parameterType: double
      feasibleSpace: { min: "0.01", max: "0.1" }
  trialTemplate:
    primaryContainerName: training
    trialParameters:
      - name: learningRate
        reference: lr
    trialSpec:
      apiVersion: batch/v1
      kind: Job
      spec:
        backoffLimit: ${o.backoffLimit ?? 0}
${o.extraJobSpec ?? ''}        template:
          spec:
            restartPolicy: ${o.restartPolicy ?? 'Never'}
            containers:
              - name: training
                image: ${o.image}
                command: ${JSON.stringify(o.command)}
`)
  if (!parsed.experiment || parsed.issues.length > 0) throw new Error(`job experiment ${o.name}: ${JSON.stringify(parsed.issues)}`)
  return parsed.experiment
}

let scriptDir: string | undefined

/**
 * `node <file> -- --lr=<the trial's lr>`, the file holding `script` (CommonJS): a trial program
 * run by the fake's pods. A file, not `node -e <script>`: with the StdOut collector Katib runs
 * the command as one `sh -c` line, and so does the cluster's argv (cluster-argv.ts), where a
 * script's spaces, quotes and parentheses would be shell syntax.
 */
export function nodeScriptCommand(script: string): string[] {
  if (scriptDir === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'tunewell-trial-scripts-'))
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
    scriptDir = dir
  }
  const file = join(scriptDir, `${createHash('sha256').update(script).digest('hex').slice(0, 16)}.cjs`)
  writeFileSync(file, script)
  return [process.execPath, file, '--', '--lr=${trialParameters.learningRate}']
}

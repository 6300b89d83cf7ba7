import { parseExperimentYaml, type Experiment } from '../../core/spec/index.ts'

/**
 * One benchmark experiment: random search over one parameter, its trials as Jobs whose pods the
 * fake simulates (no process: they print one objective line and exit), so what is measured is
 * the controller, not the trials.
 */
export function benchExperiment(name: string, parallel: number, maxTrials: number): Experiment {
  const parsed = parseExperimentYaml(`apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata: { name: ${name} }
spec:
  objective: { type: minimize, objectiveMetricName: loss }
  algorithm: { algorithmName: random }
  maxTrialCount: ${maxTrials}
  parallelTrialCount: ${parallel}
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
        backoffLimit: 0
        template:
          spec:
            restartPolicy: Never
            containers:
              - name: training
                image: example.com/bench/train:1
                command: [train, "--lr=\${trialParameters.learningRate}"]
`)
  if (!parsed.experiment) throw new Error(`bench experiment: ${JSON.stringify(parsed.issues)}`)
  return parsed.experiment
}

/**
 * What the editor starts with: the quickstart, which runs as is when the server was started with
 * `--home examples` (relative trial commands resolve against --home).
 */
export const EXPERIMENT_TEMPLATE = `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: my-experiment
spec:
  objective:
    type: minimize
    objectiveMetricName: loss
    additionalMetricNames: [accuracy]
  algorithm:
    algorithmName: tpe
  parallelTrialCount: 3
  maxTrialCount: 30
  maxFailedTrialCount: 3
  parameters:
    - name: lr
      parameterType: double
      feasibleSpace: {min: "0.01", max: "3", distribution: logUniform}
    - name: l2
      parameterType: double
      feasibleSpace: {min: "0.00001", max: "0.1", distribution: logUniform}
    - name: degree
      parameterType: int
      feasibleSpace: {min: "1", max: "5"}
  trialTemplate:
    # argv, no shell; relative paths resolve against the server's --home
    command:
      - node
      - --import
      - tsx
      - logistic-regression/train.ts
      - --lr=\${trialParameters.lr}
      - --l2=\${trialParameters.l2}
      - --degree=\${trialParameters.degree}
      - --epochs=60
    activeDeadlineSeconds: 120
`

/**
 * What the editor starts with: the quickstart's search space over a trial program that is part of
 * the template (`node -e`), so it runs as shown wherever `serve` was started; the quickstart's own
 * program is a relative path that only resolves under `--home examples`.
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
    # argv, no shell. The program is the small one below (node runs it: it is there wherever
    # tunewell runs), a stand-in for your training script, so this runs from any folder; put
    # yours instead, e.g. [python3, /path/to/train.py, "--lr=\${trialParameters.lr}"].
    command:
      - node
      - -e
      - |
        const [lr, l2, degree] = process.argv.slice(1).map(Number)
        // A made-up loss surface, lowest near lr=0.3, l2=0.001, degree=3, and falling by epoch.
        const floor = (Math.log10(lr) + 0.5) ** 2 / 2 + (Math.log10(l2) + 3) ** 2 / 20 + (degree - 3) ** 2 / 10
        for (let epoch = 1; epoch <= 20; epoch++) {
          const loss = floor + 1 / epoch
          console.log('epoch=' + epoch + ' loss=' + loss.toFixed(4) + ' accuracy=' + (1 / (1 + loss)).toFixed(4))
        }
      - \${trialParameters.lr}
      - \${trialParameters.l2}
      - \${trialParameters.degree}
    activeDeadlineSeconds: 120
`

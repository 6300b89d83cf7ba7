/**
 * The trialSpec checked against Kubernetes' own schemas (kubernetes-models for types, required
 * fields and enums; client-node's models for the fields a type has) and primaryContainerName
 * against the containers it can name, through parseExperimentYaml as every caller gets them.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { JOB, assertMentions, edit, exampleFiles, exampleText, onlyIssue, parse, positionOf } from './spec-test-kit.ts'

test('the Job fixture and every Katib example pass the schema check', () => {
  assert.deepEqual(parse(JOB).issues, [])
  for (const file of exampleFiles()) assert.deepEqual(parse(exampleText(file)).issues, [], file)
})

test('an unknown field in a container is an error at its own line, with the field it probably means', () => {
  const text = edit(JOB, ['                command:', '                comand:'])
  const issue = onlyIssue(parse(text), '/spec/trialTemplate/trialSpec/spec/template/spec/containers/0/comand')
  assertMentions(issue.message, '"comand" is not a field of a Kubernetes Container', 'did you mean "command"?')
  assert.deepEqual([issue.line, issue.col], [positionOf(text, 'comand:').line, positionOf(text, 'comand:').col])
})

test('an unknown field is found at every level of the Job, a misplaced one without a near name too', () => {
  const text = edit(JOB, ['      spec:\n        template:', '      spec:\n        backofLimit: 3\n        template:'], ['            restartPolicy: Never', '            restartPolicy: Never\n            gpus: 2'])
  const parsed = parse(text)
  assert.deepEqual(parsed.issues.map((i) => i.path), ['/spec/trialTemplate/trialSpec/spec/backofLimit', '/spec/trialTemplate/trialSpec/spec/template/spec/gpus'])
  assertMentions(parsed.issues[0].message, 'JobSpec', 'did you mean "backoffLimit"?')
  assertMentions(parsed.issues[1].message, '"gpus" is not a field of a Kubernetes PodSpec', 'check its spelling and indentation')
})

test('maps keep any key: labels, annotations, resource limits, node selectors', () => {
  const text = edit(JOB,
    ['      kind: Job\n', '      kind: Job\n      metadata:\n        labels:\n          any-label: x\n        annotations:\n          example.com/anything: y\n'],
    ['                image: train:latest', '                image: train:latest\n                resources:\n                  limits:\n                    nvidia.com/gpu: 1\n                    cpu: "0.5"'],
    ['            restartPolicy: Never', '            restartPolicy: Never\n            nodeSelector:\n              accelerator: a100'])
  assert.deepEqual(parse(text).issues, [])
})

test('a wrong type is an error naming the field as Kubernetes does, and what would be right', () => {
  const text = edit(JOB, ['      spec:\n        template:', '      spec:\n        activeDeadlineSeconds: soon\n        template:'])
  const issue = onlyIssue(parse(text), '/spec/trialTemplate/trialSpec/spec/activeDeadlineSeconds')
  assertMentions(issue.message, 'spec.activeDeadlineSeconds must be an integer, not the string "soon"', "Kubernetes' Job schema")
})

test('a number among the args is an error with the quoted form to write instead', () => {
  const text = edit(JOB, ['                  - train.py', '                  - train.py\n                  - 3'])
  const issue = onlyIssue(parse(text), '/spec/trialTemplate/trialSpec/spec/template/spec/containers/0/command/2')
  assertMentions(issue.message, 'must be a string, not the number 3', 'quote it: "3"')
})

test('a value outside an enum is an error listing the allowed ones', () => {
  const text = edit(JOB, ['                image: train:latest', '                image: train:latest\n                imagePullPolicy: Sometimes'])
  const issue = onlyIssue(parse(text), '/spec/trialTemplate/trialSpec/spec/template/spec/containers/0/imagePullPolicy')
  assertMentions(issue.message, '"Sometimes"', '"Always", "IfNotPresent", "Never"')
})

test('a container without a name is an error at that container', () => {
  const text = edit(JOB, ['            restartPolicy: Never', '              - image: sidecar:latest\n            restartPolicy: Never'])
  const issue = onlyIssue(parse(text), '/spec/trialTemplate/trialSpec/spec/template/spec/containers/1')
  assertMentions(issue.message, 'name is missing in spec.template.spec.containers[1]', 'every container needs a name')
  assert.equal(issue.line, positionOf(text, '- image: sidecar').line)
})

test('a placeholder stands where a number or a boolean goes, and in a key, without an error but with a warning for the number', () => {
  const text = edit(JOB,
    ['      spec:\n        template:', '      spec:\n        backoffLimit: ${trialParameters.layers}\n        suspend: "${trialParameters.optimizer}"\n        template:'],
    ['            restartPolicy: Never', '            restartPolicy: Never\n            ${trialParameters.learningRate}: x'])
  const parsed = parse(text)
  assert.deepEqual(parsed.issues, [])
  // Substituted inside the manifest's JSON text, the value stays a string, which a cluster refuses.
  assert.deepEqual(parsed.warnings.map((w) => w.path), ['/spec/trialTemplate/trialSpec/spec/backoffLimit', '/spec/trialTemplate/trialSpec/spec/suspend'])
  assertMentions(parsed.warnings[0].message, 'spec.backoffLimit is "${trialParameters.layers}", which renders as a string', 'wants an integer', 'refuse every trial\'s Job')
  assertMentions(parsed.warnings[1].message, 'wants a boolean')
  // In an argument the placeholder is text, which is what Kubernetes wants there.
  assert.deepEqual(parse(JOB).warnings, [])
})

test('null (an empty YAML value) is no wrong type, as for Kubernetes', () => {
  const text = edit(JOB, ['                image: train:latest', '                image: train:latest\n                env:\n                args:'])
  assert.deepEqual(parse(text).issues, [])
})

/** JOB with its trialSpec replaced by `manifest`; a kind Katib has no default conditions for gets some. */
function withTrialSpec(manifest: string, conditions = false): string {
  const at = JOB.indexOf('    trialSpec:\n')
  assert.ok(at > 0)
  const given = conditions ? '    successCondition: status.succeeded\n    failureCondition: status.failed\n' : ''
  return JOB.slice(0, at) + given + '    trialSpec:\n' + manifest.replace(/^(?=.)/gm, '      ')
}

const ARGV = `command:
  - python3
  - train.py
  - --lr=\${trialParameters.learningRate}
  - --layers=\${trialParameters.layers}
  - --optimizer=\${trialParameters.optimizer}`

/** `text` with every line but the first indented by `n` more spaces. */
function indent(text: string, n: number): string {
  return text.replace(/\n/g, '\n' + ' '.repeat(n))
}

test('a kind kubernetes-models knows is checked whole: a Pod', () => {
  const pod = `apiVersion: v1
kind: Pod
spec:
  restartPolice: Never
  containers:
    - name: training
      image: train:latest
      ${indent(ARGV, 6)}
`
  const issue = onlyIssue(parse(withTrialSpec(pod, true)), '/spec/trialTemplate/trialSpec/spec/restartPolice')
  assertMentions(issue.message, 'PodSpec', 'did you mean "restartPolicy"?')
})

function pytorchJob(container: string, extra = ''): string {
  return `apiVersion: kubeflow.org/v1
kind: PyTorchJob
spec:
  runPolicy:
    anythingTheOperatorKnows: true
  pytorchReplicaSpecs:
    Master:
      replicas: 1
      restartPolicy: OnFailure
      template:
        spec:${extra}
          containers:
            - name: training
              image: train:latest
              ${indent(container, 14)}
`
}

test('the pod templates of a Kubeflow training job are checked; the rest of its spec is the operator\'s', () => {
  assert.deepEqual(parse(withTrialSpec(pytorchJob(ARGV))).issues, [])
  const text = withTrialSpec(pytorchJob(ARGV.replace('command:', 'commands:')))
  const issue = onlyIssue(parse(text), '/spec/trialTemplate/trialSpec/spec/pytorchReplicaSpecs/Master/template/spec/containers/0/commands')
  assertMentions(issue.message, 'did you mean "command"?')
  const typed = withTrialSpec(pytorchJob(ARGV, '\n          terminationGracePeriodSeconds: later'))
  assertMentions(onlyIssue(parse(typed), '/spec/trialTemplate/trialSpec/spec/pytorchReplicaSpecs/Master/template/spec/terminationGracePeriodSeconds').message, "Kubernetes' Master pod template schema")
})

test('a JobSet\'s job templates are checked', () => {
  const jobSet = `apiVersion: jobset.x-k8s.io/v1alpha2
kind: JobSet
spec:
  replicatedJobs:
    - name: node
      template:
        spec:
          parallelism: 1
          template:
            spec:
              restartPolicy: Never
              containers:
                - name: training
                  image: train:latest
                  ${indent(ARGV.replace('command:', 'comand:'), 18)}
`
  const issue = onlyIssue(parse(withTrialSpec(jobSet, true)), '/spec/trialTemplate/trialSpec/spec/replicatedJobs/0/template/spec/template/spec/containers/0/comand')
  assertMentions(issue.message, 'did you mean "command"?')
})

test('a kind whose layout is unknown is not checked: any field, any primaryContainerName', () => {
  const text = edit(JOB,
    ['      apiVersion: batch/v1\n      kind: Job', '      apiVersion: example.com/v1\n      kind: Trainer'],
    ['    primaryContainerName: training', '    primaryContainerName: main\n    successCondition: status.done\n    failureCondition: status.failed'],
    ['                command:', '                comand:'])
  assert.deepEqual(parse(text).issues, [])
})

test('primaryContainerName that names no container of a Job is an error at primaryContainerName, with the names there are', () => {
  const text = edit(JOB, ['    primaryContainerName: training', '    primaryContainerName: trainnig'])
  const issue = onlyIssue(parse(text), '/spec/trialTemplate/primaryContainerName')
  assertMentions(issue.message, 'primaryContainerName "trainnig" names no container', 'its containers are "training"', 'did you mean "training"?')
  assert.deepEqual([issue.line, issue.col], [positionOf(text, 'primaryContainerName').line, positionOf(text, 'primaryContainerName').col])
})

test('primaryContainerName must name a container of a training job\'s replicas too, not an init container', () => {
  const initContainer = '\n          initContainers:\n            - name: pytorch\n              image: init:latest'
  const text = edit(withTrialSpec(pytorchJob(ARGV, initContainer)), ['    primaryContainerName: training', '    primaryContainerName: pytorch'])
  const issue = onlyIssue(parse(text), '/spec/trialTemplate/primaryContainerName')
  assertMentions(issue.message, '"pytorch" names no container', 'its containers are "training"')
})

test('a templated container name or primaryContainerName is left to the trial', () => {
  const named = edit(JOB, ['              - name: training', '              - name: train-${trialParameters.optimizer}'])
  assert.deepEqual(parse(named).issues, [])
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { imagePathWarnings } from '../../../core/spec/image-path-warnings.ts'
import { JOB, LOCAL, assertMentions, edit, example, experimentOf } from './spec-test-kit.ts'

const nothingExists = () => false

test('a Katib example whose script lives in the image gets a warning at that argument', () => {
  const warnings = imagePathWarnings(example('hp-tuning/random.yaml'), nothingExists)
  assert.deepEqual(warnings.map((w) => w.path), ['/spec/trialTemplate/trialSpec/spec/template/spec/containers/0/command/1'])
  assertMentions(warnings[0].message, '/opt/pytorch-mnist/mnist.py does not exist on this machine', 'without its image (ghcr.io/kubeflow/katib/pytorch-mnist-cpu:latest)', '--executor kubernetes')
})

test('the primary container is found in a training job\'s replicas, as a local trial finds it', () => {
  const warnings = imagePathWarnings(example('kubeflow-training-operator/tfjob-mnist-with-summaries.yaml'), nothingExists)
  // --log-path=/mnist-with-summaries-logs is where the trial writes, not what it runs.
  assert.deepEqual(warnings.map((w) => w.path), ['/spec/trialTemplate/trialSpec/spec/tfReplicaSpecs/Worker/template/spec/containers/0/command/1'])
})

test('no warning once the path exists here', () => {
  const seen: string[] = []
  const warnings = imagePathWarnings(example('hp-tuning/random.yaml'), (path) => (seen.push(path), true))
  assert.deepEqual(warnings, [])
  assert.deepEqual(seen, ['/opt/pytorch-mnist/mnist.py'])
})

test('a program given by an absolute path is checked; relative paths, flags, placeholders and directories are not', () => {
  const text = edit(JOB, ['                  - python3\n                  - train.py', '                  - /usr/local/bin/trainer\n                  - train.py\n                  - /data/input\n                  - /opt/\${trialParameters.optimizer}.py\n                  - --config=/etc/app/config.yaml'])
  const warnings = imagePathWarnings(experimentOf(text), nothingExists)
  assert.deepEqual(warnings.map((w) => w.path), ['/spec/trialTemplate/trialSpec/spec/template/spec/containers/0/command/0'])
  assertMentions(warnings[0].message, '/usr/local/bin/trainer does not exist', 'put the program there')
})

test('args count as much as command', () => {
  const text = edit(JOB, ['                command:\n                  - python3\n                  - train.py', '                command: [python3]\n                args:\n                  - /srv/app/train.py'])
  const warnings = imagePathWarnings(experimentOf(text), nothingExists)
  assert.deepEqual(warnings.map((w) => w.path), ['/spec/trialTemplate/trialSpec/spec/template/spec/containers/0/args/0'])
})

test('only the primary container counts, and the command form is the user\'s own machine already', () => {
  const sidecar = edit(JOB, ['            restartPolicy: Never', '              - name: sidecar\n                image: side:latest\n                command: [/opt/side/run.sh]\n            restartPolicy: Never'])
  assert.deepEqual(imagePathWarnings(experimentOf(sidecar), nothingExists), [])
  const local = edit(LOCAL, ['command: ["python3", "train.py"', 'command: ["python3", "/opt/absent/train.py"'])
  assert.deepEqual(imagePathWarnings(experimentOf(local), nothingExists), [])
})

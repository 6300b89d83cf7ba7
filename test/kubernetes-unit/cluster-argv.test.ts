import { test } from 'node:test'
import assert from 'node:assert/strict'
import { expandKubeVars } from '../../controller/expand-kube-vars.ts'
import { renderWorkload } from '../../controller/kubernetes/render-workload.ts'
import { LaunchError } from '../../controller/trial-executor.ts'
import { formatArchitecture } from '../../core/nas/architecture-assignment.ts'
import { expandNasConfig } from '../../core/nas/expand-nas-config.ts'
import { formatNnConfig } from '../../core/nas/nn-config-assignment.ts'
import type { Experiment } from '../../core/spec/index.ts'
import { example, experimentOf } from '../core/spec/spec-test-kit.ts'

type Json = Record<string, any>

const OPTIONS = { defaultNamespace: 'default' }

function primaryOf(manifest: Json): Json {
  return manifest.spec.template.spec.containers.find((c: Json) => c.name === 'training-container')
}

/**
 * What the kubelet starts: command + args with `$(VAR)` expanded from the container's env (each
 * entry expanded with those before it), `runtimeEnv` standing for what valueFrom would give.
 */
function kubeletArgv(container: Json, runtimeEnv: Record<string, string> = {}): { argv: string[]; env: Record<string, string> } {
  const env: Record<string, string> = {}
  for (const item of container.env ?? []) {
    env[item.name] = item.valueFrom ? runtimeEnv[item.name]! : expandKubeVars(item.value ?? '', (name) => env[name])
  }
  const argv = [...(container.command ?? []), ...(container.args ?? [])].map((word: string) => expandKubeVars(word, (name) => env[name]))
  return { argv, env }
}

/** A Job experiment whose one parameter `x` is referenced as `${trialParameters.x}`, with the given container. */
function experimentWith(container: Json, collectorKind = 'StdOut'): Experiment {
  const source = collectorKind === 'File' ? { source: { fileSystemPath: { kind: 'File', path: '/var/log/katib/metrics.log' } } } : {}
  return experimentOf(JSON.stringify({
    apiVersion: 'kubeflow.org/v1beta1',
    kind: 'Experiment',
    metadata: { name: 'argv', namespace: 'kubeflow' },
    spec: {
      objective: { type: 'maximize', objectiveMetricName: 'accuracy' },
      algorithm: { algorithmName: 'random' },
      maxTrialCount: 1,
      parallelTrialCount: 1,
      metricsCollectorSpec: { collector: { kind: collectorKind }, ...source },
      parameters: [{ name: 'x', parameterType: 'categorical', feasibleSpace: { list: ['a'] } }],
      trialTemplate: {
        primaryContainerName: 'training-container',
        trialParameters: [{ name: 'x', reference: 'x' }],
        trialSpec: {
          apiVersion: 'batch/v1',
          kind: 'Job',
          spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'training-container', image: 'python:3', ...container }] } } },
        },
      },
    },
  }))
}

function render(experiment: Experiment, params: Record<string, string>): Json {
  return primaryOf(renderWorkload(experiment, { name: 'argv-abc', params }, OPTIONS).manifest)
}

/** A value that every rule would change if it applied to it: Kubernetes' and the shell's expansions, quotes, globs, escapes. */
const HOSTILE = `$(HOME) $(KATIB_TRIAL_NAME) $$(HOME) \`id\` $HOME \${HOME} "double" 'single' * ? [a] \\ ~ ; | & $`

test('enas-cpu on a cluster: the primary container runs the argv Katib\'s sh -c gives, in exec form', () => {
  const experiment = example('nas/enas-cpu.yaml')
  const space = expandNasConfig(experiment.spec.nasConfig!)
  const architecture = formatArchitecture([[27]])
  const nnConfig = formatNnConfig(space, [[27]])
  const container = render(experiment, { architecture, nn_config: nnConfig })
  // What `sh -c 'python3 -u RunTrial.py --num_epochs=1 --architecture="[[27]]" --nn_config="{...}"'` runs
  // (test/controller/cluster-nas-argv.test.ts asks /bin/sh): the double quotes are the shell's.
  assert.deepEqual(container.command, ['python3', '-u', 'RunTrial.py', '--num_epochs=1', '--architecture=[[27]]', `--nn_config=${nnConfig}`])
  assert.equal(container.args, undefined)
  assert.deepEqual(kubeletArgv(container).argv, container.command)
})

test('darts-cpu on a cluster: algorithm-settings, search-space and num-layers without the template\'s quotes', () => {
  const experiment = example('nas/darts-cpu.yaml')
  const params = { 'algorithm-settings': "{'num_epochs': '1', 'w_lr': 0.025, 'batch_size': 128}", 'search-space': "['max_pooling_3x3']", 'num-layers': '1' }
  const container = render(experiment, params)
  assert.deepEqual(kubeletArgv(container).argv, [
    'python3', 'run_trial.py', `--algorithm-settings=${params['algorithm-settings']}`, `--search-space=${params['search-space']}`, '--num-layers=1',
  ])
})

test('a value stays literal in the pod\'s argv: no $(VAR) by the kubelet, no shell expansion, no quote removal', () => {
  for (const kind of ['StdOut', 'File', 'Push']) {
    const experiment = experimentWith({
      command: ['python3', 'train.py', '--x="${trialParameters.x}"', '${trialParameters.x}'],
      env: [{ name: 'HOME', value: '/home/trial' }, { name: 'X', value: 'x=${trialParameters.x}' }],
    }, kind)
    const manifest: Json = renderWorkload(experiment, { name: 'argv-abc', params: { x: HOSTILE } }, { ...OPTIONS, env: { TUNEWELL_REPORT_URL: 'http://c:1/r', TUNEWELL_REPORT_TOKEN: 't' } }).manifest
    const container = primaryOf(manifest)
    const { argv, env } = kubeletArgv(container)
    if (kind === 'StdOut' || kind === 'File') {
      assert.deepEqual(argv, ['python3', 'train.py', `--x=${HOSTILE}`, HOSTILE], kind)
    } else {
      // Katib does not wrap these: the template's own quotes reach the program, the value stays as it is.
      assert.deepEqual(argv, ['python3', 'train.py', `--x="${HOSTILE}"`, HOSTILE], kind)
    }
    assert.equal(env.X, `x=${HOSTILE}`, kind)
    assert.deepEqual(JSON.parse(env.TUNEWELL_PARAMS!), { x: HOSTILE }, kind)
  }
})

test('Push keeps the exec form as written, as does every kind Katib does not wrap', () => {
  for (const kind of ['Push']) {
    const command = ['python3', 'train.py', "--x='${trialParameters.x}'", '--home=$(HOME)', '$HOME']
    const container = render(experimentWith({ command, args: ['--y="1 2"'], env: [{ name: 'HOME', value: '/h' }] }, kind), { x: 'v' })
    assert.deepEqual(container.command, ['python3', 'train.py', "--x='v'", '--home=$(HOME)', '$HOME'], kind)
    assert.deepEqual(container.args, ['--y="1 2"'], kind)
  }
})

test('$VAR and ${VAR} of the container\'s env become $(VAR) for the kubelet, valueFrom included; $(VAR) stays the kubelet\'s', () => {
  const container = render(experimentWith({
    command: ['python3', 'train.py', '--data=$DATA/in', '--pod="${POD}"', '--both=$(DATA)', "'$DATA'", "'--n=$$5'"],
    env: [{ name: 'DATA', value: '/data set' }, { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
  }), { x: 'v' })
  assert.deepEqual(container.command, ['python3', 'train.py', '--data=$(DATA)/in', '--pod=$(POD)', '--both=$(DATA)', '$$DATA', '--n=$$5'])
  // One argument each (no field splitting: the value is not known to the controller when it comes from valueFrom).
  assert.deepEqual(kubeletArgv(container, { POD: 'argv-abc-xyz' }).argv, ['python3', 'train.py', '--data=/data set/in', '--pod=argv-abc-xyz', '--both=/data set', '$DATA', '--n=$5'])
})

test('$VAR of a name the container\'s env does not define is refused, saying how to define it; envFrom may define any', () => {
  const experiment = experimentWith({ command: ['python3', 'train.py', '--out=$OUTPUT_DIR/x'] })
  assert.throws(() => render(experiment, { x: 'v' }), (error: Error) =>
    error instanceof LaunchError && /\$OUTPUT_DIR/.test(error.message) && /add OUTPUT_DIR to the container's env/.test(error.message))
  const withSources = render(experimentWith({ command: ['python3', 'train.py', '--out=$OUTPUT_DIR/x'], envFrom: [{ configMapRef: { name: 'paths' } }] }), { x: 'v' })
  assert.deepEqual(withSources.command, ['python3', 'train.py', '--out=$(OUTPUT_DIR)/x'])
  // The trial's own variables are the container's env too.
  assert.deepEqual(render(experimentWith({ command: ['echo', '$KATIB_TRIAL_NAME'] }), { x: 'v' }).command, ['echo', '$(KATIB_TRIAL_NAME)'])
})

test('what needs a real shell is refused with the local message', () => {
  for (const [word, construct] of [['| tee log', 'a pipe'], ['$(date)', 'command substitution'], ['*.py', 'pathname pattern']] as const) {
    const experiment = experimentWith({ command: ['python3', 'train.py', word] })
    assert.throws(() => render(experiment, { x: 'v' }), (error: Error) => error instanceof LaunchError && error.message.includes(construct) && error.message.includes('collector StdOut'), word)
  }
})

test('leading NAME=value words become env entries; args without a command are the words after the image\'s entrypoint', () => {
  const container = render(experimentWith({ command: ['PYTHONUNBUFFERED=1', 'MODE="a b"', 'python3'], args: ['train.py', '--x="${trialParameters.x}"'] }), { x: '$(HOME)' })
  assert.deepEqual(container.command, ['python3', 'train.py', '--x=$$(HOME)'])
  const { env, argv } = kubeletArgv(container)
  assert.deepEqual(argv, ['python3', 'train.py', '--x=$(HOME)'])
  assert.equal(env.PYTHONUNBUFFERED, '1')
  assert.equal(env.MODE, 'a b')

  const entrypoint = render(experimentWith({ args: ['--lr="${trialParameters.x}"', "--name='a b'", 'X=1'] }), { x: '0.1' })
  assert.equal(entrypoint.command, undefined)
  assert.deepEqual(entrypoint.args, ['--lr=0.1', '--name=a b', 'X=1'])
})

test('sh -c keeps its shell, as Katib does: the words after it are its script, and values reach it as variables', () => {
  const container = render(experimentWith({ command: ['sh', '-c'], args: ['python3 train.py --x="${trialParameters.x}"', '--epochs=2'] }), { x: HOSTILE })
  assert.deepEqual(container.command, ['sh', '-c'])
  assert.deepEqual(container.args, ['python3 train.py --x="${TUNEWELL_VALUE_0}" --epochs=2'])
  assert.equal(kubeletArgv(container).env.TUNEWELL_VALUE_0, HOSTILE)
})

test('a Tekton step keeps its exec form: Tekton fills in its own $(params.x) before Katib sees the pod', () => {
  const experiment = example('tekton/pipeline-run.yaml')
  const workload = renderWorkload(experiment, { name: 'tekton-abc', params: { lr: '0.01' } }, OPTIONS)
  const steps = (workload.manifest as Json).spec.pipelineSpec.tasks[1].taskSpec.steps
  assert.deepEqual(steps[0].command, ['python3', '/opt/pytorch-mnist/mnist.py', '--epochs=$(params.epochs)', '--batch-size=16', '--lr=$(trialParameters.lr)'])
})

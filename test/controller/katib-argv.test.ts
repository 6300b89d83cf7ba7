import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { buildLocalLaunch, LaunchError } from '../../controller/local-launch.ts'
import { primaryArgv } from '../../controller/katib-argv.ts'
import { primaryLaunchIssues } from '../../controller/primary-launch.ts'
import { valueToken } from '../../core/spec/value-tokens.ts'
import type { Experiment } from '../../core/spec/index.ts'
import { example, exampleFiles } from '../core/spec/spec-test-kit.ts'

const ctx = { baseDir: '/srv/exp', runDir: '/srv/exp/.tunewell/runs/x', env: {} }
const own = (trial: string) => `/srv/exp/.tunewell/runs/x/${trial}/root`

/** A value per trialParameter reference that a real run of the example could hand out. */
const VALUES: Record<string, string> = {
  lr: '0.0125', momentum: '0.6', 'num-epochs': '2', 'batch-size': '32', epochs: '2', batch_size: '32', learning_rate: '0.05',
  alpha: '0.5', eta: '0.2', subsample: '0.75', num_leaves: '40', max_depth: '6', num_trees: '80', weight_decay: '0.01', dropout_rate: '0.2',
  architecture: '[[3], [0, 1], [2, 0, 1]]',
  nn_config: '{"num_layers": 3, "input_sizes": [32, 32, 3], "embedding": {"1": {"opt_type": "convolution", "opt_params": {"filter_size": "3"}}}}',
  'algorithm-settings': "{'num_epochs': 1}", 'search-space': "['separable_convolution_3x3', 'max_pooling_3x3']", 'num-layers': '3',
}

function paramsFor(experiment: Experiment): Record<string, string> {
  const references = (experiment.spec.trialTemplate?.trialParameters ?? []).map((p) => p.reference).filter((r) => !r.startsWith('${'))
  return Object.fromEntries(references.map((r) => [r, VALUES[r] ?? '7']))
}

/** Command + args with the values put in as text, and the shell's quotes around a whole `--k="..."` value removed. */
function naiveArgv(experiment: Experiment, params: Record<string, string>): string[] {
  const launchNoShell = structuredClone(experiment)
  launchNoShell.spec.metricsCollectorSpec = { collector: { kind: 'Push' } }
  const listed = buildLocalLaunch(launchNoShell, { name: 'ex-abc', params }, ctx).command
  return listed.map((word) => word.replace(/^(--[\w-]+=)"(.*)"$/s, '$1$2'))
}

/** Examples that cannot run as local processes at all, and why (none of them because of its argv). */
const NOT_LOCAL: Record<string, RegExp> = {
  'argo/argo-workflow.yaml': /no container named "main"/,
  'kubeflow-trainer/trainjob-pytorch.yaml': /no container named "node"/,
  'tekton/pipeline-run.yaml': /no container named "step-model-training"/,
  'trial-template/trial-configmap-source.yaml': /ConfigMap/,
  'kubeflow-training-operator/xgboostjob-lightgbm.yaml': /args but no command: on a cluster its image's entrypoint runs them/,
}

test('every Katib example\'s primary container gets the argv its sh -c would give, NAS quotes removed and values whole', () => {
  let checked = 0
  for (const file of exampleFiles()) {
    const experiment = example(file)
    const params = paramsFor(experiment)
    if (NOT_LOCAL[file]) {
      assert.throws(() => buildLocalLaunch(experiment, { name: 'ex-abc', params }, ctx), (e: unknown) => e instanceof LaunchError && NOT_LOCAL[file].test(e.message), file)
      continue
    }
    const argv = buildLocalLaunch(experiment, { name: 'ex-abc', params }, ctx).command.map((word) => word.replace(own('ex-abc'), ''))
    assert.deepEqual(argv, naiveArgv(experiment, params).map((word) => word.replace(own('ex-abc'), '')), file)
    for (const value of Object.values(params)) {
      if (value.includes(' ')) assert.ok(argv.some((word) => word.endsWith(`=${value}`)), `${file}: ${value} arrives whole`)
    }
    checked++
  }
  assert.ok(checked >= 27, `only ${checked} examples checked`)
})

test('NAS: --architecture="${...}" reaches the trial without the quotes, the JSON value byte for byte', () => {
  const experiment = example('nas/enas-cpu.yaml')
  const params = paramsFor(experiment)
  const launch = buildLocalLaunch(experiment, { name: 'enas-abc', params }, ctx)
  assert.deepEqual(launch.command, ['python3', '-u', 'RunTrial.py', '--num_epochs=1', `--architecture=${VALUES.architecture}`, `--nn_config=${VALUES.nn_config}`])
  // Without a collector that makes Katib wrap the container, no shell reads it: the quotes stay, as on Kubernetes.
  const push = structuredClone(experiment)
  push.spec.metricsCollectorSpec = { collector: { kind: 'Push' } }
  assert.equal(buildLocalLaunch(push, { name: 'enas-abc', params }, ctx).command[4], `--architecture="${VALUES.architecture}"`)
})

function jobExperiment(container: Record<string, unknown>, collector = 'StdOut', podMetadata: Record<string, unknown> = {}): Experiment {
  const experiment = example('hp-tuning/random.yaml')
  experiment.spec.metricsCollectorSpec = { collector: { kind: collector as 'StdOut' } }
  experiment.spec.trialTemplate!.trialSpec = {
    apiVersion: 'batch/v1', kind: 'Job',
    spec: { template: { metadata: podMetadata, spec: { containers: [{ name: 'training-container', ...container }], restartPolicy: 'Never' } } },
  }
  return experiment
}
const params = { lr: '0.01', momentum: '0.5' }

test('Kubernetes $(VAR) of the container env, then the shell: quotes, $VAR of the trial\'s environment, assignments', () => {
  const experiment = jobExperiment({
    command: ['python3', 'train.py'],
    args: ['--out=$(OUT_DIR)/run', "--keep='$$(OUT_DIR)'", "--unknown='$(NOPE)'x", "--msg='a b'", '--home=$HOME', '--lr="${trialParameters.learningRate}"'],
    env: [{ name: 'BASE', value: '/data' }, { name: 'OUT_DIR', value: '$(BASE)/out' }, { name: 'LATER', value: '$(LATE)' }, { name: 'LATE', value: 'x' }],
  })
  const original = process.env.HOME
  process.env.HOME = '/home/me'
  try {
    const launch = buildLocalLaunch(experiment, { name: 'random-abc', params }, ctx)
    assert.deepEqual(launch.command, ['python3', 'train.py', '--out=/data/out/run', '--keep=$(OUT_DIR)', '--unknown=$(NOPE)x', '--msg=a b', '--home=/home/me', '--lr=0.01'])
    assert.equal(launch.env.OUT_DIR, '/data/out')
    assert.equal(launch.env.LATER, '$(LATE)', 'an env value sees only the entries before it')
  } finally {
    process.env.HOME = original
  }
  // `$(NOPE)` unquoted is command substitution to the shell: refused, and the message says why.
  const unknown = jobExperiment({ command: ['python3', 'train.py', '--x', '$(NOPE)'] })
  assert.throws(() => buildLocalLaunch(unknown, { name: 'random-abc', params }, ctx), (e: unknown) =>
    e instanceof LaunchError && /sh -c.*command substitution \$\(\.\.\.\) in it needs a real shell: python3 train\.py --x ⟨here⟩\$\(NOPE\).*define NOPE in the container's env/.test(e.message))
  const pipe = jobExperiment({ command: ['python3', 'train.py', '|', 'tee', 'log'] })
  assert.throws(() => buildLocalLaunch(pipe, { name: 'random-abc', params }, ctx), /a pipe \(\|\) in it needs a real shell/)
  const assigned = buildLocalLaunch(jobExperiment({ command: ['PYTHONUNBUFFERED=1', 'python3', 'train.py'] }), { name: 'random-abc', params }, ctx)
  assert.deepEqual(assigned.command, ['python3', 'train.py'])
  assert.equal(assigned.env.PYTHONUNBUFFERED, '1')
})

test('collector kinds Katib does not wrap (Push) get command + args as written, after $(VAR) only', () => {
  const experiment = jobExperiment({ command: ['python3', "--a='x y'", '$(V)', '$HOME', '*'], env: [{ name: 'V', value: 'v' }] }, 'Push')
  assert.deepEqual(buildLocalLaunch(experiment, { name: 'random-abc', params }, ctx).command, ['python3', "--a='x y'", 'v', '$HOME', '*'])
})

const HOSTILE = ['$(touch pwned)', '`touch pwned`', '*', "'", '"', '\\', ' a  b ', 'x\ny', '$HOME', '${HOME}', ';', '|', '#', '', '~', '$(V)', '${trialParameters.momentum}']

test('hostile values arrive byte for byte whatever quoting the template puts around them', () => {
  const experiment = jobExperiment({
    command: ['prog', '--a=${trialParameters.learningRate}', '--b="${trialParameters.learningRate}"', "--c='${trialParameters.learningRate}'", '${trialParameters.learningRate}'],
    env: [{ name: 'V', value: 'vee' }, { name: 'W', value: '${trialParameters.learningRate}' }],
  })
  for (const value of HOSTILE) {
    const launch = buildLocalLaunch(experiment, { name: 'random-abc', params: { lr: value, momentum: '0.5' } }, ctx)
    assert.deepEqual(launch.command, ['prog', `--a=${value}`, `--b=${value}`, `--c=${value}`, value], JSON.stringify(value))
    assert.equal(launch.env.W, value)
  }
})

test('a script a real shell runs (Katib\'s own sh -c, or the user\'s) gets values as variables: run, it prints them unchanged', () => {
  const script = `printf '%s\\0' --a=\${trialParameters.learningRate} "--b=\${trialParameters.learningRate}" '--c=\${trialParameters.learningRate}' "$(printf %s '\${trialParameters.learningRate}')"
cat <<EOF
body \${trialParameters.learningRate}
EOF
# comment \${trialParameters.learningRate}`
  for (const collector of ['StdOut', 'Push']) {
    const experiment = jobExperiment({ command: ['sh', '-c'], args: [script] }, collector)
    for (const value of HOSTILE) {
      const launch = buildLocalLaunch(experiment, { name: 'random-abc', params: { lr: value, momentum: '0.5' } }, ctx)
      assert.equal(launch.command[0], 'sh')
      const result = spawnSync(launch.command[0], launch.command.slice(1), { env: launch.env as NodeJS.ProcessEnv, encoding: 'utf8', cwd: '/' })
      assert.equal(result.status, 0, result.stderr)
      const [printed, body] = [result.stdout.slice(0, result.stdout.lastIndexOf('\0') + 1), result.stdout.slice(result.stdout.lastIndexOf('\0') + 1)]
      // A value's trailing line breaks are lost in $(...), as in any shell.
      assert.deepEqual(printed.split('\0').slice(0, -1), [`--a=${value}`, `--b=${value}`, `--c=${value}`, value.replace(/\n+$/, '')], `${collector} ${JSON.stringify(value)}`)
      assert.equal(body, `body ${value}\n`, `${collector} ${JSON.stringify(value)}`)
    }
  }
})

test('Katib joins the rest of a `sh -c` list onto its script; a /bin/sh -c is joined like any command', () => {
  const katib = primaryArgv({ command: ['sh', '-c'], args: ['python3 train.py', '--lr=1'], collectorKind: 'StdOut', containerEnv: {}, processEnv: {}, values: [] })
  assert.deepEqual(katib.argv, ['sh', '-c', 'python3 train.py --lr=1'])
  const full = primaryArgv({ command: ['/bin/sh', '-c', `echo ${valueToken(0)}`], args: [], collectorKind: 'StdOut', containerEnv: {}, processEnv: {}, values: ['v'] })
  assert.deepEqual(full.argv, ['/bin/sh', '-c', 'echo', 'v'], 'Katib\'s join loses the script\'s own word boundary, as on a cluster')
})

test('what keeps every trial from starting is found before the first: none in Katib\'s examples, a pointer for a pipe or a Secret', () => {
  for (const file of exampleFiles()) assert.deepEqual(primaryLaunchIssues(example(file)), [], file)
  const pipe = jobExperiment({ command: ['prog', '|', 'tee'] })
  assert.deepEqual(primaryLaunchIssues(pipe).map((i) => i.path), ['/spec/trialTemplate/trialSpec/spec/template/spec/containers/0/command'])
  const secret = jobExperiment({ command: ['prog'], env: [{ name: 'A', value: '1' }, { name: 'T', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] })
  const [issue] = primaryLaunchIssues(secret)
  assert.equal(issue?.path, '/spec/trialTemplate/trialSpec/spec/template/spec/containers/0/env/1/valueFrom')
  assert.match(issue!.message, /only a Kubernetes cluster holds/)
  assert.deepEqual(primaryLaunchIssues(jobExperiment({ command: ['prog', '--lr="${trialParameters.learningRate}"'] })), [])
})

test('the short command form\'s own `sh -c` script gets values as variables too; other command forms stay argv', () => {
  const experiment = example('hp-tuning/random.yaml')
  delete experiment.spec.trialTemplate!.trialSpec
  delete experiment.spec.trialTemplate!.primaryContainerName
  experiment.spec.trialTemplate!.command = ['sh', '-c', `printf '%s\\0' \${trialParameters.learningRate} "x\${trialParameters.learningRate}"`, '${trialParameters.momentum}']
  for (const value of HOSTILE) {
    const launch = buildLocalLaunch(experiment, { name: 'random-abc', params: { lr: value, momentum: value } }, ctx)
    assert.equal(launch.command[3], value, 'a word after the script is its $0, as text')
    const result = spawnSync(launch.command[0], launch.command.slice(1), { env: launch.env as NodeJS.ProcessEnv, encoding: 'utf8', cwd: '/' })
    assert.equal(result.status, 0, result.stderr)
    assert.deepEqual(result.stdout.split('\0').slice(0, -1), [value, `x${value}`], JSON.stringify(value))
  }
  experiment.spec.trialTemplate!.command = ['prog', '--lr=${trialParameters.learningRate}']
  assert.deepEqual(buildLocalLaunch(experiment, { name: 'random-abc', params: { lr: '$(x) "y"', momentum: '1' } }, ctx).command, ['prog', '--lr=$(x) "y"'])
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { buildLocalLaunch, LaunchError } from '../../controller/local-launch.ts'
import { parseExperimentYaml, type Experiment } from '../../core/spec/index.ts'
import { examplesDir } from '../core/spec/spec-test-kit.ts'

function katibExample(path: string): Experiment {
  const parsed = parseExperimentYaml(readFileSync(join(examplesDir, path), 'utf8'), path)
  assert.ok(parsed.experiment, JSON.stringify(parsed.issues))
  return parsed.experiment
}
const ctx = { baseDir: '/srv/exp', runDir: '/srv/exp/.tunewell/runs/x', env: { EXTRA: '1' } }

test('a Katib Job template becomes the primary container command, with every metadata reference', () => {
  const experiment = katibExample('trial-template/trial-metadata-substitution.yaml')
  const launch = buildLocalLaunch(experiment, { name: 'trial-metadata-substitution-abc', params: { lr: 0.02, momentum: 0.7 } }, ctx)
  assert.deepEqual(launch.command, ['python3', '/opt/pytorch-mnist/mnist.py', '--epochs=1', '--batch-size=16', '--lr=0.02', '--momentum=0.7'])
  assert.equal(launch.env.TRIAL_NAME, 'trial-metadata-substitution-abc')
  assert.equal(launch.env.TRIAL_NAMESPACE, 'kubeflow')
  assert.equal(launch.env.TRIAL_KIND, 'Job')
  assert.equal(launch.env.TRIAL_API_VERSION, 'batch/v1')
  assert.equal(launch.env.TRIAL_LABEL_CUSTOM, 'custom-label')
  assert.equal(launch.env.TRIAL_ANNOTATION_CUSTOM, 'custom-annotation')
  assert.equal(launch.env.KATIB_TRIAL_NAME, 'trial-metadata-substitution-abc')
  assert.equal(launch.env.EXTRA, '1')
  assert.equal(JSON.parse(launch.env.TUNEWELL_PARAMS!).lr, 0.02)
  assert.equal(launch.cwd, '/srv/exp')
  assert.equal(launch.logPath, '/srv/exp/.tunewell/runs/x/trial-metadata-substitution-abc/output.log')
})

test('the primary container is found inside any trial kind (PyTorchJob replica specs)', () => {
  const experiment = katibExample('kubeflow-training-operator/pytorchjob-mnist.yaml')
  const launch = buildLocalLaunch(experiment, { name: 'pytorchjob-mnist-abc', params: { lr: 0.03, momentum: 0.6 } }, ctx)
  assert.equal(launch.command[0], 'python3')
  assert.ok(launch.command.includes('--lr=0.03'), launch.command.join(' '))
})

test('a parameter value cannot escape its argv element or the JSON of the manifest', () => {
  const experiment = katibExample('hp-tuning/grid.yaml')
  const evil = { lr: '1", "--evil": "x', momentum: '$(rm -rf /); `id`' }
  const launch = buildLocalLaunch(experiment, { name: 'grid-abc', params: evil }, ctx)
  assert.ok(launch.command.includes(`--lr=${evil.lr}`))
  assert.ok(launch.command.includes(`--momentum=${evil.momentum}`))
  assert.ok(!launch.command.includes('--evil'))
})

test('a template that cannot run locally is a LaunchError that says why', () => {
  const experiment = katibExample('hp-tuning/random.yaml')
  const noCommand = structuredClone(experiment)
  const spec = noCommand.spec.trialTemplate!.trialSpec as { spec: { template: { spec: { containers: { command?: unknown }[] } } } }
  delete spec.spec.template.spec.containers[0]!.command
  assert.throws(() => buildLocalLaunch(noCommand, { name: 'random-abc', params: { lr: 0.02, momentum: 0.6 } }, ctx), (e: unknown) =>
    e instanceof LaunchError && /no command/.test(e.message))
  const wrongName = structuredClone(experiment)
  wrongName.spec.trialTemplate!.primaryContainerName = 'trainer'
  assert.throws(() => buildLocalLaunch(wrongName, { name: 'random-abc', params: { lr: 0.02, momentum: 0.6 } }, ctx), /no container named "trainer"/)
})

test('a File path the command names gets a copy in each trial folder; a relative one lives there', () => {
  const experiment = katibExample('metrics-collector/file-metrics-collector.yaml')
  const launch = buildLocalLaunch(experiment, { name: 'fmc-a', params: { lr: 0.02, momentum: 0.6 } }, ctx)
  const own = '/srv/exp/.tunewell/runs/x/fmc-a/root/katib/mnist.log'
  assert.ok(launch.command.includes(`--log-path=${own}`), launch.command.join(' '))
  assert.deepEqual(launch.metricsFile, { path: own, inTrialDir: true })
  assert.equal(launch.env.TUNEWELL_METRICS_FILE, own)

  const relative = structuredClone(experiment)
  relative.spec.metricsCollectorSpec!.source!.fileSystemPath!.path = 'logs/m.log'
  assert.deepEqual(buildLocalLaunch(relative, { name: 'fmc-b', params: { lr: 0.02, momentum: 0.6 } }, ctx).metricsFile,
    { path: '/srv/exp/.tunewell/runs/x/fmc-b/logs/m.log', inTrialDir: true })
  relative.spec.metricsCollectorSpec!.source!.fileSystemPath!.path = '../../escape.log'
  assert.throws(() => buildLocalLaunch(relative, { name: 'fmc-c', params: { lr: 0.02, momentum: 0.6 } }, ctx),
    (e: unknown) => e instanceof LaunchError && /not inside the trial's folder/.test(e.message))
})

test('the trial environment keeps the user\'s variables and drops the server\'s secrets', () => {
  const set = { TUNEWELL_TOKEN: 'admin-secret', DATABASE_URL: 'postgres://u:pw@h/db', PGPASSWORD: 'pw', VIRTUAL_ENV: '/venv' }
  const saved = Object.fromEntries(Object.keys(set).map((name) => [name, process.env[name]]))
  Object.assign(process.env, set)
  try {
    const launch = buildLocalLaunch(katibExample('hp-tuning/grid.yaml'), { name: 'grid-env', params: { lr: 0.02, momentum: 0.6 } }, ctx)
    for (const secret of ['TUNEWELL_TOKEN', 'DATABASE_URL', 'PGPASSWORD']) assert.equal(launch.env[secret], undefined, secret)
    assert.equal(launch.env.VIRTUAL_ENV, '/venv')
    assert.equal(launch.env.PATH, process.env.PATH)
    assert.equal(launch.env.TUNEWELL_TRIAL_NAME, 'grid-env')
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
  }
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { checkLocalRunnable } from '../../controller/check-local.ts'
import { checkKubernetesRunnable } from '../../controller/kubernetes/check-kubernetes.ts'
import { buildLocalLaunch } from '../../controller/local-launch.ts'
import { formatArchitecture } from '../../core/nas/architecture-assignment.ts'
import { expandNasConfig } from '../../core/nas/expand-nas-config.ts'
import { formatNnConfig } from '../../core/nas/nn-config-assignment.ts'
import { parseExperimentYaml, type Experiment } from '../../core/spec/index.ts'
import { examplesDir } from '../core/spec/spec-test-kit.ts'

function katibExample(path: string): Experiment {
  const parsed = parseExperimentYaml(readFileSync(join(examplesDir, path), 'utf8'), path)
  assert.ok(parsed.experiment, JSON.stringify(parsed.issues))
  return parsed.experiment
}
const ctx = { baseDir: '/srv/exp', runDir: '/srv/exp/.tunewell/runs/x', env: {} }

/** What `sh -c` makes of Katib's line: the container's command joined with spaces, the values' text in place. */
function katibShellArgv(line: string): string[] {
  const result = spawnSync('sh', ['-c', `printf '%s\\0' ${line}`], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } })
  assert.equal(result.status, 0, result.stderr)
  return result.stdout.split('\0').slice(0, -1)
}

test('enas-cpu: the trial gets --architecture= and --nn_config= exactly as Katib\'s sh -c gives them', (t) => {
  const experiment = katibExample('nas/enas-cpu.yaml')
  const space = expandNasConfig(experiment.spec.nasConfig!)
  const architecture = formatArchitecture([[27]])
  const nnConfig = formatNnConfig(space, [[27]])
  assert.equal(nnConfig, "{'num_layers': 1, 'input_sizes': [32, 32, 3], 'output_sizes': [10], 'embedding': {'27': {'opt_id': 27, 'opt_type': 'convolution', 'opt_params': {'filter_size': '7', 'num_filter': '96', 'stride': '2'}}}}")
  const launch = buildLocalLaunch(experiment, { name: 'enas-cpu-abc', params: { architecture, nn_config: nnConfig } }, ctx)
  const expected = ['python3', '-u', 'RunTrial.py', '--num_epochs=1', '--architecture=[[27]]', `--nn_config=${nnConfig}`]
  assert.deepEqual(launch.command, expected)
  if (spawnSync('sh', ['-c', 'true']).status !== 0) return t.skip('no sh on this machine')
  const line = `python3 -u RunTrial.py --num_epochs=1 --architecture="${architecture}" --nn_config="${nnConfig}"`
  assert.deepEqual(katibShellArgv(line), expected)
})

test('enas-gpu: eight layers of skips, spaces and brackets stay in one argument each', (t) => {
  const experiment = katibExample('nas/enas-gpu.yaml')
  const space = expandNasConfig(experiment.spec.nasConfig!)
  const arch = Array.from({ length: 8 }, (_, i) => [(i * 13) % 106, ...Array.from({ length: i }, (_, j) => (i + j) % 2)])
  const architecture = formatArchitecture(arch)
  const nnConfig = formatNnConfig(space, arch)
  const launch = buildLocalLaunch(experiment, { name: 'enas-gpu-abc', params: { architecture, nn_config: nnConfig } }, ctx)
  const container = (experiment.spec.trialTemplate!.trialSpec as { spec: { template: { spec: { containers: { command: string[] }[] } } } }).spec.template.spec.containers[0]!
  const rendered = container.command.map((word) => word.replace('${trialParameters.neuralNetworkArchitecture}', architecture).replace('${trialParameters.neuralNetworkConfig}', nnConfig))
  assert.ok(launch.command.includes(`--architecture=${architecture}`), launch.command.join('\n'))
  assert.ok(launch.command.includes(`--nn_config=${nnConfig}`))
  if (spawnSync('sh', ['-c', 'true']).status !== 0) return t.skip('no sh on this machine')
  assert.deepEqual(launch.command, katibShellArgv(rendered.join(' ')))
})

test('darts-cpu: algorithm-settings, search-space and num-layers as Katib\'s shell gives them', (t) => {
  const experiment = katibExample('nas/darts-cpu.yaml')
  const params = {
    'algorithm-settings': "{'num_epochs': '1', 'w_lr': 0.025, 'batch_size': 128}",
    'search-space': "['max_pooling_3x3']",
    'num-layers': '1',
  }
  const launch = buildLocalLaunch(experiment, { name: 'darts-cpu-abc', params }, ctx)
  const expected = ['python3', 'run_trial.py', `--algorithm-settings=${params['algorithm-settings']}`, `--search-space=${params['search-space']}`, '--num-layers=1']
  assert.deepEqual(launch.command, expected)
  if (spawnSync('sh', ['-c', 'true']).status !== 0) return t.skip('no sh on this machine')
  assert.deepEqual(katibShellArgv(`python3 run_trial.py --algorithm-settings="${params['algorithm-settings']}" --search-space="${params['search-space']}" --num-layers="1"`), expected)
})

test('nothing inside a NAS value is expanded: $, backticks, globs, quotes and backslashes stay literal', () => {
  const experiment = katibExample('nas/enas-cpu.yaml')
  const nnConfig = "{'opt_type': '$HOME `id` $(id) * ? [a-z] \" \\' \\\\ ~ ;|&'}"
  const architecture = '[[0]] $PATH *'
  const launch = buildLocalLaunch(experiment, { name: 'enas-cpu-abc', params: { architecture, nn_config: nnConfig } }, ctx)
  assert.deepEqual(launch.command.slice(-2), [`--architecture=${architecture}`, `--nn_config=${nnConfig}`])
})

test('Katib\'s NAS examples are refused neither locally nor on a cluster for being NAS', () => {
  for (const file of ['nas/enas-cpu.yaml', 'nas/enas-gpu.yaml', 'nas/darts-cpu.yaml', 'nas/darts-gpu.yaml']) {
    const experiment = katibExample(file)
    assert.deepEqual(checkLocalRunnable(experiment).filter((issue) => issue.path.startsWith('/spec/nasConfig')), [], file)
    assert.deepEqual(checkKubernetesRunnable(experiment), [], file)
  }
})

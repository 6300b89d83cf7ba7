import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { expandKubeVars } from '../../controller/expand-kube-vars.ts'
import { renderWorkload } from '../../controller/kubernetes/render-workload.ts'
import { formatArchitecture } from '../../core/nas/architecture-assignment.ts'
import { expandNasConfig } from '../../core/nas/expand-nas-config.ts'
import { formatNnConfig } from '../../core/nas/nn-config-assignment.ts'
import { example } from '../core/spec/spec-test-kit.ts'

type Json = Record<string, any>

/**
 * Katib's NAS examples on a cluster (controller/kubernetes/cluster-argv.ts) against /bin/sh: the
 * pod's exec-form argv, after the kubelet's `$(VAR)` expansion, is what `sh -c` makes of Katib's
 * line (the container's command joined with spaces, the values' text in place). The pure checks
 * are test/kubernetes-unit/cluster-argv.test.ts; this one asks a real shell.
 */
const hasSh = spawnSync('sh', ['-c', 'true']).status === 0

function katibShellArgv(line: string): string[] {
  const result = spawnSync('sh', ['-c', `printf '%s\\0' ${line}`], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } })
  assert.equal(result.status, 0, result.stderr)
  return result.stdout.split('\0').slice(0, -1)
}

/** The primary container's argv as the kubelet starts it, and Katib's line (the template's words, values in place). */
function clusterAndKatib(file: string, params: Record<string, string>): { pod: string[]; line: string } {
  const experiment = example(file)
  const workload = renderWorkload(experiment, { name: 'nas-abc', params }, { defaultNamespace: 'default' })
  const container = (workload.manifest as Json).spec.template.spec.containers.find((c: Json) => c.name === 'training-container')
  const env: Record<string, string> = {}
  for (const item of container.env ?? []) env[item.name] = expandKubeVars(item.value ?? '', (name) => env[name])
  const pod = [...(container.command ?? []), ...(container.args ?? [])].map((word: string) => expandKubeVars(word, (name) => env[name]))
  const template = (experiment.spec.trialTemplate!.trialSpec as Json).spec.template.spec.containers[0]
  const references = new Map(experiment.spec.trialTemplate!.trialParameters!.map((p) => [p.name, p.reference]))
  const line = [...template.command, ...(template.args ?? [])]
    .map((word: string) => word.replace(/\$\{trialParameters\.([^}]+)\}/g, (_, name: string) => params[references.get(name)!]!))
    .join(' ')
  return { pod, line }
}

test('enas-cpu and enas-gpu on a cluster: the pod\'s argv is what Katib\'s sh -c gives', { skip: !hasSh && 'no sh on this machine' }, () => {
  for (const [file, arch] of [
    ['nas/enas-cpu.yaml', [[27]]],
    ['nas/enas-gpu.yaml', Array.from({ length: 8 }, (_, i) => [(i * 13) % 106, ...Array.from({ length: i }, (_, j) => (i + j) % 2)])],
  ] as const) {
    const experiment = example(file)
    const architecture = formatArchitecture(arch as number[][])
    const nnConfig = formatNnConfig(expandNasConfig(experiment.spec.nasConfig!), arch as number[][])
    const { pod, line } = clusterAndKatib(file, { architecture, nn_config: nnConfig })
    assert.deepEqual(pod, katibShellArgv(line), file)
    assert.ok(pod.includes(`--architecture=${architecture}`), file)
    assert.ok(pod.includes(`--nn_config=${nnConfig}`), file)
  }
})

test('darts-cpu on a cluster: the pod\'s argv is what Katib\'s sh -c gives', { skip: !hasSh && 'no sh on this machine' }, () => {
  const params = { 'algorithm-settings': "{'num_epochs': '1', 'w_lr': 0.025, 'batch_size': 128}", 'search-space': "['max_pooling_3x3', 'skip_connection']", 'num-layers': '1' }
  const { pod, line } = clusterAndKatib('nas/darts-cpu.yaml', params)
  assert.deepEqual(pod, katibShellArgv(line))
  assert.equal(pod.length, 5)
})

test('where Katib\'s shell would expand a value, the pod keeps it literal', { skip: !hasSh && 'no sh on this machine' }, () => {
  const nnConfig = "{'opt_type': '$HOME `id` $(id) $(HOME) * ? [a-z] \\' ~ ;|&'}"
  const { pod } = clusterAndKatib('nas/enas-cpu.yaml', { architecture: '[[0]] $PATH', nn_config: nnConfig })
  assert.deepEqual(pod.slice(-2), ['--architecture=[[0]] $PATH', `--nn_config=${nnConfig}`])
})

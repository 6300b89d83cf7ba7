import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { KubernetesExecutor } from '../../controller/kubernetes/kubernetes-executor.ts'
import { formatArchitecture } from '../../core/nas/architecture-assignment.ts'
import { expandNasConfig } from '../../core/nas/expand-nas-config.ts'
import { formatNnConfig } from '../../core/nas/nn-config-assignment.ts'
import { startFakeKube, type FakeKube } from '../helpers/fake-kube/index.ts'
import { example } from '../core/spec/spec-test-kit.ts'

/**
 * Katib's enas-cpu example as a Job on the fake API server, its kubelet running the pod's argv
 * as a local process: the trial reads --architecture and --nn_config as Katib's RunTrial.py does
 * (`'` to `"`, then JSON), which fails when the template's double quotes reach it.
 */
const PROGRAM = `const arg = (name) => process.argv.find((a) => a.startsWith('--' + name + '='))?.slice(name.length + 3)
const architecture = JSON.parse(arg('architecture').replaceAll("'", '"'))
const config = JSON.parse(arg('nn_config').replaceAll("'", '"'))
console.log('architecture=' + JSON.stringify(architecture))
console.log('note=' + config.note)
console.log('Validation-Accuracy=0.5')
`

let kube: FakeKube
let dir: string
before(async () => {
  kube = await startFakeKube()
  dir = mkdtempSync(join(tmpdir(), 'k8s-nas-argv-'))
})
after(async () => {
  await kube.close()
  rmSync(dir, { recursive: true, force: true })
})

test('a NAS trial on a cluster parses its --architecture and --nn_config: the template\'s quotes are gone, nothing in a value is expanded', async () => {
  const program = join(dir, 'run-trial.mjs')
  writeFileSync(program, PROGRAM)
  const experiment = example('nas/enas-cpu.yaml')
  experiment.metadata.namespace = 'tunewell-test'
  const container = (experiment.spec.trialTemplate!.trialSpec as any).spec.template.spec.containers[0]
  // Katib's command with this machine's node in place of python3 -u RunTrial.py.
  container.command = [process.execPath, program, ...container.command.slice(3)]
  assert.deepEqual(container.command.slice(2), ['--num_epochs=1', '--architecture="${trialParameters.neuralNetworkArchitecture}"', '--nn_config="${trialParameters.neuralNetworkConfig}"'])

  const arch = [[27], [5, 1]]
  const architecture = formatArchitecture(arch)
  const note = '$(KATIB_TRIAL_NAME) $HOME `id` * ;'
  const nnConfig = formatNnConfig(expandNasConfig(experiment.spec.nasConfig!), arch).replace(/^\{/, `{'note': '${note}', `)
  const executor = new KubernetesExecutor({ kubeConfig: kube.kubeConfig(), retryMs: 50, drainMs: 200, logWaitMs: 10_000, deletionWaitMs: 10_000 })
  try {
    const prepared = await executor.prepare({
      experiment,
      trial: { name: 'enas-cpu-argv0001', params: { architecture, nn_config: nnConfig } },
      checkpointDir: '',
      context: { baseDir: dir, runDir: dir, env: {} },
    })
    const lines: string[] = []
    const trial = await prepared.start((line) => lines.push(line))
    assert.deepEqual(await trial.done, { phase: 'succeeded' }, lines.join('\n'))
    assert.ok(lines.includes(`architecture=${JSON.stringify(arch)}`), lines.join('\n'))
    assert.ok(lines.includes(`note=${note}`), lines.join('\n'))
  } finally {
    executor.close()
  }
})

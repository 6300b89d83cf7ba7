/**
 * On a cluster the File and PrometheusMetric collectors count steps in a sidecar: a trial that
 * continues another one (TrialRequest.firstStep, its parent's last step + 1) has the sidecar told
 * where to count from (`tunewell collect --first-step`), so its lineage is one series there too.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { Experiment } from '../../core/spec/index.ts'
import { parseCollectFlags } from '../../cli/collect-command.ts'
import { renderWorkload } from '../../controller/kubernetes/render-workload.ts'
import { experimentOf, JOB } from '../core/spec/spec-test-kit.ts'

type Json = Record<string, any>
const ENV = { TUNEWELL_REPORT_URL: 'http://tunewell.example:8081', TUNEWELL_REPORT_TOKEN: 'secret-token' }
const trial = { name: 'demo-abcd1234', params: { lr: 0.01, layers: 2, optimizer: 'sgd' } }
const withCollector = (metricsCollectorSpec: Json): Experiment => {
  const experiment = experimentOf(JOB)
  return { ...experiment, spec: { ...experiment.spec, metricsCollectorSpec } } as Experiment
}
const sidecarArgs = (experiment: Experiment, firstStep?: number): string[] =>
  (renderWorkload(experiment, trial, { defaultNamespace: 'd', env: ENV, ...(firstStep !== undefined ? { firstStep } : {}) }).manifest as Json).spec.template.spec.initContainers[0].args

test('the sidecar of a continuing trial counts from its first step; a fresh trial\'s is told nothing', () => {
  const file = withCollector({ collector: { kind: 'File' }, source: { fileSystemPath: { kind: 'File', path: '/var/log/katib/metrics.log', format: 'TEXT' } } })
  assert.deepEqual(sidecarArgs(file, 12).slice(-4), ['--first-step', '12', '--ready-file', '/var/log/katib/.tunewell-collector-ready'])
  assert.ok(!sidecarArgs(file).includes('--first-step'))
  assert.ok(!sidecarArgs(file, 0).includes('--first-step'))
  const prometheus = withCollector({ collector: { kind: 'PrometheusMetric' }, source: { httpGet: { port: 8080, path: '/metrics' } } })
  assert.ok(sidecarArgs(prometheus, 5).join(' ').includes('--first-step 5'))
  // Event files carry their own steps.
  const tfevent = withCollector({ collector: { kind: 'TensorFlowEvent' }, source: { fileSystemPath: { kind: 'Directory', path: '/logs/test' } } })
  assert.ok(!sidecarArgs(tfevent, 5).includes('--first-step'))
})

test('tunewell collect --first-step: a whole number >= 0', () => {
  const env = { TUNEWELL_REPORT_URL: 'http://tunewell.tunewell.svc:8081/trials/t/metrics', TUNEWELL_REPORT_TOKEN: 'tok' }
  const config = parseCollectFlags({ metricsFile: '/var/log/katib/metrics.log', metric: ['loss'], firstStep: '12' }, env)
  assert.ok(typeof config !== 'string', String(config))
  assert.equal(config.firstStep, 12)
  for (const bad of ['-1', '1.5', 'x', '']) {
    assert.match(String(parseCollectFlags({ metricsFile: '/m.log', metric: ['loss'], firstStep: bad }, env)), /--first-step must be a whole number >= 0/, bad)
  }
})

import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse, parseAllDocuments } from 'yaml'
import { experimentCrd, experimentCrdYaml, experimentOpenApiSchema } from '../../scripts/crd/experiment-crd.ts'
import { toStructuralSchema } from '../../api/kube/openapi/to-structural-schema.ts'
import { exampleSets } from '../core/spec/example-sets.ts'
import { validateKubernetesObject } from './kubernetes-model.ts'
import { structuralValidator } from './structural-validator.ts'

const committedPath = fileURLToPath(new URL('../../deploy/base/crd-experiments.yaml', import.meta.url))
const validate = structuralValidator(experimentOpenApiSchema())

function experimentsIn(dir: string): { file: string; experiment: Record<string, unknown> }[] {
  const found: { file: string; experiment: Record<string, unknown> }[] = []
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (/\.ya?ml$/.test(entry.name)) {
        for (const document of parseAllDocuments(readFileSync(path, 'utf8'))) {
          const value = document.toJS() as Record<string, unknown> | null
          if (value?.kind === 'Experiment') found.push({ file: relative(dir, path), experiment: value })
        }
      }
    }
  }
  walk(dir)
  return found
}

const minimal = () => ({
  apiVersion: 'kubeflow.org/v1beta1',
  kind: 'Experiment',
  metadata: { name: 'x', namespace: 'default', uid: 'u-1', creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: {
    objective: { type: 'minimize', objectiveMetricName: 'loss' },
    algorithm: { algorithmName: 'random' },
    parameters: [{ name: 'lr', parameterType: 'double', feasibleSpace: { min: '0.01', max: '0.1' } }],
    trialTemplate: {
      primaryContainerName: 'training',
      trialParameters: [{ name: 'lr', reference: 'lr' }],
      trialSpec: { apiVersion: 'batch/v1', kind: 'Job', spec: { anything: { goes: [1, 'here'] } } },
    },
  },
})

describe('the Experiment CustomResourceDefinition', () => {
  test('deploy/base/crd-experiments.yaml is what the generator writes (run `npm run generate:crd` after a schema change)', () => {
    assert.equal(readFileSync(committedPath, 'utf8'), experimentCrdYaml())
  })

  test('is a valid apiextensions.k8s.io/v1 CustomResourceDefinition', () => {
    const committed = parse(readFileSync(committedPath, 'utf8')) as Record<string, unknown> & { metadata: { name: string }; spec: { group: string; names: { plural: string }; versions: { subresources: unknown; additionalPrinterColumns: { name: string; priority?: number }[] }[] } }
    assert.deepEqual(committed, experimentCrd())
    validateKubernetesObject(committed)
    // The check has teeth: a CRD of the wrong shape is refused.
    const broken = structuredClone(committed) as unknown as { spec: { versions: unknown } }
    broken.spec.versions = 'v1beta1'
    assert.throws(() => validateKubernetesObject(broken as unknown as Record<string, unknown>))
    assert.equal(committed.metadata.name, `${committed.spec.names.plural}.${committed.spec.group}`)
    const [version] = committed.spec.versions
    assert.deepEqual(version!.subresources, { status: {} })
    assert.deepEqual(version!.additionalPrinterColumns.filter((c) => !c.priority).map((c) => c.name), ['Type', 'Status', 'Age'])
  })

  test('the schema is structural: every field typed, no references or unions, nothing open by accident', () => {
    const problems: string[] = []
    const walk = (node: Record<string, unknown>, path: string) => {
      for (const key of ['$ref', 'anyOf', 'oneOf', 'allOf', 'not', 'patternProperties', 'const']) if (key in node) problems.push(`${path}: ${key}`)
      const typed = typeof node.type === 'string' || node['x-kubernetes-int-or-string'] === true
      if (!typed) problems.push(`${path}: no type`)
      if (node.properties !== undefined && node.additionalProperties !== undefined) problems.push(`${path}: properties and additionalProperties`)
      for (const [name, child] of Object.entries((node.properties ?? {}) as Record<string, Record<string, unknown>>)) walk(child, `${path}/${name}`)
      if (typeof node.additionalProperties === 'object') walk(node.additionalProperties as Record<string, unknown>, `${path}/*`)
      if (node.items !== undefined) walk(node.items as Record<string, unknown>, `${path}/items`)
    }
    const schema = experimentOpenApiSchema()
    walk(schema, '')
    assert.deepEqual(problems, [])
    // Free-form where Kubernetes validates the object itself, and only there.
    const spec = (schema.properties as Record<string, Record<string, Record<string, Record<string, unknown>>>>).spec
    const template = spec.properties.trialTemplate.properties as Record<string, Record<string, unknown>>
    assert.equal(template.trialSpec['x-kubernetes-preserve-unknown-fields'], true)
    assert.equal(spec['x-kubernetes-preserve-unknown-fields'], undefined)
  })

  for (const set of exampleSets) {
    test(`every Katib example in ${set.name} is accepted by the CRD's schema`, { skip: set.skip }, () => {
      const examples = experimentsIn(set.dir)
      assert.ok(examples.length >= 33, `found ${examples.length} examples`)
      for (const { file, experiment } of examples) assert.deepEqual(validate(experiment), [], file)
    })
  }

  test('what the API server would refuse is refused: misspelt fields, numbers where Katib wants strings, a missing objective, bad status', () => {
    assert.deepEqual(validate(minimal()), [])
    const broken: [string, (e: ReturnType<typeof minimal>) => void][] = [
      ['misspelt spec field', (e) => Object.assign(e.spec, { parallelTrialCont: 3 })],
      ['unknown field in feasibleSpace', (e) => Object.assign(e.spec.parameters[0]!.feasibleSpace, { maximum: '1' })],
      ['a YAML number for a bound', (e) => Object.assign(e.spec.parameters[0]!.feasibleSpace, { min: 0.01 })],
      ['no objective', (e) => delete (e.spec as Partial<typeof e.spec>).objective],
      ['unknown algorithm field', (e) => Object.assign(e.spec.algorithm, { settings: [] })],
      ['parameterType outside the enum', (e) => Object.assign(e.spec.parameters[0]!, { parameterType: 'float' })],
      ['parallelTrialCount not an integer', (e) => Object.assign(e.spec, { parallelTrialCount: 1.5 })],
      ['a non-string label value in primaryPodLabels', (e) => Object.assign(e.spec.trialTemplate, { primaryPodLabels: { role: 1 } })],
      ['no spec at all', (e) => delete (e as Partial<typeof e>).spec],
      ['a negative trial counter', (e) => Object.assign(e, { status: { trials: -1 } })],
      ['a condition status outside True/False/Unknown', (e) => Object.assign(e, { status: { conditions: [{ type: 'Running', status: 'Yes' }] } })],
      ['an unknown status field', (e) => Object.assign(e, { status: { trialsSucceded: 1 } })],
    ]
    for (const [what, breakIt] of broken) {
      const experiment = minimal()
      breakIt(experiment)
      assert.notDeepEqual(validate(experiment), [], what)
    }
  })

  test('the empty strings Katib reads as absent (templated YAML) pass the API server, which hands them to admission to default', () => {
    const experiment = minimal() as ReturnType<typeof minimal> & { spec: Record<string, unknown> }
    Object.assign(experiment.spec, { resumePolicy: '', metricsCollectorSpec: { collector: { kind: 'File' }, source: { fileSystemPath: { path: '/m.log', kind: '', format: '' } } } })
    Object.assign(experiment.spec.parameters[0]!.feasibleSpace, { distribution: '' })
    assert.deepEqual(validate(experiment), [])
    // Only those: an empty parameterType is refused by Katib as well.
    Object.assign(experiment.spec.parameters[0]!, { parameterType: '' })
    assert.notDeepEqual(validate(experiment), [])
  })

  test("Katib's status, as its controller writes it, is accepted", () => {
    const status = {
      startTime: '2026-01-01T00:00:00Z',
      completionTime: '2026-01-01T01:00:00Z',
      lastReconcileTime: '2026-01-01T01:00:00Z',
      conditions: [
        { type: 'Created', status: 'True', reason: 'ExperimentCreated', message: 'Experiment is created', lastUpdateTime: '2026-01-01T00:00:00Z', lastTransitionTime: '2026-01-01T00:00:00Z' },
        { type: 'Running', status: 'False', reason: 'ExperimentRunning', message: 'Experiment is running', lastUpdateTime: '2026-01-01T01:00:00Z', lastTransitionTime: '2026-01-01T01:00:00Z' },
        { type: 'Succeeded', status: 'True', reason: 'ExperimentMaxTrialsReached', message: 'Experiment has succeeded because max trial count has reached', lastUpdateTime: '2026-01-01T01:00:00Z', lastTransitionTime: '2026-01-01T01:00:00Z' },
      ],
      currentOptimalTrial: {
        bestTrialName: 'x-abc123',
        parameterAssignments: [{ name: 'lr', value: '0.05' }],
        observation: { metrics: [{ name: 'loss', min: '0.1', max: '0.9', latest: '0.1' }] },
      },
      succeededTrialList: ['x-abc123', 'x-def456'],
      failedTrialList: ['x-ghi789'],
      trials: 3, trialsSucceeded: 2, trialsFailed: 1, trialsKilled: 0, trialsPending: 0, trialsRunning: 0, trialsEarlyStopped: 0, trialMetricsUnavailable: 0,
    }
    assert.deepEqual(validate({ ...minimal(), status }), [])
  })

  test('the generator refuses what it cannot map instead of loosening it', () => {
    assert.throws(() => toStructuralSchema({ anyOf: [{ type: 'number' }, { type: 'string' }] }, '/x'), /\/x: a union other than integer-or-string/)
    assert.throws(() => toStructuralSchema({ $ref: '#/defs/a' }, '/y'), /\/y: \$ref has no structural-schema mapping/)
    assert.throws(() => toStructuralSchema({}, '/z'), /\/z: no type/)
    assert.deepEqual(toStructuralSchema({ anyOf: [{ type: 'string' }, { type: 'integer' }] }), { 'x-kubernetes-int-or-string': true })
    assert.deepEqual(toStructuralSchema({ type: 'object', properties: { a: { type: 'string' } } }),
      { type: 'object', properties: { a: { type: 'string' } }, 'x-kubernetes-preserve-unknown-fields': true })
    assert.deepEqual(toStructuralSchema({ type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false }),
      { type: 'object', properties: { a: { type: 'string' } } })
  })
})

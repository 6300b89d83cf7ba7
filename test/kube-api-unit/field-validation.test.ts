import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { applyFieldValidation, parseFieldValidation, unknownFields } from '../../api/kube/field-validation.ts'
import { KubeError } from '../../api/kube/kube-status.ts'

// A unit test: the document is written out here, not read through the API test helpers (which open stores).
const experiment = (): Record<string, any> => ({
  apiVersion: 'kubeflow.org/v1beta1',
  kind: 'Experiment',
  metadata: { name: 'fv', labels: { a: 'b' } },
  spec: {
    objective: { type: 'minimize', objectiveMetricName: 'loss' },
    algorithm: { algorithmName: 'random' },
    maxTrialCount: 4,
    parameters: [
      { name: 'lr', parameterType: 'double', feasibleSpace: { min: '0.01', max: '0.1' } },
      { name: 'layers', parameterType: 'int', feasibleSpace: { min: '1', max: '3' } },
    ],
    trialTemplate: { command: ['python3', 'train.py'] },
  },
})

describe('unknown fields by the Experiment schema', () => {
  test('a valid experiment, its status, labels, annotations and server-owned metadata have none', () => {
    const document = experiment()
    document.metadata = { ...document.metadata, uid: 'u', resourceVersion: '3', managedFields: [], annotations: { 'x/y': 'z' } }
    document.status = { anything: { goes: 1 } }
    document.spec.trialTemplate.trialSpec = { apiVersion: 'batch/v1', kind: 'Job', spec: { whatever: true } }
    assert.deepEqual(unknownFields(document), [])
  })

  test('fields closed objects do not have are found at any depth, arrays by index, metadata by ObjectMeta\'s fields', () => {
    const document = experiment()
    document.spec.parameters[1].feasibleSpace.stp = '1'
    document.spec.objective.goals = 1
    document.metadata.colour = 'red'
    document.extra = true
    assert.deepEqual(unknownFields(document), ['/metadata/colour', '/spec/objective/goals', '/spec/parameters/1/feasibleSpace/stp', '/extra'])
  })
})

describe('the fieldValidation directive', () => {
  const withUnknown = () => ({ ...experiment(), spec: { ...experiment().spec, foo: 1 } })

  test('Strict refuses with a server\'s strict decoding error, Warn drops and warns, Ignore drops', () => {
    try {
      applyFieldValidation(withUnknown(), 'Strict')
      assert.fail('Strict must refuse')
    } catch (error) {
      assert.ok(error instanceof KubeError)
      assert.equal(error.code, 400)
      assert.equal(error.status.message, 'Experiment in version "v1beta1" cannot be handled as a Experiment: strict decoding error: unknown field "spec.foo"')
    }
    const warned = applyFieldValidation(withUnknown(), 'Warn')
    assert.deepEqual(warned.warnings, ['unknown field "spec.foo"'])
    assert.deepEqual(warned.document, experiment())
    const ignored = applyFieldValidation(withUnknown(), 'Ignore')
    assert.deepEqual([ignored.warnings, ignored.document], [[], experiment()])
  })

  test('absent means Warn, as a server\'s default; an unknown directive is 400', () => {
    assert.equal(parseFieldValidation(undefined), 'Warn')
    assert.equal(parseFieldValidation('Strict'), 'Strict')
    assert.throws(() => parseFieldValidation('strict'), (error: unknown) => error instanceof KubeError && error.code === 400)
  })
})

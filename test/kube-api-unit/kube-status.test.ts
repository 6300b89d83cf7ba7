import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import {
  alreadyExists, badRequest, causesFromIssues, conflict, fieldPath, gone, invalid, isKubePath, KubeError, kubeStatus, kubeTarget,
  methodNotAllowed, notFound, successStatus, unsupportedMediaType,
} from '../../api/kube/kube-status.ts'

describe('Kubernetes Status objects', () => {
  test('a Failure Status has the fields clients read, in meta/v1 shape; empty details are left out', () => {
    assert.deepEqual(kubeStatus(400, 'BadRequest', 'bad'), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'bad', reason: 'BadRequest', code: 400 })
    assert.deepEqual(badRequest('no').status, kubeStatus(400, 'BadRequest', 'no'))
  })

  test('NotFound and AlreadyExists name the resource qualified by its group, details carry the plural', () => {
    const missing = notFound('experiments', 'mnist')
    assert.ok(missing instanceof KubeError)
    assert.equal(missing.code, 404)
    assert.equal(missing.status.reason, 'NotFound')
    assert.equal(missing.status.message, 'experiments.kubeflow.org "mnist" not found')
    assert.deepEqual(missing.status.details, { name: 'mnist', group: 'kubeflow.org', kind: 'experiments' })
    // The core group has no suffix.
    assert.equal(notFound('namespaces', 'team-a').status.message, 'namespaces "team-a" not found')
    const taken = alreadyExists('experiments', 'mnist')
    assert.equal(taken.code, 409)
    assert.equal(taken.status.reason, 'AlreadyExists')
    assert.equal(taken.status.message, 'experiments.kubeflow.org "mnist" already exists')
  })

  test('Conflict says what kubectl users know from a stale update', () => {
    const stale = conflict('experiments', 'mnist')
    assert.equal(stale.code, 409)
    assert.equal(stale.status.reason, 'Conflict')
    assert.equal(stale.status.message, 'Operation cannot be fulfilled on experiments.kubeflow.org "mnist": the object has been modified; please apply your changes to the latest version and try again')
  })

  test('Invalid is 422 with the kind in the message and one cause per field, several listed in brackets', () => {
    const one = invalid('experiments', 'mnist', [{ reason: 'FieldValueInvalid', field: 'spec.maxTrialCount', message: 'must be > 0' }])
    assert.equal(one.code, 422)
    assert.equal(one.status.reason, 'Invalid')
    assert.equal(one.status.message, 'Experiment.kubeflow.org "mnist" is invalid: spec.maxTrialCount: must be > 0')
    assert.equal(one.status.details?.kind, 'Experiment')
    const causes = causesFromIssues([
      { path: '/spec/parameters/0/feasibleSpace/min', message: 'must be below max' },
      { path: '/metadata/labels/katib.kubeflow.org~1x', message: 'not a label' },
    ])
    assert.deepEqual(causes, [
      { reason: 'FieldValueInvalid', field: 'spec.parameters[0].feasibleSpace.min', message: 'must be below max' },
      { reason: 'FieldValueInvalid', field: 'metadata.labels[katib.kubeflow.org/x]', message: 'not a label' },
    ])
    const two = invalid('experiments', 'mnist', causes)
    assert.equal(two.status.message, 'Experiment.kubeflow.org "mnist" is invalid: [spec.parameters[0].feasibleSpace.min: must be below max, metadata.labels[katib.kubeflow.org/x]: not a label]')
    assert.deepEqual(two.status.details?.causes, causes)
  })

  test('JSON pointers become Kubernetes field paths', () => {
    assert.equal(fieldPath('/spec/trialTemplate/trialParameters/2/reference'), 'spec.trialTemplate.trialParameters[2].reference')
    assert.equal(fieldPath('/spec'), 'spec')
    assert.equal(fieldPath(''), '')
  })

  test('Gone, UnsupportedMediaType, MethodNotAllowed and a delete\'s Success', () => {
    assert.deepEqual([gone('too old resource version: 1 (5)').code, gone('x').status.reason], [410, 'Expired'])
    const media = unsupportedMediaType('application/strategic-merge-patch+json', ['application/json-patch+json', 'application/merge-patch+json'])
    assert.equal(media.code, 415)
    assert.equal(media.status.reason, 'UnsupportedMediaType')
    assert.equal(media.status.message, 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json')
    assert.deepEqual([methodNotAllowed().code, methodNotAllowed().status.message], [405, 'the server does not allow this method on the requested resource'])
    assert.deepEqual(successStatus('experiments', 'mnist', 'u1'), {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: 'mnist', group: 'kubeflow.org', kind: 'experiments', uid: 'u1' }, code: 200,
    })
  })
})

describe('isKubePath', () => {
  test('the Kubernetes API paths', () => {
    for (const url of [
      '/version', '/version?timeout=32s', '/api', '/api?timeout=32s', '/api/v1', '/api/v1/', '/api/v1/namespaces', '/api/v1/namespaces/default/events',
      '/apis', '/apis/kubeflow.org/v1beta1/namespaces/default/experiments/x', '/openapi/v2', '/openapi/v3', '/openapi/v3/apis/kubeflow.org/v1beta1',
    ]) assert.equal(isKubePath(url), true, url)
  })

  test('not the REST API, the dashboard or probes', () => {
    for (const url of ['/api/v1/experiments', '/api/v1/experiments/x/trials', '/api/v1/openapi.json', '/api/v1/events', '/', '/healthz', '/versions', '/apisx', '/openapi/v1', '/api/v1/namespacesx']) {
      assert.equal(isKubePath(url), false, url)
    }
  })
})

describe('kubeTarget', () => {
  test('the resource, namespace and name a URL names', () => {
    const t = kubeTarget('/apis/kubeflow.org/v1beta1/namespaces/team-a/experiments/mnist/status?dryRun=All')
    assert.deepEqual([t.resource?.plural, t.namespace, t.name], ['experiments', 'team-a', 'mnist'])
    const list = kubeTarget('/apis/kubeflow.org/v1beta1/trials')
    assert.deepEqual([list.resource?.plural, list.namespace, list.name], ['trials', undefined, undefined])
    const ns = kubeTarget('/api/v1/namespaces/team-a')
    assert.deepEqual([ns.resource?.plural, ns.namespace, ns.name], ['namespaces', undefined, 'team-a'])
    const events = kubeTarget('/api/v1/namespaces/team-a/events')
    assert.deepEqual([events.resource?.plural, events.namespace, events.name], ['events', 'team-a', undefined])
    assert.deepEqual(kubeTarget('/version'), {})
  })
})

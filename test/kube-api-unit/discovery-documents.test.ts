import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import {
  aggregatedDiscovery, aggregatedVersionWanted, apiGroupList, coreResourceList, katibApiGroup, katibResourceList,
} from '../../api/kube/discovery/discovery-documents.ts'

type Json = Record<string, any>

const KUBECTL_ACCEPT = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json'

describe('discovery documents', () => {
  test('aggregated discovery is answered in the version the client prefers, legacy when it asks for plain JSON', () => {
    assert.equal(aggregatedVersionWanted(KUBECTL_ACCEPT), 'v2')
    assert.equal(aggregatedVersionWanted('application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json'), 'v2beta1')
    assert.equal(aggregatedVersionWanted('application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList,application/json'), undefined)
    assert.equal(aggregatedVersionWanted('application/json, */*'), undefined)
    assert.equal(aggregatedVersionWanted(undefined), undefined)
  })

  test("kubeflow.org/v1beta1 lists Katib's kinds with their names, categories and the verbs served", () => {
    const list = katibResourceList() as Json
    assert.equal(list.kind, 'APIResourceList')
    assert.equal(list.groupVersion, 'kubeflow.org/v1beta1')
    const byName = new Map<string, Json>(list.resources.map((r: Json) => [r.name, r]))
    const experiments = byName.get('experiments')!
    assert.deepEqual([experiments.kind, experiments.singularName, experiments.namespaced], ['Experiment', 'experiment', true])
    assert.deepEqual(experiments.shortNames, ['exp'])
    assert.deepEqual(experiments.categories, ['all', 'kubeflow', 'katib'])
    assert.deepEqual([...experiments.verbs].sort(), ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'])
    for (const name of ['trials', 'suggestions']) {
      assert.deepEqual([...byName.get(name)!.verbs].sort(), ['get', 'list', 'watch'], name)
      assert.deepEqual(byName.get(name)!.categories, ['all', 'kubeflow', 'katib'])
    }
    for (const name of ['experiments/status', 'trials/status', 'suggestions/status']) assert.deepEqual(byName.get(name)!.verbs, ['get'], name)
  })

  test('the core group has namespaces (cluster-scoped) and events', () => {
    const list = coreResourceList() as Json
    assert.equal(list.groupVersion, 'v1')
    const namespaces = list.resources.find((r: Json) => r.name === 'namespaces')
    assert.equal(namespaces.namespaced, false)
    assert.ok(list.resources.find((r: Json) => r.name === 'events').namespaced)
  })

  test('groups: one, kubeflow.org, preferring v1beta1', () => {
    const groups = apiGroupList() as Json
    assert.equal(groups.kind, 'APIGroupList')
    assert.deepEqual(groups.groups, [{ name: 'kubeflow.org', versions: [{ groupVersion: 'kubeflow.org/v1beta1', version: 'v1beta1' }], preferredVersion: { groupVersion: 'kubeflow.org/v1beta1', version: 'v1beta1' } }])
    assert.equal((katibApiGroup() as Json).kind, 'APIGroup')
  })

  test('the aggregated form carries the same resources as the legacy one', () => {
    for (const version of ['v2', 'v2beta1'] as const) {
      const apis = aggregatedDiscovery('apis', version) as Json
      assert.equal(apis.apiVersion, `apidiscovery.k8s.io/${version}`)
      assert.equal(apis.items[0].metadata.name, 'kubeflow.org')
      const resources = apis.items[0].versions[0].resources as Json[]
      const legacy = (katibResourceList() as Json).resources.filter((r: Json) => !r.name.includes('/'))
      assert.deepEqual(resources.map((r) => [r.resource, r.singularResource, r.scope, r.verbs, r.shortNames, r.responseKind.kind]),
        legacy.map((r: Json) => [r.name, r.singularName, 'Namespaced', r.verbs, r.shortNames, r.kind]))
      assert.deepEqual(resources.find((r) => r.resource === 'experiments')!.subresources, [
        { subresource: 'status', responseKind: { group: 'kubeflow.org', version: 'v1beta1', kind: 'Experiment' }, verbs: ['get'] },
      ])
      const api = aggregatedDiscovery('api', version) as Json
      assert.deepEqual(api.items[0].versions[0].resources.map((r: Json) => [r.resource, r.scope]), [['events', 'Namespaced'], ['namespaces', 'Cluster']])
    }
  })
})

import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { experimentCrd } from '../../scripts/crd/experiment-crd.ts'
import { EXPERIMENT_DESCRIPTIONS } from '../../api/kube/openapi/experiment-descriptions.ts'
import { toOpenApiV2 } from '../../api/kube/openapi/openapi-v2.ts'
import { coreOpenApiV3, katibOpenApiV3, schemaName } from '../../api/kube/openapi/openapi-v3.ts'

type Json = Record<string, any>

/** Every `$ref` string anywhere in a document. */
function refs(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refs(n, found))
  else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') found.push(value)
      else refs(value, found)
    }
  }
  return found
}

/** The Experiment schema without the anyOf a server adds beside x-kubernetes-int-or-string. */
function withoutAnyOf(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutAnyOf)
  if (node === null || typeof node !== 'object') return node
  return Object.fromEntries(Object.entries(node).filter(([key]) => key !== 'anyOf').map(([key, value]) => [key, withoutAnyOf(value)]))
}

const v3 = katibOpenApiV3() as Json
const schemas = v3.components.schemas as Record<string, Json>
const paths = v3.paths as Record<string, Json>
const base = '/apis/kubeflow.org/v1beta1'

describe('OpenAPI v3 of kubeflow.org/v1beta1', () => {
  test('each kind and its list is a schema tagged with its group, version and kind (what kubectl explain looks up)', () => {
    for (const kind of ['Experiment', 'ExperimentList', 'Trial', 'TrialList', 'Suggestion', 'SuggestionList']) {
      const schema = schemas[schemaName(kind)]
      assert.ok(schema, `${schemaName(kind)} missing`)
      assert.deepEqual(schema['x-kubernetes-group-version-kind'], [{ group: 'kubeflow.org', kind, version: 'v1beta1' }])
    }
    assert.equal(schemaName('Experiment'), 'org.kubeflow.v1beta1.Experiment')
    assert.equal(paths[`${base}/namespaces/{namespace}/experiments`]!.get.operationId, 'listKubeflowOrgV1beta1NamespacedExperiment')
    assert.equal(paths[`${base}/experiments`]!.get.operationId, 'listKubeflowOrgV1beta1ExperimentForAllNamespaces')
  })

  test("the Experiment's spec and status are the CRD's, so serve and a cluster validate alike", () => {
    const crd = experimentCrd() as Json
    const crdSchema = crd.spec.versions[0].schema.openAPIV3Schema
    const published = schemas[schemaName('Experiment')]!
    assert.deepEqual(withoutAnyOf(published.properties.spec), crdSchema.properties.spec)
    assert.deepEqual(withoutAnyOf(published.properties.status), crdSchema.properties.status)
    assert.deepEqual(published.properties.metadata.allOf, [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }])
  })

  test('every field description names a field of the schema (kubectl explain prints them), none rots unseen', () => {
    const experiment = schemas[schemaName('Experiment')]!
    for (const [path, description] of Object.entries(EXPERIMENT_DESCRIPTIONS)) {
      let node: Json | undefined = experiment
      for (const name of path.split('.')) node = (node?.items ?? node)?.properties?.[name]
      assert.ok(node, `${path} is no field of the Experiment`)
      assert.equal(node.description, description, path)
    }
  })

  test('Trials and Suggestions keep unknown fields, as Katib publishes them, with the fields we write typed', () => {
    const trial = schemas[schemaName('Trial')]!
    assert.equal(trial['x-kubernetes-preserve-unknown-fields'], true)
    assert.equal(trial.properties.spec.properties.parameterAssignments.type, 'array')
    assert.equal(trial.properties.status.properties.observation.properties.metrics.type, 'array')
    const suggestion = schemas[schemaName('Suggestion')]!
    assert.equal(suggestion.properties.status.properties.suggestionCount.type, 'integer')
    assert.deepEqual(suggestion.properties.spec.properties.algorithm, schemas[schemaName('Experiment')]!.properties.spec.properties.algorithm)
  })

  test('int-or-string fields are also published as anyOf integer or string', () => {
    const text = JSON.stringify(schemas[schemaName('Experiment')])
    const marked = text.split('"x-kubernetes-int-or-string":true').length - 1
    assert.ok(marked > 0, 'the schema has int-or-string fields')
    assert.equal(text.split('"anyOf":[{"type":"integer"},{"type":"string"}]').length - 1, marked)
  })

  test('every $ref resolves within the document', () => {
    for (const ref of refs(v3)) {
      assert.ok(ref.startsWith('#/components/schemas/'), ref)
      assert.ok(schemas[ref.slice('#/components/schemas/'.length)], `dangling ${ref}`)
    }
  })

  test("the Experiment's PATCH takes fieldValidation and merge or JSON patches, never a strategic merge patch", () => {
    const patch = paths[`${base}/namespaces/{namespace}/experiments/{name}`]!.patch
    assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'kubeflow.org', version: 'v1beta1', kind: 'Experiment' })
    assert.ok(patch.parameters.some((p: Json) => p.name === 'fieldValidation'))
    const types = Object.keys(patch.requestBody.content)
    assert.ok(types.includes('application/merge-patch+json') && types.includes('application/json-patch+json'))
    assert.ok(!types.includes('application/strategic-merge-patch+json'))
    const collection = paths[`${base}/namespaces/{namespace}/experiments`]!
    assert.ok(collection.post.parameters.some((p: Json) => p.name === 'fieldValidation'))
    assert.ok(collection.get.parameters.some((p: Json) => p.name === 'watch'))
  })

  test('Trials and Suggestions are read-only: get and list, nothing that writes', () => {
    for (const plural of ['trials', 'suggestions']) {
      for (const [path, item] of Object.entries(paths).filter(([p]) => p.includes(`/${plural}`))) {
        const methods = Object.keys(item).filter((k) => k !== 'parameters')
        assert.deepEqual(methods, ['get'], path)
      }
      assert.ok(paths[`${base}/${plural}`], `list across namespaces for ${plural}`)
    }
  })
})

describe('OpenAPI v3 of core/v1', () => {
  const core = coreOpenApiV3() as Json
  const coreSchemas = core.components.schemas as Record<string, Json>

  test('Namespace and Event, tagged with the core group, every $ref resolving', () => {
    assert.deepEqual(coreSchemas['io.k8s.api.core.v1.Namespace']!['x-kubernetes-group-version-kind'], [{ group: '', kind: 'Namespace', version: 'v1' }])
    assert.deepEqual(coreSchemas['io.k8s.api.core.v1.EventList']!['x-kubernetes-group-version-kind'], [{ group: '', kind: 'EventList', version: 'v1' }])
    for (const ref of refs(core)) assert.ok(coreSchemas[ref.slice('#/components/schemas/'.length)], `dangling ${ref}`)
  })

  test('namespaces are cluster-scoped, events namespaced; both read-only', () => {
    const paths = Object.keys(core.paths).sort()
    assert.deepEqual(paths, ['/api/v1/events', '/api/v1/namespaces', '/api/v1/namespaces/{namespace}/events', '/api/v1/namespaces/{namespace}/events/{name}', '/api/v1/namespaces/{name}'])
    for (const item of Object.values(core.paths as Record<string, Json>)) assert.deepEqual(Object.keys(item).filter((k) => k !== 'parameters'), ['get'])
    assert.equal(core.paths['/api/v1/namespaces'].get.operationId, 'listCoreV1Namespace')
    assert.equal(core.paths['/api/v1/namespaces/{namespace}/events'].get.operationId, 'listCoreV1NamespacedEvent')
  })
})

describe('OpenAPI v2 (Swagger 2.0)', () => {
  const v2 = toOpenApiV2(katibOpenApiV3()) as Json

  test('the same kinds under definitions, every $ref resolving there', () => {
    assert.equal(v2.swagger, '2.0')
    assert.deepEqual(v2.definitions[schemaName('Experiment')]['x-kubernetes-group-version-kind'], [{ group: 'kubeflow.org', kind: 'Experiment', version: 'v1beta1' }])
    for (const ref of refs(v2)) {
      assert.ok(ref.startsWith('#/definitions/'), ref)
      assert.ok(v2.definitions[ref.slice('#/definitions/'.length)], `dangling ${ref}`)
    }
    assert.ok(!JSON.stringify(v2).includes('"anyOf"'), 'Swagger 2.0 has no anyOf')
  })

  test('request bodies become body parameters, with the media types they are consumed as', () => {
    const patch = v2.paths[`${base}/namespaces/{namespace}/experiments/{name}`].patch
    const body = patch.parameters.find((p: Json) => p.in === 'body')
    assert.equal(body.schema.$ref, '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch')
    assert.ok(patch.consumes.includes('application/merge-patch+json'))
    assert.equal(patch.parameters.find((p: Json) => p.name === 'fieldValidation').type, 'string')
  })
})

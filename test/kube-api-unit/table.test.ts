import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { evaluateColumnPath, humanAge, includeObjectOf, toTable, wantsTable } from '../../api/kube/table.ts'

const created = '2026-01-01T00:00:00Z'
const at = (seconds: number) => Date.parse(created) + seconds * 1000

function experiment(name: string, o: { type?: string; strategy?: string; metric?: { min: string; max: string; latest: string } } = {}) {
  return {
    apiVersion: 'kubeflow.org/v1beta1',
    kind: 'Experiment',
    metadata: { name, namespace: 'default', creationTimestamp: created },
    spec: {
      objective: {
        type: o.type ?? 'minimize',
        objectiveMetricName: 'loss',
        ...(o.strategy ? { metricStrategies: [{ name: 'loss', value: o.strategy }] } : {}),
      },
    },
    status: {
      conditions: [{ type: 'Created', status: 'True' }, { type: 'Running', status: 'True' }],
      trials: 4,
      trialsSucceeded: 3,
      ...(o.metric ? { currentOptimalTrial: { bestTrialName: `${name}-abc`, observation: { metrics: [{ name: 'acc', min: '1', max: '1', latest: '1' }, { name: 'loss', ...o.metric }] } } } : {}),
    },
  }
}

describe('Table (what kubectl get prints)', () => {
  test('asked for by an Accept entry with as=Table in meta.k8s.io, as kubectl get sends it', () => {
    const kubectl = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json'
    assert.ok(wantsTable({ headers: { accept: kubectl } }))
    assert.ok(!wantsTable({ headers: { accept: 'application/json' } }))
    assert.ok(!wantsTable({ headers: {} }))
    assert.ok(!wantsTable({ headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io;q=0' } }))
  })

  test("Experiments: Name, Katib's Type, Status and Age, the best objective value, and Trials, Succeeded, Best for -o wide", () => {
    const table = toTable('Experiment', [experiment('mnist', { metric: { min: '0.12', max: '0.9', latest: '0.3' } })], { resourceVersion: '42' }, 'Metadata', at(75))
    assert.equal(table.kind, 'Table')
    assert.equal(table.apiVersion, 'meta.k8s.io/v1')
    assert.deepEqual(table.metadata, { resourceVersion: '42' })
    assert.deepEqual(table.columnDefinitions.map((c) => [c.name, c.type, c.priority]), [
      ['Name', 'string', 0], ['Type', 'string', 0], ['Status', 'string', 0], ['Objective', 'string', 0], ['Age', 'date', 0],
      ['Trials', 'integer', 1], ['Succeeded', 'integer', 1], ['Best', 'string', 1],
    ])
    assert.equal(table.columnDefinitions[0]!.format, 'name')
    assert.deepEqual(table.rows[0]!.cells, ['mnist', 'Running', 'True', '0.12', '75s', 4, 3, 'mnist-abc'])
    assert.deepEqual(table.rows[0]!.object, {
      kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { name: 'mnist', namespace: 'default', creationTimestamp: created },
    })
  })

  test("the objective value follows the metric's strategy, else the objective type", () => {
    const metric = { min: '0.1', max: '0.9', latest: '0.5' }
    const cell = (o: Parameters<typeof experiment>[1]) => toTable('Experiment', [experiment('x', o)]).rows[0]!.cells[3]
    assert.equal(cell({ metric }), '0.1')
    assert.equal(cell({ metric, type: 'maximize' }), '0.9')
    assert.equal(cell({ metric, strategy: 'latest' }), '0.5')
    assert.equal(cell({ metric: { min: 'unavailable', max: 'unavailable', latest: 'unavailable' } }), null)
    assert.equal(cell({}), null)
  })

  test('missing values are null cells, not errors', () => {
    const table = toTable('Experiment', [{ metadata: { name: 'bare' } }])
    assert.deepEqual(table.rows[0]!.cells, ['bare', null, null, null, null, null, null, null])
  })

  test("Trials: Katib's Type, Status, Age; Suggestions: Type, Status, Requested, Assigned, Age", () => {
    const trial = { metadata: { name: 't', creationTimestamp: created }, status: { conditions: [{ type: 'Succeeded', status: 'True' }] } }
    assert.deepEqual(toTable('Trial', [trial], {}, 'None', at(3600)).rows, [{ cells: ['t', 'Succeeded', 'True', '60m'] }])
    const suggestion = { metadata: { name: 's', creationTimestamp: created }, spec: { requests: 5 }, status: { suggestionCount: 3, conditions: [{ type: 'Running', status: 'True' }] } }
    const table = toTable('Suggestion', [suggestion], {}, 'Object', at(10))
    assert.deepEqual(table.columnDefinitions.map((c) => c.name), ['Name', 'Type', 'Status', 'Requested', 'Assigned', 'Age'])
    assert.deepEqual(table.rows[0]!.cells, ['s', 'Running', 'True', '5', '3', '10s'])
    assert.equal(table.rows[0]!.object, suggestion)
  })

  test('includeObject: Metadata unless None or Object', () => {
    assert.equal(includeObjectOf(undefined), 'Metadata')
    assert.equal(includeObjectOf('Object'), 'Object')
    assert.equal(includeObjectOf('None'), 'None')
    assert.equal(includeObjectOf('bogus'), 'Metadata')
  })

  test('ages as Kubernetes prints them', () => {
    const cases: [number, string][] = [[-5, '<invalid>'], [0, '0s'], [119, '119s'], [120, '2m'], [125, '2m5s'], [600, '10m'], [3 * 3600, '3h'],
      [3 * 3600 + 60, '3h1m'], [8 * 3600, '8h'], [48 * 3600, '2d'], [50 * 3600, '2d2h'], [8 * 86400, '8d'], [800 * 86400, '2y70d'], [9 * 365 * 86400, '9y']]
    for (const [seconds, text] of cases) assert.equal(humanAge(created, at(seconds)), text, `${seconds}s`)
  })

  test('printer-column JSONPath: fields, indexes, the last element, quoted keys', () => {
    const object = { a: { b: [1, 2, 3], 'x.y': 'q' } }
    assert.equal(evaluateColumnPath(object, '.a.b[0]'), 1)
    assert.equal(evaluateColumnPath(object, '.a.b[-1:]'), 3)
    assert.equal(evaluateColumnPath(object, ".a['x.y']"), 'q')
    assert.equal(evaluateColumnPath(object, '.a.c.d'), undefined)
    assert.equal(evaluateColumnPath(object, '.a.b.c'), undefined)
  })
})

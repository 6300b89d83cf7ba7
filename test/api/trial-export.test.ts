import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import type { AddressInfo } from 'node:net'
import { buildApp } from '../../api/app.ts'
import { csvField } from '../../api/views/trial-export.ts'
import { openTestApp, postYaml, uniqueName, type TestApp } from '../helpers/test-app.ts'
import { parseCsv } from '../helpers/parse-csv.ts'

/** trials:export over real HTTP: the file a user downloads, in CSV and JSON. */
let t: TestApp
let url: string
const name = uniqueName('export')

const yaml = `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: ${name}
spec:
  objective:
    type: minimize
    objectiveMetricName: loss
    additionalMetricNames: [accuracy, genotype]
  algorithm:
    algorithmName: random
  maxTrialCount: 5000
  parameters:
    - name: lr
      parameterType: double
      feasibleSpace: {min: "0.01", max: "0.1"}
    - name: batch
      parameterType: discrete
      feasibleSpace: {list: ["0.50", "1e3", "64"]}
    - name: optimizer
      parameterType: categorical
      feasibleSpace: {list: [sgd, adam]}
`

before(async () => {
  t = await openTestApp()
  await t.app.listen({ host: '127.0.0.1', port: 0 })
  url = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`
  assert.equal((await postYaml(t.app, yaml)).statusCode, 201)
  const experiment = (await t.store.experiments.getByName(name))!
  // Created out of number order on purpose: the export sorts by number. 1,201 trials: three pages.
  const trials = await t.store.trials.createMany(experiment.id, Array.from({ length: 1201 }, (_, i) => ({
    name: `${name}-${String(i).padStart(5, '0')}`, params: { optimizer: i % 2 ? 'sgd' : 'adam', lr: 0.01 + i / 100_000, batch: [0.5, 1000, 64][i % 3]! },
  })))
  const [first, second, third] = trials
  await t.store.trials.transition(first!.id, ['Pending'], 'Succeeded', {
    objective: -0.5,
    metrics: { loss: { min: -0.5, max: 2, latest: -0.5 }, accuracy: { min: 0.1, max: 0.9, latest: 0.8 } },
    textMetrics: { genotype: 'Genotype(normal=[("sep_conv_3x3", 0)], reduce_concat=range(2, 6))' },
    startedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, 0)), finishedAt: new Date(Date.UTC(2026, 0, 1, 0, 1, 30, 250)),
  })
  await t.store.trials.transition(second!.id, ['Pending'], 'Failed', {
    reason: 'TrialFailed', message: '=HYPERLINK("http://evil","click"), then\nline "two"',
    startedAt: new Date(Date.UTC(2026, 0, 1)), finishedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, 1)),
  })
  await t.store.trials.transition(third!.id, ['Pending'], 'Failed', { reason: 'TrialFailed', message: '@SUM(A1) +1 -x' })
})

after(async () => {
  await t?.close()
})

test('CSV: a header, one RFC 4180 row per trial by number, parameters as the trials received them, formulas defused', async () => {
  const response = await fetch(`${url}/api/v1/experiments/${name}/trials:export?format=csv`)
  assert.equal(response.status, 200)
  assert.match(response.headers.get('content-type')!, /^text\/csv; charset=utf-8/)
  assert.equal(response.headers.get('content-disposition'), `attachment; filename="${name}-trials.csv"`)
  const text = await response.text()
  assert.ok(text.endsWith('\r\n'))
  const rows = parseCsv(text)
  const header = rows[0]!
  assert.deepEqual(header, ['number', 'name', 'state', 'lr', 'batch', 'optimizer', 'objective', 'loss', 'accuracy', 'genotype',
    'reason', 'message', 'createdAt', 'startedAt', 'finishedAt', 'durationSeconds'])
  assert.equal(rows.length, 1 + 1201)
  const col = (row: string[], column: string) => row[header.indexOf(column)]
  assert.deepEqual(rows.slice(1).map((r) => Number(col(r, 'number'))), Array.from({ length: 1201 }, (_, i) => i))
  const [, r0, r1, r2, r3] = rows
  assert.equal(col(r0!, 'state'), 'Succeeded')
  assert.equal(col(r0!, 'batch'), '0.50', 'a discrete value as written in its list')
  assert.equal(col(r1!, 'batch'), '1e3')
  assert.equal(col(r0!, 'optimizer'), 'adam')
  assert.equal(col(r0!, 'objective'), '-0.5', 'a negative number stays a number')
  assert.equal(col(r0!, 'loss'), '-0.5')
  assert.equal(col(r0!, 'accuracy'), '0.8')
  assert.equal(col(r0!, 'genotype'), 'Genotype(normal=[("sep_conv_3x3", 0)], reduce_concat=range(2, 6))', 'a text metric as its text')
  assert.equal(col(r0!, 'startedAt'), '2026-01-01T00:00:00.000Z')
  assert.equal(col(r0!, 'durationSeconds'), '90.25')
  assert.equal(col(r1!, 'message'), '\'=HYPERLINK("http://evil","click"), then\nline "two"')
  assert.equal(col(r2!, 'message'), '\'@SUM(A1) +1 -x')
  assert.equal(col(r3!, 'state'), 'Pending')
  assert.equal(col(r3!, 'objective'), '')
  assert.equal(col(r3!, 'startedAt'), '')
  assert.equal(col(r3!, 'durationSeconds'), '')
  assert.match(col(r3!, 'createdAt')!, /^\d{4}-\d\d-\d\dT/)
})

test('csvField: quotes what needs quoting, prefixes what a spreadsheet would run', () => {
  assert.equal(csvField('plain'), 'plain')
  assert.equal(csvField('a,b'), '"a,b"')
  assert.equal(csvField('say "hi"'), '"say ""hi"""')
  assert.equal(csvField('two\r\nlines'), '"two\r\nlines"')
  for (const start of ['=', '+', '-', '@', '\t']) assert.equal(csvField(`${start}cmd`), `'${start}cmd`)
  assert.equal(csvField('=1,2'), '"\'=1,2"')
  assert.equal(csvField('-0.25'), '-0.25')
  assert.equal(csvField('-1e-3'), '-1e-3')
  assert.equal(csvField(-3), '-3')
  assert.equal(csvField(null), '')
})

test('JSON: {experiment, columns, trials}, each metric with min, max and latest', async () => {
  const response = await fetch(`${url}/api/v1/experiments/${name}/trials:export?format=json`)
  assert.equal(response.status, 200)
  assert.match(response.headers.get('content-type')!, /^application\/json/)
  assert.equal(response.headers.get('content-disposition'), `attachment; filename="${name}-trials.json"`)
  const body = await response.json() as { experiment: string; columns: string[]; trials: Record<string, unknown>[] }
  assert.equal(body.experiment, name)
  assert.equal(body.columns[3], 'lr')
  assert.equal(body.trials.length, 1201)
  assert.deepEqual(body.trials.map((x) => x.number), Array.from({ length: 1201 }, (_, i) => i))
  const [first, second] = body.trials
  assert.deepEqual(first!.params, { lr: '0.01', batch: '0.50', optimizer: 'adam' })
  assert.equal(first!.objective, -0.5)
  assert.deepEqual(first!.metrics, { loss: { min: -0.5, max: 2, latest: -0.5 }, accuracy: { min: 0.1, max: 0.9, latest: 0.8 } })
  assert.deepEqual(first!.textMetrics, { genotype: 'Genotype(normal=[("sep_conv_3x3", 0)], reduce_concat=range(2, 6))' })
  assert.equal(first!.durationSeconds, 90.25)
  assert.equal(second!.message, '=HYPERLINK("http://evil","click"), then\nline "two"', 'JSON keeps text as it is')
  assert.equal(second!.reason, 'TrialFailed')
})

test('errors: an unknown experiment is 404, an unknown format 400 naming the field', async () => {
  const missing = await fetch(`${url}/api/v1/experiments/nope-nope/trials:export`)
  assert.equal(missing.status, 404)
  const bad = await fetch(`${url}/api/v1/experiments/${name}/trials:export?format=xlsx`)
  assert.equal(bad.status, 400)
  assert.match(await bad.text(), /format/)
})

test('an experiment without trials: the header alone, and an empty list', async () => {
  const empty = uniqueName('export-empty')
  assert.equal((await postYaml(t.app, yaml.replace(`name: ${name}`, `name: ${empty}`))).statusCode, 201)
  const csv = await (await fetch(`${url}/api/v1/experiments/${empty}/trials:export`)).text()
  assert.equal(csv.split('\r\n')[0]!.split(',')[3], 'lr')
  assert.equal(parseCsv(csv).length, 1)
  assert.deepEqual(((await (await fetch(`${url}/api/v1/experiments/${empty}/trials:export?format=json`)).json()) as { trials: unknown[] }).trials, [])
})

test('a server with tokens: a read token may export, none is 401; the OpenAPI document lists the route', async () => {
  const app = await buildApp({ store: t.store, tokens: [{ token: 'reader-token-1234', role: 'read' }] })
  try {
    assert.equal((await app.inject({ url: `/api/v1/experiments/${name}/trials:export` })).statusCode, 401)
    const ok = await app.inject({ url: `/api/v1/experiments/${name}/trials:export`, headers: { authorization: 'Bearer reader-token-1234' } })
    assert.equal(ok.statusCode, 200)
    assert.equal(parseCsv(ok.body).length, 1202)
    const doc = (await app.inject({ url: '/api/v1/openapi.json' })).json() as { paths: Record<string, Record<string, { parameters?: { name: string }[] }>> }
    const route = doc.paths['/api/v1/experiments/{name}/trials:export']?.get
    assert.ok(route, 'documented')
    assert.ok(route.parameters!.some((p) => p.name === 'format'))
  } finally {
    await app.close()
  }
})

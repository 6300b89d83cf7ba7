import { test } from 'node:test'
import assert from 'node:assert/strict'
import { JsonMetricsParser } from '../../metrics-collector/json-metrics-parser.ts'
import { createMetricsParser } from '../../metrics-collector/create-metrics-parser.ts'
import { TextMetricsParser } from '../../metrics-collector/text-metrics-parser.ts'

const NOW = new Date('2030-01-01T00:00:00Z')

function values(parser: JsonMetricsParser, line: string): Array<[string, number, number]> {
  return parser.feed(line, NOW).map((p) => [p.name, p.value, p.step])
}

test('JSON numbers and numeric strings are both values (Katib drops numbers)', () => {
  const p = new JsonMetricsParser({ metricNames: ['loss', 'accuracy'] })
  assert.deepEqual(values(p, '{"loss": 0.5, "accuracy": "0.75"}'), [
    ['loss', 0.5, 0],
    ['accuracy', 0.75, 0],
  ])
  // cloudml-tunewell style: every value a string, other keys ignored.
  assert.deepEqual(values(p, '{"timestamp": 1700000000.5, "trial": "0", "loss": "0.25", "global_step": "1"}'), [['loss', 0.25, 1]])
  assert.equal(p.garbageCount, 0)
})

test('step, then epoch, numbers every metric on the line; otherwise a per-metric counter', () => {
  const p = new JsonMetricsParser({ metricNames: ['loss', 'acc'] })
  assert.deepEqual(values(p, '{"loss": 3}'), [['loss', 3, 0]])
  assert.deepEqual(values(p, '{"epoch": 5, "step": 40, "loss": 2, "acc": 0.5}'), [
    ['loss', 2, 40],
    ['acc', 0.5, 40],
  ])
  assert.deepEqual(values(p, '{"epoch": 6, "acc": 0.6}'), [['acc', 0.6, 6]])
  // The counter continues after the highest explicit step instead of overwriting earlier points.
  assert.deepEqual(values(p, '{"loss": 1, "acc": 0.7}'), [
    ['loss', 1, 41],
    ['acc', 0.7, 41],
  ])
  // A step that is not a non-negative integer is ignored.
  assert.deepEqual(values(p, '{"step": "9", "loss": 0.5}'), [['loss', 0.5, 42]])
  assert.deepEqual(values(p, '{"step": 1.5, "loss": 0.5}'), [['loss', 0.5, 43]])
})

test('timestamp is an RFC 3339 string or epoch seconds; otherwise now', () => {
  const p = new JsonMetricsParser({ metricNames: ['loss'] })
  assert.equal(p.feed('{"loss": 1, "timestamp": "2024-05-06T07:08:09.5Z"}', NOW)[0].at.toISOString(), '2024-05-06T07:08:09.500Z')
  assert.equal(p.feed('{"loss": 1, "timestamp": 1700000000.25}', NOW)[0].at.toISOString(), '2023-11-14T22:13:20.250Z')
  assert.deepEqual(p.feed('{"loss": 1, "timestamp": "yesterday"}', NOW)[0].at, NOW)
  assert.deepEqual(p.feed('{"loss": 1}', NOW)[0].at, NOW)
})

test('lines that are not JSON objects are counted and skipped, not fatal', () => {
  const p = new JsonMetricsParser({ metricNames: ['loss'] })
  assert.deepEqual(values(p, 'Epoch 1 starting'), [])
  assert.deepEqual(values(p, '[1, 2]'), [])
  assert.deepEqual(values(p, 'null'), [])
  assert.deepEqual(values(p, '{"loss": 1'), [])
  assert.deepEqual(values(p, '   '), [])
  assert.equal(p.garbageCount, 4)
  assert.equal(p.garbageExample, 'Epoch 1 starting')
  assert.deepEqual(values(p, '{"loss": 0.1}'), [['loss', 0.1, 0]])
})

test('a bad value for a requested metric is skipped and counted; other metrics on the line survive', () => {
  const p = new JsonMetricsParser({ metricNames: ['loss', 'acc'] })
  assert.deepEqual(values(p, '{"loss": "", "acc": 0.5}'), [['acc', 0.5, 0]])
  assert.deepEqual(values(p, '{"loss": true}'), [])
  assert.deepEqual(values(p, '{"loss": null}'), [])
  assert.equal(p.garbageCount, 3)
  // Unrequested keys with odd values are not garbage.
  assert.deepEqual(values(p, '{"note": null, "acc": 0.6}'), [['acc', 0.6, 1]])
  assert.equal(p.garbageCount, 3)
})

test('NaN and Infinity: as strings, and as the bare tokens Python json.dumps writes', () => {
  const p = new JsonMetricsParser({ metricNames: ['loss', 'acc'] })
  assert.deepEqual(
    p.feed('{"loss": "nan", "acc": "-Infinity"}', NOW).map((x) => x.value),
    [NaN, -Infinity],
  )
  assert.deepEqual(
    p.feed('{"loss": NaN, "acc": -Infinity, "msg": "NaN stays text"}', NOW).map((x) => x.value),
    [NaN, -Infinity],
  )
  assert.equal(p.garbageCount, 0)
})

test('metric names that exist on Object.prototype are only read as own keys', () => {
  const p = new JsonMetricsParser({ metricNames: ['constructor', 'toString'] })
  assert.deepEqual(values(p, '{"toString": 2}'), [['toString', 2, 0]])
  assert.equal(p.garbageCount, 0)
})

test('createMetricsParser picks the format and refuses filters with JSON', () => {
  assert.ok(createMetricsParser({ format: 'TEXT', metricNames: ['loss'] }) instanceof TextMetricsParser)
  const json = createMetricsParser({ format: 'JSON', metricNames: ['loss'] })
  assert.ok(json instanceof JsonMetricsParser)
  assert.equal(json.feed('{"loss": 2}', NOW)[0].value, 2)
  assert.ok(createMetricsParser({ format: 'JSON', metricNames: ['loss'], filters: [] }) instanceof JsonMetricsParser)
  assert.throws(() => createMetricsParser({ format: 'JSON', metricNames: ['loss'], filters: ['(x)=(y)'] }), /only apply to the TEXT format/)
  const text = createMetricsParser({ format: 'TEXT', metricNames: ['loss'], filters: ['loss is (\\w+)'] })
  assert.deepEqual(text.feed('loss is 5', NOW), [])
})

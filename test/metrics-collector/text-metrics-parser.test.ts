import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseMetricValue } from '../../metrics-collector/parse-metric-value.ts'
import { parseRfc3339 } from '../../metrics-collector/rfc3339.ts'
import { KATIB_DEFAULT_FILTER, TextMetricsParser } from '../../metrics-collector/text-metrics-parser.ts'

const NOW = new Date('2030-01-01T00:00:00Z')

function values(parser: TextMetricsParser, line: string): Array<[string, number, number]> {
  return parser.feed(line, NOW).map((p) => [p.name, p.value, p.step])
}

test('the default filter is Katib DefaultFilter verbatim', () => {
  assert.equal(KATIB_DEFAULT_FILTER, '([\\w|-]+)\\s*=\\s*([+-]?\\d*(\\.\\d+)?([Ee][+-]?\\d+)?)')
})

test("Katib's documented examples parse with the default filter", () => {
  const p = new TextMetricsParser({ metricNames: ['loss', 'accuracy', 'Score'] })
  assert.deepEqual(values(p, 'loss=0.3'), [['loss', 0.3, 0]])
  assert.deepEqual(values(p, 'accuracy=.98'), [['accuracy', 0.98, 0]])
  assert.deepEqual(values(p, 'Score=-7.53e-05'), [['Score', -7.53e-5, 0]])
  assert.deepEqual(values(p, 'Score=1E0'), [['Score', 1, 1]])
  assert.deepEqual(values(p, 'epoch 1: loss=0.5 accuracy=0.8'), [
    ['loss', 0.5, 1],
    ['accuracy', 0.8, 1],
  ])
  assert.deepEqual(values(p, 'loss = 0.25'), [['loss', 0.25, 2]])
  assert.equal(p.garbageCount, 0)
})

test('points without a timestamp get `now`; an RFC 3339 first token becomes `at`', () => {
  const p = new TextMetricsParser({ metricNames: ['loss'] })
  assert.deepEqual(p.feed('loss=1', NOW)[0].at, NOW)
  const [a] = p.feed('2024-05-06T07:08:09.123456789Z loss=0.5', NOW)
  assert.equal(a.at.toISOString(), '2024-05-06T07:08:09.123Z')
  const [b] = p.feed('2024-05-06T09:08:09+02:00 loss=0.4', NOW)
  assert.equal(b.at.toISOString(), '2024-05-06T07:08:09.000Z')
  // Not RFC 3339 (no zone; impossible date; not the first token): wall clock instead.
  for (const line of ['2024-05-06T07:08:09 loss=1', '2024-02-30T00:00:00Z loss=1', 'at 2024-05-06T07:08:09Z loss=1']) {
    assert.deepEqual(p.feed(line, NOW)[0].at, NOW, line)
  }
})

test('a metric name that only occurs inside another name is not taken', () => {
  const p = new TextMetricsParser({ metricNames: ['loss'] })
  assert.deepEqual(values(p, 'val-loss=1'), [])
  assert.deepEqual(values(p, 'val_loss=1 loss=2'), [['loss', 2, 0]])
  // The line gave another name's value: listed among the names printed, so a missing objective
  // can be explained, rather than counted as a metric without a number.
  assert.equal(p.garbageCount, 0)
  assert.deepEqual(p.otherNames, ['val-loss', 'val_loss'])
  assert.deepEqual(values(p, 'train-loss=0.5 val-loss=1'), [])
  assert.equal(p.garbageExample, undefined)
})

test('lines that do not mention a metric are skipped without counting as garbage', () => {
  const p = new TextMetricsParser({ metricNames: ['loss'] })
  assert.deepEqual(values(p, 'accuracy=0.5 lr=0.1'), [])
  assert.deepEqual(values(p, ''), [])
  assert.equal(p.garbageCount, 0)
  assert.equal(p.garbageExample, undefined)
})

test('an empty or unparseable value is skipped, not stored, and counted', () => {
  const p = new TextMetricsParser({ metricNames: ['loss', 'accuracy'] })
  assert.deepEqual(values(p, 'loss='), [])
  assert.deepEqual(values(p, 'loss=-'), [])
  assert.deepEqual(values(p, 'loss=e5'), [])
  assert.deepEqual(values(p, 'loss: 0.3'), [])
  assert.deepEqual(values(p, 'loss= accuracy=0.7'), [['accuracy', 0.7, 0]])
  assert.equal(p.garbageCount, 5)
  assert.equal(p.garbageExample, 'loss=')
  // The skipped values did not consume steps.
  assert.deepEqual(values(p, 'loss=0.1'), [['loss', 0.1, 0]])
})

test('nan and inf tokens become non-finite values', () => {
  const p = new TextMetricsParser({ metricNames: ['loss'] })
  const got = ['loss=nan', 'loss=NaN', 'loss = inf', 'loss=-inf', 'loss=Infinity', 'loss=-Infinity', 'loss=+inf'].map(
    (line) => p.feed(line, NOW)[0]?.value,
  )
  assert.deepEqual(got, [NaN, NaN, Infinity, -Infinity, Infinity, -Infinity, Infinity])
  assert.equal(p.garbageCount, 0)
  // A word that merely starts like a token is not one.
  assert.deepEqual(values(p, 'loss=information'), [])
  assert.deepEqual(values(p, 'loss=nano'), [])
  assert.equal(p.garbageCount, 2)
})

test('steps count per metric in order of appearance, so re-parsing gives the same keys', () => {
  const log = ['epoch 0 loss=3 acc=0.1', 'acc=0.2', 'epoch 1 loss=2 acc=0.3', 'loss=1']
  const parse = (): string[] => {
    const p = new TextMetricsParser({ metricNames: ['loss', 'acc'] })
    return log.flatMap((l) => p.feed(l, NOW)).map((pt) => `${pt.name}@${pt.step}=${pt.value}`)
  }
  const first = parse()
  assert.deepEqual(first, ['loss@0=3', 'acc@0=0.1', 'acc@1=0.2', 'loss@1=2', 'acc@2=0.3', 'loss@2=1'])
  assert.deepEqual(parse(), first)
})

test("the custom filter from Katib's file-metrics-collector example", () => {
  const p = new TextMetricsParser({
    metricNames: ['accuracy', 'loss'],
    filters: ['{metricName: ([\\w|-]+), metricValue: ((-?\\d+)(\\.\\d+)?)}'],
  })
  assert.deepEqual(values(p, '{metricName: accuracy, metricValue: 0.9421}'), [['accuracy', 0.9421, 0]])
  assert.deepEqual(values(p, '2024-01-01T00:00:00Z {metricName: loss, metricValue: -3}'), [['loss', -3, 0]])
  // The default filter is replaced, not added to.
  assert.deepEqual(values(p, 'accuracy=0.5'), [])
})

test('several filters all apply; Go named groups and (?i) are translated', () => {
  const p = new TextMetricsParser({
    metricNames: ['loss', 'acc'],
    filters: ['(?P<name>loss)=(?P<v>\\d+)', '(?i)(ACC):\\s*(\\S+)'],
  })
  assert.deepEqual(values(p, 'loss=4 acc: 0.5'), [
    ['loss', 4, 0],
    ['acc', 0.5, 0],
  ])
  assert.throws(() => new TextMetricsParser({ metricNames: ['x'], filters: ['(unclosed'] }), /invalid metrics filter/)
})

test('only requested names are kept, compared exactly', () => {
  const p = new TextMetricsParser({ metricNames: ['Loss'] })
  assert.deepEqual(values(p, 'loss=1 Loss=2'), [['Loss', 2, 0]])
})

test('parseRfc3339 accepts RFC 3339 only, like Go time.Parse(RFC3339Nano)', () => {
  const iso = (s: string): string | undefined => parseRfc3339(s)?.toISOString()
  assert.equal(iso('2024-02-29T23:59:59Z'), '2024-02-29T23:59:59.000Z')
  assert.equal(iso('2024-01-01t05:30:00.987654321+05:30'), '2024-01-01T00:00:00.987Z')
  assert.equal(iso('2024-01-01T00:00:00-01:00'), '2024-01-01T01:00:00.000Z')
  assert.equal(iso('0001-01-01T00:00:00Z'), '0001-01-01T00:00:00.000Z')
  for (const bad of [
    '2023-02-29T00:00:00Z',
    '2024-04-31T00:00:00Z',
    '2024-01-01T24:00:00Z',
    '2024-01-01T00:00:60Z',
    '2024-01-01T00:00:00',
    '2024-01-01 00:00:00Z',
    '2024-01-01',
    '2024-01-01T00:00:00+2400',
    'Jan 1 2024',
    '',
  ]) {
    assert.equal(parseRfc3339(bad), undefined, bad)
  }
})

test('parseMetricValue takes decimals and NaN/Infinity spellings, nothing else', () => {
  const cases: Array<[string, number | undefined]> = [
    ['0.3', 0.3],
    ['.98', 0.98],
    ['1.', 1],
    ['+5', 5],
    ['-7.53e-05', -7.53e-5],
    ['1E0', 1],
    [' 2 ', 2],
    ['1e400', Infinity],
    ['nan', NaN],
    ['-NaN', NaN],
    ['INF', Infinity],
    ['-infinity', -Infinity],
    ['', undefined],
    ['-', undefined],
    ['.', undefined],
    ['e5', undefined],
    ['0x10', undefined],
    ['1_000', undefined],
    ['1,5', undefined],
    ['infinite', undefined],
  ]
  for (const [text, want] of cases) assert.equal(parseMetricValue(text), want, JSON.stringify(text))
})

test('a custom filter that captures text keeps it as a text point (NaN value), and still counts the line as garbage', () => {
  // Katib's DARTS example: the objective is the genotype the trial found.
  const p = new TextMetricsParser({ metricNames: ['Best-Genotype', 'loss'], filters: [String.raw`([\w-]+)=(Genotype.*)`, String.raw`(loss)=(\S+)`] })
  const genotype = "Genotype(normal=[[('max_pooling_3x3',0),('max_pooling_3x3',1)]],normal_concat=range(2,3),reduce=[[('max_pooling_3x3',0)]],reduce_concat=range(2,3))"
  const points = p.feed(`Best-Genotype=${genotype}`)
  assert.equal(points.length, 1)
  assert.equal(points[0]!.name, 'Best-Genotype')
  assert.equal(points[0]!.text, genotype)
  assert.ok(Number.isNaN(points[0]!.value))
  assert.equal(p.garbageCount, 1)
  // Numbers through the same custom filter stay numbers, with no text.
  const numeric = p.feed('loss=0.25')
  assert.deepEqual(numeric.map((q) => [q.name, q.value, q.step, q.text]), [['loss', 0.25, 0, undefined]])
  // An empty capture or a lone sign is no text.
  assert.deepEqual(p.feed('loss=-'), [])
})

test('Katib\'s default filter never makes a text point: what it captures is a number or garbage', () => {
  const p = new TextMetricsParser({ metricNames: ['loss'] })
  assert.deepEqual(p.feed('loss=e5'), [])
  assert.equal(p.garbageCount, 1)
})

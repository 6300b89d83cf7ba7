import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parsePrometheusText, parseSelector, selectSample } from '../../metrics-collector/prometheus-text.ts'

// What prometheus_client (Python) serves for a Gauge, a labelled Gauge and a Counter, plus an explicit timestamp.
const EXPOSITION = `# HELP accuracy Validation accuracy
# TYPE accuracy gauge
accuracy 0.8125
# HELP loss Loss by split
# TYPE loss gauge
loss{split="train"} 0.25
loss{split="test",note="a \\"quoted\\" \\\\ value"} 0.5
# HELP epochs_total Epochs run
# TYPE epochs_total counter
epochs_total 3.0
epochs_created 1.7e+09
lr 1e-3 1700000000123
diverged NaN
up +Inf
`

test('the text exposition format: gauges, counters and untyped samples, labels with escapes, NaN and Inf, timestamps in ms', () => {
  const { samples, problems } = parsePrometheusText(EXPOSITION)
  assert.deepEqual(problems, [])
  assert.deepEqual(samples.map((s) => [s.name, s.labels, s.value, s.timestampMs]), [
    ['accuracy', {}, 0.8125, undefined],
    ['loss', { split: 'train' }, 0.25, undefined],
    ['loss', { split: 'test', note: 'a "quoted" \\ value' }, 0.5, undefined],
    ['epochs_total', {}, 3, undefined],
    ['epochs_created', {}, 1.7e9, undefined],
    ['lr', {}, 0.001, 1700000000123],
    ['diverged', {}, Number.NaN, undefined],
    ['up', {}, Number.POSITIVE_INFINITY, undefined],
  ])
})

test('lines that are no sample are reported with their line number, the others still read', () => {
  const { samples, problems } = parsePrometheusText('ok 1\nbad{x="1" 2\n9lives 3\nvalue abc\nfine{} 4 5 6\nlast 2\r\n')
  assert.deepEqual(samples.map((s) => `${s.name}=${s.value}`), ['ok=1', 'last=2'])
  assert.equal(problems.length, 4)
  assert.match(problems[0]!, /^line 2: /)
  assert.match(problems[2]!, /^line 4: "abc" is not a number/)
})

test('a metric name selects one sample: plain, or Katib\'s name{label="value"} form; several series without a choice are ambiguous', () => {
  const { samples } = parsePrometheusText(EXPOSITION)
  const pick = (metric: string) => {
    const selector = parseSelector(metric)
    assert.ok(selector, metric)
    const found = selectSample(selector, samples)
    return 'sample' in found ? found.sample.value : 'missing' in found ? 'missing' : `ambiguous ${found.ambiguous}`
  }
  assert.equal(pick('accuracy'), 0.8125)
  assert.equal(pick('loss{split="test"}'), 0.5)
  assert.equal(pick('loss{ split="train" }'), 0.25)
  assert.equal(pick('loss'), 'ambiguous 2')
  assert.equal(pick('loss{split="val"}'), 'missing')
  assert.equal(pick('epochs_total'), 3)
  assert.equal(pick('nothing'), 'missing')
  // With a plain series beside labelled ones, the plain name means the plain one.
  const mixed = parsePrometheusText('acc{split="a"} 1\nacc 2\n').samples
  assert.deepEqual(selectSample(parseSelector('acc')!, mixed), { sample: { name: 'acc', labels: {}, value: 2 } })
  assert.equal(parseSelector('test/accuracy'), undefined)
  assert.equal(parseSelector('acc{split="a"'), undefined)
  assert.equal(parseSelector('acc}'), undefined)
})

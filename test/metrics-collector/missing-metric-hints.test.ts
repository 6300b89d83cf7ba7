/**
 * A MetricsUnavailable trial's message says what the trial did print: the names it gave values
 * for (the collector's parsed output and the metrics stored), a did-you-mean for a near name,
 * and the objective printed in a form the collector does not read, with the form it reads.
 * Lines go through the collector's parser and its diagnostics into decideTrialOutcome, as
 * TrialCollector.finish hands them over.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createMetricsParser } from '../../metrics-collector/create-metrics-parser.ts'
import type { MetricsParserOptions } from '../../metrics-collector/metrics-parser.ts'
import { decideTrialOutcome, type CollectionDiagnostics } from '../../lifecycle/trial-outcome.ts'

function outcome(lines: readonly string[], opts: { collector?: string; objective?: string; parser?: Partial<MetricsParserOptions> } = {}) {
  const objective = opts.objective ?? 'accuracy'
  const parser = createMetricsParser({ format: 'TEXT', metricNames: [objective, 'loss'], ...opts.parser })
  const summary: Record<string, { min: number; max: number; latest: number }> = {}
  for (const p of lines.flatMap((l) => parser.feed(l))) summary[p.name] = { min: p.value, max: p.value, latest: p.value }
  const near = parser.nearMisses.get(objective)
  const diagnostics: CollectionDiagnostics = {
    garbageCount: parser.garbageCount,
    ...(parser.garbageExample !== undefined ? { garbageExample: parser.garbageExample } : {}),
    nonFiniteOnly: [],
    otherNames: parser.otherNames,
    ...(near !== undefined ? { nearMiss: { line: near, expected: parser.expectedForm(objective) } } : {}),
  }
  return decideTrialOutcome({ phase: 'succeeded' }, summary, { metric: objective, strategy: 'max', collector: opts.collector ?? 'StdOut' }, diagnostics)
}

test('the names the trial printed, stored ones first, with a did-you-mean for an abbreviation', () => {
  const o = outcome(['epoch=1 acc=0.81 loss=0.52', 'epoch=2 acc=0.85 loss=0.41 lr=0.01'])
  assert.equal(o.state, 'MetricsUnavailable')
  assert.equal(o.message, 'objective metric "accuracy" was never reported; the trial printed: loss, acc, lr (did you mean "acc"?); the StdOut collector reads lines like "accuracy=0.42"')
})

test('names on lines that mention no metric of the experiment are listed too; a typo gets its did-you-mean', () => {
  const o = outcome(['step=10 acuracy=0.7', 'lr=0.1 momentum=0.9'])
  assert.match(o.message, /the trial printed: acuracy, lr, momentum \(did you mean "acuracy"\?\)/)
  assert.doesNotMatch(o.message, /step/, 'a step key is no metric')
})

test('the objective printed with ":" or as JSON on stdout: the line, and the form the collector reads', () => {
  const colon = outcome(['accuracy: 0.91', 'loss=0.3'])
  assert.equal(colon.message, 'objective metric "accuracy" was never reported; the trial printed it as "accuracy: 0.91", but the StdOut collector reads "accuracy=0.42"; the trial printed: loss')
  const json = outcome(['{"accuracy": 0.91, "loss": 0.3}'])
  assert.match(json.message, /the trial printed it as "\{\\"accuracy\\": 0\.91, \\"loss\\": 0\.3\}", but the StdOut collector reads "accuracy=0\.42"/)
  // Garbage on another line is still reported beside it.
  const both = outcome(['accuracy=n/a', 'accuracy 0.5'])
  assert.match(both.message, /printed it as "accuracy 0\.5".*; 2 line\(s\) mentioned a metric without a number, e\.g\. "accuracy=n\/a"/)
})

test('with a metricsFormat of the user\'s, the message says that a filter must match, for a File collector too', () => {
  const o = outcome(['accuracy=0.9'], { collector: 'File', parser: { filters: [String.raw`([\w-]+):\s*([\d.]+)`] } })
  assert.equal(o.message, 'objective metric "accuracy" was never reported; the trial printed it as "accuracy=0.9", but the File collector reads a line that a source.filter.metricsFormat regexp matches, with accuracy in its first group')
})

test('JSON lines: their other numeric keys are the names printed; step, epoch and timestamp are not', () => {
  const parser = createMetricsParser({ format: 'JSON', metricNames: ['accuracy'] })
  for (const line of ['{"epoch": 1, "timestamp": 1700000000, "acc": 0.8, "note": "warmup", "val_acc": "0.7"}']) parser.feed(line)
  assert.deepEqual(parser.otherNames, ['acc', 'val_acc'])
  assert.equal(parser.expectedForm('accuracy'), '{"accuracy": 0.42}')
})

test('nothing printed at all: the message is as before', () => {
  assert.equal(outcome(['starting', 'done']).message, 'objective metric "accuracy" was never reported; the StdOut collector reads lines like "accuracy=0.42"')
})

test('a line that mentions no metric is looked through for names only up to 1,000 characters', () => {
  const parser = createMetricsParser({ format: 'TEXT', metricNames: ['accuracy'] })
  parser.feed(`${'#'.repeat(1000)} lr=0.1`)
  parser.feed('momentum=0.9')
  assert.deepEqual(parser.otherNames, ['momentum'])
})

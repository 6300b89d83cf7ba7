/**
 * Steps come from what the trial prints: a `step=` / `epoch=` key on a metric's line (StdOut,
 * File TEXT, Custom) and the JSON format's `step`/`epoch`; lines without one are counted as
 * before, after the highest step seen; a trial that continues another one counts from its
 * parent's last step + 1 (`firstStep`).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createMetricsParser } from '../../metrics-collector/create-metrics-parser.ts'
import { TextMetricsParser } from '../../metrics-collector/text-metrics-parser.ts'

const NOW = new Date('2030-01-01T00:00:00Z')
const steps = (p: { feed(line: string, now?: Date): { name: string; step: number; value: number }[] }, lines: readonly string[]): string[] =>
  lines.flatMap((l) => p.feed(l, NOW)).map((pt) => `${pt.name}@${pt.step}=${pt.value}`)

test('an epoch= or step= key on the line is the step of every metric on it', () => {
  const p = new TextMetricsParser({ metricNames: ['loss', 'accuracy'] })
  assert.deepEqual(steps(p, ['epoch=3 loss=0.5 accuracy=0.8', 'step=120 loss=0.4', 'loss=0.3 epoch=7']), [
    'loss@3=0.5', 'accuracy@3=0.8', 'loss@120=0.4', 'loss@7=0.3',
  ])
})

test('step wins over epoch on a line with both; Epoch: 3 and spaces around = are read too', () => {
  const p = new TextMetricsParser({ metricNames: ['loss'] })
  assert.deepEqual(steps(p, ['epoch=2 step=250 loss=0.5', 'Epoch: 4, loss=0.4', 'Step = 9 | loss = 0.3']), ['loss@250=0.5', 'loss@4=0.4', 'loss@9=0.3'])
})

test('what is not a whole-number step key is no step: epochs=, step_size=, epoch=1.5, epoch 3', () => {
  const p = new TextMetricsParser({ metricNames: ['loss'] })
  assert.deepEqual(steps(p, ['epochs=10 loss=0.9', 'step_size=5 loss=0.8', 'epoch=1.5 loss=0.7', 'epoch 3: loss=0.6', 'val-step=4 loss=0.5']), [
    'loss@0=0.9', 'loss@1=0.8', 'loss@2=0.7', 'loss@3=0.6', 'loss@4=0.5',
  ])
})

test('lines without a key go on after the highest keyed step, as before for a trial that prints none', () => {
  const p = new TextMetricsParser({ metricNames: ['loss', 'acc'] })
  assert.deepEqual(steps(p, ['loss=3', 'epoch=5 loss=2 acc=0.1', 'loss=1', 'acc=0.2', 'epoch=2 loss=9']), [
    'loss@0=3', 'loss@5=2', 'acc@5=0.1', 'loss@6=1', 'acc@6=0.2', 'loss@2=9',
  ])
  const plain = new TextMetricsParser({ metricNames: ['loss'] })
  assert.deepEqual(steps(plain, ['loss=3', 'loss=2', 'loss=1']), ['loss@0=3', 'loss@1=2', 'loss@2=1'])
})

test('a line that gives no point is not read for a step, and a step key is no metric of its own', () => {
  const p = new TextMetricsParser({ metricNames: ['loss'] })
  assert.deepEqual(steps(p, ['epoch=9 lr=0.1', 'loss=0.5']), ['loss@0=0.5'])
  assert.deepEqual(p.otherNames, ['lr'])
})

test('with a metricsFormat filter of the user\'s the step key is read from the same line', () => {
  const p = createMetricsParser({ format: 'TEXT', metricNames: ['accuracy'], filters: [String.raw`([\w-]+)\s*:\s*((-?\d+)(\.\d+)?)`] })
  assert.deepEqual(steps(p, ['step=30 accuracy: 0.9', 'accuracy: 0.95']), ['accuracy@30=0.9', 'accuracy@31=0.95'])
})

test('JSON: the step key, else epoch, numbers the line (the format docs/collectors.md describes)', () => {
  const p = createMetricsParser({ format: 'JSON', metricNames: ['loss'] })
  assert.deepEqual(steps(p, ['{"epoch": 3, "loss": 0.5}', '{"step": 120, "epoch": 4, "loss": 0.4}', '{"loss": 0.3}']), ['loss@3=0.5', 'loss@120=0.4', 'loss@121=0.3'])
})

test('firstStep: counted steps of a continuing trial start after its parent\'s; keyed steps are stored as printed', () => {
  for (const format of ['TEXT', 'JSON'] as const) {
    const p = createMetricsParser({ format, metricNames: ['loss'], firstStep: 9 })
    const line = (extra: string, value: number) => (format === 'TEXT' ? `${extra} loss=${value}` : JSON.stringify({ ...(extra ? { epoch: Number(extra.split('=')[1]) } : {}), loss: value }))
    assert.deepEqual(steps(p, [line('', 0.5), line('', 0.4), line('epoch=20', 0.3), line('', 0.2)]), ['loss@9=0.5', 'loss@10=0.4', 'loss@20=0.3', 'loss@21=0.2'], format)
  }
})

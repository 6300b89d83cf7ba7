import { test } from 'node:test'
import assert from 'node:assert/strict'
import { placeMetricsPort, scrapeIntervalMs, SCRAPE_INTERVAL_ANNOTATION } from '../../controller/metrics-port.ts'
import type { Experiment } from '../../core/spec/index.ts'

test('a port the command or env names as a number of its own is replaced by a free one; look-alikes are left alone', async () => {
  const placed = await placeMetricsPort(8080, ['serve', '--port=8080', '--batch=18080', '--lr=8080.5', 'v8080', '--metrics-port', '8080', 'http://0.0.0.0:8080/x'], { METRICS_PORT: '8080', OTHER: '80801' })
  assert.notEqual(placed.port, 8080)
  const p = String(placed.port)
  assert.deepEqual(placed.command, ['serve', `--port=${p}`, '--batch=18080', '--lr=8080.5', 'v8080', '--metrics-port', p, `http://0.0.0.0:${p}/x`])
  assert.deepEqual(placed.env, { METRICS_PORT: p, OTHER: '80801', TUNEWELL_METRICS_PORT: p })
  const unnamed = await placeMetricsPort(8080, ['serve'], {})
  assert.deepEqual(unnamed, { port: 8080, command: ['serve'], env: { TUNEWELL_METRICS_PORT: '8080' } })
})

test('the scrape interval annotation: durations in ms, s or m (or plain seconds), 100 ms to 60 m; 5 s without it', () => {
  const withAnnotation = (value?: string) => ({ metadata: { name: 'e', ...(value !== undefined ? { annotations: { [SCRAPE_INTERVAL_ANNOTATION]: value } } : {}) }, spec: {} }) as unknown as Experiment
  assert.equal(scrapeIntervalMs(withAnnotation()), 5000)
  assert.equal(scrapeIntervalMs(withAnnotation('500ms')), 500)
  assert.equal(scrapeIntervalMs(withAnnotation('2s')), 2000)
  assert.equal(scrapeIntervalMs(withAnnotation('1.5')), 1500)
  assert.equal(scrapeIntervalMs(withAnnotation('1m')), 60_000)
  for (const bad of ['often', '50ms', '2h', '', '-1s']) assert.match(String(scrapeIntervalMs(withAnnotation(bad))), /is no scrape interval; give a duration between 100ms and 60m/, bad)
})

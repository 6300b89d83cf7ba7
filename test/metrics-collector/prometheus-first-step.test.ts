import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { PrometheusScrapeSource } from '../../metrics-collector/prometheus-scrape-source.ts'

/**
 * PrometheusMetric counts the values that changed; for a trial that continues another one
 * (firstStep, its parent's last step + 1) it counts on from there, and a restarted collector's
 * stored numbering still wins over it.
 */
test('scraped points of a continuing trial are counted from firstStep; a restored numbering goes on where it was', async () => {
  let body = 'loss 0.9\n'
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(body))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`
  try {
    const source = new PrometheusScrapeSource(url, ['loss', 'accuracy'], { firstStep: 7 })
    assert.deepEqual((await source.poll()).map((p) => [p.name, p.step]), [['loss', 7]])
    body = 'loss 0.8\naccuracy 0.5\n'
    assert.deepEqual((await source.poll()).map((p) => [p.name, p.step]), [['loss', 8], ['accuracy', 7]])
    const restarted = new PrometheusScrapeSource(url, ['loss', 'accuracy'], { firstStep: 7, restore: { steps: { loss: 9 }, last: {} } })
    body = 'loss 0.7\naccuracy 0.6\n'
    assert.deepEqual((await restarted.poll()).map((p) => [p.name, p.step]), [['loss', 9], ['accuracy', 7]])
  } finally {
    server.close()
  }
})

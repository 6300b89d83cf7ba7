import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { buildApp } from '../../api/app.ts'
import { finishTrial } from '../../lifecycle/finish-trial.ts'
import { startExperiment } from '../../lifecycle/start-experiment.ts'
import { startTrial } from '../../lifecycle/start-trial.ts'
import { decideTrialOutcome } from '../../lifecycle/trial-outcome.ts'
import { createMetricsParser } from '../../metrics-collector/create-metrics-parser.ts'
import { ensureDashboardBuilt } from '../../ui/build-ui.ts'
import { chromiumMissing, launchChromium } from '../helpers/chromium.ts'
import { experimentYaml, postYaml, uniqueName } from '../helpers/test-app.ts'
import { openTestStore } from '../helpers/test-store.ts'

const missing = chromiumMissing()

/**
 * A MetricsUnavailable trial's message, which names what the trial printed instead of its
 * objective, is on its page in the dashboard and on its state in the trials table. The message
 * is the collector's: the trial's lines through the StdOut parser into decideTrialOutcome.
 */
describe('dashboard: why a trial has no objective', { skip: missing }, () => {
  test('the trial page and the table show the message naming what the trial printed', { timeout: 180_000 }, async () => {
    const store = await openTestStore()
    const app = await buildApp({ store, dashboardDir: (await ensureDashboardBuilt()).dir })
    let browser: Awaited<ReturnType<typeof launchChromium>> | undefined
    try {
      const name = uniqueName('no-objective-ui')
      assert.equal((await postYaml(app, experimentYaml(name, { template: false, max: 2 }))).statusCode, 201)
      const record = (await store.experiments.getByName(name))!
      assert.ok(await startExperiment(store, record, 'running'))
      const [trial] = await store.trials.createMany(record.id, [{ name: `${name}-0`, params: { lr: 0.05, optimizer: 'sgd' } }])
      assert.ok(await startTrial(store, trial!, null))
      const parser = createMetricsParser({ format: 'TEXT', metricNames: ['loss'] })
      for (const line of ['epoch=1 acc=0.9 lr=0.05', 'loss: 0.42']) parser.feed(line)
      const outcome = decideTrialOutcome({ phase: 'succeeded' }, {}, { metric: 'loss', strategy: 'min', collector: 'StdOut' }, {
        garbageCount: parser.garbageCount, garbageExample: parser.garbageExample!, nonFiniteOnly: [], otherNames: parser.otherNames,
        nearMiss: { line: parser.nearMisses.get('loss')!, expected: parser.expectedForm('loss') },
      })
      assert.equal(outcome.message, 'objective metric "loss" was never reported; the trial printed it as "loss: 0.42", but the StdOut collector reads "loss=0.42"; the trial printed: acc, lr')
      assert.ok(await finishTrial(store, trial!, outcome, {}))

      const url = await app.listen({ host: '127.0.0.1', port: 0 })
      browser = await launchChromium()
      const page = await browser.newPage({ viewport: { width: 1360, height: 900 } })
      await page.goto(`${url}/experiments/${name}/trials/${trial!.name}`)
      const message = page.locator('p.message')
      await message.waitFor({ timeout: 60_000 })
      assert.equal(await message.innerText(), outcome.message)
      await page.goto(`${url}/experiments/${name}`)
      const badge = page.getByTestId('trials-table').locator('.badge.state-MetricsUnavailable')
      await badge.waitFor({ timeout: 60_000 })
      assert.equal(await badge.getAttribute('title'), outcome.message)
    } finally {
      await browser?.close()
      await app.close()
      await store.destroy()
    }
  })
})

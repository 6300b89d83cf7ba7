import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { buildApp } from '../../api/app.ts'
import { finishTrial } from '../../lifecycle/finish-trial.ts'
import { startExperiment } from '../../lifecycle/start-experiment.ts'
import { startTrial } from '../../lifecycle/start-trial.ts'
import { updateBestTrial } from '../../lifecycle/update-best-trial.ts'
import { ensureDashboardBuilt } from '../../ui/build-ui.ts'
import { chromiumMissing, launchChromium } from '../helpers/chromium.ts'
import { experimentYaml, postYaml, uniqueName } from '../helpers/test-app.ts'
import { openTestStore } from '../helpers/test-store.ts'

const missing = chromiumMissing()

/**
 * A discrete parameter's values on the experiment page as its feasibleSpace.list writes them
 * ("0.10", "1e-3"), which is what the trials received: in the trial table and the best trial's
 * assignments. The dashboard reads the list from the experiment's spec (HTTP only).
 */
describe('dashboard: discrete values as written', { skip: missing }, () => {
  test('the trial table and the best trial show "0.10" and "1e-3", not 0.1 and 0.001', { timeout: 180_000 }, async () => {
    const store = await openTestStore()
    const app = await buildApp({ store, dashboardDir: (await ensureDashboardBuilt()).dir })
    let browser: Awaited<ReturnType<typeof launchChromium>> | undefined
    try {
      const name = uniqueName('disc-ui')
      const yaml = experimentYaml(name, { template: false, max: 3 })
        .replace('parameterType: double\n      feasibleSpace: {min: "0.01", max: "0.1"}', 'parameterType: discrete\n      feasibleSpace: {list: ["0.10", "1e-3", "0.123456789"]}')
      assert.match(yaml, /"0\.10"/)
      assert.equal((await postYaml(app, yaml)).statusCode, 201)
      const record = (await store.experiments.getByName(name))!
      assert.ok(await startExperiment(store, record, 'running'))
      const values = [0.1, 0.001, 0.123456789]
      const trials = await store.trials.createMany(record.id, values.map((lr, i) => ({ name: `${name}-${i}`, params: { lr, optimizer: 'sgd' } })))
      for (const [i, trial] of trials.entries()) {
        assert.ok(await startTrial(store, trial, null))
        const objective = [0.5, 0.7, 0.9][i]!
        assert.ok(await finishTrial(store, trial, { state: 'Succeeded', reason: 'TrialSucceeded', message: 'ok', objective }, { loss: { min: objective, max: objective, latest: objective } }))
      }
      await updateBestTrial(store, record, await store.trials.list(record.id))

      const url = await app.listen({ host: '127.0.0.1', port: 0 })
      browser = await launchChromium()
      const page = await browser.newPage({ viewport: { width: 1360, height: 900 } })
      await page.goto(`${url}/experiments/${name}`)
      const table = page.getByTestId('trials-table')
      await page.getByTestId('trial-count').getByText('3 trials').waitFor({ timeout: 60_000 })
      const cells = async () => (await table.locator('tbody tr:not(.spacer)').allTextContents()).join(' | ')
      for (let i = 0; i < 100 && !(await cells()).includes('1e-3'); i++) await new Promise((resolve) => setTimeout(resolve, 100))
      const rows = await cells()
      for (const text of ['0.10', '1e-3', '0.123456789']) assert.ok(rows.includes(text), `the table shows ${text}: ${rows}`)
      assert.ok(!/\b0\.001\b/.test(rows) && !/\b0\.12346\b/.test(rows), rows)
      const best = await page.getByTestId('best-trial').locator('table.kv').textContent()
      assert.match(best ?? '', /lr\s*0\.10/, best ?? '')
    } finally {
      await browser?.close()
      await app.close()
      await store.destroy()
    }
  })
})

import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { buildApp } from '../../api/app.ts'
import { ensureDashboardBuilt } from '../../ui/build-ui.ts'
import { chromiumMissing, launchChromium } from '../helpers/chromium.ts'
import { experimentYaml, postYaml, uniqueName } from '../helpers/test-app.ts'
import { openTestStore } from '../helpers/test-store.ts'

const missing = chromiumMissing()

/** The experiment page's "Add trials": a finished experiment with resumePolicy Never restarts with more trials. */
describe('dashboard: Add trials', { skip: missing }, () => {
  test('a finished experiment gets N more trials and restarts, whatever its resumePolicy', { timeout: 180_000 }, async () => {
    const store = await openTestStore()
    const app = await buildApp({ store, dashboardDir: (await ensureDashboardBuilt()).dir })
    let browser: Awaited<ReturnType<typeof launchChromium>> | undefined
    try {
      const name = uniqueName('more-ui')
      assert.equal((await postYaml(app, experimentYaml(name, { template: false, max: 2, parallel: 1 }))).statusCode, 201)
      const record = (await store.experiments.getByName(name))!
      const trials = await store.trials.createMany(record.id, [0.02, 0.05].map((lr, i) => ({ name: `${name}-${i}`, params: { lr, optimizer: 'sgd' } })))
      for (const trial of trials) await store.trials.transition(trial.id, ['Pending'], 'Succeeded', { objective: 1, metrics: null })
      await store.experiments.update(record.id, { state: 'Succeeded', reason: 'ExperimentMaxTrialsReached', completedAt: new Date() })

      const url = await app.listen({ host: '127.0.0.1', port: 0 })
      browser = await launchChromium()
      const page = await browser.newPage()
      await page.goto(`${url}/experiments/${name}`)
      const input = page.getByLabel('More trials')
      await input.waitFor({ timeout: 60_000 })
      await input.fill('3')
      await page.getByRole('button', { name: 'Add trials' }).click()
      for (let i = 0; i < 600 && (await store.experiments.get(record.id))?.state !== 'Restarting'; i++) await new Promise((r) => setTimeout(r, 100))
      const extended = (await store.experiments.get(record.id))!
      assert.equal(extended.state, 'Restarting')
      assert.equal(extended.spec.spec.maxTrialCount, 5)
      assert.equal(extended.spec.spec.resumePolicy ?? 'Never', 'Never')
    } finally {
      await browser?.close()
      await app.close()
      await store.destroy()
    }
  })
})

import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { buildApp } from '../../api/app.ts'
import { ensureDashboardBuilt } from '../../ui/build-ui.ts'
import { chromiumMissing, launchChromium } from '../helpers/chromium.ts'
import { parseCsv } from '../helpers/parse-csv.ts'
import { experimentYaml, postYaml, uniqueName } from '../helpers/test-app.ts'
import { openTestStore } from '../helpers/test-store.ts'

const missing = chromiumMissing()

/**
 * The experiment page's "Export CSV" on a server with tokens: the token lives in the tab's
 * sessionStorage, which a plain link cannot send, so the file must still arrive, with every trial.
 */
describe('dashboard: Export CSV', { skip: missing }, () => {
  test('downloads <name>-trials.csv with the token the page holds', { timeout: 180_000 }, async () => {
    const store = await openTestStore()
    const tokens = [{ token: 'reader-token-1234', role: 'read' as const }, { token: 'admin-token-5678', role: 'admin' as const }]
    const app = await buildApp({ store, tokens, dashboardDir: (await ensureDashboardBuilt()).dir })
    let browser: Awaited<ReturnType<typeof launchChromium>> | undefined
    try {
      const name = uniqueName('export-ui')
      assert.equal((await postYaml(app, experimentYaml(name, { template: false, max: 3 }), { authorization: 'Bearer admin-token-5678' })).statusCode, 201)
      const record = (await store.experiments.getByName(name))!
      await store.trials.createMany(record.id, [0.02, 0.05].map((lr, i) => ({ name: `${name}-${i}`, params: { lr, optimizer: 'sgd' } })))

      const url = await app.listen({ host: '127.0.0.1', port: 0 })
      browser = await launchChromium()
      const page = await browser.newPage({ acceptDownloads: true })
      await page.goto(`${url}/experiments/${name}?token=reader-token-1234`)
      const link = page.getByTestId('export-csv')
      await link.waitFor({ timeout: 60_000 })
      const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), link.click()])
      assert.equal(download.suggestedFilename(), `${name}-trials.csv`)
      const rows = parseCsv(await readFile((await download.path())!, 'utf8'))
      assert.deepEqual(rows.map((r) => [r[1], r[3]]), [['name', 'lr'], [`${name}-0`, '0.02'], [`${name}-1`, '0.05']])
    } finally {
      await browser?.close()
      await app.close()
      await store.destroy()
    }
  })
})

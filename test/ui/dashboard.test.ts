import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Page } from 'playwright-core'
import type { ExperimentResource } from '../../api/schemas/experiment.ts'
import { chromiumMissing, launchChromium } from '../helpers/chromium.ts'
import { buildApp } from '../../api/app.ts'
import { ensureDashboardBuilt } from '../../ui/build-ui.ts'
import { quadraticFixture } from '../helpers/experiment-yaml.ts'
import { startServe, type ServeProcess } from '../helpers/serve-process.ts'
import { experimentYaml as apiExperimentYaml, postYaml, uniqueName } from '../helpers/test-app.ts'
import { openTestStore } from '../helpers/test-store.ts'

const artifacts = fileURLToPath(new URL('../../test-artifacts/', import.meta.url))
const TRIALS = 10_000
const missing = chromiumMissing()
if (missing) console.log(`# skipping the dashboard browser tests: ${missing}`)

/** An experiment over the quadratic fixture, written the way a user types it into the editor. */
function experimentYaml(name: string, o: { max: number; parallel: number; algorithm?: string; steps?: number; sleepMs?: number }): string {
  const command = [process.execPath, quadraticFixture, '--x=${trialParameters.x}', '--y=${trialParameters.y}', `--steps=${o.steps ?? 5}`, `--sleep-ms=${o.sleepMs ?? 150}`]
  return `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: ${name}
spec:
  objective:
    type: minimize
    objectiveMetricName: loss
    additionalMetricNames: [accuracy]
  algorithm:
    algorithmName: ${o.algorithm ?? 'random'}
    algorithmSettings:
      - {name: random_state, value: "3"}
  parallelTrialCount: ${o.parallel}
  maxTrialCount: ${o.max}
  parameters:
    - {name: x, parameterType: double, feasibleSpace: {min: "0", max: "1"}}
    - {name: y, parameterType: double, feasibleSpace: {min: "0", max: "1"}}
  trialTemplate:
    command: ${JSON.stringify(command)}
`
}

async function shot(page: Page, file: string): Promise<void> {
  mkdirSync(artifacts, { recursive: true })
  // Full-page shots of a scrolled page draw the sticky top bar mid-page.
  await page.evaluate('window.scrollTo(0, 0)')
  await page.screenshot({ path: join(artifacts, file), fullPage: true })
}

async function getExperiment(server: ServeProcess, name: string): Promise<ExperimentResource> {
  return (await (await fetch(`${server.url}/api/v1/experiments/${name}`)).json()) as ExperimentResource
}

describe('dashboard', { skip: missing }, () => {
  // A whole experiment in the browser, with waits of up to two minutes for a busy machine.
  test('create from the editor, watch it run live, brush, open a trial', { timeout: 240_000 }, async () => {
    const home = mkdtempSync(join(tmpdir(), 'tunewell-ui-'))
    const server = await startServe(['--home', home])
    let browser: Awaited<ReturnType<typeof launchChromium>> | undefined
    let exitCode: number | null = null
    try {
      // The URL line comes first; the dashboard line may arrive in a later chunk.
      for (let i = 0; i < 100 && !/dashboard: /.test(server.output.out); i++) await sleep(100)
      assert.match(server.output.out, /dashboard: http:\/\/127\.0\.0\.1:\d+\//)
      browser = await launchChromium()
      const page = await browser.newPage({ viewport: { width: 1360, height: 900 } })
      const pageErrors: string[] = []
      page.on('pageerror', (error) => pageErrors.push(error.message))

      // The list, then the editor.
      await page.goto(server.url)
      await page.getByRole('heading', { name: 'Experiments' }).waitFor()
      await shot(page, '01-experiments.png')
      await page.getByRole('link', { name: 'New experiment' }).click()
      const editor = page.getByLabel('Experiment YAML')
      await editor.waitFor()

      // A broken value is marked at its line, as the server reports it.
      const name = uniqueName('ui')
      const good = experimentYaml(name, { max: 12, parallel: 3 })
      const broken = good.replace('maxTrialCount: 12', 'maxTrialCount: twelve')
      const badLine = broken.split('\n').findIndex((l) => l.includes('twelve')) + 1
      await editor.fill(broken)
      await page.locator(`.gutter-line.has-issue[data-line="${badLine}"]`).waitFor({ timeout: 15_000 })
      assert.match(await page.getByTestId('issues').innerText(), new RegExp(`line ${badLine}:\\d+.*maxTrialCount`))
      assert.equal(await page.getByRole('button', { name: 'Create experiment' }).isDisabled(), true)
      await shot(page, '02-editor-error.png')

      // Fixed, it validates and is created; the page follows it live from there.
      await editor.fill(good)
      await page.getByTestId('check-status').getByText('Valid').waitFor({ timeout: 15_000 })
      await page.getByRole('button', { name: 'Create experiment' }).click()
      await page.waitForURL(`**/experiments/${name}`)
      await page.getByTestId('history-chart').waitFor({ timeout: 60_000 })
      await shot(page, '03-experiment-running.png')
      await page.locator('.experiment-header .badge', { hasText: 'Succeeded' }).waitFor({ timeout: 120_000 })
      await page.getByTestId('trial-count').getByText('12 trials').waitFor({ timeout: 10_000 })

      // The best trial shown is the server's.
      const resource = await getExperiment(server, name)
      const best = resource.status.currentOptimalTrial.bestTrialName
      assert.ok(best)
      await page.getByTestId('best-trial').getByRole('link', { name: best }).waitFor({ timeout: 10_000 })
      // The deferred charts: importance from the server (x and y are both in the quadratic), the contour of x and y.
      await page.getByTestId('importance-chart').waitFor({ timeout: 15_000 })
      await page.locator('[data-testid="contour-chart"][data-rendered]').waitFor({ timeout: 15_000 })
      assert.ok(await page.locator('main[data-interactive]').count() === 1, 'the page marks itself interactive')
      await page.waitForTimeout(500)
      await shot(page, '04-experiment-done.png')
      await page.getByTestId('importance-chart').locator('..').screenshot({ path: join(artifacts, '04b-importance.png') })
      await page.getByTestId('contour-chart').locator('..').screenshot({ path: join(artifacts, '04c-contour.png') })

      // Brushing the objective axis of the parallel coordinates filters the table.
      const chart = page.getByTestId('parallel-chart')
      await chart.scrollIntoViewIfNeeded()
      const box = (await chart.boundingBox())!
      // Layout of parallel-chart.tsx: left 48, right 96, top 36, bottom 28; axes x, y, loss.
      const axisX = box.x + box.width - 96
      const top = box.y + 36
      const bottom = box.y + box.height - 28
      await page.mouse.move(axisX, top + 2)
      await page.mouse.down()
      await page.mouse.move(axisX, top + (bottom - top) * 0.3, { steps: 5 })
      await page.mouse.move(axisX, top + (bottom - top) * 0.6, { steps: 5 })
      await page.mouse.up()
      const count = page.getByTestId('trial-count')
      await count.getByText(/of 12 trials selected/).waitFor({ timeout: 10_000 })
      const selected = Number(/^(\d+) of/.exec(await count.innerText())![1])
      assert.ok(selected > 0 && selected < 12, `brushed ${selected} of 12`)
      assert.equal(await page.getByTestId('trials-table').locator('tbody tr:not(.spacer)').count(), selected)
      await shot(page, '05-experiment-brushed.png')
      await page.getByRole('button', { name: 'Clear selection' }).click()
      await count.getByText('12 trials').waitFor()

      // A trial: parameters, metrics and its output.
      await page.getByTestId('best-trial').getByRole('link', { name: best }).click()
      await page.waitForURL(`**/trials/${best}`)
      await page.getByTestId('log-tail').getByText(/loss=/).first().waitFor({ timeout: 10_000 })
      await page.getByRole('heading', { name: 'Parameters' }).waitFor()
      await page.getByTestId('trial-curves').waitFor()
      await shot(page, '06-trial.png')

      // A failed trial's page shows the last lines its program printed to stderr.
      const failing = uniqueName('ui-fail')
      const failYaml = experimentYaml(failing, { max: 1, parallel: 1, steps: 1 }).replace('"--sleep-ms=150"', '"--mode=fail"')
      assert.equal((await fetch(`${server.url}/api/v1/experiments`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: failYaml })).status, 201)
      let failedTrial: string | undefined
      for (let i = 0; i < 600 && !failedTrial; i++) {
        const trials = (await (await fetch(`${server.url}/api/v1/experiments/${failing}/trials`)).json()) as { items: { name: string; state: string }[] }
        failedTrial = trials.items.find((t) => t.state === 'Failed')?.name
        if (!failedTrial) await sleep(100)
      }
      assert.ok(failedTrial, 'the failing trial failed')
      await page.goto(`${server.url}/experiments/${failing}/trials/${failedTrial}`)
      await page.getByTestId('trial-failure-output').getByText('simulated failure').waitFor({ timeout: 10_000 })
      assert.match(await page.locator('.message').first().innerText(), /exited with code 3/)

      // Back on the list, the experiment is there, finished.
      await page.getByRole('link', { name: 'Experiments', exact: true }).first().click()
      await page.getByRole('link', { name }).waitFor()
      await shot(page, '07-experiments-list.png')

      // A phone-sized screen gets the same pages without sideways scrolling of the page itself.
      await page.setViewportSize({ width: 390, height: 844 })
      await page.goto(`${server.url}/experiments/${name}`)
      await page.getByTestId('history-chart').waitFor()
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth')
      assert.ok(overflow <= 1, `the page scrolls sideways by ${overflow}px on a phone`)
      await shot(page, '08-experiment-phone.png')

      // Dark mode follows the system's preference.
      await page.setViewportSize({ width: 1360, height: 900 })
      await page.emulateMedia({ colorScheme: 'dark' })
      await page.goto(`${server.url}/experiments/${name}`)
      await page.getByTestId('learning-curves').waitFor()
      await page.waitForTimeout(300)
      await shot(page, '10-experiment-dark.png')

      assert.deepEqual(pageErrors, [])
    } finally {
      await browser?.close()
      exitCode = await server.stop()
    }
    assert.equal(exitCode, 0, server.output.err)
  })
})

describe('dashboard with tokens', { skip: missing }, () => {
  test('asks for a token on 401, and takes ?token= from the address', async () => {
    const store = await openTestStore()
    const token = 'ui-test-token-5f2c9a'
    const app = await buildApp({ store, dashboardDir: (await ensureDashboardBuilt()).dir, tokens: [{ token, role: 'admin' }] })
    let browser: Awaited<ReturnType<typeof launchChromium>> | undefined
    try {
      const url = await app.listen({ host: '127.0.0.1', port: 0 })
      browser = await launchChromium()
      const page = await browser.newPage({ viewport: { width: 1024, height: 700 } })
      await page.goto(url)
      await page.getByRole('dialog').getByText('This server needs a token').waitFor()
      await shot(page, '11-token-prompt.png')
      await page.getByLabel('Token', { exact: true }).fill(token)
      await page.getByRole('button', { name: 'Use token' }).click()
      await page.getByText('No experiments yet').waitFor()
      assert.equal(await page.getByRole('dialog').count(), 0)

      const other = await browser.newPage()
      await other.goto(`${url}/new?token=${token}`)
      await other.getByTestId('check-status').getByText('Valid').or(other.getByTestId('check-status').getByText('problem')).waitFor()
      assert.equal(new URL(other.url()).search, '', 'the token is removed from the address bar')
      assert.equal(await other.getByRole('dialog').count(), 0)
    } finally {
      await browser?.close()
      await app.close()
      await store.destroy()
    }
  })
})

describe('dashboard at 10,000 trials', { skip: missing }, () => {
  test('loads every trial in the background and stays responsive', { timeout: 240_000 }, async () => {
    const store = await openTestStore()
    const app = await buildApp({ store, dashboardDir: (await ensureDashboardBuilt()).dir })
    let browser: Awaited<ReturnType<typeof launchChromium>> | undefined
    try {
      // No trialTemplate: nothing runs; the trials are written straight into the store.
      const name = uniqueName('big')
      assert.equal((await postYaml(app, apiExperimentYaml(name, { template: false, max: 20_000 }))).statusCode, 201)
      const experiment = (await store.experiments.getByName(name))!
      const started = Date.now()
      const trials = []
      // In chunks: one insert of 10,000 rows would pass PostgreSQL's 65,535 bind parameters.
      for (let first = 0; first < TRIALS; first += 1000) {
        trials.push(...await store.trials.createMany(experiment.id, Array.from({ length: 1000 }, (_, k) => {
          const i = first + k
          return { name: `${name}-${i.toString(36).padStart(6, '0')}`, params: { lr: 0.01 + (0.09 * ((i * 7919) % TRIALS)) / TRIALS, optimizer: i % 3 === 0 ? 'sgd' : 'adam' } }
        })))
      }
      for (let i = 0; i < trials.length; i += 200) {
        await Promise.all(trials.slice(i, i + 200).map((t, j) => {
          const lr = t.params.lr as number
          const objective = (lr - 0.04) ** 2 * 100 + ((i + j) % 17) / 100
          return store.trials.transition(t.id, ['Pending'], 'Succeeded', {
            objective, metrics: { loss: { min: objective, max: objective, latest: objective } },
            startedAt: new Date(started + (i + j) * 1000), finishedAt: new Date(started + (i + j) * 1000 + 5000),
          })
        }))
      }
      const url = await app.listen({ host: '127.0.0.1', port: 0 })
      browser = await launchChromium()
      const page = await browser.newPage({ viewport: { width: 1360, height: 900 } })
      const opened = Date.now()
      await page.goto(`${url}/experiments/${name}`)
      await page.getByTestId('history-chart').waitFor({ timeout: 60_000 })
      const firstChart = Date.now() - opened
      await page.getByTestId('trial-count').getByText(`${TRIALS} trials`).waitFor({ timeout: 120_000 })
      const allLoaded = Date.now() - opened
      await page.locator('[data-testid="contour-chart"][data-rendered]').waitFor({ timeout: 30_000 })
      // Still responsive: sorting the virtualised table by objective answers at once.
      const sortStarted = Date.now()
      await page.getByTestId('trials-table').getByRole('button', { name: 'loss' }).click()
      await page.getByTestId('trials-table').locator('th[aria-sort="descending"], th[aria-sort="ascending"]').getByText('loss').waitFor()
      const sorted = Date.now() - sortStarted
      const rows = await page.getByTestId('trials-table').locator('tbody tr:not(.spacer)').count()
      console.log(`# 10,000 trials: first chart after ${firstChart} ms, all loaded after ${allLoaded} ms, sort ${sorted} ms, ${rows} rows in the DOM`)
      assert.ok(rows < 100, `the table renders only the rows in view, not ${rows}`)
      assert.ok(allLoaded < 60_000, `all 10,000 trials took ${allLoaded} ms`)
      await shot(page, '09-experiment-10k.png')
    } finally {
      await browser?.close()
      await app.close()
      await store.destroy()
    }
  })
})

// `TUNEWELL_DOCS_SCREENSHOT=1 node --import tsx --test test/ui/dashboard.test.ts` refreshes the README's picture.
const docsShot = process.env.TUNEWELL_DOCS_SCREENSHOT === '1'
describe('docs screenshot', { skip: missing ?? (docsShot ? false : 'set TUNEWELL_DOCS_SCREENSHOT=1 to refresh docs/dashboard-experiment.png') }, () => {
  test('a finished experiment of 60 trials', async () => {
    const home = mkdtempSync(join(tmpdir(), 'tunewell-ui-docs-'))
    const server = await startServe(['--home', home])
    let browser: Awaited<ReturnType<typeof launchChromium>> | undefined
    try {
      const name = 'tpe-quadratic'
      const yaml = experimentYaml(name, { max: 60, parallel: 4, algorithm: 'tpe', steps: 12, sleepMs: 20 })
      const created = await fetch(`${server.url}/api/v1/experiments`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: yaml })
      assert.equal(created.status, 201, await created.text())
      for (let i = 0; i < 600 && (await getExperiment(server, name)).status.state !== 'Succeeded'; i++) await sleep(500)
      browser = await launchChromium()
      const page = await browser.newPage({ viewport: { width: 1280, height: 1500 } })
      await page.goto(`${server.url}/experiments/${name}`)
      await page.getByTestId('trial-count').getByText('60 trials').waitFor({ timeout: 30_000 })
      await page.getByTestId('learning-curves').waitFor({ timeout: 30_000 })
      await page.waitForTimeout(800)
      await page.screenshot({ path: fileURLToPath(new URL('../../docs/dashboard-experiment.png', import.meta.url)) })
    } finally {
      await browser?.close()
      await server.stop()
    }
  })
})

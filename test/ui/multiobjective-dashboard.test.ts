import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance } from 'fastify'
import type { Page } from 'playwright-core'
import { buildApp } from '../../api/app.ts'
import { ensureDashboardBuilt } from '../../ui/build-ui.ts'
import { chromiumMissing, launchChromium } from '../helpers/chromium.ts'
import { uniqueName } from '../helpers/test-app.ts'
import { openTestStore } from '../helpers/test-store.ts'

const missing = chromiumMissing()
const artifacts = fileURLToPath(new URL('../../test-artifacts/', import.meta.url))

async function shot(page: Page, file: string): Promise<void> {
  mkdirSync(artifacts, { recursive: true })
  await page.evaluate('window.scrollTo(0, 0)')
  await page.screenshot({ path: join(artifacts, file), fullPage: true })
}

/** Ask/tell experiment (no trialTemplate): the test tells each trial the objective values it chooses. */
function yaml(name: string, objective: string, max: number): string {
  return `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: ${name}
spec:
  objective:
${objective}
  algorithm:
    algorithmName: random
  parallelTrialCount: 1
  maxTrialCount: ${max}
  parameters:
    - {name: x, parameterType: double, feasibleSpace: {min: "0", max: "1"}}
`
}

/** accuracy up, then the further objectives and constraints given. */
const accuracyAnd = (objectives: readonly string[], constraints: readonly string[]) => [
  '    type: maximize', '    objectiveMetricName: accuracy', '    objectives:', ...objectives.map((o) => `      - ${o}`),
  ...(constraints.length ? ['    constraints:', ...constraints.map((c) => `      - "${c}"`)] : []),
].join('\n')

/** Creates the experiment through the API and tells one trial per row of values, by metric name; the trials' names in order. */
async function runExperiment(app: FastifyInstance, document: string, name: string, rows: readonly Record<string, number>[]): Promise<string[]> {
  const created = await app.inject({ method: 'POST', url: '/api/v1/experiments', headers: { 'content-type': 'application/yaml' }, payload: document })
  assert.equal(created.statusCode, 201, created.body)
  const names: string[] = []
  for (const values of rows) {
    const asked = await app.inject({ method: 'POST', url: `/api/v1/experiments/${name}/trials:ask`, payload: {} })
    assert.equal(asked.statusCode, 200, asked.body)
    const trial = asked.json() as { name: string; attempt: number }
    const told = await app.inject({ method: 'POST', url: `/api/v1/experiments/${name}/trials/${trial.name}:tell`, payload: { attempt: trial.attempt, values } })
    assert.equal(told.statusCode, 200, told.body)
    names.push(trial.name)
  }
  return names
}

interface SeriesOption { name: string; data: unknown[][]; itemStyle?: { opacity?: number } }

/** What a chart drew: the ECharts option on its element (chart.tsx keeps the instance there). */
async function seriesOf(page: Page, testId: string): Promise<SeriesOption[]> {
  return page.getByTestId(testId).evaluate((element) => {
    const chart = (element as unknown as { chart: { getOption(): { series: unknown[] } } }).chart
    return JSON.parse(JSON.stringify(chart.getOption().series)) as SeriesOption[]
  })
}

/** Where the point [x, y] of a series is drawn, in page coordinates. */
async function pointAt(page: Page, testId: string, seriesName: string, value: [number, number]): Promise<{ x: number; y: number }> {
  await page.getByTestId(testId).scrollIntoViewIfNeeded()
  const box = (await page.getByTestId(testId).boundingBox())!
  const [x, y] = await page.getByTestId(testId).evaluate((element, args) => {
    const chart = (element as unknown as { chart: { convertToPixel(finder: object, value: number[]): number[] } }).chart
    return chart.convertToPixel({ seriesName: args.seriesName }, args.value)
  }, { seriesName, value })
  return { x: box.x + x!, y: box.y + y! }
}

const names = (series: SeriesOption | undefined) => (series?.data ?? []).map((d) => d[d.length - 1]).sort()

describe('dashboard: several objectives and constraints', { skip: missing }, () => {
  test('the front, dominated and infeasible trials, the hypervolume, a click to a trial; three objectives as a matrix and parallel coordinates', { timeout: 180_000 }, async () => {
    const store = await openTestStore()
    const app = await buildApp({ store, dashboardDir: (await ensureDashboardBuilt()).dir })
    let browser: Awaited<ReturnType<typeof launchChromium>> | undefined
    try {
      // accuracy up, latency down, latency at most 50: trials 0, 1 and 4 are the front; 3 and 5
      // are dominated by 1; 2 has the best accuracy but breaks the constraint.
      const two = uniqueName('mo-ui')
      const rows = [
        { accuracy: 0.9, latency_ms: 40 }, { accuracy: 0.8, latency_ms: 20 }, { accuracy: 0.99, latency_ms: 80 },
        { accuracy: 0.7, latency_ms: 30 }, { accuracy: 0.95, latency_ms: 45 }, { accuracy: 0.6, latency_ms: 25 },
      ]
      const trials = await runExperiment(app, yaml(two, accuracyAnd(['{metric: latency_ms, direction: Minimize}'], ['latency_ms <= 50']), rows.length), two, rows)
      const resource = (await app.inject({ url: `/api/v1/experiments/${two}` })).json() as { hypervolume?: number; paretoFront?: string[] }

      const url = await app.listen({ host: '127.0.0.1', port: 0 })
      browser = await launchChromium()
      const page = await browser.newPage()
      await page.goto(`${url}/experiments/${two}`)
      await page.locator('[data-testid="pareto-chart"][data-rendered]').waitFor({ timeout: 60_000 })

      // The card lists the front instead of one best trial, best accuracy first.
      const card = page.getByTestId('pareto-front-card')
      await card.getByTestId('front-size').getByText('3 trials').waitFor({ timeout: 10_000 })
      assert.deepEqual(await card.locator('tbody tr td:first-child').allInnerTexts(), ['#4', '#0', '#1'])
      assert.deepEqual(await card.locator('tbody tr td:first-child a').evaluateAll((links) => links.map((a) => a.getAttribute('title'))), [trials[4], trials[0], trials[1]])
      if (resource.paretoFront) assert.deepEqual([...resource.paretoFront].sort(), [trials[0], trials[1], trials[4]].sort(), 'the API agrees')

      // The scatter: the front emphasised and joined by its staircase, dominated trials faded, the infeasible one apart.
      const series = await seriesOf(page, 'pareto-chart')
      const byName = (n: string) => series.find((s) => s.name === n)
      assert.deepEqual(names(byName('Pareto front')), [trials[0], trials[1], trials[4]].sort())
      assert.deepEqual(names(byName('dominated')), [trials[3], trials[5]].sort())
      assert.deepEqual(names(byName('infeasible')), [trials[2]])
      assert.ok(byName('dominated')!.itemStyle!.opacity! < byName('Pareto front')!.itemStyle!.opacity!, 'dominated trials are faded')
      // Staircase from (0.8, 20) to (0.9, 40) to (0.95, 45): corners at the worse value of each objective.
      assert.deepEqual(byName('front line')!.data, [[0.8, 20], [0.8, 40], [0.9, 40], [0.9, 45], [0.95, 45]])

      // The infeasible trial's tooltip names the constraint it broke.
      const infeasible = await pointAt(page, 'pareto-chart', 'infeasible', [0.99, 80])
      await page.mouse.move(infeasible.x, infeasible.y)
      await page.getByTestId('pareto-chart').getByText(/infeasible: broke latency_ms <= 50 \(by 30\)/).waitFor({ timeout: 10_000 })

      // The hypervolume: one point per succeeded trial; the last is the front's, against the
      // reference point each objective's worst feasible value plus 10% of its range:
      // accuracy 0.6 - 0.035 = 0.565, latency 45 + 2.5 = 47.5.
      const volume = (await seriesOf(page, 'hypervolume-chart'))[0]!.data
      assert.equal(volume.length, 6)
      const expected = (0.95 - 0.565) * (47.5 - 45) + (0.9 - 0.565) * (45 - 40) + (0.8 - 0.565) * (40 - 20)
      assert.ok(Math.abs((volume.at(-1)![1] as number) - expected) < 1e-9, `hypervolume ${volume.at(-1)![1]}, expected ${expected}`)
      if (resource.hypervolume !== undefined) assert.ok(Math.abs(resource.hypervolume - expected) < 1e-9, `the API's hypervolume ${resource.hypervolume}`)
      await page.getByTestId('reference-point').getByText('reference point (0.565, 47.5)').waitFor()

      // The table: a column per objective, the front marked, the infeasible trial with its constraint.
      const table = page.getByTestId('trials-table')
      await table.getByRole('button', { name: 'accuracy ↑' }).waitFor()
      await table.getByRole('button', { name: 'latency_ms ↓' }).waitFor()
      assert.equal(await table.getByTestId('front-mark').count(), 3)
      assert.match((await table.getByTestId('infeasible-mark').getAttribute('title'))!, /broke latency_ms <= 50 \(by 30\)/)

      await shot(page, 'multiobjective-two.png')

      // A click on a front point opens that trial.
      const front = await pointAt(page, 'pareto-chart', 'Pareto front', [0.8, 20])
      await page.mouse.click(front.x, front.y)
      await page.waitForURL(`**/experiments/${two}/trials/${trials[1]}`, { timeout: 10_000 })
      await page.getByText('feasible: met every constraint').waitFor({ timeout: 10_000 })
      // The infeasible trial's page says which constraint it broke.
      await page.goto(`${url}/experiments/${two}/trials/${trials[2]}`)
      await page.getByTestId('trial-infeasible').getByText('infeasible: broke latency_ms <= 50 (by 30)').waitFor({ timeout: 10_000 })

      // Three objectives: a pairwise matrix and parallel coordinates, the front in both.
      const three = uniqueName('mo-ui3')
      const rows3 = [
        { accuracy: 0.9, latency_ms: 40, memory_mb: 900 }, { accuracy: 0.8, latency_ms: 20, memory_mb: 800 },
        { accuracy: 0.7, latency_ms: 30, memory_mb: 950 }, { accuracy: 0.85, latency_ms: 35, memory_mb: 500 },
      ]
      const trials3 = await runExperiment(app, yaml(three, accuracyAnd(['{metric: latency_ms, direction: minimize}', '{metric: memory_mb, direction: minimize}'], []), rows3.length), three, rows3)
      await page.goto(`${url}/experiments/${three}`)
      await page.locator('[data-testid="pareto-matrix"][data-rendered]').waitFor({ timeout: 60_000 })
      await page.locator('[data-testid="objectives-parallel-chart"][data-rendered]').waitFor({ timeout: 10_000 })
      const matrix = await seriesOf(page, 'pareto-matrix')
      // Three pairs (accuracy-latency, accuracy-memory, latency-memory), each with the three kinds of point.
      assert.equal(matrix.filter((s) => s.name === 'Pareto front').length, 3)
      for (const s of matrix.filter((s) => s.name === 'Pareto front')) assert.deepEqual(names(s), [trials3[0], trials3[1], trials3[3]].sort())
      for (const s of matrix.filter((s) => s.name === 'dominated')) assert.deepEqual(names(s), [trials3[2]])
      const parallel = await seriesOf(page, 'objectives-parallel-chart')
      assert.deepEqual((parallel.find((s) => s.name === 'Pareto front')!.data as unknown as { name: string }[]).map((d) => d.name).sort(), [trials3[0], trials3[1], trials3[3]].sort())
      await page.getByTestId('pareto-front-card').getByTestId('front-size').getByText('3 trials').waitFor()
      assert.equal(await page.getByTestId('pareto-chart').count(), 0, 'no two-objective scatter for three objectives')
      await shot(page, 'multiobjective-three.png')
      // A click on a front point of the matrix (its first cell: accuracy across, latency up) opens that trial.
      const cell = await pointAt(page, 'pareto-matrix', 'Pareto front', [0.8, 20])
      await page.mouse.click(cell.x, cell.y)
      await page.waitForURL(`**/experiments/${three}/trials/${trials3[1]}`, { timeout: 10_000 })

      // One objective with a constraint: the page as before, the table with the Feasible column.
      const single = uniqueName('so-ui')
      const objective = ['    type: minimize', '    objectiveMetricName: loss', '    constraints:', '      - "latency_ms <= 50"'].join('\n')
      const trials1 = await runExperiment(app, yaml(single, objective, 2), single, [{ loss: 0.1, latency_ms: 90 }, { loss: 0.5, latency_ms: 10 }])
      await page.goto(`${url}/experiments/${single}`)
      await page.locator('[data-testid="history-chart"][data-rendered]').waitFor({ timeout: 60_000 })
      // Trial 0 has the better loss but broke the constraint: the best is trial 1.
      await page.getByTestId('best-trial').getByRole('link', { name: trials1[1] }).waitFor({ timeout: 10_000 })
      const table1 = page.getByTestId('trials-table')
      await table1.getByRole('columnheader', { name: 'Feasible' }).waitFor()
      await table1.getByRole('button', { name: 'loss' }).waitFor()
      assert.match((await table1.getByTestId('infeasible-mark').getAttribute('title'))!, /broke latency_ms <= 50 \(by 40\)/)
      assert.equal(await table1.getByTestId('infeasible-mark').count(), 1)
      assert.ok(await table1.getByRole('link', { name: String(0) }).getAttribute('title') === trials1[0])
      // The best so far never takes the infeasible trial's 0.1: it starts at trial 1's 0.5.
      assert.deepEqual((await seriesOf(page, 'history-chart')).find((s) => s.name === 'best so far')!.data, [[1, 0.5]])
      for (const id of ['pareto-front-card', 'pareto-chart', 'pareto-matrix', 'hypervolume-chart']) assert.equal(await page.getByTestId(id).count(), 0, `no ${id}`)
    } finally {
      await browser?.close()
      await app.close()
      await store.destroy()
    }
  })
})

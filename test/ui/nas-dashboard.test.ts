import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import { buildApp } from '../../api/app.ts'
import type { Store } from '../../db/store.ts'
import { offerBestTrial } from '../../lifecycle/offer-best-trial.ts'
import { ensureDashboardBuilt } from '../../ui/build-ui.ts'
import { chromiumMissing, launchChromium } from '../helpers/chromium.ts'
import { startServe } from '../helpers/serve-process.ts'
import { experimentYaml, postYaml, uniqueName } from '../helpers/test-app.ts'
import { openTestStore } from '../helpers/test-store.ts'

const artifacts = fileURLToPath(new URL('../../test-artifacts/', import.meta.url))
const missing = chromiumMissing()
if (missing) console.log(`# skipping the NAS dashboard browser tests: ${missing}`)

/**
 * A small nasConfig. Katib multiplies each operation out over its parameters, the last one
 * varying fastest: ids 0-3 are convolution (3,32) (3,64) (5,32) (5,64), all stride 1; 4-7 are
 * reduction max_pooling 2, max_pooling 3, avg_pooling 2, avg_pooling 3.
 */
function nasYaml(name: string, algorithm: string, o: { template?: string; max?: number; parallel?: number } = {}): string {
  return `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: ${name}
spec:
  objective: {type: maximize, objectiveMetricName: Validation-Accuracy}
  algorithm: {algorithmName: ${algorithm}}
  maxTrialCount: ${o.max ?? 40}
  parallelTrialCount: ${o.parallel ?? 2}
  nasConfig:
    graphConfig: {numLayers: 3, inputSizes: [8, 8, 1], outputSizes: [10]}
    operations:
      - operationType: convolution
        parameters:
          - {name: filter_size, parameterType: categorical, feasibleSpace: {list: ["3", "5"]}}
          - {name: num_filter, parameterType: categorical, feasibleSpace: {list: ["32", "64"]}}
          - {name: stride, parameterType: categorical, feasibleSpace: {list: ["1"]}}
      - operationType: reduction
        parameters:
          - {name: reduction_type, parameterType: categorical, feasibleSpace: {list: [max_pooling, avg_pooling]}}
          - {name: pool_size, parameterType: int, feasibleSpace: {min: "2", max: "3", step: "1"}}
${o.template ?? ''}`
}

/**
 * A NAS trial as Katib's RunTrial.py reads its flags (quotes turned around, then JSON), scoring
 * the architecture instead of training it: convolutions of more filters and skips help.
 */
const NAS_TRIAL = `
const flag = (name) => process.argv.find((a) => a.startsWith('--' + name + '='))?.slice(name.length + 3)
const arc = JSON.parse(flag('architecture').replaceAll("'", '"'))
const config = JSON.parse(flag('nn_config').replaceAll("'", '"'))
let score = 0.4
for (const [id, ...skips] of arc) {
  const op = config.embedding[String(id)]
  if (op.opt_type === 'convolution') score += Number(op.opt_params.num_filter) / 1000
  score += skips.filter((b) => b === 1).length * 0.03
}
console.log('Validation-Accuracy=' + score.toFixed(4))
`

const OPERATIONS: Record<number, { opt_type: string; opt_params: Record<string, string | number> }> = {
  0: { opt_type: 'convolution', opt_params: { filter_size: '3', num_filter: '32', stride: '1' } },
  1: { opt_type: 'convolution', opt_params: { filter_size: '3', num_filter: '64', stride: '1' } },
  2: { opt_type: 'convolution', opt_params: { filter_size: '5', num_filter: '32', stride: '1' } },
  3: { opt_type: 'convolution', opt_params: { filter_size: '5', num_filter: '64', stride: '1' } },
  4: { opt_type: 'reduction', opt_params: { reduction_type: 'max_pooling', pool_size: 2 } },
  5: { opt_type: 'reduction', opt_params: { reduction_type: 'max_pooling', pool_size: 3 } },
  6: { opt_type: 'reduction', opt_params: { reduction_type: 'avg_pooling', pool_size: 2 } },
  7: { opt_type: 'reduction', opt_params: { reduction_type: 'avg_pooling', pool_size: 3 } },
}

/**
 * Python's json.dumps (", " and ": " separators), then every double quote made single: Katib's
 * ENAS service. A Map stands for a dict keyed by numbers, whose insertion order Python keeps and a
 * JavaScript object would not.
 */
function katibString(value: unknown): string {
  const dumps = (v: unknown): string => {
    if (Array.isArray(v)) return `[${v.map(dumps).join(', ')}]`
    if (v instanceof Map) return `{${[...v].map(([k, x]) => `${JSON.stringify(String(k))}: ${dumps(x)}`).join(', ')}}`
    if (v !== null && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${dumps(x)}`).join(', ')}}`
    return JSON.stringify(v)
  }
  return dumps(value).replaceAll('"', "'")
}

/** A trial's assignments as Katib gives them: `architecture` and `nn_config` (embedding of the ids it uses). */
function nasParams(architecture: number[][]): { architecture: string; nn_config: string } {
  const embedding = new Map<number, unknown>()
  for (const layer of architecture) embedding.set(layer[0]!, { opt_id: layer[0], ...OPERATIONS[layer[0]!] })
  return {
    architecture: katibString(architecture),
    nn_config: katibString({ num_layers: architecture.length, input_sizes: [8, 8, 1], output_sizes: [10], embedding }),
  }
}

/** A deterministic architecture per trial; `best` is planted at `bestAt` with the highest accuracy. */
function architectureFor(i: number): number[][] {
  return [[i % 4], [4 + (i % 3), i % 2], [(i * 3) % 8, (i >> 1) % 2, 0]]
}

const BEST_ARCHITECTURE = [[3], [4, 1], [1, 1, 1]]

async function seedNasTrials(store: Store, name: string, count: number, bestAt: number, bestAccuracy: number): Promise<number[]> {
  const experiment = (await store.experiments.getByName(name))!
  const created = await store.trials.createMany(experiment.id, Array.from({ length: count }, (_, i) => ({
    name: `${name}-${String(i).padStart(4, '0')}`,
    params: nasParams(i === bestAt ? BEST_ARCHITECTURE : architectureFor(i)),
  })))
  const accuracies: number[] = []
  const started = Date.now() - 60_000
  for (const [i, trial] of created.entries()) {
    // Rises with the trial number, never above the planted best.
    const accuracy = i === bestAt ? bestAccuracy : Math.min(bestAccuracy - 0.01, 0.5 + 0.02 * i + ((i * 37) % 7) / 100)
    accuracies.push(accuracy)
    await store.trials.transition(trial.id, ['Pending'], 'Succeeded', {
      objective: accuracy, metrics: { 'Validation-Accuracy': { min: accuracy, max: accuracy, latest: accuracy } },
      startedAt: new Date(started + i * 1000), finishedAt: new Date(started + i * 1000 + 800),
    })
    // As the controller does when a trial ends: the best trial, with its event.
    await offerBestTrial(store, experiment.id, trial.id, accuracy)
  }
  return accuracies
}

async function shot(page: Page, file: string): Promise<void> {
  mkdirSync(artifacts, { recursive: true })
  await page.evaluate('window.scrollTo(0, 0)')
  await page.screenshot({ path: join(artifacts, file), fullPage: true })
}

describe('NAS in the dashboard', { skip: missing }, () => {
  test('architectures read layer by layer; experiments compared on one chart, live', { timeout: 240_000 }, async () => {
    const store = await openTestStore()
    const app = await buildApp({ store, dashboardDir: (await ensureDashboardBuilt()).dir })
    let browser: Awaited<ReturnType<typeof launchChromium>> | undefined
    try {
      // Two searches of one nasConfig (enas, evolution) and one hyperparameter experiment (tpe),
      // created through the API; without a trialTemplate nothing runs, and their trials are
      // written into the store.
      const first = uniqueName('nas-a')
      const second = uniqueName('nas-b')
      const tuned = uniqueName('hp')
      for (const yaml of [nasYaml(first, 'enas'), nasYaml(second, 'evolution'), experimentYaml(tuned, { template: false, type: 'maximize' }).replace('algorithmName: random', 'algorithmName: tpe')]) {
        const created = await postYaml(app, yaml)
        assert.equal(created.statusCode, 201, created.body)
      }
      await seedNasTrials(store, first, 14, 9, 0.93)
      await seedNasTrials(store, second, 8, 5, 0.81)
      const hp = (await store.experiments.getByName(tuned))!
      const hpTrials = await store.trials.createMany(hp.id, Array.from({ length: 6 }, (_, i) => ({ name: `${tuned}-${i}`, params: { lr: 0.01 + i / 100, optimizer: 'adam' } })))
      for (const [i, t] of hpTrials.entries()) {
        const loss = 0.2 + i / 10
        await store.trials.transition(t.id, ['Pending'], 'Succeeded', { objective: loss, metrics: { loss: { min: loss, max: loss, latest: loss } } })
        await offerBestTrial(store, hp.id, t.id, loss)
      }

      const url = await app.listen({ host: '127.0.0.1', port: 0 })
      // The columns the page reads carry each NAS trial's assignments, as Katib wrote them.
      const columns = await (await fetch(`${url}/api/v1/experiments/${first}/trials:columns`)).json() as { params: Record<string, string[]> }
      assert.equal(columns.params.architecture![9], '[[3], [4, 1], [1, 1, 1]]')
      assert.match(columns.params.nn_config![9]!, /^\{'num_layers': 3, 'input_sizes': \[8, 8, 1\], 'output_sizes': \[10\], 'embedding': \{'3': \{'opt_id': 3, 'opt_type': 'convolution'/)

      browser = await launchChromium()
      const page = await browser.newPage({ viewport: { width: 1360, height: 900 } })
      const pageErrors: string[] = []
      page.on('pageerror', (error) => pageErrors.push(error.message))

      // The best trial's architecture, layer by layer, in the header and the architecture panel.
      await page.goto(`${url}/experiments/${first}`)
      const bestCard = page.getByTestId('best-trial')
      await bestCard.getByRole('link', { name: `${first}-0009` }).waitFor({ timeout: 30_000 })
      const bestLayers = bestCard.getByTestId('architecture').locator('li')
      assert.deepEqual(await bestLayers.allTextContents(), [
        'L1 convolution 5x5 64 filters stride 1',
        'L2 reduction max pooling 2x2 <- skip from input',
        'L3 convolution 3x3 64 filters stride 1 <- skips from input, L1',
      ])
      const bestText = await bestCard.innerText()
      assert.doesNotMatch(bestText, /\[\[|opt_params|embedding/, 'the raw strings are not shown as the best trial\'s parameters')
      assert.match(bestText, /input 8x8x1, output 10/)
      await page.locator('main[data-interactive]').waitFor({ timeout: 60_000 })
      await page.locator('[data-testid="history-chart"][data-rendered]').waitFor({ timeout: 30_000 })
      // No hyperparameters: no parallel coordinates, slices, importance or contour of nothing.
      assert.equal(await page.getByRole('heading', { name: 'Parallel coordinates' }).count(), 0)
      assert.equal(await page.getByRole('heading', { name: 'Contour' }).count(), 0)
      const panel = page.getByTestId('architecture-panel')
      await panel.getByRole('heading', { name: 'Architecture of trial 9 (best)' }).waitFor()

      // The table: one line per architecture, the full view as its tooltip, never the raw list.
      const table = page.getByTestId('trials-table')
      await page.getByTestId('trial-count').getByText('14 trials').waitFor({ timeout: 30_000 })
      const bestRow = table.locator('tr.best-row')
      const cell = bestRow.getByTestId('architecture-cell')
      assert.equal(await cell.textContent(), 'conv 5x5 64f s1 → max-pool 2x2 +input → conv 3x3 64f s1 +input,L1')
      assert.equal(await cell.getAttribute('title'), [
        'L1 convolution 5x5 64 filters stride 1',
        'L2 reduction max pooling 2x2 <- skip from input',
        'L3 convolution 3x3 64 filters stride 1 <- skips from input, L1',
        'input 8x8x1 -> output 10',
      ].join('\n'))
      assert.doesNotMatch(await table.innerText(), /\[\[|'opt_type'/)
      await shot(page, 'nas-01-experiment.png')

      // Expanding another trial's architecture shows it in full in the panel.
      const row4 = table.locator('tbody tr').filter({ has: page.getByRole('link', { name: '4', exact: true }) })
      await row4.getByTestId('architecture-cell').click()
      await panel.getByRole('heading', { name: 'Architecture of trial 4' }).waitFor()
      // Trial 4: [[0], [5, 0], [4, 0, 0]].
      assert.deepEqual(await panel.getByTestId('architecture').locator('li').allTextContents(), [
        'L1 convolution 3x3 32 filters stride 1',
        'L2 reduction max pooling 3x3',
        'L3 reduction max pooling 2x2',
      ])
      await panel.getByRole('button', { name: 'Show the best' }).click()
      await panel.getByRole('heading', { name: 'Architecture of trial 9 (best)' }).waitFor()

      // The trial's own page: the architecture, and the strings as the trial received them on request.
      await page.goto(`${url}/experiments/${first}/trials/${first}-0009`)
      await page.getByRole('heading', { name: 'Parameters' }).waitFor()
      assert.equal(await page.getByTestId('architecture').locator('li').count(), 3)
      await page.getByText('As the trial received them').click()
      await page.getByText('[[3], [4, 1], [1, 1, 1]]').waitFor()

      // Compare: pick the three experiments; each is labelled with its name and algorithm.
      await page.getByRole('link', { name: 'Compare', exact: true }).click()
      await page.getByRole('heading', { name: 'Compare experiments' }).waitFor()
      await page.getByText('Pick two or more experiments').waitFor()
      for (const name of [first, second, tuned]) await page.getByRole('checkbox', { name: new RegExp(`^${name} `) }).check()
      assert.equal(new URL(page.url()).search, `?experiments=${first},${second},${tuned}`)
      await page.getByText(/different objectives/).waitFor({ timeout: 30_000 })
      await page.locator('[data-testid="compare-chart"][data-rendered]').waitFor({ timeout: 30_000 })
      const chartLabel = await page.getByTestId('compare-chart').getAttribute('aria-label')
      assert.equal(chartLabel, `Objective over trials: ${first} (enas), ${second} (evolution), ${tuned} (tpe)`)
      const rows = page.getByTestId('compare-row')
      await rows.nth(2).waitFor()
      const cells = async () => Promise.all((await rows.all()).map(async (r) => (await r.locator('td').allInnerTexts()).map((t) => t.trim())))
      const table1 = await cells()
      assert.deepEqual(table1.map((r) => [r[0], r[1], r[3], r[4]!.split(' ')[0], r[5]]), [
        [first, 'enas', '14', '0.93', '9'],
        [second, 'evolution', '8', '0.81', '5'],
        // maximize: the best loss of 0.2-0.7 is the highest.
        [tuned, 'tpe', '6', '0.7', '5'],
      ])
      await shot(page, 'nas-02-compare.png')

      // The choice is in the address: a reload shows the same comparison.
      await page.reload()
      await rows.nth(2).waitFor({ timeout: 30_000 })
      assert.equal(await page.getByRole('checkbox', { name: new RegExp(`^${second} `) }).isChecked(), true)

      // Live: a better trial of the second search appears without a reload.
      const secondExperiment = (await store.experiments.getByName(second))!
      const [late] = await store.trials.createMany(secondExperiment.id, [{ name: `${second}-late`, params: nasParams(BEST_ARCHITECTURE) }])
      await store.trials.transition(late!.id, ['Pending'], 'Succeeded', { objective: 0.97, metrics: { 'Validation-Accuracy': { min: 0.97, max: 0.97, latest: 0.97 } } })
      assert.ok(await offerBestTrial(store, secondExperiment.id, late!.id, 0.97))
      await rows.nth(1).locator('td').nth(4).getByText('0.97').waitFor({ timeout: 30_000 })
      assert.equal((await rows.nth(1).locator('td').nth(3).innerText()).trim(), '9')

      // Unticking one drops it from the chart, the table and the address.
      await page.getByRole('checkbox', { name: new RegExp(`^${tuned} `) }).uncheck()
      await page.waitForFunction(`!location.search.includes(${JSON.stringify(tuned)})`)
      assert.equal(await rows.count(), 2)
      assert.equal(await page.getByText(/different objectives/).count(), 0)

      // From an experiment's page, "Compare with others" starts a comparison with it.
      await page.goto(`${url}/experiments/${second}`)
      await page.getByRole('link', { name: 'Compare with others' }).click()
      await rows.first().waitFor({ timeout: 30_000 })
      assert.equal(new URL(page.url()).search, `?experiments=${second}`)

      // A phone-sized screen gets the compare page in one column, without sideways scrolling.
      await page.setViewportSize({ width: 390, height: 844 })
      await page.goto(`${url}/compare?experiments=${first},${second}`)
      await page.locator('[data-testid="compare-chart"][data-rendered]').waitFor({ timeout: 30_000 })
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth')
      assert.ok(overflow <= 1, `the compare page scrolls sideways by ${overflow}px on a phone`)
      await shot(page, 'nas-03-compare-phone.png')

      assert.deepEqual(pageErrors, [])
    } finally {
      await browser?.close()
      await app.close()
      await store.destroy()
    }
  })
  test('a NAS experiment run by serve: its trials\' architectures as the server assigned them, live', { timeout: 240_000 }, async () => {
    const home = mkdtempSync(join(tmpdir(), 'tunewell-ui-nas-'))
    const script = join(home, 'nas-trial.mjs')
    writeFileSync(script, NAS_TRIAL)
    const name = uniqueName('nas-run')
    const template = `  trialTemplate:
    command: ${JSON.stringify([process.execPath, script, '--architecture=${trialParameters.architecture}', '--nn_config=${trialParameters.nn_config}'])}
`
    const server = await startServe(['--home', home])
    let browser: Awaited<ReturnType<typeof launchChromium>> | undefined
    try {
      const created = await fetch(`${server.url}/api/v1/experiments`, {
        method: 'POST', headers: { 'content-type': 'application/yaml' }, body: nasYaml(name, 'evolution', { template, max: 8, parallel: 2 }),
      })
      assert.equal(created.status, 201, await created.text())
      browser = await launchChromium()
      const page = await browser.newPage({ viewport: { width: 1360, height: 900 } })
      const pageErrors: string[] = []
      page.on('pageerror', (error) => pageErrors.push(error.message))
      // Opened while it runs: the page follows it to the end.
      await page.goto(`${server.url}/experiments/${name}`)
      await page.locator('.experiment-header .badge', { hasText: 'Succeeded' }).waitFor({ timeout: 180_000 })
      await page.getByTestId('trial-count').getByText('8 trials').waitFor({ timeout: 30_000 })

      // The best trial's layers, as the dashboard should describe what the server assigned.
      const resource = await (await fetch(`${server.url}/api/v1/experiments/${name}`)).json() as {
        status: { currentOptimalTrial: { bestTrialName: string; parameterAssignments: { name: string; value: string }[] } }
      }
      const best = resource.status.currentOptimalTrial
      const assigned = Object.fromEntries(best.parameterAssignments.map((a) => [a.name, a.value]))
      const layers = JSON.parse(assigned.architecture!.replaceAll("'", '"')) as number[][]
      const expected = layers.map(([id, ...skips], i) => {
        const op = OPERATIONS[id!]!
        const p = op.opt_params
        const what = op.opt_type === 'convolution'
          ? `convolution ${p.filter_size}x${p.filter_size} ${p.num_filter} filters stride ${p.stride}`
          : `reduction ${String(p.reduction_type).replace('_', ' ')} ${p.pool_size}x${p.pool_size}`
        // Katib's numbering: the input is layer 0, row i is layer i + 1, skip bit k adds layer k.
        const from = skips.flatMap((bit, k) => (bit === 1 ? [k === 0 ? 'input' : `L${k}`] : []))
        return `L${i + 1} ${what}${from.length > 0 ? ` <- skip${from.length > 1 ? 's' : ''} from ${from.join(', ')}` : ''}`
      })
      const bestCard = page.getByTestId('best-trial')
      await bestCard.getByRole('link', { name: best.bestTrialName }).waitFor({ timeout: 30_000 })
      assert.deepEqual(await bestCard.getByTestId('architecture').locator('li').allTextContents(), expected)
      const cells = page.getByTestId('trials-table').getByTestId('architecture-cell')
      assert.equal(await cells.count(), 8)
      for (const text of await cells.allTextContents()) assert.match(text, /^(conv \dx\d \d+f s1|max-pool|avg-pool)/)
      await shot(page, 'nas-04-evolution-run.png')
      assert.deepEqual(pageErrors, [])
    } finally {
      await browser?.close()
      await server.stop()
    }
  })
  test('a DARTS genotype, reported as text, is shown where the objective\'s number would go', { timeout: 180_000 }, async () => {
    const store = await openTestStore()
    const app = await buildApp({ store, dashboardDir: (await ensureDashboardBuilt()).dir })
    let browser: Awaited<ReturnType<typeof launchChromium>> | undefined
    try {
      const name = uniqueName('darts')
      const yaml = `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: ${name}
spec:
  objective: {type: maximize, objectiveMetricName: Best-Genotype}
  metricsCollectorSpec:
    source: {filter: {metricsFormat: ["([\\\\w-]+)=(Genotype.*)"]}}
  algorithm: {algorithmName: darts}
  maxTrialCount: 1
  parallelTrialCount: 1
  nasConfig:
    graphConfig: {numLayers: 1}
    operations:
      - operationType: max_pooling
        parameters:
          - {name: filter_size, parameterType: categorical, feasibleSpace: {list: ["3"]}}
`
      const created = await postYaml(app, yaml)
      assert.equal(created.statusCode, 201, created.body)
      const experiment = (await store.experiments.getByName(name))!
      const genotype = "Genotype(normal=[[('max_pooling_3x3', 0)]], normal_concat=range(1, 2), reduce=[[('max_pooling_3x3', 1)]], reduce_concat=range(1, 2))"
      const [trial] = await store.trials.createMany(experiment.id, [{ name: `${name}-0`, params: { 'algorithm-settings': "{'num_epochs': 1}", 'search-space': "['max_pooling_3x3']", 'num-layers': '1' } }])
      await store.trials.transition(trial!.id, ['Pending'], 'Succeeded', { objective: null, textMetrics: { 'Best-Genotype': genotype } })
      // Katib's best for a text objective is the latest such trial; what the controller records.
      await store.experiments.update(experiment.id, { bestTrialId: trial!.id })
      const url = await app.listen({ host: '127.0.0.1', port: 0 })
      browser = await launchChromium()
      const page = await browser.newPage({ viewport: { width: 1360, height: 900 } })
      const pageErrors: string[] = []
      page.on('pageerror', (error) => pageErrors.push(error.message))
      await page.goto(`${url}/experiments/${name}`)
      assert.equal(await page.getByTestId('best-text-objective').textContent({ timeout: 30_000 }), genotype)
      const cell = page.getByTestId('trials-table').getByTestId('text-objective')
      assert.equal(await cell.textContent(), genotype)
      assert.equal(await cell.getAttribute('title'), genotype)
      await page.getByText('Best-Genotype is reported as text (a genotype): nothing to chart').waitFor()
      // darts trials carry its settings, not an architecture: no architecture column or panel.
      assert.equal(await page.getByTestId('architecture-panel').count(), 0)
      await shot(page, 'nas-05-darts-genotype.png')
      await page.goto(`${url}/experiments/${name}/trials/${name}-0`)
      assert.equal(await page.getByTestId('text-metric').textContent({ timeout: 30_000 }), genotype)
      // Compared, its best is the genotype too.
      await page.goto(`${url}/compare?experiments=${name}`)
      const best = page.getByTestId('compare-row').locator('td').nth(4).locator('.text-value')
      assert.equal(await best.getAttribute('title', { timeout: 30_000 }), genotype)
      assert.deepEqual(pageErrors, [])
    } finally {
      await browser?.close()
      await app.close()
      await store.destroy()
    }
  })
})

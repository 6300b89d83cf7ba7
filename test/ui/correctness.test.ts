import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { FastifyInstance } from 'fastify'
import type { Browser, Page } from 'playwright-core'
import { buildApp } from '../../api/app.ts'
import type { Store, TrialRecord } from '../../db/store.ts'
import { finishTrial } from '../../lifecycle/finish-trial.ts'
import { offerBestTrial } from '../../lifecycle/offer-best-trial.ts'
import { startExperiment } from '../../lifecycle/start-experiment.ts'
import { startTrial } from '../../lifecycle/start-trial.ts'
import { ensureDashboardBuilt } from '../../ui/build-ui.ts'
import { chromiumMissing, launchChromium } from '../helpers/chromium.ts'
import { postYaml, uniqueName } from '../helpers/test-app.ts'
import { openTestStore } from '../helpers/test-store.ts'

const missing = chromiumMissing()

/**
 * What the experiment page shows must agree with the API, `tunewell best` and itself (issue 18,
 * "Correctness a user sees"): the best card's value is the trial's objective as metricStrategies
 * took it, row 1 of the table sorted by objective is the best trial, parameters come in spec
 * order (jsonb keeps its own), a discrete value reads as written in the charts too, a learning
 * curve of one report is drawn, and a failed experiment says why.
 */
describe('dashboard: correctness a user sees', { skip: missing }, () => {
  let store: Store
  let app: FastifyInstance
  let url: string
  let browser: Browser
  let page: Page
  // Spec order; jsonb stores keys shortest first (x, momentum, learning_rate).
  const name = uniqueName('right-ui')
  const failedName = uniqueName('failed-ui')
  const hyperbandName = uniqueName('budget-ui')
  const trials: TrialRecord[] = []

  before(async () => {
    store = await openTestStore()
    app = await buildApp({ store, dashboardDir: (await ensureDashboardBuilt()).dir })
    const yaml = `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: ${name}
spec:
  objective:
    type: minimize
    objectiveMetricName: loss
    metricStrategies: [{name: loss, value: latest}]
  algorithm:
    algorithmName: random
  maxTrialCount: 6
  parameters:
    - name: learning_rate
      parameterType: double
      feasibleSpace: {min: "0.01", max: "0.1"}
    - name: x
      parameterType: double
      feasibleSpace: {min: "0", max: "1"}
    - name: momentum
      parameterType: discrete
      feasibleSpace: {list: ["0.10", "0.50", "0.90"]}
`
    assert.equal((await postYaml(app, yaml)).statusCode, 201)
    const record = (await store.experiments.getByName(name))!
    assert.ok(await startExperiment(store, record, 'running'))
    // loss as [min, max, latest] and how each trial ends: with `latest`, trial 1's objective is
    // 0.3 although it once reported 0.2; trial 2 ties it; trial 3 failed after reporting 0.05.
    const plan = [
      { lr: 0.02, x: 0.1, momentum: 0.1, loss: [0.1, 0.9, 0.6], state: 'Succeeded' },
      { lr: 0.03, x: 0.2, momentum: 0.5, loss: [0.2, 0.9, 0.3], state: 'Succeeded' },
      { lr: 0.04, x: 0.3, momentum: 0.9, loss: [0.3, 0.9, 0.3], state: 'Succeeded' },
      { lr: 0.05, x: 0.4, momentum: 0.5, loss: [0.05, 0.05, 0.05], state: 'Failed' },
    ] as const
    trials.push(...await store.trials.createMany(record.id, plan.map((p, i) => ({ name: `${name}-${i}`, params: { learning_rate: p.lr, x: p.x, momentum: p.momentum } }))))
    // Trial 2 ends before trial 1: the tie must still go to trial 1.
    for (const i of [0, 2, 1, 3]) {
      const p = plan[i]!
      const trial = trials[i]!
      assert.ok(await startTrial(store, trial, null))
      const [min, max, latest] = p.loss
      // One report per trial: each learning curve is a single point.
      await store.observations.append(trial.id, [{ name: 'loss', step: 1, value: latest, at: new Date() }])
      const failed = p.state === 'Failed'
      assert.ok(await finishTrial(store, trial, failed
        ? { state: 'Failed', reason: 'TrialFailed', message: 'Job reason: Error. trial process exited with code 1', objective: latest }
        : { state: 'Succeeded', reason: 'TrialSucceeded', message: 'ok', objective: latest }, { loss: { min, max, latest } }))
      if (!failed) await offerBestTrial(store, record.id, trial.id, latest)
    }

    // A failed experiment: two trials failed the same way (each naming its own log), one otherwise.
    const failedYaml = yaml.replace(`name: ${name}`, `name: ${failedName}`)
    assert.equal((await postYaml(app, failedYaml)).statusCode, 201)
    const failedRecord = (await store.experiments.getByName(failedName))!
    assert.ok(await startExperiment(store, failedRecord, 'running'))
    const broken = await store.trials.createMany(failedRecord.id, [0, 1, 2].map((i) => ({ name: `${failedName}-${i}`, params: { learning_rate: 0.02, x: i / 10, momentum: 0.1 } })))
    const messages = [
      `Job reason: DeadlineExceeded. trial ran past activeDeadlineSeconds (120 s)`,
      `Job reason: Error. trial process exited with code 1; see its log /srv/runs/${failedName}-1/log\nTraceback (most recent call last):\n  File "train.py", line 3\nValueError: learning rate 0.02 is too small`,
      `Job reason: Error. trial process exited with code 1; see its log /srv/runs/${failedName}-2/log\nTraceback (most recent call last):\nValueError: learning rate 0.02 is too small`,
    ]
    for (const [i, trial] of broken.entries()) {
      assert.ok(await startTrial(store, trial, null))
      assert.ok(await finishTrial(store, trial, { state: 'Failed', reason: 'TrialFailed', message: messages[i]!, objective: null }))
    }
    await store.experiments.update(failedRecord.id, { state: 'Failed', reason: 'ExperimentMaxFailedTrialsReached', message: 'Experiment has failed because max failed count has reached', completedAt: new Date() })

    // Hyperband: a trial's epochs are its budget. The best over every budget (trial 0, at 3 epochs)
    // is not the best at the full 27 (trial 2); trial 5 stopped early at its rung.
    const hyperbandYaml = yaml.replace(`name: ${name}`, `name: ${hyperbandName}`)
      .replace('algorithmName: random', 'algorithmName: hyperband\n    algorithmSettings: [{name: r_l, value: "27"}, {name: eta, value: "3"}, {name: resource_name, value: epochs}]')
      .replace(/    - name: x\n[\s\S]*$/, '    - name: epochs\n      parameterType: int\n      feasibleSpace: {min: "1", max: "27"}\n')
    const created = await postYaml(app, hyperbandYaml)
    assert.equal(created.statusCode, 201, created.body)
    const hyperband = (await store.experiments.getByName(hyperbandName))!
    assert.ok(await startExperiment(store, hyperband, 'running'))
    const rungs = [[3, 0.2], [9, 0.5], [27, 0.4], [27, 0.6], [1, 0.9], [9, 0.95]] as const
    const hb = await store.trials.createMany(hyperband.id, rungs.map(([epochs], i) => ({ name: `${hyperbandName}-${i}`, params: { learning_rate: 0.01 + i / 100, epochs } })))
    for (const [i, trial] of hb.entries()) {
      const loss = rungs[i]![1]
      assert.ok(await startTrial(store, trial, null))
      assert.ok(await finishTrial(store, trial, { state: i === 5 ? 'EarlyStopped' : 'Succeeded', reason: 'done', message: 'ok', objective: loss }, { loss: { min: loss, max: loss, latest: loss } }))
      await offerBestTrial(store, hyperband.id, trial.id, loss)
    }

    url = await app.listen({ host: '127.0.0.1', port: 0 })
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1360, height: 1000 } })
    await page.goto(`${url}/experiments/${name}`)
    await page.getByTestId('trial-count').getByText('4 trials').waitFor({ timeout: 60_000 })
    await page.locator('main[data-interactive]').waitFor({ timeout: 60_000 })
  })

  after(async () => {
    await browser?.close()
    await app?.close()
    await store?.destroy()
  })

  test('the best card shows the objective as metricStrategies took it, the trial `best` and the table agree, ties to the earlier trial', async () => {
    const resource = (await app.inject({ url: `/api/v1/experiments/${name}` })).json()
    assert.equal(resource.status.currentOptimalTrial.bestTrialName, `${name}-1`, 'of the tie, the earlier trial')
    const best = (await app.inject({ url: `/api/v1/experiments/${name}/trials/${name}-1` })).json()
    assert.equal(best.objective, 0.3)
    const card = page.getByTestId('best-trial')
    await card.getByText(`${name}-1`).waitFor()
    const value = await card.locator('.best-value').textContent()
    assert.match(value ?? '', /loss = 0\.3$/, `the card shows the trial's objective (latest), not its minimum 0.2: ${value}`)

    const table = page.getByTestId('trials-table')
    await table.getByRole('button', { name: 'loss' }).click()
    const numbers = await table.locator('tbody tr:not(.spacer) td:first-child').allTextContents()
    assert.deepEqual(numbers, ['1', '2', '0', '3'], 'best first, the tie by number, the failed trial with a value after those that can be best')
    assert.equal(await table.locator('tbody tr:not(.spacer)').first().locator('.best-mark').count(), 1, 'row 1 is the starred best trial')
    // The optimisation history's best-so-far line ends at the same value, not at the failed trial's.
    const line = await page.getByTestId('history-chart').evaluate((el) => (el as unknown as { chart: { getOption(): { series: { name: string; data: [number, number][] }[] } } })
      .chart.getOption().series.find((x) => x.name === 'best so far')!.data)
    assert.deepEqual(line.at(-1), [2, 0.3])
  })

  test('parameters in spec order: the best card, the trial page, the API trial, the export', async () => {
    const order = ['learning_rate', 'x', 'momentum']
    assert.deepEqual(await page.getByTestId('best-trial').locator('table.kv th').allTextContents(), order)
    const headers = await page.getByTestId('trials-table').locator('thead th').allTextContents()
    assert.deepEqual(headers.filter((h) => order.includes(h)), order)
    const trial = (await app.inject({ url: `/api/v1/experiments/${name}/trials/${name}-1` })).json()
    assert.deepEqual(Object.keys(trial.params), order)
    assert.deepEqual(trial.parameterAssignments.map((a: { name: string }) => a.name), order)
    assert.equal(trial.parameterAssignments[2].value, '0.50', 'a discrete value as written')
    const csv = (await app.inject({ url: `/api/v1/experiments/${name}/trials:export` })).body
    assert.match(csv.split('\r\n')[0]!, /learning_rate,x,momentum/)

    const trialPage = await browser.newPage()
    try {
      await trialPage.goto(`${url}/experiments/${name}/trials/${name}-1`)
      const rows = trialPage.locator('.card').filter({ hasText: 'Parameters' }).locator('table.kv th')
      await rows.first().waitFor({ timeout: 30_000 })
      assert.deepEqual(await rows.allTextContents(), order)
    } finally {
      await trialPage.close()
    }
  })

  test('a discrete parameter reads as written in the charts: axes and tooltips', async () => {
    const slice = page.getByRole('img', { name: 'Objective against momentum' })
    await slice.waitFor({ timeout: 30_000 })
    const axis = await slice.evaluate((el) => ((el as unknown as { chart: { getOption(): { xAxis: { data?: string[] }[] } } }).chart.getOption().xAxis[0]!.data))
    assert.deepEqual(axis, ['0.10', '0.50', '0.90'])
    await slice.evaluate((el) => (el as unknown as { chart: { dispatchAction(a: object): void } }).chart.dispatchAction({ type: 'showTip', seriesIndex: 0, dataIndex: 0 }))
    await slice.getByText('momentum = 0.10').waitFor({ timeout: 10_000 })

    const parallel = page.getByTestId('parallel-chart')
    const parallelAxis = await parallel.evaluate((el) => (el as unknown as { chart: { getOption(): { parallelAxis: { name: string; data?: string[] }[] } } }).chart.getOption().parallelAxis.find((a) => a.name === 'momentum')?.data)
    assert.deepEqual(parallelAxis, ['0.10', '0.50', '0.90'])

    await page.locator('label.inline-field').filter({ hasText: /^x/ }).locator('select').selectOption('momentum')
    const contour = page.getByTestId('contour-chart')
    const contourLabels = () => contour.evaluate((el) => {
      const option = (el as unknown as { chart: { getOption(): { xAxis: { axisLabel: { formatter(v: number): string } }[] } } }).chart.getOption()
      return [0, 1, 2].map((k) => option.xAxis[0]!.axisLabel.formatter(k))
    })
    // The chart redraws for the new x parameter after the select changes: until then it still
    // labels the previous one's axis.
    let labels = await contourLabels()
    for (let tries = 0; tries < 300 && labels.join() !== '0.10,0.50,0.90'; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      labels = await contourLabels()
    }
    assert.deepEqual(labels, ['0.10', '0.50', '0.90'])
  })

  test('a learning curve of one report per trial is drawn as points, not an empty chart', async () => {
    const curves = page.getByTestId('learning-curves')
    await curves.waitFor({ timeout: 30_000 })
    await page.locator('[data-testid="learning-curves"][data-rendered]').waitFor({ timeout: 30_000 })
    // The series' colours are saturated; axes, grid lines and labels are grey.
    const coloured = await curves.locator('canvas').first().evaluate((element) => {
      type Canvas2d = { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } }
      const canvas = element as unknown as Canvas2d
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data
      let n = 0
      for (let i = 0; i < data.length; i += 4) if (data[i + 3]! > 0 && Math.max(data[i]!, data[i + 1]!, data[i + 2]!) - Math.min(data[i]!, data[i + 1]!, data[i + 2]!) > 80) n++
      return n
    })
    // Without the points, anti-aliased grey text leaves a few (17 here); four points leave over a hundred.
    assert.ok(coloured > 60, `the points are drawn (${coloured} coloured pixels)`)
  })

  test('multi-fidelity: the best comes with its budget, the best at full budget is a choice away; importance leaves the resource out and counts early-stopped trials', async () => {
    const importance = (await app.inject({ url: `/api/v1/experiments/${hyperbandName}/importance` })).json()
    assert.equal(importance.resourceParameter, 'epochs')
    assert.deepEqual(importance.parameters.map((p: { name: string }) => p.name), ['learning_rate'])
    assert.equal(importance.finishedTrials, 6, 'the early-stopped trial counts, at its rung')

    const budgetPage = await browser.newPage({ viewport: { width: 1360, height: 900 } })
    try {
      await budgetPage.goto(`${url}/experiments/${hyperbandName}`)
      const card = budgetPage.getByTestId('best-trial')
      await card.getByText(`${hyperbandName}-0`).waitFor({ timeout: 60_000 })
      await card.getByTestId('best-budget-value').getByText('epochs = 3 of 27').waitFor({ timeout: 30_000 })
      assert.equal(await card.getByTestId('best-full-budget').count(), 0)
      await card.getByLabel('best at full budget').check()
      const full = await card.getByTestId('best-full-budget').textContent()
      assert.match(full ?? '', /^trial 2 loss = 0\.4 \(budget: epochs = 27 of 27\)$/)
      await budgetPage.locator('main[data-interactive]').waitFor({ timeout: 60_000 })
      await budgetPage.getByTestId('importance-resource').getByText('epochs is left out').waitFor({ timeout: 30_000 })
    } finally {
      await budgetPage.close()
    }
  })

  test('multi-fidelity: a stopping rule\'s best says it stopped early, pbt\'s its generation, each with the best at full budget', async () => {
    const base = (experiment: string, algorithm: string, extra: string) => `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: ${experiment}
spec:
  objective: {type: minimize, objectiveMetricName: loss}
  algorithm: ${algorithm}
${extra}  maxTrialCount: 12
  parameters:
    - {name: learning_rate, parameterType: double, feasibleSpace: {min: "0.01", max: "0.1"}}
  trialTemplate:
    command: [python3, train.py, "--lr=\${trialParameters.learning_rate}"]
`
    const asha = uniqueName('asha-ui')
    const pbt = uniqueName('pbt-ui')
    // [state, loss, generation]: asha stopped trial 0 at a rung with the lowest loss; pbt's trials 2
    // and 3 continued trials 0 and 1 (generation 1), and trial 1 of generation 0 has the lowest loss.
    const seeds = [
      { name: asha, yaml: base(asha, '{algorithmName: random}', '  earlyStopping: {algorithmName: asha, algorithmSettings: [{name: min_resource, value: "1"}, {name: eta, value: "3"}, {name: max_resource, value: "27"}]}\n'),
        trials: [['EarlyStopped', 0.1, 0], ['Succeeded', 0.3, 0], ['Succeeded', 0.2, 0]] as const },
      { name: pbt, yaml: base(pbt, '{algorithmName: pbt, algorithmSettings: [{name: n_population, value: "5"}]}', ''),
        trials: [['Succeeded', 0.5, 0], ['Succeeded', 0.2, 0], ['Succeeded', 0.3, 1], ['Succeeded', 0.4, 1]] as const },
    ]
    for (const seed of seeds) {
      const created = await postYaml(app, seed.yaml)
      assert.equal(created.statusCode, 201, created.body)
      const record = (await store.experiments.getByName(seed.name))!
      assert.ok(await startExperiment(store, record, 'running'))
      for (const [i, [state, loss, generation]] of seed.trials.entries()) {
        const [trial] = await store.trials.createMany(record.id, [{ name: `${seed.name}-${i}`, params: { learning_rate: 0.01 + i / 100 }, generation, ...(generation > 0 ? { parentTrialName: `${seed.name}-${i - 2}` } : {}) }])
        assert.ok(await startTrial(store, trial!, null))
        assert.ok(await finishTrial(store, trial!, { state, reason: 'done', message: 'ok', objective: loss }, { loss: { min: loss, max: loss, latest: loss } }))
        await offerBestTrial(store, record.id, trial!.id, loss)
      }
    }
    const expected = [
      { name: asha, best: 0, budget: 'stopped early by asha, at its rung', full: /^trial 2 loss = 0\.2 \(budget: ran in full\)$/ },
      { name: pbt, best: 1, budget: 'generation 0', full: /^trial 2 loss = 0\.3 \(budget: generation 1\)$/ },
    ]
    for (const e of expected) {
      const other = await browser.newPage({ viewport: { width: 1360, height: 900 } })
      try {
        await other.goto(`${url}/experiments/${e.name}`)
        const card = other.getByTestId('best-trial')
        await card.getByText(`${e.name}-${e.best}`).waitFor({ timeout: 60_000 })
        await card.getByTestId('best-budget-value').getByText(e.budget).waitFor({ timeout: 30_000 })
        await card.getByLabel('best at full budget').check()
        assert.match(await card.getByTestId('best-full-budget').textContent() ?? '', e.full)
      } finally {
        await other.close()
      }
    }
  })

  test('a failed experiment says why: the common failure reason and the last lines of an example trial', async () => {
    const failedPage = await browser.newPage({ viewport: { width: 1360, height: 900 } })
    try {
      await failedPage.goto(`${url}/experiments/${failedName}`)
      const summary = failedPage.getByTestId('failure-summary')
      await summary.waitFor({ timeout: 60_000 })
      assert.match(await summary.textContent() ?? '', /2 of 3 failed trials/)
      assert.equal(await summary.getByTestId('failure-reason').textContent(), 'Job reason: Error. trial process exited with code 1')
      const output = await summary.getByTestId('failure-output').textContent()
      assert.match(output ?? '', /ValueError: learning rate 0\.02 is too small$/)
      assert.match(output ?? '', /File "train.py", line 3/, 'the earliest trial of that reason is the example')
      await summary.getByRole('link', { name: 'trial 1' }).click()
      await failedPage.waitForURL(`**/experiments/${failedName}/trials/${failedName}-1`)
    } finally {
      await failedPage.close()
    }
    // A successful experiment has no such panel.
    assert.equal(await page.getByTestId('failure-summary').count(), 0)
  })
})

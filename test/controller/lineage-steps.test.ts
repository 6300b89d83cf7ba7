/**
 * A hyperband promotion or a pbt child continues its parent's steps: a lineage is one series
 * of steps (docs/multi-fidelity.md, "Steps across a lineage"). Trials train per epoch from their
 * parent's checkpoint on the fake executor (virtual time) and print each epoch's loss either
 * without a step (counted: the child goes on from its parent's last step + 1) or with an
 * `epoch=` key (stored as printed). Either way a point's step is its epoch in the lineage.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ExperimentRunner } from '../../controller/experiment-runner.ts'
import { storedSteps } from '../../controller/push-hub.ts'
import type { PreparedTrial, TrialRequest } from '../../controller/trial-executor.ts'
import type { Experiment } from '../../core/spec/index.ts'
import type { Store, TrialRecord } from '../../db/store.ts'
import { checkExperimentYaml } from '../../suggestion/check-experiment.ts'
import { SuggestionService } from '../../suggestion/suggestion-service.ts'
import { FakeExecutor, type TrialScript } from '../helpers/fake-executor.ts'
import { openTestStore } from '../helpers/test-store.ts'

let store: Store
const home = mkdtempSync(join(tmpdir(), 'tunewell-lineage-steps-'))
before(async () => {
  store = await openTestStore()
})
after(async () => {
  await store.destroy()
})

const lossAt = (x: number, epoch: number) => (x - 0.3) ** 2 + 1 / epoch
/** The epoch a printed loss belongs to (lossAt inverted). */
const epochOf = (x: number, loss: number) => Math.round(1 / (loss - (x - 0.3) ** 2))

/**
 * Resumes from state.json in its checkpoint directory, trains up to --epochs (or --segment more)
 * and prints each epoch's loss: `loss=…` with --print=counted, `epoch=E loss=…` with --print=keyed.
 */
const trainer: TrialScript = async (trial) => {
  const { flags } = trial
  const x = Number(flags.x)
  const dir = trial.launch.env.TUNEWELL_CHECKPOINT_DIR!
  let reached = 0
  try {
    reached = (JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { epoch: number }).epoch
  } catch {
    // A fresh start.
  }
  const last = flags.segment !== undefined ? reached + Number(flags.segment) : Number(flags.epochs)
  for (let epoch = reached + 1; epoch <= last; epoch++) {
    await trial.sleep(10)
    trial.print(`${flags.print === 'keyed' ? `epoch=${epoch} ` : ''}loss=${lossAt(x, epoch).toFixed(9)}`)
    writeFileSync(join(dir, 'state.json'), JSON.stringify({ epoch }))
  }
}

function experimentOf(name: string, algorithm: string, settings: string, params: string, flags: readonly string[], extra = ''): Experiment {
  const references = params.includes('epochs') ? ['x', 'epochs'] : ['x']
  const command = ['train', ...references.map((r) => `--${r}=\${trialParameters.${r}}`), ...flags]
  const checked = checkExperimentYaml(`
apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata: {name: ${name}}
spec:
  objective: {type: minimize, objectiveMetricName: loss}
  algorithm:
    algorithmName: ${algorithm}
    algorithmSettings: ${settings}
  parallelTrialCount: 3
${extra}  parameters:
${params}
  trialTemplate:
    trialParameters:
${references.map((r) => `      - {name: ${r}, reference: ${r}}`).join('\n')}
    command: ${JSON.stringify(command)}
`, `${name}.yaml`)
  if (!checked.experiment) throw new Error(checked.issues.map((i) => `${i.path} ${i.message}`).join('\n'))
  return checked.experiment
}

/** What each trial's TrialRequest said its counted steps start at (what a cluster's collector sidecar is told). */
const firstSteps = new Map<string, number | undefined>()

class RecordingExecutor extends FakeExecutor {
  override prepare(request: TrialRequest): Promise<PreparedTrial> {
    firstSteps.set(request.trial.name, request.firstStep)
    return super.prepare(request)
  }
}

async function run(experiment: Experiment): Promise<TrialRecord[]> {
  const record = await store.experiments.create({ name: experiment.metadata.name, spec: experiment, seed: 5 })
  const fake = new RecordingExecutor(trainer)
  const runner = new ExperimentRunner({
    store, suggestions: new SuggestionService(store), executor: fake, clock: fake.clock,
    launch: { baseDir: home, runDir: join(home, 'runs', record.name), env: {} }, pollMs: 50,
  })
  const done = await runner.run(record.id)
  assert.equal(done.state, 'Succeeded', `${done.reason}: ${done.message}`)
  const trials = await store.trials.list(record.id)
  assert.ok(trials.every((t) => t.state === 'Succeeded'), trials.map((t) => `${t.name} ${t.state} ${t.message}`).join('\n'))
  return trials
}

/** Every trial's loss steps, and the epoch (of its lineage) each loss was printed for. */
async function stepsAndEpochs(trials: readonly TrialRecord[]): Promise<Map<string, { steps: number[]; epochs: number[] }>> {
  const out = new Map<string, { steps: number[]; epochs: number[] }>()
  for (const t of trials) {
    const points = await store.observations.list(t.id, ['loss'])
    out.set(t.name, { steps: points.map((p) => p.step), epochs: points.map((p) => epochOf(Number(t.params.x), p.value)) })
  }
  return out
}

const HYPERBAND = {
  settings: '[{name: r_l, value: "4"}, {name: eta, value: "2"}, {name: resource_name, value: epochs}, {name: random_state, value: "3"}]',
  params: `    - {name: x, parameterType: double, feasibleSpace: {min: "0", max: "1"}}
    - {name: epochs, parameterType: int, feasibleSpace: {min: "1", max: "4"}}`,
}

describe('steps across a lineage', () => {
  test('hyperband, counted steps: a promotion goes on from its parent\'s last step + 1, so step = epoch - 1 along every lineage', async () => {
    const trials = await run(experimentOf('lineage-hb-counted', 'hyperband', HYPERBAND.settings, HYPERBAND.params, ['--print=counted']))
    const series = await stepsAndEpochs(trials)
    const byName = new Map(trials.map((t) => [t.name, t]))
    const promoted = trials.filter((t) => t.parentTrialName !== null)
    assert.ok(promoted.length >= 3, 'some trials continue a parent')
    for (const t of trials) {
      const { steps, epochs } = series.get(t.name)!
      assert.deepEqual(steps, epochs.map((e) => e - 1), `${t.name}: one series per lineage`)
    }
    for (const child of promoted) {
      const parent = series.get(byName.get(child.parentTrialName!)!.name)!
      assert.equal(series.get(child.name)!.steps[0], parent.steps.at(-1)! + 1, `${child.name} starts right after ${child.parentTrialName}`)
      assert.equal(firstSteps.get(child.name), parent.steps.at(-1)! + 1, 'the executor is told where, for a collector beside the trial')
    }
    for (const fresh of trials.filter((t) => t.parentTrialName === null)) assert.equal(firstSteps.get(fresh.name), undefined)
  })

  test('hyperband, epoch= keys: the printed epoch is the step, child and parent alike (no offset on top)', async () => {
    const trials = await run(experimentOf('lineage-hb-keyed', 'hyperband', HYPERBAND.settings, HYPERBAND.params, ['--print=keyed']))
    const series = await stepsAndEpochs(trials)
    assert.ok(trials.some((t) => t.parentTrialName !== null))
    for (const t of trials) {
      const { steps, epochs } = series.get(t.name)!
      assert.deepEqual(steps, epochs, t.name)
    }
  })

  test('pbt: every generation\'s segment continues its parent\'s steps', async () => {
    const trials = await run(experimentOf('lineage-pbt', 'pbt', '[{name: n_population, value: "5"}, {name: truncation_threshold, value: "0.4"}, {name: random_state, value: "2"}]',
      '    - {name: x, parameterType: double, feasibleSpace: {min: "0", max: "1"}}', ['--print=counted', '--segment=2'], '  maxTrialCount: 12\n'))
    const series = await stepsAndEpochs(trials)
    assert.ok(Math.max(...trials.map((t) => t.generation)) >= 2)
    for (const t of trials) {
      // Each segment trains two epochs past its lineage's: steps 2g, 2g + 1 at generation g.
      assert.deepEqual(series.get(t.name)!.steps, [2 * t.generation, 2 * t.generation + 1], `${t.name} (generation ${t.generation})`)
    }
  })

  test('a promoted trial\'s pushed values without a step go on after its parent\'s too', async () => {
    const trials = await store.trials.list((await store.experiments.getByName('lineage-hb-counted'))!.id)
    const child = trials.find((t) => t.parentTrialName !== null)!
    const parent = trials.find((t) => t.name === child.parentTrialName)!
    const parentLast = Math.max(...(await store.observations.list(parent.id)).map((p) => p.step))
    const childLast = Math.max(...(await store.observations.list(child.id)).map((p) => p.step))
    const steps = await storedSteps(store, child.name)
    assert.equal(steps.get('loss'), childLast + 1, 'a stored metric goes on after its own points')
    assert.equal(steps.get('accuracy'), parentLast + 1, 'a metric the trial has not stored yet starts after its parent\'s steps')
    const fresh = trials.find((t) => t.parentTrialName === null)!
    assert.equal((await storedSteps(store, fresh.name)).get('accuracy'), undefined, 'a fresh trial starts at 0')
  })
})

/**
 * Multi-fidelity end to end: early stopping kills a trial and refills its slot, asha and
 * medianstop through the runner, hyperband and pbt children resuming from their parents'
 * checkpoints. Trials run test/fixtures/trials/epochs.mjs as real child processes where the
 * process matters (signals, the slot freed before it exits), elsewhere its script twin on the
 * fake executor (test/helpers/fake-trials.ts), on virtual time.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ExperimentRunner } from '../../controller/experiment-runner.ts'
import { LocalProcessExecutor, type LocalHandle } from '../../controller/local-process-executor.ts'
import type { TrialExecutor } from '../../controller/trial-executor.ts'
import type { Experiment } from '../../core/spec/index.ts'
import type { ExperimentRecord, Store, TrialRecord } from '../../db/store.ts'
import { SuggestionService } from '../../suggestion/suggestion-service.ts'
import { checkExperimentYaml } from '../../suggestion/check-experiment.ts'
import { openTestStore } from '../helpers/test-store.ts'
import { FakeExecutor } from '../helpers/fake-executor.ts'
import { epochsScript } from '../helpers/fake-trials.ts'

const fixture = fileURLToPath(new URL('../fixtures/trials/epochs.mjs', import.meta.url))
let store: Store
const home = mkdtempSync(join(tmpdir(), 'tunewell-multifidelity-'))
before(async () => {
  store = await openTestStore()
})
after(async () => {
  await store.destroy()
})

interface Options {
  readonly name: string
  readonly algorithm: string
  readonly settings?: Record<string, string>
  readonly earlyStopping?: { name: string; settings: Record<string, string> }
  readonly parallel: number
  readonly max?: number
  readonly parameters: string
  /** trialParameters besides ckpt, one per spec parameter. */
  readonly references: readonly string[]
  readonly flags: readonly string[]
  /** Leave the trialTemplate out (ask/tell). */
  readonly noTemplate?: boolean
}

function yamlOf(o: Options): string {
  const settings = (s: Record<string, string> | undefined) => Object.entries(s ?? {}).map(([k, v]) => `      - {name: ${k}, value: "${v}"}`).join('\n') || '      []'
  const command = [process.execPath, fixture, ...o.references.map((r) => `--${r}=\${trialParameters.${r}}`), '--ckpt=${trialParameters.ckpt}', ...o.flags]
  return `
apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: ${o.name}
spec:
  objective: {type: minimize, objectiveMetricName: loss}
  algorithm:
    algorithmName: ${o.algorithm}
    algorithmSettings:
${settings(o.settings)}
${o.earlyStopping ? `  earlyStopping:\n    algorithmName: ${o.earlyStopping.name}\n    algorithmSettings:\n${settings(o.earlyStopping.settings)}\n` : ''}  parallelTrialCount: ${o.parallel}
${o.max !== undefined ? `  maxTrialCount: ${o.max}\n` : ''}  parameters:
${o.parameters}
${o.noTemplate ? '' : `  trialTemplate:
    trialParameters:
${o.references.map((r) => `      - {name: ${r}, reference: ${r}}`).join('\n')}
      - {name: ckpt, reference: "\${trialSpec.CheckpointDir}"}
    command: ${JSON.stringify(command)}
`}`
}

function experimentOf(o: Options): Experiment {
  const checked = checkExperimentYaml(yamlOf(o), `${o.name}.yaml`)
  if (!checked.experiment) throw new Error(`invalid test experiment:\n${checked.issues.map((i) => `${i.path} ${i.message}`).join('\n')}`)
  return checked.experiment
}

/** Runs it on the fake executor (epochs.mjs's script twin, virtual time), or with `processes` on real ones. */
async function run(
  experiment: Experiment,
  { through = store, processes = false }: { through?: Store; processes?: boolean } = {},
): Promise<{ done: ExperimentRecord; trials: TrialRecord[]; runDir: string }> {
  const record = await store.experiments.create({ name: experiment.metadata.name, spec: experiment, seed: 5 })
  const runDir = join(home, 'runs', record.name)
  const fake = processes ? undefined : new FakeExecutor(epochsScript)
  const executor: TrialExecutor = fake ?? new LocalProcessExecutor()
  const runner = new ExperimentRunner({
    store: through,
    suggestions: new SuggestionService(store),
    executor,
    ...(fake ? { clock: fake.clock } : {}),
    launch: { baseDir: home, runDir, env: {} },
    pollMs: 50,
  })
  const done = await runner.run(record.id)
  return { done, trials: await store.trials.list(record.id), runDir }
}

const lineageOf = (runDir: string, trial: TrialRecord): string[] =>
  (JSON.parse(readFileSync(join(runDir, trial.name, 'checkpoint', 'state.json'), 'utf8')) as { lineage: string[] }).lineage

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('early stopping', () => {
  test('medianstop stops a trial reporting a bad loss: EarlyStopped with the reason, points kept, process gone, slot refilled at once', async () => {
    const { done, trials, runDir } = await run(experimentOf({
      name: 'es-median', algorithm: 'grid', parallel: 1,
      parameters: '    - {name: x, parameterType: discrete, feasibleSpace: {list: ["0.3", "0.31", "5", "0.32"]}}',
      references: ['x'],
      earlyStopping: { name: 'medianstop', settings: { min_trials_required: '2', start_step: '2' } },
      // The bad trial ignores SIGTERM: only the SIGKILL after the grace period (5 s) or its own
      // end (1.8 s after it started) would free the slot if the runner waited for the process.
      flags: ['--epochs=6', '--epoch-ms=300', '--ignore-term'],
    }), { processes: true })
    assert.equal(done.state, 'Succeeded', `${done.reason}: ${done.message}`)
    assert.deepEqual(trials.map((t) => t.state), ['Succeeded', 'Succeeded', 'EarlyStopped', 'Succeeded'])
    const bad = trials[2]!
    assert.equal(bad.reason, 'TrialEarlyStopped')
    assert.match(bad.message ?? '', /^median stopping rule: best value 2\d\.\d+ by step \d against the median/)
    const points = await store.observations.list(bad.id, ['loss'])
    assert.ok(points.length >= 2 && points.length < 6, `${points.length} points kept`)
    assert.deepEqual(points.map((p) => p.step), points.map((_, i) => i))
    assert.equal(bad.objective, Math.min(...points.map((p) => p.value)), 'objective from the metric strategy over the stored points')
    assert.equal(bad.metrics?.loss?.min, bad.objective)
    const next = trials[3]!
    const refillMs = next.startedAt!.getTime() - bad.finishedAt!.getTime()
    assert.ok(refillMs < 1000, `the next trial started ${refillMs} ms after the stop`)
    assert.match(readFileSync((bad.execution as LocalHandle).logPath, 'utf8'), /got SIGTERM/)
    assert.equal(isAlive((bad.execution as LocalHandle).pid), false)
    const events = await store.events.list(done.id)
    assert.ok(events.some((e) => e.trialId === bad.id && e.type === 'trial:state-changed' && (e.payload as { state: string }).state === 'EarlyStopped'))
    assert.ok(existsSync(join(runDir, bad.name, 'checkpoint')))
  })

  test('a database outage at the moment of an early stop delays the stop; the trial still ends EarlyStopped', async () => {
    // The store refuses the EarlyStopped mark twice, as an unreachable database does; everything else works.
    let refusals = 2
    const refusing = (trials: Store['trials']): Store['trials'] => new Proxy(trials, {
      get(target, name) {
        const value: unknown = Reflect.get(target, name)
        if (name === 'transitionAttempt' && refusals > 0) {
          return async () => {
            refusals--
            throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })
          }
        }
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
    // The mark is written in a transaction: the store it gets refuses the same way.
    const flakyStore = (inner: Store): Store => new Proxy(inner, {
      get(target, name) {
        if (name === 'trials') return refusing(target.trials)
        if (name === 'transaction') return <T>(work: (tx: Store) => Promise<T>) => target.transaction((tx) => work(flakyStore(tx)))
        const value: unknown = Reflect.get(target, name)
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
    const flaky = flakyStore(store)
    const { done, trials: ended } = await run(experimentOf({
      name: 'es-median-outage', algorithm: 'grid', parallel: 1,
      parameters: '    - {name: x, parameterType: discrete, feasibleSpace: {list: ["0.3", "0.31", "5", "0.32"]}}',
      references: ['x'],
      earlyStopping: { name: 'medianstop', settings: { min_trials_required: '2', start_step: '2' } },
      flags: ['--epochs=12', '--epoch-ms=300'],
    }), { through: flaky })
    assert.equal(done.state, 'Succeeded', `${done.reason}: ${done.message}`)
    assert.equal(refusals, 0, 'the outage happened at the stop')
    assert.deepEqual(ended.map((t) => t.state), ['Succeeded', 'Succeeded', 'EarlyStopped', 'Succeeded'])
    const bad = ended[2]!
    const points = await store.observations.list(bad.id, ['loss'])
    assert.ok(points.length >= 2 && points.length < 12, `${points.length} points kept: stopped, not run to its end`)
  })

  test('asha stops trials at a rung when they are outside the top 1/eta there', async () => {
    const { done, trials } = await run(experimentOf({
      name: 'es-asha', algorithm: 'grid', parallel: 2,
      parameters: '    - {name: x, parameterType: discrete, feasibleSpace: {list: ["0.3", "0.9", "0.35", "0.8", "0.5", "0.95"]}}',
      references: ['x'],
      earlyStopping: { name: 'asha', settings: { min_resource: '1', eta: '2', max_resource: '8' } },
      flags: ['--epochs=8', '--epoch-ms=100'],
    }))
    assert.equal(done.state, 'Succeeded', `${done.reason}: ${done.message}`)
    const stopped = trials.filter((t) => t.state === 'EarlyStopped')
    assert.ok(stopped.length >= 2, trials.map((t) => `${t.params.x}:${t.state}`).join(' '))
    for (const t of stopped) assert.match(t.message ?? '', /^successive halving: at rung \d \(step \d\)/)
    const best = trials.find((t) => t.id === done.bestTrialId)!
    assert.equal(best.params.x, 0.3)
    assert.equal(best.state, 'Succeeded')
  })
})

describe('checkpoints across a lineage', () => {
  test('hyperband promotions start from a copy of their parent\'s checkpoint', async () => {
    const { done, trials, runDir } = await run(experimentOf({
      name: 'hb-ckpt', algorithm: 'hyperband', parallel: 3,
      settings: { r_l: '4', eta: '2', resource_name: 'epochs', random_state: '3' },
      parameters: `    - {name: x, parameterType: double, feasibleSpace: {min: "0", max: "1"}}
    - {name: epochs, parameterType: int, feasibleSpace: {min: "1", max: "4"}}`,
      references: ['x', 'epochs'],
      flags: [],
    }))
    assert.equal(done.state, 'Succeeded', `${done.reason}: ${done.message}`)
    assert.equal(done.reason, 'ExperimentSuggestionEndReached')
    assert.equal(trials.length, 14)
    assert.ok(trials.every((t) => t.state === 'Succeeded'), trials.map((t) => `${t.name} ${t.state} ${t.message}`).join('\n'))
    const byName = new Map(trials.map((t) => [t.name, t]))
    const promoted = trials.filter((t) => t.parentTrialName !== null)
    assert.equal(promoted.length, 4, 'bracket s=2: 2 + 1, bracket s=1: 1')
    for (const child of promoted) {
      const parent = byName.get(child.parentTrialName!)!
      assert.deepEqual(lineageOf(runDir, child), [...lineageOf(runDir, parent), child.name], `${child.name} resumed ${parent.name}'s checkpoint`)
      assert.equal(child.generation, parent.generation + 1)
      assert.equal(child.params.x, parent.params.x)
      assert.ok((child.params.epochs as number) > (parent.params.epochs as number))
      // It trained only the epochs its parent had not: its first report is epoch parent+1.
      const points = await store.observations.list(child.id, ['loss'])
      assert.equal(points.length, (child.params.epochs as number) - (parent.params.epochs as number))
    }
    // The parent's checkpoint is intact: the child worked on a copy.
    for (const t of trials.filter((t) => t.parentTrialName === null)) assert.deepEqual(lineageOf(runDir, t), [t.name])
  })

  test('pbt exploits: children copy a parent\'s checkpoint, generations grow', async () => {
    const { done, trials, runDir } = await run(experimentOf({
      name: 'pbt-ckpt', algorithm: 'pbt', parallel: 3, max: 15,
      settings: { n_population: '5', truncation_threshold: '0.4', random_state: '2' },
      parameters: '    - {name: x, parameterType: double, feasibleSpace: {min: "0", max: "1"}}',
      references: ['x'],
      flags: ['--segment=2'],
    }))
    assert.equal(done.state, 'Succeeded', `${done.reason}: ${done.message}`)
    assert.equal(trials.length, 15)
    assert.ok(trials.every((t) => t.state === 'Succeeded'), trials.map((t) => `${t.name} ${t.state} ${t.message}`).join('\n'))
    const byName = new Map(trials.map((t) => [t.name, t]))
    const children = trials.filter((t) => t.parentTrialName !== null)
    assert.equal(children.length, 10, 'every trial after the first population continues one')
    assert.ok(children.some((t) => t.params.x !== byName.get(t.parentTrialName!)!.params.x), 'some exploited and explored')
    assert.ok(Math.max(...trials.map((t) => t.generation)) >= 2)
    for (const child of children) {
      const parent = byName.get(child.parentTrialName!)!
      assert.deepEqual(lineageOf(runDir, child), [...lineageOf(runDir, parent), child.name])
      assert.equal(child.generation, parent.generation + 1)
    }
  })
})

describe('multi-fidelity validation at creation', () => {
  const base = {
    parallel: 2, max: 10, references: ['x', 'epochs'], flags: [],
    parameters: `    - {name: x, parameterType: double, feasibleSpace: {min: "0", max: "1"}}
    - {name: epochs, parameterType: int, feasibleSpace: {min: "1", max: "81"}}`,
  }
  const issuesOf = (o: Options) => checkExperimentYaml(yamlOf(o), 'x.yaml').issues.map((i) => `${i.path}: ${i.message}`)

  test('hyperband without a resource parameter, with a non-numeric one, or eta < 2', () => {
    const [missing, ...more] = issuesOf({ ...base, name: 'v1', algorithm: 'hyperband', settings: { r_l: '81' } })
    assert.match(missing!, /^\/spec\/algorithm\/algorithmSettings: setting "resource_name" is required by algorithm "hyperband"/)
    assert.deepEqual(more, [])
    assert.match(issuesOf({ ...base, name: 'v2', algorithm: 'hyperband', settings: { r_l: '81', resource_name: 'epoch' } }).join('\n'), /resource_name "epoch" is not a parameter; did you mean "epochs"\?/)
    assert.match(issuesOf({ ...base, name: 'v3', algorithm: 'hyperband', settings: { r_l: '81', resource_name: 'epochs', eta: '1' } }).join('\n'), /algorithmSettings\/\d\/value: setting "eta" must be .*2/)
    assert.match(issuesOf({
      ...base, name: 'v4', algorithm: 'hyperband', settings: { r_l: '81', resource_name: 'opt' }, references: ['x', 'opt'],
      parameters: `    - {name: x, parameterType: double, feasibleSpace: {min: "0", max: "1"}}
    - {name: opt, parameterType: categorical, feasibleSpace: {list: [sgd, adam]}}`,
    }).join('\n'), /\/spec\/parameters\/1\/parameterType: .*int or double/)
  })

  test('pbt without a checkpoint directory or without an end', () => {
    const pbt = { ...base, name: 'v5', algorithm: 'pbt', references: ['x'], parameters: '    - {name: x, parameterType: double, feasibleSpace: {min: "0", max: "1"}}' }
    assert.deepEqual(issuesOf(pbt), [])
    assert.match(issuesOf({ ...pbt, noTemplate: true }).join('\n'), /^\/spec\/trialTemplate: algorithm "pbt" continues trials from their parents' checkpoints/m)
    assert.match(issuesOf({ ...pbt, settings: { suggestion_trial_dir: ' ' } }).join('\n'), /suggestion_trial_dir is empty/)
    assert.match(issuesOf({ ...pbt, max: undefined } as Options).join('\n'), /set spec.maxTrialCount/)
    assert.match(issuesOf({ ...pbt, settings: { n_population: '3' } }).join('\n'), /n_population/)
  })

  test('early stopping under Katib\'s names is accepted; an unknown rule is not', () => {
    const random = { ...base, name: 'v6', algorithm: 'random' }
    assert.deepEqual(issuesOf({ ...random, earlyStopping: { name: 'medianstop', settings: { min_trials_required: '3', start_step: '4' } } }), [])
    assert.match(issuesOf({ ...random, earlyStopping: { name: 'median', settings: {} } }).join('\n'), /unknown early-stopping algorithm "median"/)
  })
})

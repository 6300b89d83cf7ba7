/**
 * examples/multiobjective/constrained.yaml submitted over HTTP to `tunewell serve`, made short (4
 * trials of 20 epochs), and both examples through `tunewell validate`; everything else is the file as shipped (accuracy-vs-size.yaml through
 * `tunewell run`: multiobjective-run.test.ts).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import type { ExperimentResource } from '../../api/schemas/experiment.ts'
import type { TrialView } from '../../api/schemas/trial.ts'
import { startServe } from '../helpers/serve-process.ts'

const bin = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url))
const exampleDir = fileURLToPath(new URL('../../examples/multiobjective/', import.meta.url))
const suffix = Date.now().toString(36)

/** The example shortened: 4 trials of 20 epochs, under a name of the test's own. */
function shortExample(file: string, name: string): string {
  let text = readFileSync(join(exampleDir, file), 'utf8')
  const replace = (from: RegExp, to: string) => {
    assert.match(text, from, `${file} has ${from}`)
    text = text.replace(from, to)
  }
  replace(/^  name: [\w-]+$/m, `  name: ${name}`)
  replace(/maxTrialCount: 16/, 'maxTrialCount: 4')
  replace(/--epochs=\d+/, '--epochs=20')
  return text
}

test('tunewell validate names the objectives and constraints of both examples and warns that Katib would refuse them', () => {
  const files = ['accuracy-vs-size.yaml', 'constrained.yaml'].map((f) => join(exampleDir, f))
  const result = spawnSync(process.execPath, [bin, 'validate', ...files], { encoding: 'utf8', timeout: 60_000 })
  assert.equal(result.status, 0, result.stderr + result.stdout)
  assert.match(result.stdout, /valid Experiment "accuracy-vs-size" \(tpe, 3 parameters, 2 objectives \(maximize accuracy, minimize model_params\), 16 trials/)
  assert.match(result.stdout, /valid Experiment "constrained-accuracy" \(tpe, 3 parameters, 2 constraints, 16 trials/)
  assert.match(result.stdout, /accuracy-vs-size\.yaml:\d+:\d+ \/spec\/objective\/objectives: objectives is a Tunewell extension .*Katib itself would refuse/)
  assert.match(result.stdout, /constrained\.yaml:\d+:\d+ \/spec\/objective\/constraints: constraints is a Tunewell extension/)
})

test('constrained.yaml submitted to tunewell serve: runs to Succeeded; the best trial keeps both constraints, broken ones are named', { timeout: 120_000 }, async () => {
  const serveHome = mkdtempSync(join(tmpdir(), 'tunewell-mo-serve-'))
  const server = await startServe(['--home', serveHome])
  try {
    const name = `constrained-${suffix}`
    const document = parse(shortExample('constrained.yaml', name)) as { spec: { trialTemplate: { workingDir?: string } } }
    // Relative commands resolve against serve's home; the example's own folder holds train.ts.
    document.spec.trialTemplate.workingDir = exampleDir
    const res = await fetch(`${server.url}/api/v1/experiments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(document) })
    assert.equal(res.status, 201, await res.clone().text())
    const warnings = ((await res.json()) as { warnings: { message: string }[] }).warnings
    assert.ok(warnings.some((w) => /constraints is a Tunewell extension/.test(w.message)))

    let resource: ExperimentResource | undefined
    const deadline = Date.now() + 90_000
    while (Date.now() < deadline) {
      resource = (await (await fetch(`${server.url}/api/v1/experiments/${name}`)).json()) as ExperimentResource
      if (resource.status.state === 'Succeeded' || resource.status.state === 'Failed') break
      await sleep(250)
    }
    assert.equal(resource?.status.state, 'Succeeded', JSON.stringify(resource?.status))
    assert.deepEqual(resource!.constraints, ['model_params <= 10', 'loss <= 0.4'])
    const trials = ((await (await fetch(`${server.url}/api/v1/experiments/${name}/trials`)).json()) as { items: TrialView[] }).items
    assert.equal(trials.length, 4)
    for (const t of trials) {
      assert.equal(t.state, 'Succeeded', t.message ?? '')
      const params = t.observation.metrics.find((m) => m.name === 'model_params')!.latest
      const loss = t.observation.metrics.find((m) => m.name === 'loss')!.latest
      const broken = [...(params > 10 ? ['model_params <= 10'] : []), ...(loss > 0.4 ? ['loss <= 0.4'] : [])]
      assert.deepEqual(t.violations!.map((v) => v.constraint), broken, t.name)
      assert.equal(t.feasible, broken.length === 0)
    }
    const feasible = trials.filter((t) => t.feasible)
    const bestName = resource!.status.currentOptimalTrial.bestTrialName
    if (feasible.length === 0) {
      assert.equal(bestName, '')
    } else {
      const top = Math.max(...feasible.map((t) => t.objective!))
      assert.equal(bestName, feasible.find((t) => t.objective === top)!.name)
    }
  } finally {
    await server.stop()
  }
})

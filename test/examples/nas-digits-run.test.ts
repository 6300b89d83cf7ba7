import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { deleteCliExperiments } from '../helpers/cli-store.ts'

// The NAS examples (examples/nas/*-digits.yaml) run as a user runs them, through
// `tunewell run`, made short: 3 trials of 3 epochs. Everything else is the file as shipped:
// the trials get Katib's --architecture and --nn_config, train on the digits and report
// Validation-Accuracy through the StdOut collector.
const bin = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url))
const exampleDir = fileURLToPath(new URL('../../examples/nas/', import.meta.url))
const home = mkdtempSync(join(tmpdir(), 'tunewell-nas-example-'))
const suffix = Date.now().toString(36)
const created: string[] = []

after(() => deleteCliExperiments(home, created))

/** The example, shortened, written beside the test's home; its trials still run in examples/nas. */
function shortExample(file: string, name: string, settings: Readonly<Record<string, string>>): string {
  let text = readFileSync(join(exampleDir, file), 'utf8')
  const replace = (from: RegExp, to: string) => {
    assert.match(text, from, `${file} has ${from}`)
    text = text.replace(from, to)
  }
  replace(/^  name: [\w-]+$/m, `  name: ${name}`)
  replace(/maxTrialCount: 30/, 'maxTrialCount: 3')
  replace(/--num_epochs=\d+/, '--num_epochs=3')
  replace(/^(\s+)image: (.*)$/m, `$1image: $2\n$1workingDir: ${JSON.stringify(exampleDir)}`)
  for (const [setting, value] of Object.entries(settings)) {
    replace(new RegExp(`(- name: ${setting}\\n\\s+value: )"\\d+"`), `$1"${value}"`)
  }
  const path = join(home, `${name}.yaml`)
  writeFileSync(path, text)
  created.push(name)
  return path
}

const examples: [string, Record<string, string>][] = [
  ['enas-digits.yaml', {}],
  // A population of 2, so that the third trial mutates one of the first two.
  ['evolution-digits.yaml', { population_size: '2', sample_size: '1' }],
]

describe('the NAS examples through tunewell run', () => {
  for (const [file, settings] of examples) {
    test(`${file} runs to Succeeded with trials that learn`, { timeout: 300_000 }, () => {
      const name = `${file.replace('.yaml', '')}-${suffix}`
      const result = spawnSync(process.execPath, [bin, 'run', shortExample(file, name, settings), '--fresh'], {
        cwd: home,
        encoding: 'utf8',
        timeout: 280_000,
      })
      assert.equal(result.status, 0, result.stderr + result.stdout)
      assert.match(result.stdout, new RegExp(`experiment "${name}" Succeeded: ExperimentMaxTrialsReached`))
      assert.equal(result.stdout.match(new RegExp(`^\\*?\\s+${name}-[a-z0-9]+\\s+Succeeded\\s`, 'gm'))?.length, 3, result.stdout)
      // The summary names the best trial and shows its architecture.
      const best = /best trial \S+: Validation-Accuracy=(\S+)\n[^\n]*\[\[\d+\], \[\d+, [01]\], \[\d+, [01], [01]\]\]/.exec(result.stdout)
      assert.ok(best, result.stdout)
      // Ten digits: chance is 0.1. Three epochs take nearly every architecture far above it (deep
      // sigmoid stacks learn slowest), and the best of three all the more.
      assert.ok(Number(best[1]) > 0.5, best[0])
      // Each trial built the network of its own architecture, from Katib's two values.
      const runs = join(home, '.tunewell', 'runs', name)
      const logs = readdirSync(runs).map((trial) => readFileSync(join(runs, trial, 'output.log'), 'utf8'))
      assert.equal(logs.length, 3)
      for (const log of logs) assert.match(log, /^>>> network \(\d+ parameters\)[^\n]*\n  layer 0: dense \d+ (relu|tanh|sigmoid) <- image\n  layer 1: dense .*\n  layer 2: dense /m)
    })
  }
})

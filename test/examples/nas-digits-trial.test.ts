import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

// The NAS example's trial program (examples/nas/train.ts) run as a trial runs: a child process
// given Katib's `--architecture` and `--nn_config` values exactly as Katib's suggestion service
// writes them (JSON with ' for ").
const root = fileURLToPath(new URL('../../', import.meta.url))
const train = fileURLToPath(new URL('../../examples/nas/train.ts', import.meta.url))

const ARCHITECTURE = '[[0], [2, 1]]'
const NN_CONFIG =
  "{'num_layers': 2, 'input_sizes': [64], 'output_sizes': [10], 'embedding': {'0': {'opt_id': 0, 'opt_type': 'dense', 'opt_params': {'units': 16, 'activation': 'relu'}}, '2': {'opt_id': 2, 'opt_type': 'dense', 'opt_params': {'units': 32, 'activation': 'tanh'}}}}"

function trial(args: readonly string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', train, ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

function accuracies(stdout: string): number[] {
  return [...stdout.matchAll(/^Validation-Accuracy=(\S+)$/gm)].map((m) => Number(m[1]))
}

describe('NAS example trial', () => {
  test('trains the network it is given and prints its validation accuracy every epoch, the same on a rerun', () => {
    const args = [`--architecture=${ARCHITECTURE}`, `--nn_config=${NN_CONFIG}`, '--num_epochs=3']
    const first = trial(args)
    assert.equal(first.code, 0, first.stderr)
    assert.match(first.stdout, /layer 0: dense 16 relu <- image\n\s+layer 1: dense 32 tanh <- layer 0 \+ image/)
    const values = accuracies(first.stdout)
    assert.equal(values.length, 3)
    // Ten digits: chance is 0.1; a small network reaches about 0.9 within three epochs.
    assert.ok(values[2]! > 0.8, `validation accuracy after 3 epochs: ${values.join(', ')}`)
    for (const name of ['Training-Accuracy', 'Training-Loss', 'Validation-Loss']) assert.equal(first.stdout.match(new RegExp(`^${name}=\\d`, 'gm'))?.length, 3, name)
    // argparse's other form, `--flag value`, gives the same seeded run.
    const again = trial(['--architecture', ARCHITECTURE, '--nn_config', NN_CONFIG, '--num_epochs', '3'])
    assert.equal(again.code, 0, again.stderr)
    assert.deepEqual(accuracies(again.stdout), values)
    const otherSeed = trial([...args, '--seed=2'])
    assert.notDeepEqual(accuracies(otherSeed.stdout), values)
  })

  // The parser's every rule is tested in nas-katib-args.test.ts; these show them reaching the user.
  const refusals: [string, string[], RegExp][] = [
    ['a layer without its skip bit', ['--architecture=[[0], [2]]'], /--architecture \[1\]: layer 1 must be a list of 2 numbers \(its operation id, then one skip bit per earlier layer\); got \[2\]/],
    ['an --architecture that is not JSON', ['--architecture=[[0], [2, 1]'], /--architecture is not JSON .*expected per layer \[operation_id, skip\.\.\.\]/],
    ['an operation type it cannot build', [`--nn_config=${NN_CONFIG.replace("'opt_type': 'dense'", "'opt_type': 'convolution'")}`], /--nn_config \.embedding\["0"\]\.opt_type is "convolution"; this trial builds only "dense"/],
    ['an unknown flag', ['--epochs=3'], /unrecognized argument "--epochs=3"\nusage: train\.ts --architecture=ARCH --nn_config=CONFIG/],
  ]
  for (const [what, override, message] of refusals) {
    test(`refuses ${what} before training, saying where`, () => {
      const flags = new Map([['--architecture', `--architecture=${ARCHITECTURE}`], ['--nn_config', `--nn_config=${NN_CONFIG}`]])
      for (const flag of override) flags.set(flag.split('=')[0]!, flag)
      const result = trial([...flags.values(), '--num_epochs=1'])
      assert.equal(result.code, 2, result.stdout + result.stderr)
      assert.match(result.stderr, message)
      assert.match(result.stderr, /^train\.ts: error: /)
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace')
      assert.doesNotMatch(result.stdout, /Accuracy=/)
    })
  }

  test('says a missing --architecture is required', () => {
    const result = trial([`--nn_config=${NN_CONFIG}`])
    assert.equal(result.code, 2)
    assert.match(result.stderr, /--architecture is required/)
  })
})

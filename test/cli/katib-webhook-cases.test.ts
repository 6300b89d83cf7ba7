/**
 * Katib's own admission test table (the experiment validator's validator_test.go), one Experiment
 * file per case in test/fixtures/katib-webhook/, each checked by `tunewell validate` as a user
 * runs it: one CLI process over every file. Each file's header gives Katib's outcome
 * (`# katib: valid` or `# katib: invalid <field paths>`); where we answer otherwise on purpose,
 * a `# tunewell:` line gives ours and a `# why:` line the reason, and
 * docs/katib-compatibility.md must list the case. An invalid outcome must point at the field
 * Katib names or inside it.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { InvalidSpecError } from '../../core/errors.ts'
import { checkSpecChange } from '../../core/spec/spec-change.ts'
import { parseExperimentYaml } from '../../core/spec/parse-experiment.ts'
import type { Experiment } from '../../core/spec/index.ts'

const root = fileURLToPath(new URL('../../', import.meta.url))
const dir = join(root, 'test/fixtures/katib-webhook')
const bin = join(root, 'cli/bin.mjs')

interface Outcome {
  readonly valid: boolean
  /** JSON pointers; for Katib, its field paths turned into pointers. */
  readonly at: readonly string[]
}

interface Case {
  readonly file: string
  readonly katib: Outcome
  /** Ours where it differs from Katib on purpose. */
  readonly ours?: Outcome
  readonly why?: string
}

/** `spec.parameters[1].feasibleSpace` → `/spec/parameters/1/feasibleSpace`. */
function pointerOf(fieldPath: string): string {
  return '/' + fieldPath.replace(/\[(\d+)\]/g, '.$1').split('.').join('/')
}

function parseOutcome(text: string, pointers: (s: string) => string): Outcome {
  const [verdict, ...rest] = text.trim().split(/\s+/)
  assert.ok(verdict === 'valid' || verdict === 'invalid', `outcome "${text}" must start with valid or invalid`)
  return { valid: verdict === 'valid', at: rest.join(' ').split(',').map((s) => s.trim()).filter(Boolean).map(pointers) }
}

function readCase(file: string): Case {
  const header = readFileSync(join(dir, file), 'utf8').split('\n').filter((line) => line.startsWith('#'))
  const field = (name: string) => header.find((line) => line.startsWith(`# ${name}: `))?.slice(`# ${name}: `.length)
  const katib = field('katib')
  assert.ok(katib, `${file} has no "# katib:" line`)
  const ours = field('tunewell')
  const why = field('why')
  return {
    file,
    katib: parseOutcome(katib, pointerOf),
    ...(ours !== undefined ? { ours: parseOutcome(ours, (s) => s) } : {}),
    ...(why !== undefined ? { why } : {}),
  }
}

const cases = readdirSync(dir).filter((file) => file.endsWith('.yaml')).sort().map(readCase)

test('every case of Katib\'s admission table is a fixture with its outcome', () => {
  assert.ok(cases.length >= 60, `${cases.length} cases`)
  for (const c of cases) {
    if (c.ours) assert.ok(c.why, `${c.file} differs from Katib without a "# why:" line`)
  }
})

test('tunewell validate answers each of Katib\'s admission cases as Katib does, or as documented', () => {
  const result = spawnSync(process.execPath, [bin, 'validate', ...cases.map((c) => c.file)], { cwd: dir, encoding: 'utf8', timeout: 120_000 })
  assert.ok(result.status === 0 || result.status === 2, `exit ${result.status}: ${result.stderr}`)
  const compatibility = readFileSync(join(root, 'docs/katib-compatibility.md'), 'utf8')
  const wrong: string[] = []
  for (const c of cases) {
    const expected = c.ours ?? c.katib
    const valid = result.stdout.split('\n').some((line) => line.startsWith(`${c.file}: valid Experiment`))
    const at = result.stderr.split('\n').filter((line) => line.startsWith(`${c.file}:`)).map((line) => /^\S+ (\/\S*):/.exec(line)?.[1] ?? line)
    if (valid !== expected.valid) {
      wrong.push(`${c.file}: expected ${expected.valid ? 'valid' : 'invalid'}, got ${valid ? 'valid' : `invalid at ${at.join(' ')}`}`)
      continue
    }
    if (!valid) {
      assert.ok(at.length > 0, `${c.file}: refused without a located problem`)
      // At the field Katib names or inside it (ours are often more precise: .../feasibleSpace/max).
      const inside = at.some((pointer) => expected.at.some((field) => pointer === field || pointer.startsWith(`${field}/`)))
      if (!inside) wrong.push(`${c.file}: expected a problem at ${expected.at.join(' or ')}, got ${at.join(' ')}`)
    }
    if (c.ours) assert.ok(compatibility.includes(c.file), `docs/katib-compatibility.md does not list ${c.file}, where we differ from Katib`)
  }
  assert.deepEqual(wrong, [], wrong.join('\n'))
})

// Katib's resume cases compare an existing experiment with the one submitted again; ours is the
// same decision, shared by `run` with a changed file and the APIs' updates (core/spec/spec-change.ts).
test('Katib\'s resume cases: an unchanged spec passes; NeverResume, too few trials and a new algorithm are refused', () => {
  const parsed = parseExperimentYaml(readFileSync(join(dir, 'experiment-valid.yaml'), 'utf8'))
  assert.ok(parsed.experiment, 'the base case parses')
  const base = parsed.experiment
  const copy = (change: (spec: Experiment['spec']) => void = () => {}): Experiment => {
    const spec = structuredClone(base.spec)
    change(spec)
    return { ...structuredClone(base), spec }
  }
  const existing = (spec: Experiment, o: { completed?: boolean; reason?: string; trials?: number } = {}) =>
    ({ name: 'fake', spec, completed: o.completed ?? false, reason: o.reason ?? null, trialCount: o.trials ?? 0 })
  const refusedAt = (fn: () => unknown): string => {
    try {
      fn()
    } catch (error) {
      assert.ok(error instanceof InvalidSpecError, String(error))
      return error.issues[0]!.path
    }
    assert.fail('the change was accepted')
  }
  // "Run validator to correct resume experiment"
  assert.equal(checkSpecChange(existing(copy()), copy(), 'start over').kind, 'unchanged')
  // "Resume succeeded experiment with ResumePolicy = NeverResume". Katib's case resubmits the spec
  // without its resumePolicy, a change only because its test skips the defaulting (which gives
  // Never back); the change that matters is a restart, a larger maxTrialCount. Katib names
  // spec.resumePolicy; we name the count that asked for the restart, and say why in the message.
  const never = copy((s) => { s.resumePolicy = 'Never' })
  const more = copy((s) => { s.resumePolicy = 'Never'; s.maxTrialCount = 10 })
  assert.equal(refusedAt(() => checkSpecChange(existing(never, { completed: true, reason: 'ExperimentMaxTrialsReached', trials: 6 }), more, 'start over')), '/spec/maxTrialCount')
  // "Resume experiment with MaxTrialCount <= Status.Trials"
  const twoFailures = copy((s) => { s.maxFailedTrialCount = 2 })
  assert.equal(refusedAt(() => checkSpecChange(existing(twoFailures, { trials: 6 }), copy(), 'start over')), '/spec/maxTrialCount')
  // "Change algorithm name when resuming experiment": Katib forbids any other change of the spec.
  const other = copy((s) => { s.algorithm = { ...s.algorithm, algorithmName: 'grid' } })
  assert.match(refusedAt(() => checkSpecChange(existing(other), copy(), 'start over')), /^\/spec\/algorithm/)
})

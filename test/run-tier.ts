/**
 * Runs the test files of the tiers named on the command line (`unit`, `integration`, `browser`,
 * or `all`) with node's test runner, one file at a time; arguments after `--` go to the runner
 * (`npm run test:unit -- --test-reporter=spec`). Refuses to run while any test file is in no tier.
 *
 * The per-test timeout is a bound for a hang, not a speed check: every test finishes far below it
 * (the slowest, a whole experiment in the dashboard or under a database outage, set their own).
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { assignTiers, TIERS, type Tier } from './test-tiers.ts'

const TEST_TIMEOUT_MS = 60_000

const args = process.argv.slice(2)
const split = args.indexOf('--')
const names = split === -1 ? args : args.slice(0, split)
const passThrough = split === -1 ? [] : args.slice(split + 1)

const unknown = names.filter((name) => name !== 'all' && !(TIERS as readonly string[]).includes(name))
if (names.length === 0 || unknown.length > 0) {
  console.error(`usage: run-tier.ts <${TIERS.join('|')}|all>... [-- <node --test options>]${unknown.length > 0 ? `\nunknown tier: ${unknown.join(', ')}` : ''}`)
  process.exit(2)
}

const assignment = assignTiers()
if (assignment.unassigned.length > 0) {
  console.error(`test files in no tier (add a rule to test/test-tiers.ts):\n  ${assignment.unassigned.join('\n  ')}`)
  process.exit(1)
}

const tiers: readonly Tier[] = names.includes('all') ? TIERS : TIERS.filter((tier) => names.includes(tier))
const files = tiers.flatMap((tier) => assignment.files[tier])
const root = fileURLToPath(new URL('../', import.meta.url))

// process.execPath, not `node`: the tier runs on the node that runs this script (CI's Node 24 pass).
const child = spawn(process.execPath, [
  '--import', 'tsx', '--test', '--test-concurrency=1', `--test-timeout=${TEST_TIMEOUT_MS}`, ...passThrough, ...files,
], { cwd: root, stdio: 'inherit' })
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))

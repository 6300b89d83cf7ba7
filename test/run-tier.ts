/**
 * Runs the test files of the tiers named on the command line (`unit`, `integration`, `browser`,
 * or `all`) with node's test runner, one file at a time; options after the names go to the runner
 * (`npm run test:unit -- --test-reporter=spec`). Refuses to run while any test file is in no tier.
 *
 * Timeouts bound a hang, they are not speed checks. Node 23 and later apply --test-timeout to each
 * test: 60 s, and the few tests that legitimately run longer set their own `{ timeout }`. Node 20
 * and 22 apply it to each file as a whole instead: 120 s, and the files listed in LONG_FILES run
 * in a second pass under their own bound.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { assignTiers, TIERS, type Tier } from './test-tiers.ts'

const TEST_TIMEOUT_MS = 60_000
const FILE_TIMEOUT_MS = 120_000

/**
 * Files that take, as a whole, half of FILE_TIMEOUT_MS or more on a busy two-core machine, with
 * their bound (Node 20 and 22 only). The packed install builds and runs `npm install` while it loads.
 */
const LONG_FILES: Readonly<Record<string, number>> = {
  'test/api/ask-tell-property.test.ts': 300_000,
  'test/api/cross-site.test.ts': 300_000,
  'test/cli/cli.test.ts': 300_000,
  'test/cli/collectors.test.ts': 300_000,
  'test/cli/darts-run.test.ts': 600_000,
  'test/cli/enqueue-trials.test.ts': 300_000,
  'test/cli/export-local-streams.test.ts': 300_000,
  'test/cli/nas-run.test.ts': 900_000,
  'test/cli/one-controller.test.ts': 300_000,
  'test/cli/printed-metrics-run.test.ts': 300_000,
  'test/cli/run-more.test.ts': 600_000,
  'test/cli/server-commands.test.ts': 300_000,
  'test/cli/warm-start.test.ts': 300_000,
  'test/clients/python-client.test.ts': 300_000,
  'test/examples/multiobjective-run.test.ts': 300_000,
  'test/examples/nas-digits-run.test.ts': 480_000,
  'test/fault/database-outage.test.ts': 300_000,
  'test/kube-api/kubectl-flow.test.ts': 300_000,
  'test/kube-api/kubectl-watch.test.ts': 300_000,
  'test/kube-api/python-client.test.ts': 300_000,
  'test/kubernetes/cli-run.test.ts': 300_000,
  'test/kubernetes/custom-prometheus-collectors.test.ts': 360_000,
  'test/kubernetes/katib-grpc-serve.test.ts': 300_000,
  'test/kubernetes/failures.test.ts': 300_000,
  'test/kubernetes/operator.test.ts': 300_000,
  'test/kubernetes/sidecar.test.ts': 300_000,
  'test/package/pack-install.test.ts': 480_000,
  'test/ui/correctness.test.ts': 300_000,
  'test/ui/dashboard.test.ts': 300_000,
  'test/ui/multiobjective-dashboard.test.ts': 300_000,
  'test/ui/nas-dashboard.test.ts': 480_000,
}

// Tier names first; from the first option on, everything goes to the runner (npm drops the `--`
// of `npm run test:unit -- --test-reporter=spec`, so the options come unmarked).
const args = process.argv.slice(2)
const firstOption = args.findIndex((arg) => arg.startsWith('-'))
const given = firstOption === -1 ? args : args.slice(0, firstOption)
// No tier named: all of them (`npm test`, `npm test -- --test-reporter=spec`).
const names = given.length === 0 ? ['all'] : given
const passThrough = firstOption === -1 ? [] : args.slice(firstOption).filter((arg) => arg !== '--')

const unknown = names.filter((name) => name !== 'all' && !(TIERS as readonly string[]).includes(name))
if (unknown.length > 0) {
  console.error(`usage: run-tier.ts [<${TIERS.join('|')}|all>...] [<node --test options>]${unknown.length > 0 ? `\nunknown tier: ${unknown.join(', ')}` : ''}`)
  process.exit(2)
}

const root = fileURLToPath(new URL('../', import.meta.url))
const assignment = assignTiers()
if (assignment.unassigned.length > 0) {
  console.error(`test files in no tier (add a rule to test/test-tiers.ts):\n  ${assignment.unassigned.join('\n  ')}`)
  process.exit(1)
}
const missing = Object.keys(LONG_FILES).filter((file) => !existsSync(join(root, file)))
if (missing.length > 0) {
  console.error(`LONG_FILES in test/run-tier.ts names files that do not exist:\n  ${missing.join('\n  ')}`)
  process.exit(1)
}

const tiers: readonly Tier[] = names.includes('all') ? TIERS : TIERS.filter((tier) => names.includes(tier))
const files = tiers.flatMap((tier) => assignment.files[tier])

/** The runs to make: one per timeout, the file bounds of Node 20 and 22 grouping the files. */
const perTest = Number(process.versions.node.split('.')[0]) >= 23
const runs = new Map<number, string[]>()
for (const file of files) {
  const timeout = perTest ? TEST_TIMEOUT_MS : LONG_FILES[file] ?? FILE_TIMEOUT_MS
  runs.set(timeout, [...(runs.get(timeout) ?? []), file])
}

let failed = false
for (const [timeout, group] of runs) {
  if (runs.size > 1) console.log(`# ${group.length} test files, each bounded at ${timeout / 1000} s`)
  // process.execPath, not `node`: the tests run on the node that runs this script (CI's Node 24 pass).
  const result = spawnSync(process.execPath, [
    '--import', 'tsx', '--test', '--test-concurrency=1', `--test-timeout=${timeout}`, ...passThrough, ...group,
  ], { cwd: root, stdio: 'inherit' })
  if (result.signal) console.error(`node --test ended by ${result.signal}`)
  if (result.status !== 0) failed = true
}
process.exitCode = failed ? 1 : 0

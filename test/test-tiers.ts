import { readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Which tier every test file runs in (docs/development.md, "Tests"), by folder, with a few files
 * placed apart from their folder. The most specific rule wins; a file that no rule covers fails
 * every tier run, so a new folder is placed on purpose and never dropped silently.
 *
 * - unit: no database, no child process, no browser (test/architecture/test-tiers.test.ts checks
 *   what each unit file imports); the whole tier runs in seconds.
 * - integration: real PostgreSQL or PGlite, child processes (the CLI, trial processes, serve),
 *   the scratch PostgreSQL of the fault tests.
 * - browser: the dashboard in Chromium.
 * - cluster: the Kubernetes executor, operator mode and replicas against the fake API server
 *   (test/kubernetes), and kubectl and the Python client against serve's Kubernetes API
 *   (test/kube-api): child processes and a database like integration, but what they check is
 *   the same on PGlite and PostgreSQL (the tests that need two processes on one database skip on
 *   PGlite), so CI runs them once per Node version: Node 20 on PGlite, Node 24 on PostgreSQL.
 * - package: `npm pack`, the tarball installed into an empty folder and run from there; minutes,
 *   and the same whatever DATABASE_URL says, so CI runs it once per Node version, not per database.
 */
export const TIERS = ['unit', 'integration', 'cluster', 'browser', 'package'] as const
export type Tier = (typeof TIERS)[number]

export const TIER_RULES: Readonly<Record<string, Tier>> = {
  'test/smoke.test.ts': 'unit',
  'test/algorithms': 'unit',
  'test/architecture': 'unit',
  'test/bench': 'unit',
  'test/bench/quality-harness.test.ts': 'integration',
  // The executor conformance suite: the scripted executor spawns nothing; the local executor's
  // trials are processes, and the Kubernetes one's run on the fake API server's kubelet.
  'test/conformance/fake-executor.test.ts': 'unit',
  'test/core': 'unit',
  // The examples' pure parts (the NAS example's parser and backpropagation); their programs run
  // as processes in test/examples' integration files.
  'test/examples/nas-dense-network.test.ts': 'unit',
  'test/examples/nas-katib-args.test.ts': 'unit',
  // The CRD's generator and schema: pure; the rest of test/deploy runs kubectl and the API.
  'test/deploy/crd.test.ts': 'unit',
  'test/kubernetes-unit': 'unit',
  // serve's Kubernetes API: its pure pieces (Status, objects, patch, selectors, tables).
  'test/kube-api-unit': 'unit',
  'test/lifecycle': 'unit',
  'test/metrics-collector': 'unit',
  'test/api/coalescer.test.ts': 'unit',

  'test/api': 'integration',
  'test/lifecycle/store': 'integration',
  'test/cli': 'integration',
  // The Python client (clients/python) against serve, with Debian's python3.
  'test/clients': 'integration',
  'test/conformance': 'integration',
  'test/controller': 'integration',
  'test/db': 'integration',
  'test/examples': 'integration',
  'test/deploy': 'integration',
  'test/fault': 'integration',
  'test/kubernetes': 'cluster',
  'test/kube-api': 'cluster',
  'test/conformance/kubernetes-executor.test.ts': 'cluster',
  'test/suggestion': 'integration',

  'test/ui': 'browser',
  // The dashboard's reader of NAS architectures: pure.
  'test/ui/nas-architecture.test.ts': 'unit',
  // The experiment page's live data against a scripted fetch: pure.
  'test/ui/experiment-data.test.ts': 'unit',
  // The dashboard's Pareto front and hypervolume maths: pure.
  'test/ui/multiobjective-maths.test.ts': 'unit',

  'test/package': 'package',
}

export interface TierAssignment {
  readonly files: Readonly<Record<Tier, readonly string[]>>
  /** Test files no rule covers: an error, never skipped. */
  readonly unassigned: readonly string[]
  /** Rules that match no file (a folder renamed or emptied): an error too. */
  readonly unusedRules: readonly string[]
}

const root = fileURLToPath(new URL('../', import.meta.url))

/** Every test file of the repository, as `test/...` paths, sorted. */
export function listTestFiles(): string[] {
  const files: string[] = []
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name)
      if (name === 'node_modules' || name === 'fixtures') continue
      if (statSync(path).isDirectory()) walk(path)
      else if (name.endsWith('.test.ts')) files.push(relative(root, path).split('\\').join('/'))
    }
  }
  walk(join(root, 'test'))
  return files.sort()
}

/** The rule that places a file: itself, else its nearest folder that has one. */
export function ruleOf(file: string, rules: Readonly<Record<string, Tier>> = TIER_RULES): string | undefined {
  for (let path = file; path.includes('/'); path = path.slice(0, path.lastIndexOf('/'))) {
    if (Object.hasOwn(rules, path)) return path
  }
  return undefined
}

export function assignTiers(files: readonly string[] = listTestFiles(), rules: Readonly<Record<string, Tier>> = TIER_RULES): TierAssignment {
  const byTier: Record<Tier, string[]> = { unit: [], integration: [], cluster: [], browser: [], package: [] }
  const unassigned: string[] = []
  const used = new Set<string>()
  for (const file of files) {
    const rule = ruleOf(file, rules)
    if (rule === undefined) {
      unassigned.push(file)
      continue
    }
    used.add(rule)
    byTier[rules[rule]!].push(file)
  }
  const unusedRules = Object.keys(rules).filter((rule) => !used.has(rule))
  return { files: byTier, unassigned, unusedRules }
}

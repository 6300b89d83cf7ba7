import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { assignTiers, listTestFiles, TIERS } from '../test-tiers.ts'

const root = fileURLToPath(new URL('../../', import.meta.url))

/** What a unit test may not reach, directly or through the modules it imports. */
const NOT_IN_UNIT_TESTS = ['node:child_process', 'child_process', 'pg', '@electric-sql/pglite', 'kysely-pglite-dialect', 'playwright-core']

/** Modules a file imports at run time (type-only imports left out): repository paths and bare package names. */
function runtimeImportsOf(file: string): { files: string[]; packages: string[] } {
  const text = readFileSync(join(root, file), 'utf8')
  const files: string[] = []
  const packages: string[] = []
  for (const m of text.matchAll(/^(?:import|export)(\s+type)?\b[^'"]*?from\s+['"]([^'"]+)['"]|^import\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm)) {
    if (m[1] !== undefined) continue
    const target = m[2] ?? m[3] ?? m[4]!
    if (target.startsWith('.')) files.push(relative(root, resolve(root, dirname(file), target)).split('\\').join('/'))
    else packages.push(target.startsWith('@') ? target.split('/').slice(0, 2).join('/') : target.split('/')[0]!)
  }
  return { files, packages }
}

/** The forbidden packages a file reaches, each with the chain of imports that reaches it. */
function forbiddenReach(start: string): string[] {
  const found: string[] = []
  const seen = new Set<string>([start])
  const queue: { file: string; chain: string[] }[] = [{ file: start, chain: [start] }]
  while (queue.length > 0) {
    const { file, chain } = queue.shift()!
    if (!/\.[cm]?[jt]sx?$/.test(file) || !existsSync(join(root, file))) continue
    const { files, packages } = runtimeImportsOf(file)
    for (const name of packages) if (NOT_IN_UNIT_TESTS.includes(name)) found.push(`${chain.join(' -> ')} -> ${name}`)
    for (const next of files) {
      if (seen.has(next)) continue
      seen.add(next)
      queue.push({ file: next, chain: [...chain, next] })
    }
  }
  return found
}

describe('test tiers (test/test-tiers.ts)', () => {
  const files = listTestFiles()
  const assignment = assignTiers(files)

  test('every test file is in exactly one tier', () => {
    assert.ok(files.length > 50, `only ${files.length} test files found`)
    assert.deepEqual(assignment.unassigned, [], 'test files in no tier: add a rule for their folder to test/test-tiers.ts')
    const placed = TIERS.flatMap((tier) => assignment.files[tier])
    assert.deepEqual([...placed].sort(), files, 'a file placed twice or lost')
  })

  test('every rule places at least one file (a renamed or emptied folder leaves no rule behind)', () => {
    assert.deepEqual(assignment.unusedRules, [])
  })

  test('a file in a folder without a rule is reported, not run nowhere; a file rule beats its folder', () => {
    const rules = { 'test/a': 'unit', 'test/a/slow.test.ts': 'integration' } as const
    const result = assignTiers(['test/a/x.test.ts', 'test/a/slow.test.ts', 'test/new/y.test.ts'], rules)
    assert.deepEqual(result.files, { unit: ['test/a/x.test.ts'], integration: ['test/a/slow.test.ts'], cluster: [], browser: [], package: [] })
    assert.deepEqual(result.unassigned, ['test/new/y.test.ts'])
  })

  test('unit tests start no process, open no database and drive no browser, not even through what they import', () => {
    const reached = assignment.files.unit.flatMap(forbiddenReach)
    assert.deepEqual(reached, [], 'move these files to the integration tier in test/test-tiers.ts, or cut the import')
  })

  test('the import walk sees what it checks (an integration test reaches pg and child_process)', () => {
    assert.ok(forbiddenReach('test/helpers/test-store.ts').some((chain) => chain.endsWith('-> pg')))
    assert.ok(forbiddenReach('test/cli/cli.test.ts').some((chain) => chain.endsWith('child_process')))
  })
})

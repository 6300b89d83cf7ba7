#!/usr/bin/env node
// The `tunewell` command, both the package's bin and the repository's entry (`npm run demo`, the
// tests). In a clone, where the TypeScript sources sit beside this file, it runs them through
// tsx, so a change needs no build. The installed package ships no sources: there it runs the
// compiled CLI in dist/, plain JavaScript, and never loads tsx (which is not installed with it).
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

// CI's test runs: the sources compiled once into TUNEWELL_TEST_DIST (scripts/build-test-dist.ts),
// so the thousands of CLI starts in the suite skip tsx's loader.
if (process.env.TUNEWELL_TEST_DIST) {
  await import(pathToFileURL(join(process.env.TUNEWELL_TEST_DIST, 'cli', 'tunewell.js')).href)
} else if (existsSync(new URL('./tunewell.ts', import.meta.url))) {
  const { register } = await import('tsx/esm/api')
  register()
  await import('./tunewell.ts')
} else {
  await import('../dist/cli/tunewell.js')
}

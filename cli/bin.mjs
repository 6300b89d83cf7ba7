#!/usr/bin/env node
// The `tunewell` command, both the package's bin and the repository's entry (`npm run demo`, the
// tests). In a clone, where the TypeScript sources sit beside this file, it runs them through
// tsx, so a change needs no build. The installed package ships no sources: there it runs the
// compiled CLI in dist/, plain JavaScript, and never loads tsx (which is not installed with it).
import { existsSync } from 'node:fs'

if (existsSync(new URL('./tunewell.ts', import.meta.url))) {
  const { register } = await import('tsx/esm/api')
  register()
  await import('./tunewell.ts')
} else {
  await import('../dist/cli/tunewell.js')
}

#!/usr/bin/env node
// Entry point from the repository (`npm run demo`, the tests): the sources are TypeScript, run
// through tsx. The installed package's bin is the compiled dist/cli/tunewell.js instead.
import { register } from 'tsx/esm/api'

register()
await import('./tunewell.ts')

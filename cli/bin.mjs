#!/usr/bin/env node
// Entry point for `npx tunewell` and `npm run demo`: the sources are TypeScript, run through tsx.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('./main.ts')
process.exitCode = await main(process.argv)

#!/usr/bin/env node
// The `tunewell` command. In the installed package this runs compiled (dist/cli/tunewell.js, the
// package's bin); in the repository cli/bin.mjs loads it through tsx.
import { main } from './main.ts'

process.exitCode = await main(process.argv)

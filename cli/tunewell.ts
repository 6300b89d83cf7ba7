// The `tunewell` command, started by cli/bin.mjs: from the sources through tsx in a clone, as the
// compiled dist/cli/tunewell.js in the installed package.
import { main } from './main.ts'

process.exitCode = await main(process.argv)

// The `tunewell` command, started by cli/bin.mjs: from the sources through tsx in a clone, as the
// compiled dist/cli/tunewell.js in the installed package.
import { main } from './main.ts'

process.exitCode = await main(process.argv)
// The command is over: a socket or timer left open by a call that never got its answer (a
// shutdown step serve gave up on) must not keep the process alive. Unref'd, so a process with
// nothing left exits at once, as it would anyway.
setTimeout(() => process.exit(), 2000).unref()

import { FakeExecutor, type FakeTrial, type TrialScript } from '../helpers/fake-executor.ts'
import { executorConformance } from './executor-conformance.ts'

/**
 * The runner tests' scripted executor (test/helpers/fake-executor.ts) holds to the same contract
 * as the real ones, so what those tests show of the runner holds with them. Its trials play
 * trial-program.mjs's flags as scripts: no process, so this file is a unit test.
 */

const program: TrialScript = async (trial: FakeTrial) => {
  const { flags } = trial
  const program = trial.launch.command[0]
  // The test's scripts stand for the trial program; anything else is a program that does not exist.
  if (program !== process.execPath) return { phase: 'failed', reason: 'CommandNotFound', message: `command "${program}" was not found` }
  if (flags.lr !== undefined) trial.print(`lr=${flags.lr}`)
  for (const name of (flags.env ?? '').split(',').filter(Boolean)) trial.print(`${name}=${trial.launch.env[name] ?? '<unset>'}`)
  const interval = Number(flags['interval-ms'] ?? 0)
  for (let i = 1; i <= Number(flags.lines ?? 0); i++) {
    if (interval > 0) await trial.sleep(interval)
    trial.print(`line ${i}`)
  }
  if ('hang' in flags) {
    trial.print('running')
    await new Promise(() => {})
  }
  return Number(flags.exit ?? 0)
}

executorConformance('FakeExecutor (test/helpers/fake-executor.ts)', {
  executor: () => new FakeExecutor(program),
  restart(_previous, left) {
    // What the next controller finds: the trials still running, to stop or to follow again.
    const next = new FakeExecutor(program)
    for (const { name } of left) {
      next.orphans.add(name)
      next.workloads.set(name, program)
    }
    return next
  },
  context: () => ({ baseDir: '/nonexistent/conformance', runDir: '/nonexistent/conformance/runs', env: {} }),
  namespace: 'tunewell-test',
  capabilities: {
    failure: { reason: 'Error', exitCode: 'field' },
    attach: true,
    cannotStart: 'CommandNotFound',
  },
})

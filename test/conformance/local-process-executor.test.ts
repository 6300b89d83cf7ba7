import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LocalProcessExecutor } from '../../controller/local-process-executor.ts'
import { executorConformance } from './executor-conformance.ts'

/** The local executor: trials as child processes of this machine (so: the integration tier). */

let home = ''

executorConformance('LocalProcessExecutor', {
  async setup() {
    home = mkdtempSync(join(tmpdir(), 'tunewell-conformance-local-'))
    mkdirSync(join(home, 'runs'))
  },
  async teardown() {
    rmSync(home, { recursive: true, force: true })
  },
  executor: () => new LocalProcessExecutor(),
  // The dead controller's children run on (here they still are this process's children: only
  // the handle on the row reaches the next executor).
  restart: () => new LocalProcessExecutor(),
  context: () => ({ baseDir: home, runDir: join(home, 'runs'), env: {} }),
  namespace: 'tunewell-test',
  capabilities: {
    failure: { reason: 'Error', exitCode: 'field' },
    cannotStart: 'CommandNotFound',
    attach: { absent: 'a local trial cannot outlive its controller (its output pipe goes with it): the runner stops the orphan and relaunches the trial' },
  },
})

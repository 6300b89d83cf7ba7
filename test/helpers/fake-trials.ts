import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { TrialScript } from './fake-executor.ts'

/**
 * test/fixtures/trials/quadratic.mjs as a script for the fake executor, reading the same flags
 * from the rendered command: prints `loss=(x-0.3)^2 + (y-0.7)^2` over --steps (3), with
 * --mode=fail|garbage|nan|hang|silent and --sleep-ms=N (virtual) between steps.
 */
export const quadraticScript: TrialScript = async (trial) => {
  const { flags } = trial
  const x = Number(flags.x ?? 0)
  const y = Number(flags.y ?? 0)
  const steps = Number(flags.steps ?? 3)
  const sleepMs = Number(flags['sleep-ms'] ?? 0)
  const mode = flags.mode ?? 'ok'
  const loss = (x - 0.3) ** 2 + (y - 0.7) ** 2
  if (mode === 'hang') await trial.stopped
  for (let step = 1; step <= steps; step++) {
    if (sleepMs) await trial.sleep(sleepMs)
    if (mode === 'garbage') trial.print(`loss=abc accuracy=?? step ${step}`)
    else if (mode === 'nan') trial.print('loss=nan')
    else if (mode !== 'silent') trial.print(`step ${step}: loss=${(loss + (steps - step) * 0.1).toFixed(6)} accuracy=${(1 - loss).toFixed(4)}`)
  }
  if (mode === 'fail') {
    trial.print('simulated failure')
    return 3
  }
  return 0
}

/**
 * test/fixtures/trials/epochs.mjs as a script: prints `epoch e: loss=(x-0.3)^2 + 1/e` for the
 * epochs after its checkpoint's up to --epochs (or --segment more), --epoch-ms (virtual) before
 * each, and keeps state.json (epoch reached, its lineage's trial names) in
 * TUNEWELL_CHECKPOINT_DIR, which --ckpt must equal. --ignore-term: a stop does not end it.
 */
export const epochsScript: TrialScript = async (trial) => {
  const { flags } = trial
  const x = Number(flags.x ?? 0)
  const epochs = Number(flags.epochs ?? 4)
  const epochMs = Number(flags['epoch-ms'] ?? 0)
  const dir = trial.launch.env.TUNEWELL_CHECKPOINT_DIR
  if (flags.ckpt !== undefined && flags.ckpt !== dir) {
    trial.print(`--ckpt=${flags.ckpt} but TUNEWELL_CHECKPOINT_DIR=${dir}`)
    return 4
  }
  if ('ignore-term' in flags) {
    trial.ignoreStop()
    void trial.stopped.then(() => trial.print('got SIGTERM, carrying on'))
  }
  let state: { epoch: number; lineage: string[] } = { epoch: 0, lineage: [] }
  if (dir) {
    try {
      state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as typeof state
    } catch {
      // A fresh start: no checkpoint yet.
    }
  }
  state.lineage.push(trial.launch.env.TUNEWELL_TRIAL_NAME!)
  const last = flags.segment !== undefined ? state.epoch + Number(flags.segment) : epochs
  for (let epoch = state.epoch + 1; epoch <= last; epoch++) {
    if (epochMs) await trial.sleep(epochMs)
    trial.print(`epoch ${epoch}: loss=${((x - 0.3) ** 2 + 1 / epoch).toFixed(6)}`)
    state.epoch = epoch
    if (dir) writeFileSync(join(dir, 'state.json'), JSON.stringify(state))
  }
  return 0
}

import { cp, mkdir, rm, stat } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import type { Experiment } from '../core/spec/index.ts'

/**
 * A trial's checkpoint directory: `<runDir>/<trial>/checkpoint`, or `<suggestion_trial_dir>/<trial>`
 * when the algorithm has Katib's pbt setting (relative to the Experiment file's folder). The trial
 * gets it as TUNEWELL_CHECKPOINT_DIR and as `${trialSpec.CheckpointDir}`.
 */
export function checkpointDirFor(experiment: Experiment, ctx: { readonly baseDir: string; readonly runDir: string }, trialName: string): string {
  const base = experiment.spec.algorithm.algorithmSettings?.find((s) => s.name === 'suggestion_trial_dir')?.value
  return base ? resolve(ctx.baseDir, base, trialName) : join(ctx.runDir, trialName, 'checkpoint')
}

/**
 * Makes `dir` what a fresh attempt of the trial must see: empty, or a copy of its parent's
 * checkpoint. Redone on every launch, relaunches after a crash included, since the stored
 * metrics of an interrupted attempt are dropped too: the attempt starts where its parent ended,
 * never from its own half-written state. A copy rather than a link or a move, so a child that
 * writes or is killed mid-promotion cannot damage the parent's checkpoint, which other children
 * (pbt exploits one parent many times) may still need.
 */
export async function prepareCheckpointDir(dir: string, parentDir: string | undefined): Promise<void> {
  await rm(dir, { recursive: true, force: true })
  if (parentDir !== undefined && await isDirectory(parentDir)) {
    await mkdir(dirname(dir), { recursive: true })
    await cp(parentDir, dir, { recursive: true, preserveTimestamps: true })
  } else {
    await mkdir(dir, { recursive: true })
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory()
  } catch {
    return false
  }
}

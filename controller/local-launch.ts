import { isAbsolute, join, resolve } from 'node:path'
import { formatParamValue } from '../core/search-space.ts'
import type { Experiment } from '../core/spec/index.ts'
import { renderTrialTemplate } from '../core/spec/index.ts'
import type { TrialRecord } from '../db/store.ts'
import type { LocalLaunch } from './local-process-executor.ts'

export interface LaunchContext {
  /** Relative commands and working dirs resolve here (the Experiment file's folder). */
  readonly baseDir: string
  /** Per-trial folders (logs, metrics files) go under `<runDir>/<trial name>/`. */
  readonly runDir: string
  /** Extra environment for every trial (report URL and token, ...). */
  readonly env: Readonly<Record<string, string>>
}

/** Thrown when a template cannot become a local process; the trial fails with this message. */
export class LaunchError extends Error {}

interface Container {
  name?: string
  command?: string[]
  args?: string[]
  env?: { name: string; value?: string; valueFrom?: unknown }[]
  workingDir?: string
}

/**
 * Turns a rendered trial template into a child process: the short `command` form directly, or
 * the primary container of any trialSpec kind (Job, PyTorchJob, TrainJob, ...), whose
 * command + args run without a shell. The image is not used: the program must exist locally.
 */
export function buildLocalLaunch(
  experiment: Experiment,
  trial: Pick<TrialRecord, 'name' | 'params'> & { readonly checkpointDir?: string },
  ctx: LaunchContext,
): LocalLaunch {
  const template = experiment.spec.trialTemplate
  if (!template) throw new LaunchError('the experiment has no trialTemplate; its trials are run by outside workers, not locally')
  const assignments = Object.fromEntries(Object.entries(trial.params).map(([k, v]) => [k, formatParamValue(v)]))
  const namespace = experiment.metadata?.namespace ?? 'default'
  let rendered: unknown
  try {
    rendered = renderTrialTemplate(experiment, {
      name: trial.name, namespace, assignments, ...(trial.checkpointDir !== undefined ? { checkpointDir: trial.checkpointDir } : {}),
    })
  } catch (error) {
    throw new LaunchError(`cannot render the trial template: ${(error as Error).message}`)
  }
  const trialDir = join(ctx.runDir, trial.name)
  let command: string[]
  let env: { name: string; value?: string; valueFrom?: unknown }[]
  let workingDir: string | undefined
  let deadlineSeconds: number | undefined
  if (template.command) {
    const local = rendered as { command: string[]; env?: { name: string; value: string }[]; workingDir?: string; activeDeadlineSeconds?: number }
    command = local.command
    env = local.env ?? []
    workingDir = local.workingDir
    deadlineSeconds = local.activeDeadlineSeconds
  } else {
    const primary = template.primaryContainerName ?? ''
    const container = findContainer(rendered, primary)
    if (!container) throw new LaunchError(`trialSpec has no container named "${primary}" (trialTemplate.primaryContainerName)`)
    command = [...(container.command ?? []), ...(container.args ?? [])]
    env = container.env ?? []
    workingDir = container.workingDir
    deadlineSeconds = findDeadline(rendered)
  }
  if (command.length === 0) {
    throw new LaunchError('the primary container has no command; a local trial runs command + args (an image entrypoint cannot run locally)')
  }
  const resolvedEnv: Record<string, string> = {}
  for (const item of env) {
    if (item.value === undefined) {
      throw new LaunchError(`env ${item.name} uses valueFrom, which needs a cluster; give it a literal value for local runs`)
    }
    resolvedEnv[item.name] = item.value
  }
  return {
    trialName: trial.name,
    command,
    cwd: workingDir ? resolve(ctx.baseDir, workingDir) : ctx.baseDir,
    env: {
      ...(process.env as Record<string, string>),
      ...ctx.env,
      KATIB_TRIAL_NAME: trial.name,
      HYPERTUNE_TRIAL_NAME: trial.name,
      HYPERTUNE_TRIAL_DIR: trialDir,
      HYPERTUNE_PARAMS: JSON.stringify(trial.params),
      ...(trial.checkpointDir !== undefined ? { HYPERTUNE_CHECKPOINT_DIR: trial.checkpointDir } : {}),
      ...resolvedEnv,
    },
    logPath: join(trialDir, 'output.log'),
    ...(deadlineSeconds ? { timeoutMs: deadlineSeconds * 1000 } : {}),
  }
}

/** Where a File collector reads: relative paths live in the trial's own folder. */
export function metricsFilePath(path: string, runDir: string, trialName: string): string {
  return isAbsolute(path) ? path : join(runDir, trialName, path)
}

function findContainer(node: unknown, name: string): Container | undefined {
  if (Array.isArray(node)) {
    for (const item of node) {
      const found = findContainer(item, name)
      if (found) return found
    }
    return undefined
  }
  if (node === null || typeof node !== 'object') return undefined
  const record = node as Record<string, unknown>
  if (Array.isArray(record.containers)) {
    const match = (record.containers as Container[]).find((c) => c?.name === name)
    if (match) return match
  }
  for (const value of Object.values(record)) {
    const found = findContainer(value, name)
    if (found) return found
  }
  return undefined
}

function findDeadline(rendered: unknown): number | undefined {
  const spec = (rendered as { spec?: { activeDeadlineSeconds?: unknown } })?.spec
  const value = Number(spec?.activeDeadlineSeconds)
  return Number.isFinite(value) && value > 0 ? value : undefined
}

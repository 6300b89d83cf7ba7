import { join, resolve } from 'node:path'
import type { Experiment } from '../core/spec/index.ts'
import { renderTrialTemplate } from '../core/spec/index.ts'
import { renderTrialTemplateWithTokens } from '../core/spec/render-template.ts'
import { trialAssignments } from '../core/spec/to-search-space.ts'
import type { TrialRecord } from '../db/store.ts'
import { collectorPathIsDirectory, fileCollectorPath, placeMetricsFile, type TrialMetricsFile } from './metrics-file.ts'
import { buildPrimaryLaunch } from './primary-launch.ts'
import { shellScriptWithValues } from './katib-argv.ts'
import { jobRetries, type JobRetries } from './job-retries.ts'
import { inheritedTrialEnvironment } from './trial-environment.ts'
import { trialHandleFile } from './trial-handle-file.ts'
import { LaunchError, type LaunchContext } from './trial-executor.ts'

export { LaunchError, type LaunchContext } from './trial-executor.ts'

/** Everything needed to start one trial as a local child process. */
export interface LocalLaunch {
  readonly trialName: string
  /** argv; argv[0] is looked up on env.PATH. No shell interprets it (the watchdog shell execs "$@"). */
  readonly command: readonly string[]
  readonly env: Readonly<Record<string, string>>
  readonly cwd: string
  /** Combined stdout+stderr of the trial, as Katib's collector sees it. */
  readonly logPath: string
  /** Katib's activeDeadlineSeconds. */
  readonly timeoutMs?: number
  /** How long SIGTERM has before SIGKILL (also when the supervisor dies). */
  readonly killGraceMs?: number
  /** Where the handle is written as soon as the process exists (see trial-handle-file.ts). */
  readonly handlePath?: string
  /** Where a File collector reads this trial's metrics; see metrics-file.ts. */
  readonly metricsFile?: TrialMetricsFile
  /** How a failed run is retried, as the trialSpec's Job would be (job-retries.ts); none for the short form. */
  readonly retries?: JobRetries
}

/**
 * Turns a rendered trial template into a child process: the short `command` form directly (a
 * `sh -c` script of it gets substituted values as variables, katib-argv.ts), or
 * the primary container of any trialSpec kind (Job, PyTorchJob, TrainJob, ...), whose
 * command + args get the argv Katib's `sh -c` would give them, without a shell running
 * (primary-launch.ts). The image is not used: the program must exist locally.
 * The trial's environment is the server's less its secrets (trial-environment.ts); a File
 * collector's path gets a copy per trial where the command names it (metrics-file.ts).
 */
export function buildLocalLaunch(
  experiment: Experiment,
  trial: Pick<TrialRecord, 'name' | 'params'> & { readonly checkpointDir?: string },
  ctx: LaunchContext,
): LocalLaunch {
  const template = experiment.spec.trialTemplate
  if (!template) throw new LaunchError('the experiment has no trialTemplate; its trials are run by outside workers, not locally')
  const assignments = trialAssignments(experiment, trial.params)
  const namespace = experiment.metadata?.namespace ?? 'default'
  let rendered: unknown
  const toRender = { name: trial.name, namespace, assignments, ...(trial.checkpointDir !== undefined ? { checkpointDir: trial.checkpointDir } : {}) }
  try {
    rendered = renderTrialTemplate(experiment, toRender)
  } catch (error) {
    throw new LaunchError(`cannot render the trial template: ${(error as Error).message}`)
  }
  const trialDir = join(ctx.runDir, trial.name)
  const trialEnv: Record<string, string> = {
    ...inheritedTrialEnvironment(),
    ...ctx.env,
    KATIB_TRIAL_NAME: trial.name,
    TUNEWELL_TRIAL_NAME: trial.name,
    TUNEWELL_TRIAL_DIR: trialDir,
    TUNEWELL_PARAMS: JSON.stringify(trial.params),
    ...(trial.checkpointDir !== undefined ? { TUNEWELL_CHECKPOINT_DIR: trial.checkpointDir } : {}),
  }
  let command: string[]
  let resolvedEnv: Record<string, string>
  let workingDir: string | undefined
  let deadlineSeconds: number | undefined
  if (template.command) {
    const local = rendered as { command: string[]; env?: { name: string; value: string }[]; workingDir?: string; activeDeadlineSeconds?: number }
    command = local.command
    resolvedEnv = Object.fromEntries((local.env ?? []).map((item) => [item.name, item.value]))
    // `command: [sh, -c, "..."]`: the shell gets each value as a variable, never as script text.
    let tokens: ReturnType<typeof renderTrialTemplateWithTokens>
    try {
      tokens = renderTrialTemplateWithTokens(experiment, toRender)
    } catch (error) {
      throw new LaunchError(`cannot render the trial template: ${(error as Error).message}`)
    }
    const scripted = shellScriptWithValues((tokens.rendered as { command: string[] }).command, tokens.values)
    if (scripted) {
      command = scripted.argv
      resolvedEnv = { ...resolvedEnv, ...scripted.env }
    }
    workingDir = local.workingDir
    deadlineSeconds = local.activeDeadlineSeconds
  } else {
    // Its argv and env as Kubernetes and Katib's webhook would make them (primary-launch.ts).
    const primary = buildPrimaryLaunch(experiment, toRender, trialEnv, ctx.baseDir)
    command = primary.command
    resolvedEnv = primary.env
    workingDir = primary.workingDir
    deadlineSeconds = findDeadline(rendered)
  }
  if (command.length === 0) {
    throw new LaunchError('the primary container has no command; a local trial runs command + args (an image entrypoint cannot run locally)')
  }
  const source = fileCollectorPath(experiment)
  let metricsFile: TrialMetricsFile | undefined
  if (source !== undefined) {
    try {
      const placed = placeMetricsFile(source, trialDir, command, resolvedEnv, collectorPathIsDirectory(experiment))
      ;({ command, env: resolvedEnv, file: metricsFile } = placed)
    } catch (error) {
      throw new LaunchError((error as Error).message)
    }
  }
  return {
    trialName: trial.name,
    command,
    cwd: workingDir ? resolve(ctx.baseDir, workingDir) : ctx.baseDir,
    env: {
      ...trialEnv,
      ...resolvedEnv,
      ...(metricsFile ? { TUNEWELL_METRICS_FILE: metricsFile.path } : {}),
    },
    logPath: join(trialDir, 'output.log'),
    handlePath: trialHandleFile(ctx.runDir, trial.name),
    ...(metricsFile ? { metricsFile } : {}),
    ...(deadlineSeconds ? { timeoutMs: deadlineSeconds * 1000 } : {}),
    ...(template.command ? {} : { retries: jobRetries(rendered, template.primaryContainerName ?? '') }),
  }
}

function findDeadline(rendered: unknown): number | undefined {
  const spec = (rendered as { spec?: { activeDeadlineSeconds?: unknown } })?.spec
  const value = Number(spec?.activeDeadlineSeconds)
  return Number.isFinite(value) && value > 0 ? value : undefined
}

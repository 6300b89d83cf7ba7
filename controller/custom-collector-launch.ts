import { join, resolve } from 'node:path'
import type { SpecIssue } from '../core/errors.ts'
import type { Experiment } from '../core/spec/index.ts'
import type { CustomCollectorCommand } from './local-collector-plan.ts'
import { fileCollectorPath, ownPathRewriter, type TrialMetricsFile } from './metrics-file.ts'
import { inheritedTrialEnvironment } from './trial-environment.ts'
import { LaunchError, type LaunchContext } from './trial-executor.ts'

/** The corev1.Container fields a local Custom collector uses. */
interface CollectorContainer {
  readonly command?: unknown
  readonly args?: unknown
  readonly env?: unknown
  readonly workingDir?: unknown
}

interface EnvVar {
  readonly name?: unknown
  readonly value?: unknown
  readonly valueFrom?: { readonly fieldRef?: { readonly fieldPath?: unknown } }
}

const AT = '/spec/metricsCollectorSpec/collector/customCollector'

/** The pod fields a local collector can be given (`valueFrom.fieldRef`), by what a trial knows. */
const FIELD_PATHS = ['metadata.name', 'metadata.namespace'] as const

/**
 * Katib's Custom collector is a container injected beside the trial, as given, that reads what
 * the trial writes (the volume at `source.fileSystemPath.path`) and reports to Katib itself.
 * Locally its `command` + `args` run as a child process beside the trial: its stdin is the
 * trial's combined output, and the File path or folder it names in its args or env is rewritten
 * to the trial's own copy, as the trial's are (metrics-file.ts); what it prints on stdout is
 * read as metrics lines (TEXT with the experiment's filters). Undefined for other collectors.
 */
export function customCollectorLaunch(
  experiment: Experiment,
  trialName: string,
  trialDir: string,
  ctx: LaunchContext,
  metricsFile: TrialMetricsFile | undefined,
): CustomCollectorCommand | undefined {
  const spec = experiment.spec.metricsCollectorSpec
  if (spec?.collector?.kind !== 'Custom') return undefined
  const container = (spec.collector.customCollector ?? {}) as CollectorContainer
  const problem = customCollectorIssues(experiment)[0]
  if (problem) throw new LaunchError(problem.message)
  const source = fileCollectorPath(experiment)
  const rewrite = source !== undefined && metricsFile?.inTrialDir ? ownPathRewriter(source, trialDir) : (text: string) => text
  const namespace = experiment.metadata?.namespace ?? 'default'
  const env: Record<string, string> = {}
  for (const item of (container.env ?? []) as EnvVar[]) {
    const field = item.valueFrom?.fieldRef?.fieldPath
    env[String(item.name)] = rewrite(item.value !== undefined ? String(item.value) : field === 'metadata.namespace' ? namespace : trialName)
  }
  return {
    command: [...strings(container.command), ...strings(container.args)].map(rewrite),
    env: {
      ...inheritedTrialEnvironment(),
      KATIB_TRIAL_NAME: trialName,
      TUNEWELL_TRIAL_NAME: trialName,
      TUNEWELL_TRIAL_DIR: trialDir,
      ...(metricsFile ? { TUNEWELL_METRICS_FILE: metricsFile.path } : {}),
      ...env,
    },
    cwd: typeof container.workingDir === 'string' && container.workingDir !== '' ? resolve(ctx.baseDir, container.workingDir) : ctx.baseDir,
    logPath: join(trialDir, 'collector.log'),
  }
}

/** What a Custom collector needs to run locally that the spec may lack: a command (the image is not run), env a trial can give. */
export function customCollectorIssues(experiment: Experiment): SpecIssue[] {
  const spec = experiment.spec.metricsCollectorSpec
  if (spec?.collector?.kind !== 'Custom' || spec.collector.customCollector === undefined) return []
  const container = spec.collector.customCollector as CollectorContainer
  const issues: SpecIssue[] = []
  if (strings(container.command).length === 0) {
    issues.push({
      path: `${AT}/command`,
      message: 'a Custom collector runs locally as its command + args (its image is not used, and an image\'s entrypoint cannot run here); give customCollector.command, e.g. [python3, my_collector.py]',
    })
  }
  const env = Array.isArray(container.env) ? (container.env as EnvVar[]) : []
  env.forEach((item, i) => {
    if (item.value !== undefined) return
    const field = item.valueFrom?.fieldRef?.fieldPath
    if (typeof field === 'string' && (FIELD_PATHS as readonly string[]).includes(field)) return
    issues.push({
      path: `${AT}/env/${i}`,
      message: `env ${String(item.name)} takes its value from the cluster, which a local collector has not; give it a literal value (only fieldRef ${FIELD_PATHS.join(' and ')}, the trial's name and namespace, work locally)`,
    })
  })
  return issues
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : []
}

import type { SpecIssue } from '../core/errors.ts'
import type { Experiment } from '../core/spec/index.ts'
import { renderTrialTemplateWithTokens, type TrialToRender } from '../core/spec/render-template.ts'
import { fillValueTokens } from '../core/spec/value-tokens.ts'
import { expandKubeVars } from './expand-kube-vars.ts'
import { localPodName, localPodUid, resolveValueFrom, type LocalPod } from './field-ref.ts'
import { ArgvError, primaryArgv, type PrimaryArgv } from './katib-argv.ts'
import { findPrimary } from './primary-container.ts'
import { inheritedTrialEnvironment } from './trial-environment.ts'
import { LaunchError } from './trial-executor.ts'

/** A LaunchError about the primary container's command or env, with the JSON pointer of the part at fault. */
export class PrimaryLaunchError extends LaunchError {
  constructor(message: string, readonly pointer: string) {
    super(message)
  }
}

/** What a trialSpec's primary container becomes on this machine. */
export interface PrimaryLaunch {
  readonly command: string[]
  /** The container's env (valueFrom resolved, `$(VAR)` expanded) plus what argv needs (katib-argv.ts). */
  readonly env: Record<string, string>
  readonly workingDir?: string
  readonly form: PrimaryArgv['form']
}

const LABEL_EXPERIMENT = 'katib.kubeflow.org/experiment'
const LABEL_TRIAL = 'katib.kubeflow.org/trial'

/**
 * The primary container of the trial's manifest as Kubernetes and Katib would start it: env in
 * list order, each value `$(VAR)`-expanded with the entries before it and valueFrom answered by
 * field-ref.ts; KATIB_TRIAL_NAME appended as Katib's webhook does; argv from katib-argv.ts.
 * `processEnv` is the rest of the trial's environment (what a shell's `$VAR` would also see).
 * Substituted values stay literal throughout (value-tokens.ts). Throws LaunchError.
 */
export function buildPrimaryLaunch(experiment: Experiment, trial: TrialToRender, processEnv: Readonly<Record<string, string>>, baseDir: string): PrimaryLaunch {
  const template = experiment.spec.trialTemplate
  let rendered: unknown
  let values: string[]
  try {
    ;({ rendered, values } = renderTrialTemplateWithTokens(experiment, trial))
  } catch (error) {
    throw new LaunchError(`cannot render the trial template: ${(error as Error).message}`)
  }
  const fill = (text: string) => fillValueTokens(text, values)
  const primary = template?.primaryContainerName ?? ''
  const found = findPrimary(rendered, primary)
  if (!found) throw new LaunchError(`trialSpec has no container named "${primary}" (trialTemplate.primaryContainerName)`)
  const { container, pod } = found
  const at = `/spec/trialTemplate/trialSpec${found.pointer}`
  if (!container.command?.length) {
    throw new LaunchError(container.args?.length
      ? `the primary container "${primary}" has args but no command: on a cluster its image's entrypoint runs them, which a local trial cannot know; add the program as command (e.g. command: [python3, train.py])`
      : 'the primary container has no command; a local trial runs command + args (an image entrypoint cannot run locally)')
  }
  if (container.envFrom?.length) {
    throw new PrimaryLaunchError(`the primary container "${primary}" takes env from ConfigMaps or Secrets (envFrom), which only a Kubernetes cluster holds; list the variables under env with literal values for a local run`, `${at}/envFrom`)
  }

  const kind = (rendered as { kind?: unknown }).kind
  const labels: Record<string, string> = {
    ...stringMap(pod.metadata?.labels),
    ...(kind === 'Job' ? { 'job-name': trial.name, 'batch.kubernetes.io/job-name': trial.name } : {}),
    [LABEL_EXPERIMENT]: experiment.metadata?.name ?? '',
    [LABEL_TRIAL]: trial.name,
  }
  const podName = localPodName(trial.name)
  const localPod: LocalPod = {
    name: podName,
    namespace: trial.namespace,
    uid: localPodUid(trial.namespace, podName),
    // Label and annotation values may hold tokens (a template's `${trialParameters.x}`): filled here, they are field values.
    labels: mapValues(labels, fill),
    annotations: mapValues(stringMap(pod.metadata?.annotations), fill),
    serviceAccountName: pod.spec.serviceAccountName ?? pod.spec.serviceAccount ?? 'default',
    containers: pod.spec.containers,
    baseDir,
  }
  // Tokens stay in: `$(VAR)` and `$VAR` then carry a value into argv without reading it.
  const containerEnv: Record<string, string> = {}
  for (const [index, item] of (container.env ?? []).entries()) {
    if (item.valueFrom !== undefined) {
      try {
        containerEnv[item.name] = resolveValueFrom(item.name, item.valueFrom, container, localPod)
      } catch (error) {
        throw new PrimaryLaunchError((error as Error).message, `${at}/env/${index}/valueFrom`)
      }
    } else containerEnv[item.name] = expandKubeVars(item.value ?? '', (name) => containerEnv[name])
  }
  containerEnv.KATIB_TRIAL_NAME = trial.name

  const collectorKind = experiment.spec.metricsCollectorSpec?.collector?.kind ?? 'StdOut'
  let argv: PrimaryArgv
  try {
    argv = primaryArgv({
      command: container.command, args: container.args ?? [], collectorKind, containerEnv, processEnv: { ...processEnv, ...containerEnv }, values,
    })
  } catch (error) {
    if (error instanceof ArgvError) throw new PrimaryLaunchError(error.message, `${at}/${container.command?.length ? 'command' : 'args'}`)
    throw error
  }
  return {
    command: argv.argv,
    env: { ...mapValues(containerEnv, fill), ...argv.env },
    ...(container.workingDir ? { workingDir: fill(container.workingDir) } : {}),
    form: argv.form,
  }
}

function stringMap(value: Record<string, unknown> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(value ?? {}).map(([k, v]) => [k, String(v)]))
}

function mapValues(map: Readonly<Record<string, string>>, f: (value: string) => string): Record<string, string> {
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [k, f(v)]))
}

/**
 * What in a trialSpec's primary container keeps every local trial from starting (a shell
 * construct in its command, an env source only a cluster has), found before the first trial:
 * a trial's values cannot cause or cure these, so the check renders with stand-in values.
 * Empty for the short `command` form and for templates whose container cannot be found (other
 * checks report those).
 */
export function primaryLaunchIssues(experiment: Experiment): SpecIssue[] {
  const template = experiment.spec.trialTemplate
  if (!template?.trialSpec) return []
  const references = (template.trialParameters ?? []).map((p) => p.reference)
  const name = `${experiment.metadata?.name ?? 'experiment'}-check`
  try {
    buildPrimaryLaunch(experiment, {
      name, namespace: experiment.metadata?.namespace ?? 'default', checkpointDir: '.', assignments: Object.fromEntries(references.map((r) => [r, '0'])),
    }, inheritedTrialEnvironment(), '.')
  } catch (error) {
    if (error instanceof PrimaryLaunchError) return [{ path: error.pointer, message: error.message }]
  }
  return []
}

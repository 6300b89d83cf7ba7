import type { SpecIssue } from '../core/errors.ts'
import type { Experiment } from '../core/spec/index.ts'
import { customCollectorIssues } from './custom-collector-launch.ts'
import { metricsFileIssues } from './metrics-file.ts'
import { primaryLaunchIssues } from './primary-launch.ts'
import { metricsPortIssues } from './metrics-port.ts'
import { LOCAL_COLLECTOR_KINDS } from './trial-collector.ts'

/**
 * What a valid Katib Experiment may still ask for that local processes cannot give. Reported
 * before the first trial, so a run never starts only to fail on every trial.
 */
export function checkLocalRunnable(experiment: Experiment): SpecIssue[] {
  const issues: SpecIssue[] = []
  const spec = experiment.spec
  if (!spec.trialTemplate) {
    issues.push({
      path: '/spec/trialTemplate',
      message: 'no trialTemplate is given, so there is nothing to run locally; add trialTemplate.command (or a trialSpec), or submit the experiment to `tunewell serve` for outside (ask/tell) workers',
    })
  }
  const kind = spec.metricsCollectorSpec?.collector?.kind ?? 'StdOut'
  if (!(LOCAL_COLLECTOR_KINDS as readonly string[]).includes(kind)) {
    issues.push({
      path: '/spec/metricsCollectorSpec/collector/kind',
      message: `collector kind ${kind} is not supported for local trials; use ${LOCAL_COLLECTOR_KINDS.join(', ')}`,
    })
  }
  issues.push(...metricsFileIssues(experiment), ...metricsPortIssues(experiment), ...customCollectorIssues(experiment))
  issues.push(...primaryLaunchIssues(experiment))
  if (spec.trialTemplate?.configMap) {
    issues.push({
      path: '/spec/trialTemplate/configMap',
      message: 'a ConfigMap trial template needs a Kubernetes cluster; inline it as trialTemplate.trialSpec, or use trialTemplate.command',
    })
  }
  return issues
}

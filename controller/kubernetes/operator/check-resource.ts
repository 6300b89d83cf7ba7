import type { SpecIssue } from '../../../core/errors.ts'
import type { Experiment } from '../../../core/spec/index.ts'
import { checkExperimentObject } from '../../../suggestion/check-experiment.ts'
import type { Json } from '../workload-api.ts'
import type { ExperimentResourceRef } from './experiment-resource.ts'
import { ownedBy } from './operator-ownership.ts'

/** kubectl apply's copy of the whole object: no part of the experiment, and large. */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration'

export type CheckedResource =
  | { readonly experiment: Experiment; readonly problems?: undefined }
  | { readonly experiment?: undefined; readonly problems: readonly string[] }

/**
 * What an Experiment resource gets before the operator stores it: the checks of `tunewell
 * validate` and of a submission to the API (suggestion/check-experiment.ts; what validate only
 * notes, an algorithm this version cannot run, refused as a submission refuses it), then
 * `admit`'s, the server's own (the parallel-trial limit, whether the cluster executor can run
 * it). Only what the experiment is made of is checked: the object's server-side metadata
 * (uid, resourceVersion, managedFields, ...) and its status are left out. Problems read
 * `path: message`, every one at once.
 */
export function checkResource(resource: Json, ref: ExperimentResourceRef, admit: (experiment: Experiment) => readonly SpecIssue[]): CheckedResource {
  const metadata: Json = resource.metadata ?? {}
  const annotations: Record<string, string> = { ...(metadata.annotations ?? {}) }
  delete annotations[LAST_APPLIED]
  const document = {
    apiVersion: resource.apiVersion,
    kind: resource.kind,
    metadata: {
      name: ref.name,
      namespace: ref.namespace,
      ...(metadata.labels ? { labels: metadata.labels } : {}),
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
    spec: resource.spec,
  }
  const checked = checkExperimentObject(document)
  if (!checked.experiment) return { problems: checked.issues.map(describe) }
  const refused = [...checked.unsupported, ...admit(checked.experiment)]
  if (refused.length > 0) return { problems: refused.map(describe) }
  return { experiment: ownedBy(checked.experiment, ref) }
}

function describe(issue: SpecIssue): string {
  return `${issue.path || '/'}: ${issue.message}`
}

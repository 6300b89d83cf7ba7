import type { SpecIssue } from '../../../core/errors.ts'
import { EXPERIMENT_API_VERSION, EXPERIMENT_KIND, joinPointer, type Experiment } from '../../../core/spec/index.ts'
import type { WorkloadOwner } from '../render-workload.ts'
import type { ExperimentResourceRef } from './experiment-resource.ts'

/**
 * The mark of an experiment the operator created from an Experiment resource: the resource's
 * uid, as an annotation on the stored spec (metadata.namespace and metadata.name are the
 * resource's). Only the operator may set it: the server's admission refuses it on submissions
 * and patches (operatorAnnotationIssues), so the operator's cleanup (a resource gone, deleted
 * and created again) never touches an experiment submitted through the API or `tunewell run`.
 */
export const RESOURCE_UID_ANNOTATION = 'tunewell.dev/experiment-resource-uid'

/** The resource an experiment comes from; undefined for one not created by the operator. */
export function resourceRefOf(experiment: Experiment): ExperimentResourceRef | undefined {
  const uid = experiment.metadata.annotations?.[RESOURCE_UID_ANNOTATION]
  if (!uid) return undefined
  return { namespace: experiment.metadata.namespace ?? '', name: experiment.metadata.name, uid }
}

/** The experiment as stored for a resource: what validation made of it, with the operator's mark. */
export function ownedBy(experiment: Experiment, resource: ExperimentResourceRef): Experiment {
  return {
    ...experiment,
    metadata: {
      ...experiment.metadata,
      name: resource.name,
      namespace: resource.namespace,
      annotations: { ...experiment.metadata.annotations, [RESOURCE_UID_ANNOTATION]: resource.uid },
    },
  }
}

/**
 * For the executor's `ownerOf`: an operator-owned experiment's trial workloads are owned by its
 * Experiment resource, so deleting the resource has the cluster's garbage collector delete
 * them (and `kubectl get -o yaml` shows where they come from).
 */
export function operatorOwner(experiment: Experiment): WorkloadOwner | undefined {
  const ref = resourceRefOf(experiment)
  return ref && { apiVersion: EXPERIMENT_API_VERSION, kind: EXPERIMENT_KIND, name: ref.name, uid: ref.uid }
}

/** Admission of submissions and patches: the operator's mark is the operator's alone. */
export function operatorAnnotationIssues(experiment: Experiment): SpecIssue[] {
  const ref = resourceRefOf(experiment)
  if (!ref) return []
  return [{
    path: joinPointer('/metadata/annotations', RESOURCE_UID_ANNOTATION),
    message: `this annotation marks an experiment created from the Experiment resource ${ref.namespace}/${ref.name} (operator mode); ` +
      'edit or delete that resource with kubectl instead, or remove the annotation to submit a copy',
  }]
}

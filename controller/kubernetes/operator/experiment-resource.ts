/**
 * Which Experiment resource (kubeflow.org/v1beta1) an operator-owned experiment comes from. The
 * uid matters as much as the name: a resource deleted and created again under the same name is
 * another experiment, and a write meant for the old one must not land on the new one.
 */
export interface ExperimentResourceRef {
  readonly namespace: string
  readonly name: string
  readonly uid: string
}

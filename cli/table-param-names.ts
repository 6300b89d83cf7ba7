import type { Experiment } from '../core/spec/index.ts'

/**
 * The parameter columns of a trial table: spec.parameters in order; for an architecture search
 * the `architecture` assignment (nn_config only describes it; darts gives every trial the same
 * assignments, so none).
 */
export function tableParamNames(experiment: Pick<Experiment, 'spec'>): string[] {
  const spec = experiment.spec
  if (spec.nasConfig && !spec.parameters?.length) return spec.algorithm.algorithmName === 'darts' ? [] : ['architecture']
  return (spec.parameters ?? []).map((p) => p.name)
}

import type { SpecIssue } from '../errors.ts'
import { closestMatch } from './closest-match.ts'
import { containerNames, type WorkloadPart } from './workload-parts.ts'

/**
 * primaryContainerName must name a container of the trialSpec's pod templates: otherwise no
 * trial finds its training container (a local trial fails to start, Katib collects no metrics)
 * and every trial fails while the experiment still ends. Only kinds whose containers can be
 * found for certain are checked (workloadParts); an Argo Workflow or Tekton PipelineRun names
 * its pods' containers itself (`main`, `step-<name>`), so it is left alone.
 */
export function primaryContainerIssues(parts: readonly WorkloadPart[], primaryContainerName: string | undefined, at: string): SpecIssue[] {
  if (!primaryContainerName || primaryContainerName.includes('${')) return []
  const { names, lists } = containerNames(parts)
  // No containers list at all is the schema's problem to report; a templated name only the trial knows.
  if (lists === 0 || names.includes(primaryContainerName) || names.some((name) => name.includes('${'))) return []
  const unique = [...new Set(names)]
  const guess = closestMatch(primaryContainerName, unique)
  const listed = unique.length > 0 ? `its containers are ${unique.map((n) => `"${n}"`).join(', ')}` : 'its containers have no names'
  const hint = guess !== undefined ? `did you mean "${guess}"?` : 'name the one that runs the training code'
  return [{ path: at, message: `primaryContainerName "${primaryContainerName}" names no container of the trialSpec, so no trial would find its training container; ${listed}: ${hint}` }]
}

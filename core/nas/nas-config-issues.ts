/**
 * What an architecture search that expands `spec.nasConfig` (enas and ours: evolution, random)
 * needs from it beyond the experiment's own rules (validate-experiment.ts checks names, bounds
 * and lists): Katib's ENAS ValidateAlgorithmSettings (numLayers, inputSizes and outputSizes
 * present; a double's step above 0), and our bounds, so that no trial is handed an argument
 * too long for the operating system. Paths are absolute, under /spec/nasConfig.
 */
import type { SpecIssue } from '../errors.ts'
import type { NasConfig } from '../spec/experiment-schema.ts'
import { joinPointer } from '../spec/json-pointer.ts'
import { parseKatibNumber } from '../spec/parse-katib-number.ts'
import { countNasOperations } from './expand-nas-config.ts'

/**
 * At most this many layers: `architecture` grows with the square of the layers (one skip bit per
 * earlier layer), and one argument may hold 128 KiB on Linux; 100 layers is about 15 KB.
 * Katib's examples use 1 and 8; the ENAS paper's macro search used 12 and 24.
 */
export const MAX_NAS_LAYERS = 100

/** At most this many operations after expansion (the policy has a row per operation). */
export const MAX_NAS_OPERATIONS = 10_000

const AT = '/spec/nasConfig'

export function nasConfigIssues(nasConfig: NasConfig, algorithmName: string): SpecIssue[] {
  const issues: SpecIssue[] = []
  const graph = nasConfig.graphConfig
  const graphAt = joinPointer(AT, 'graphConfig')
  if (graph?.numLayers === undefined) {
    issues.push({ path: graph ? joinPointer(graphAt, 'numLayers') : graphAt, message: `graphConfig.numLayers is missing; algorithm "${algorithmName}" needs the number of layers to search, e.g. numLayers: 8` })
  } else if (graph.numLayers < 1 || graph.numLayers > MAX_NAS_LAYERS) {
    issues.push({ path: joinPointer(graphAt, 'numLayers'), message: `numLayers ${graph.numLayers} is out of range; give 1 to ${MAX_NAS_LAYERS} layers` })
  }
  for (const key of ['inputSizes', 'outputSizes'] as const) {
    if ((graph?.[key]?.length ?? 0) === 0) {
      const example = key === 'inputSizes' ? '[32, 32, 3]' : '[10]'
      issues.push({ path: graph ? joinPointer(graphAt, key) : graphAt, message: `graphConfig.${key} is missing or empty; algorithm "${algorithmName}" hands it to every trial in nn_config (as Katib's enas does), e.g. ${key}: ${example}` })
    }
  }
  ;(nasConfig.operations ?? []).forEach((operation, i) => {
    ;(operation.parameters ?? []).forEach((parameter, j) => {
      if (parameter.parameterType !== 'double') return
      const step = parameter.feasibleSpace.step
      const value = step === undefined || step === '' ? undefined : parseKatibNumber(step)
      if (value === undefined || !(value > 0)) {
        const at = joinPointer(AT, 'operations', i, 'parameters', j, 'feasibleSpace', 'step')
        issues.push({ path: at, message: `a double parameter of an operation needs a step above 0 (its values are min, min + step, ... up to max, each one operation); give e.g. step: "0.1", or make it categorical` })
      }
    })
  })
  if (issues.length > 0) return issues
  const count = countNasOperations(nasConfig)
  if (count === 0) {
    issues.push({ path: joinPointer(AT, 'operations'), message: 'the operations expand to no operation at all (every one has a parameter without values); give each parameter at least one value' })
  } else if (count > MAX_NAS_OPERATIONS) {
    issues.push({ path: joinPointer(AT, 'operations'), message: `the operations expand to ${count} operations (each one multiplied out over its parameters' values), more than ${MAX_NAS_OPERATIONS}; use fewer values or coarser steps` })
  }
  return issues
}

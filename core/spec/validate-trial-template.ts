/**
 * Katib's trialTemplate rules (validator.go validateTrialTemplate) plus those of our local
 * `command` form. Placeholders are checked where they are written, so an issue points at the
 * argv element or manifest field with the typo rather than at the template as a whole.
 */
import { checkGjsonPath } from '../conditions/check-gjson-path.ts'
import { suggestedConditions } from '../conditions/default-conditions.ts'
import type { SpecIssue } from '../errors.ts'
import { closestMatch } from './closest-match.ts'
import type { Experiment, TrialTemplate } from './experiment-schema.ts'
import { joinPointer } from './json-pointer.ts'
import { showValue } from './show-value.ts'
import { findPlaceholderNames, looksLikeMetaReference, parseMetaReference, placeholderFor } from './trial-placeholders.ts'
import { primaryContainerIssues } from './validate-primary-container.ts'
import { workloadSchemaIssues } from './validate-workload-schema.ts'
import { walkStrings } from './walk-strings.ts'
import { workloadParts } from './workload-parts.ts'

const AT = '/spec/trialTemplate'
const SOURCES = ['trialSpec', 'configMap', 'command'] as const

export function validateTrialTemplate(experiment: Experiment, issues: SpecIssue[], warnings: SpecIssue[]): void {
  const template = experiment.spec.trialTemplate
  if (template === undefined) {
    // Katib rejects this; we accept it for experiments whose trials outside workers run.
    warnings.push({ path: AT, message: 'no trialTemplate is given, so no trial can run on its own: submit the experiment to `tunewell serve` for outside (ask/tell) workers, or give trialTemplate.command or trialSpec (Katib requires a trialTemplate)' })
    return
  }
  const given = SOURCES.filter((key) => template[key] !== undefined)
  if (given.length === 0) {
    issues.push({ path: AT, message: 'no trial source is given; give exactly one of trialSpec (a Kubernetes manifest), configMap (a ConfigMap holding one) or command (a local program and its arguments)' })
  } else if (given.length > 1) {
    issues.push({ path: joinPointer(AT, given[1]), message: `${given.join(' and ')} are ${given.length === 2 ? 'both' : 'all'} given; give exactly one of trialSpec, configMap or command` })
  }
  const local = template.command !== undefined
  if (!local) validateKubernetesFields(template, issues)
  if (template.configMap) validateConfigMap(template.configMap, issues)
  if (template.trialSpec) validateManifest(template.trialSpec, issues)
  if (template.trialSpec && !local) validateWorkload(template, template.trialSpec, issues, warnings)
  if (template.command) validateCommand(template, issues)
  const declared = validateTrialParameters(experiment, template, local, issues)
  // A ConfigMap's template lives in the cluster, so its placeholders cannot be checked here.
  if (given.length === 1 && !template.configMap) validatePlaceholderUse(template, declared, issues, local ? issues : warnings)
}

function validateKubernetesFields(template: TrialTemplate, issues: SpecIssue[]): void {
  if (!template.primaryContainerName) {
    issues.push({ path: joinPointer(AT, 'primaryContainerName'), message: 'primaryContainerName is missing; name the container that runs the training code (its metrics are collected)' })
  }
  const kind = !template.trialSpec ? 'a ConfigMap template' : typeof template.trialSpec.kind === 'string' ? `kind "${template.trialSpec.kind}"` : 'this trialSpec'
  const suggested = suggestedConditions(typeof template.trialSpec?.kind === 'string' ? template.trialSpec.kind : undefined)
  for (const key of ['successCondition', 'failureCondition'] as const) {
    const condition = template[key]
    if (!condition) {
      issues.push({
        path: joinPointer(AT, key),
        message: `${key} is missing; it is only defaulted for an inline Job, TFJob, PyTorchJob, XGBoostJob, MPIJob or TrainJob, so for ${kind} give a GJSON condition such as ${key === 'successCondition' ? suggested.success : suggested.failure}`,
      })
      continue
    }
    const problem = checkGjsonPath(condition)
    if (problem) {
      issues.push({
        path: joinPointer(AT, key),
        message: `${key} ${condition} is not a GJSON path Tunewell can evaluate: ${problem.message} (at character ${problem.offset + 1}); e.g. ${key === 'successCondition' ? suggested.success : suggested.failure}`,
      })
    }
  }
  if (template.trialParameters === undefined) {
    issues.push({ path: joinPointer(AT, 'trialParameters'), message: 'trialParameters is missing; list every ${trialParameters.<name>} the template uses with the parameter it refers to (an empty list is allowed)' })
  }
}

function validateConfigMap(configMap: NonNullable<TrialTemplate['configMap']>, issues: SpecIssue[]): void {
  for (const key of ['configMapName', 'configMapNamespace', 'templatePath'] as const) {
    if (configMap[key] === '') issues.push({ path: joinPointer(AT, 'configMap', key), message: `${key} is empty; configMapName, configMapNamespace and templatePath must all be given` })
  }
}

function validateManifest(trialSpec: Record<string, unknown>, issues: SpecIssue[]): void {
  const at = joinPointer(AT, 'trialSpec')
  for (const key of ['apiVersion', 'kind'] as const) {
    const value = trialSpec[key]
    if (typeof value !== 'string' || value === '') {
      issues.push({ path: joinPointer(at, key), message: `${key} is ${value === undefined ? 'missing' : showValue(value)}; the trial manifest needs a non-empty apiVersion and kind, e.g. apiVersion: batch/v1, kind: Job` })
    }
  }
  const metadata = trialSpec.metadata
  if (typeof metadata === 'object' && metadata !== null) {
    for (const key of ['name', 'namespace'] as const) {
      const value = (metadata as Record<string, unknown>)[key]
      if (value !== undefined && value !== '') {
        issues.push({ path: joinPointer(at, 'metadata', key), message: `metadata.${key} ${showValue(value)} must be omitted; every trial's job gets the trial's own ${key}` })
      }
    }
  }
}

/** Kubernetes' own schemas and the primary container, where the kind's layout is known (workload-parts.ts). */
function validateWorkload(template: TrialTemplate, trialSpec: Record<string, unknown>, issues: SpecIssue[], warnings: SpecIssue[]): void {
  const parts = workloadParts(trialSpec)
  if (!parts) return
  issues.push(...workloadSchemaIssues(parts, joinPointer(AT, 'trialSpec'), warnings))
  issues.push(...primaryContainerIssues(parts, template.primaryContainerName, joinPointer(AT, 'primaryContainerName')))
}

function validateCommand(template: TrialTemplate, issues: SpecIssue[]): void {
  const command = template.command ?? []
  if (command.length === 0 || command[0] === '') {
    issues.push({ path: joinPointer(AT, 'command', ...(command.length ? [0] : [])), message: 'command names no program; give the program and its arguments as a list, e.g. ["python3", "train.py", "--lr=${trialParameters.lr}"]' })
  }
  const seen = new Set<string>()
  ;(template.env ?? []).forEach((variable, i) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable.name)) {
      issues.push({ path: joinPointer(AT, 'env', i, 'name'), message: `environment variable name ${showValue(variable.name)} is invalid; use letters, digits and _, not starting with a digit` })
    } else if (seen.has(variable.name)) {
      issues.push({ path: joinPointer(AT, 'env', i, 'name'), message: `environment variable "${variable.name}" is set twice; set each variable once` })
    }
    seen.add(variable.name)
  })
  if (template.activeDeadlineSeconds !== undefined && !(template.activeDeadlineSeconds > 0)) {
    issues.push({ path: joinPointer(AT, 'activeDeadlineSeconds'), message: `activeDeadlineSeconds ${template.activeDeadlineSeconds} is not positive; give the trial timeout in seconds, > 0` })
  }
  if (template.workingDir === '') {
    issues.push({ path: joinPointer(AT, 'workingDir'), message: 'workingDir is empty; omit it to run in the current directory, or give a directory' })
  }
}

/** Returns the names that are validly declared, for the placeholder check. */
function validateTrialParameters(experiment: Experiment, template: TrialTemplate, local: boolean, issues: SpecIssue[]): Map<string, number> {
  const parameterNames = [...new Set((experiment.spec.parameters ?? []).map((p) => p.name))]
  const declared = new Map<string, number>()
  const references = new Set<string>()
  const list = template.trialParameters ?? []
  list.forEach((tp, i) => {
    const at = joinPointer(AT, 'trialParameters', i)
    let ok = true
    if (tp.name === '' || /[{}]/.test(tp.name)) {
      issues.push({ path: joinPointer(at, 'name'), message: `name ${showValue(tp.name)} is invalid; a trialParameter needs a non-empty name without "{" or "}"` })
      ok = false
    }
    if (tp.reference === '') {
      issues.push({ path: joinPointer(at, 'reference'), message: 'reference is empty; give the name of a parameter in spec.parameters or a trial metadata reference such as ${trialSpec.Name}' })
      ok = false
    }
    if (!ok) return
    if (declared.has(tp.name)) {
      issues.push({ path: joinPointer(at, 'name'), message: `name "${tp.name}" is already declared by trialParameters/${declared.get(tp.name)}; trialParameter names must be unique` })
      return
    }
    if (references.has(tp.reference)) {
      issues.push({ path: joinPointer(at, 'reference'), message: `reference "${tp.reference}" is already used by another trialParameter; each reference may appear once (use its placeholder twice instead)` })
      return
    }
    declared.set(tp.name, i)
    references.add(tp.reference)
    validateReference(experiment, tp.reference, joinPointer(at, 'reference'), parameterNames, local, issues)
  })
  if (template.trialParameters !== undefined) {
    for (const name of parameterNames) {
      if (name !== '' && !references.has(name)) {
        issues.push({ path: joinPointer(AT, 'trialParameters'), message: `parameter "${name}" is not referenced by any trialParameter, so its value would never reach the trial; add {name: ${name}, reference: ${name}} and use \${trialParameters.${name}} in the template` })
      }
    }
  }
  return declared
}

function validateReference(experiment: Experiment, reference: string, at: string, parameterNames: readonly string[], local: boolean, issues: SpecIssue[]): void {
  const meta = parseMetaReference(reference)
  if (!meta) {
    if (looksLikeMetaReference(reference)) {
      issues.push({ path: at, message: `reference ${showValue(reference)} is not a trial metadata reference; use \${trialSpec.Name}, \${trialSpec.Namespace}, \${trialSpec.Kind}, \${trialSpec.APIVersion}, \${trialSpec.CheckpointDir}, \${trialSpec.Labels[<key>]} or \${trialSpec.Annotations[<key>]}` })
    } else if (parameterNames.length > 0 && !parameterNames.includes(reference)) {
      // Katib skips this when spec.parameters is empty: NAS services define their own references.
      const guess = closestMatch(reference, parameterNames)
      issues.push({ path: at, message: `reference "${reference}" is not a parameter in spec.parameters (${parameterNames.join(', ')})${guess ? `; did you mean "${guess}"?` : '; use one of those names or a ${trialSpec.*} metadata reference'}` })
    }
    return
  }
  if (local && meta.key !== 'Name' && meta.key !== 'Namespace' && meta.key !== 'CheckpointDir') {
    issues.push({ path: at, message: `reference ${showValue(reference)} reads the Kubernetes manifest, which the command form has none of; with command only \${trialSpec.Name}, \${trialSpec.Namespace} and \${trialSpec.CheckpointDir} are available` })
    return
  }
  const trialSpec = experiment.spec.trialTemplate?.trialSpec
  if ((meta.key === 'Labels' || meta.key === 'Annotations') && trialSpec) {
    const field = meta.key === 'Labels' ? 'labels' : 'annotations'
    const map = (trialSpec.metadata as Record<string, unknown> | undefined)?.[field] as Record<string, unknown> | undefined
    if (!map || !(meta.entry in map)) {
      issues.push({ path: at, message: `reference ${showValue(reference)} names ${field} key "${meta.entry}", but trialSpec.metadata.${field} has no such key; add it there or change the reference` })
    }
  }
}

/**
 * An unused trialParameter is an error for the command form but only a warning for manifests:
 * Katib's webhook rejects it, yet Katib's own tekton/pipeline-run.yaml example has one.
 */
function validatePlaceholderUse(template: TrialTemplate, declared: Map<string, number>, issues: SpecIssue[], unused: SpecIssue[]): void {
  const used = new Set<string>()
  const names = [...declared.keys()]
  const visit = (text: string, path: string) => {
    for (const name of new Set(findPlaceholderNames(text))) {
      used.add(name)
      if (declared.has(name)) continue
      const guess = closestMatch(name, names)
      const hint = guess ? `did you mean ${placeholderFor(guess)}?` : names.length ? `declared: ${names.join(', ')}` : 'none are declared'
      issues.push({ path, message: `${placeholderFor(name)} is not declared in trialTemplate.trialParameters; declare it there or fix the name (${hint})` })
    }
  }
  const source = template.trialSpec ? 'trialSpec' : 'command or env'
  if (template.trialSpec) walkStrings(template.trialSpec, joinPointer(AT, 'trialSpec'), visit)
  ;(template.command ?? []).forEach((arg, i) => visit(arg, joinPointer(AT, 'command', i)))
  ;(template.env ?? []).forEach((variable, i) => visit(variable.value, joinPointer(AT, 'env', i, 'value')))
  if (template.workingDir !== undefined) visit(template.workingDir, joinPointer(AT, 'workingDir'))
  for (const [name, i] of declared) {
    if (!used.has(name)) {
      unused.push({ path: joinPointer(AT, 'trialParameters', i, 'name'), message: `trialParameter "${name}" is never used: ${placeholderFor(name)} does not appear in trialTemplate ${source}; use it there or remove the trialParameter` })
    }
  }
}

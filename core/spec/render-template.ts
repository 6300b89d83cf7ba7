/**
 * Katib's trial template substitution (section 1b, manifest/generator.go), made injection-safe:
 * Katib splices raw values into the template text, so a value holding `"` breaks the manifest
 * and one holding `${trialParameters.x}` gets expanded again. Here values are JSON-escaped and
 * all placeholders are replaced in a single pass.
 */
import { parse as parseYaml } from 'yaml'
import type { Experiment, TrialTemplate } from './experiment-schema.ts'
import { parseMetaReference, placeholderFor, replacePlaceholders } from './trial-placeholders.ts'
import { hasTokenCharacters, valueToken } from './value-tokens.ts'

/** What the local `command` form renders to: argv (never a shell line) and environment. */
export interface RenderedLocalTemplate {
  readonly command: string[]
  readonly env: { name: string; value: string }[]
  readonly workingDir?: string
  readonly activeDeadlineSeconds?: number
}

export interface TrialToRender {
  readonly name: string
  readonly namespace: string
  /** Parameter name to value, as the suggestion service returned it (always a string in Katib). */
  readonly assignments: Readonly<Record<string, string>>
  /** What `${trialSpec.CheckpointDir}` becomes; rendering without one fails where it is used. */
  readonly checkpointDir?: string
}

/**
 * The trial's Kubernetes manifest (trialSpec, or configMap when its text is passed in) with
 * metadata.name/namespace set to the trial's, or the local command form's argv and env.
 * Throws when a placeholder cannot be resolved; a validated experiment only hits that when
 * `assignments` lacks a parameter.
 */
export function renderTrialTemplate(experiment: Experiment, trial: TrialToRender, configMapTemplate?: string): Record<string, unknown> | RenderedLocalTemplate {
  return render(experiment, trial, configMapTemplate, (value) => value)
}

/**
 * The same rendering with every substituted value (parameters and `${trialSpec.*}` references)
 * left as a token of value-tokens.ts, and the values in token order: for a caller that still
 * expands and parses the template's own text (a local trial's argv) before the values go in.
 */
export function renderTrialTemplateWithTokens(experiment: Experiment, trial: TrialToRender, configMapTemplate?: string): {
  rendered: Record<string, unknown> | RenderedLocalTemplate
  values: string[]
} {
  // A token character already in the template would be taken for a value; values may hold any.
  if (hasTokenCharacters(JSON.stringify(experiment.spec.trialTemplate ?? null) + (configMapTemplate ?? ''))) {
    throw new Error('the trial template contains the private-use character U+E000 or U+E001, which Tunewell reserves while it renders a trial; remove it')
  }
  const values: string[] = []
  const rendered = render(experiment, trial, configMapTemplate, (value) => {
    values.push(value)
    return valueToken(values.length - 1)
  })
  return { rendered, values }
}

function render(
  experiment: Experiment, trial: TrialToRender, configMapTemplate: string | undefined, present: (value: string) => string,
): Record<string, unknown> | RenderedLocalTemplate {
  const template = experiment.spec.trialTemplate
  if (template === undefined) throw new Error('the experiment has no spec.trialTemplate; its trials are run by outside workers')
  if (template.command !== undefined) return renderCommand(template, trial, present)
  if (template.trialSpec !== undefined) return renderManifest(template.trialSpec, template, trial, present)
  if (template.configMap !== undefined) {
    const { configMapNamespace, configMapName, templatePath } = template.configMap
    if (configMapTemplate === undefined) throw new Error(`the trial template is key "${templatePath}" of ConfigMap ${configMapNamespace}/${configMapName}; pass its text as configMapTemplate`)
    let manifest: unknown
    try {
      manifest = parseYaml(configMapTemplate)
    } catch (error) {
      throw new Error(`ConfigMap ${configMapNamespace}/${configMapName} key "${templatePath}" is not valid YAML: ${(error as Error).message}`)
    }
    if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) throw new Error(`ConfigMap ${configMapNamespace}/${configMapName} key "${templatePath}" does not hold a Kubernetes object`)
    return renderManifest(manifest as Record<string, unknown>, template, trial, present)
  }
  throw new Error('spec.trialTemplate has no trialSpec, configMap or command')
}

function renderManifest(manifest: Record<string, unknown>, template: TrialTemplate, trial: TrialToRender, present: (value: string) => string): Record<string, unknown> {
  const valueOf = resolver(template, trial, manifest)
  const text = replacePlaceholders(JSON.stringify(manifest), (escapedName) => {
    // In JSON text the name is escaped too; the value must be, so it stays inside its string.
    const value = present(valueOf(JSON.parse(`"${escapedName}"`) as string))
    return JSON.stringify(value).slice(1, -1)
  })
  const rendered = JSON.parse(text) as Record<string, unknown>
  const metadata = typeof rendered.metadata === 'object' && rendered.metadata !== null ? rendered.metadata : {}
  rendered.metadata = { ...metadata, name: trial.name, namespace: trial.namespace }
  return rendered
}

function renderCommand(template: TrialTemplate, trial: TrialToRender, present: (value: string) => string): RenderedLocalTemplate {
  const valueOf = resolver(template, trial, undefined)
  const fill = (text: string) => replacePlaceholders(text, (name) => present(valueOf(name)))
  return {
    command: (template.command ?? []).map(fill),
    env: (template.env ?? []).map((v) => ({ name: v.name, value: fill(v.value) })),
    ...(template.workingDir === undefined ? {} : { workingDir: fill(template.workingDir) }),
    ...(template.activeDeadlineSeconds === undefined ? {} : { activeDeadlineSeconds: template.activeDeadlineSeconds }),
  }
}

function resolver(template: TrialTemplate, trial: TrialToRender, manifest: Record<string, unknown> | undefined): (name: string) => string {
  const references = new Map((template.trialParameters ?? []).map((tp) => [tp.name, tp.reference]))
  return (name) => {
    const placeholder = placeholderFor(name)
    const reference = references.get(name)
    if (reference === undefined) throw new Error(`${placeholder} is not declared in spec.trialTemplate.trialParameters`)
    const meta = parseMetaReference(reference)
    if (!meta) {
      const value = trial.assignments[reference]
      if (value === undefined) throw new Error(`trial ${trial.name} has no assignment for parameter "${reference}" (needed by ${placeholder}); it has: ${Object.keys(trial.assignments).join(', ') || 'none'}`)
      return value
    }
    switch (meta.key) {
      case 'Name':
        return trial.name
      case 'Namespace':
        return trial.namespace
      case 'CheckpointDir':
        if (trial.checkpointDir === undefined) throw new Error(`${reference} (needed by ${placeholder}) is only known to a local runner, which gives every trial a checkpoint directory`)
        return trial.checkpointDir
      case 'Kind':
      case 'APIVersion': {
        const field = meta.key === 'Kind' ? 'kind' : 'apiVersion'
        const value = manifest?.[field]
        if (typeof value !== 'string') throw new Error(`${reference} (needed by ${placeholder}) needs a trial manifest with a ${field}`)
        return value
      }
      case 'Labels':
      case 'Annotations': {
        const field = meta.key === 'Labels' ? 'labels' : 'annotations'
        const map = (manifest?.metadata as Record<string, unknown> | undefined)?.[field] as Record<string, unknown> | undefined
        const value = map?.[meta.entry]
        if (typeof value !== 'string') throw new Error(`${reference} (needed by ${placeholder}): the trial template's metadata.${field} has no key "${meta.entry}"`)
        return value
      }
    }
  }
}

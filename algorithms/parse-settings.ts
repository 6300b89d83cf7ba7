import type { AlgorithmDefinition, ParsedSettings, SettingSpec } from './algorithm-definition.ts'
import { didYouMean } from './did-you-mean.ts'

/** A Katib `algorithmSettings` entry: every value is a string. */
export interface RawSetting {
  readonly name: string
  readonly value: string
}

/** A setting that could not be used. */
export interface SettingParseIssue {
  /** Position in the given list; absent when the problem is a missing setting. */
  readonly index?: number
  /** Which part of the entry is wrong, for `/algorithmSettings/<index>/<field>`. */
  readonly field?: 'name' | 'value'
  /** The setting's name. */
  readonly name: string
  readonly message: string
}

/**
 * Algorithms whose Katib service skips a setting it does not know (goptuna's cmaes and sobol,
 * hyperband, pbt, darts); hyperopt, optuna, skopt, enas and medianstop refuse one. For these an
 * unknown name is a warning, not an error, so that YAML Katib runs runs here too.
 */
export const IGNORES_UNKNOWN_SETTINGS: readonly string[] = ['cmaes', 'sobol', 'hyperband', 'pbt', 'darts']

/**
 * Katib's ValidateAlgorithmSettings for one algorithm: parses `{name, value}` strings by the
 * declared type, rejects unknown names where Katib's service does (a warning with a guess where
 * it ignores them, since that also hides typos), conflicting duplicates and out-of-range
 * values, and fills defaults. A repeat with the same value is used once.
 */
export function parseSettings(
  def: Pick<AlgorithmDefinition<unknown>, 'name' | 'settings'>,
  list: readonly RawSetting[],
): { settings: ParsedSettings; issues: SettingParseIssue[]; warnings: SettingParseIssue[] } {
  const settings: ParsedSettings = {}
  const issues: SettingParseIssue[] = []
  const warnings: SettingParseIssue[] = []
  const firstIndex = new Map<string, number>()
  const validNames = def.settings.map((s) => s.name)

  list.forEach((entry, index) => {
    const spec = def.settings.find((s) => s.name === entry.name)
    if (!spec) {
      const ignored = IGNORES_UNKNOWN_SETTINGS.includes(def.name)
      ;(ignored ? warnings : issues).push({ index, field: 'name', name: entry.name, message: unknownNameMessage(def.name, entry.name, validNames, ignored) })
      return
    }
    const first = firstIndex.get(entry.name)
    if (first !== undefined) {
      if (list[first]!.value !== entry.value) {
        issues.push({ index, field: 'name', name: entry.name, message: `setting "${entry.name}" is given more than once with different values (first at index ${first}); keep one` })
      }
      return
    }
    firstIndex.set(entry.name, index)
    const parsed = parseValue(spec, entry.value)
    if (typeof parsed === 'object') issues.push({ index, field: 'value', name: entry.name, message: parsed.error })
    else settings[spec.name] = parsed
  })

  for (const spec of def.settings) {
    if (firstIndex.has(spec.name)) continue
    if (spec.default !== undefined) settings[spec.name] = spec.default
    else if (spec.required) issues.push({ name: spec.name, message: `setting "${spec.name}" is required by algorithm "${def.name}"; ${spec.description}` })
  }
  return { settings, issues, warnings }
}

function unknownNameMessage(algorithm: string, name: string, validNames: readonly string[], ignored: boolean): string {
  const guess = didYouMean(name, validNames)
  if (ignored) {
    const known = validNames.length === 0 ? 'it takes no settings' : `its settings are ${validNames.join(', ')}`
    // Katib's DARTS service hands an unknown setting to the trial with the others (dartsAssignments).
    const fate = algorithm === 'darts' ? 'is passed on to the trial unchecked, as Katib\'s service passes it' : 'is ignored, as Katib\'s service ignores it'
    return `setting "${name}" is not one of algorithm "${algorithm}" and ${fate}${guess ? `; did you mean "${guess}"?` : `; ${known}`}`
  }
  if (validNames.length === 0) return `algorithm "${algorithm}" takes no settings; remove "${name}"`
  return `unknown setting "${name}" for algorithm "${algorithm}"${guess ? `; did you mean "${guess}"?` : '.'} Valid settings: ${validNames.join(', ')}`
}

function parseValue(spec: SettingSpec, raw: string): number | string | { error: string } {
  const text = String(raw).trim()
  const invalid = (): { error: string } => ({ error: `setting "${spec.name}" must be ${expected(spec)}, got ${JSON.stringify(raw)}` })
  switch (spec.type) {
    case 'string':
      return raw
    case 'enum': {
      if (spec.values?.includes(text)) return text
      const guess = didYouMean(text, spec.values ?? [])
      return { error: `${invalid().error}${guess ? `; did you mean "${guess}"?` : ''}` }
    }
    case 'int':
    case 'float': {
      if (spec.noneAllowed && text === 'None') return 'None'
      const pattern = spec.type === 'int' ? /^[+-]?\d+$/ : /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i
      const value = Number(text)
      if (!pattern.test(text) || !Number.isFinite(value) || (spec.type === 'int' && !Number.isSafeInteger(value))) return invalid()
      return inRange(spec, value) ? value : invalid()
    }
  }
}

function inRange(spec: SettingSpec, value: number): boolean {
  if (spec.min !== undefined && (spec.exclusiveMin ? value <= spec.min : value < spec.min)) return false
  if (spec.max !== undefined && (spec.exclusiveMax ? value >= spec.max : value > spec.max)) return false
  return true
}

/** e.g. "an integer >= 0", "a number > 0 and < 1", "one of GP, RF". */
function expected(spec: SettingSpec): string {
  if (spec.type === 'enum') return `one of ${(spec.values ?? []).join(', ')}`
  const bounds = [
    spec.min === undefined ? undefined : `${spec.exclusiveMin ? '>' : '>='} ${spec.min}`,
    spec.max === undefined ? undefined : `${spec.exclusiveMax ? '<' : '<='} ${spec.max}`,
  ].filter((b) => b !== undefined)
  const kind = spec.type === 'int' ? 'an integer' : 'a number'
  const described = bounds.length === 0 ? kind : `${kind} ${bounds.join(' and ')}`
  return spec.noneAllowed ? `${described}, or None` : described
}

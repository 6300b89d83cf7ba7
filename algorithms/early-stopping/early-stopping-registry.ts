import type { SpecIssue } from '../../core/errors.ts'
import { didYouMean } from '../did-you-mean.ts'
import { parseSettings } from '../parse-settings.ts'
import type { RawSetting } from '../parse-settings.ts'
import type { EarlyStopper, EarlyStoppingDefinition } from './early-stopper.ts'
import { medianStopAlgorithm } from './median-stop.ts'
import { ashaStoppingAlgorithm } from './successive-halving-stop.ts'

/** Every early-stopping rule, by `spec.earlyStopping.algorithmName`. Katib has only medianstop. */
export const earlyStoppingAlgorithms = {
  medianstop: medianStopAlgorithm,
  asha: ashaStoppingAlgorithm,
} satisfies Record<string, EarlyStoppingDefinition<never>>

export type EarlyStoppingName = keyof typeof earlyStoppingAlgorithms

export function getEarlyStopping(name: string): EarlyStoppingDefinition | undefined {
  return Object.hasOwn(earlyStoppingAlgorithms, name) ? earlyStoppingAlgorithms[name as EarlyStoppingName] : undefined
}

export function earlyStoppingNames(): readonly EarlyStoppingName[] {
  return Object.keys(earlyStoppingAlgorithms) as EarlyStoppingName[]
}

/**
 * Katib's ValidateEarlyStoppingSettings, at experiment creation. Paths are relative to
 * `/spec/earlyStopping` (`/algorithmName`, `/algorithmSettings/0/value`).
 */
export function validateEarlyStopping(name: string | undefined, settingsList: readonly RawSetting[]): { issues: SpecIssue[] } {
  const def = name ? getEarlyStopping(name) : undefined
  if (!def) {
    const known = earlyStoppingNames()
    const guess = name ? didYouMean(name, known) : undefined
    const message = name
      ? `unknown early-stopping algorithm "${name}"${guess ? `; did you mean "${guess}"?` : '.'} Known: ${known.join(', ')}`
      : `algorithmName is required; known early-stopping algorithms: ${known.join(', ')}`
    return { issues: [{ path: '/algorithmName', message }] }
  }
  const parsed = parseSettings(def, settingsList)
  return {
    issues: parsed.issues.map((issue) => ({
      path: issue.index === undefined ? '/algorithmSettings' : `/algorithmSettings/${issue.index}/${issue.field ?? 'value'}`,
      message: issue.message,
    })),
  }
}

/** The rule an experiment's (valid) `spec.earlyStopping` names, ready to `decide`. */
export function createEarlyStopper(name: string, settingsList: readonly RawSetting[]): EarlyStopper {
  const def = getEarlyStopping(name)
  if (!def) throw new Error(`unknown early-stopping algorithm "${name}"`)
  const parsed = parseSettings(def, settingsList)
  if (parsed.issues.length > 0) throw new Error(parsed.issues.map((i) => i.message).join('; '))
  return def.create(parsed.settings)
}

import type { ParsedSettings } from './algorithm-definition.ts'

/**
 * Katib's `random_state` setting, when given, fixes the experiment seed (so two experiments with
 * the same spec and random_state suggest the same trials); otherwise the caller picks a seed.
 */
export function seedFromSettings(settings: ParsedSettings): number | undefined {
  const value = settings['random_state']
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined
}

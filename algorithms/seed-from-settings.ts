import type { ParsedSettings, SettingSpec } from './algorithm-definition.ts'

/**
 * Katib's `random_state` setting, when given, fixes the experiment seed (so two experiments with
 * the same spec and random_state suggest the same trials); otherwise the caller picks a seed.
 */
export function seedFromSettings(settings: ParsedSettings): number | undefined {
  const value = settings['random_state']
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined
}

/** The `random_state` setting as every seeded Katib algorithm declares it. */
export function randomStateSetting(description: string): SettingSpec {
  // numpy's legacy seeding (used by Katib's Python services) accepts at most 2^32 − 1.
  return { name: 'random_state', type: 'int', min: 0, max: 2 ** 32 - 1, description }
}

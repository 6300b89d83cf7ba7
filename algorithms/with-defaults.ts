import type { SettingSpec } from './algorithm-definition.ts'

/** Names of the settings in `L` that declare a default. */
type DefaultedName<L extends readonly SettingSpec[]> = Extract<L[number], { readonly default: number | string }>['name']

/** `S` with every setting that `L` gives a default present. */
export type WithDefaults<S, L extends readonly SettingSpec[]> = Omit<S, DefaultedName<L>> & {
  readonly [K in keyof S & DefaultedName<L>]-?: Exclude<S[K], undefined>
}

/**
 * The settings with each absent one that has a default in `specs` set to it. A default is
 * written once, in the settings spec: parseSettings fills it for the experiment's settings (so
 * this changes nothing for them), and `create` reads it through here, so settings built by hand
 * (tests, tools) get the same value and the code needs no fallback of its own.
 */
export function withDefaults<S extends object, L extends readonly SettingSpec[]>(specs: L, settings: S): WithDefaults<S, L> {
  const filled = { ...settings } as Record<string, unknown>
  for (const spec of specs) {
    if (filled[spec.name] === undefined && spec.default !== undefined) filled[spec.name] = spec.default
  }
  return filled as WithDefaults<S, L>
}

import type { Experiment } from '../../core/spec/experiment-schema.ts'

/**
 * The store keeps a spec as given and never validates it (callers validate before they write), so
 * store tests write small or arbitrary JSON through it; this is where they say so to the compiler.
 */
export const opaqueSpec = (json: unknown): Experiment => json as Experiment

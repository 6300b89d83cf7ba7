import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** Katib's 33 example Experiments, copied into the repository (see test/fixtures/katib/README.md). */
export const examplesDir = fileURLToPath(new URL('../../fixtures/katib/', import.meta.url))

/**
 * The reference copy beside the repository (../shared/katib-examples), when there is one: the
 * tests run over it as an extra check and skip that run in a clone alone.
 * TUNEWELL_SHARED_EXAMPLES overrides the location (pointing it nowhere shows the skip).
 */
export const sharedExamplesDir = process.env.TUNEWELL_SHARED_EXAMPLES ?? fileURLToPath(new URL('../../../../shared/katib-examples/', import.meta.url))

/** `false`, or the reason to give node:test's `skip` when the reference copy is absent. */
export function sharedExamplesSkip(): false | string {
  return existsSync(sharedExamplesDir) ? false : `no reference copy of Katib's examples at ${sharedExamplesDir}`
}

/** The example sets to run over: the in-repository copy always, the reference copy when present. */
export const exampleSets: readonly { readonly name: string; readonly dir: string; readonly skip: false | string }[] = [
  { name: 'test/fixtures/katib', dir: examplesDir, skip: false },
  { name: '../shared/katib-examples', dir: sharedExamplesDir, skip: sharedExamplesSkip() },
]

import { InvalidSpecError } from '../core/errors.ts'
import { WARM_START_PATH, warmStartFrom, warmStartSource } from '../core/spec/index.ts'
import type { WarmStart } from '../core/spec/index.ts'
import type { ExperimentRecord, Store } from '../db/store.ts'
import { readSuggestionState } from './suggestion-state.ts'

/**
 * A new experiment's warm start (core/spec/warm-start.ts), decided and stored in the transaction
 * that creates it: the source's succeeded trials inside the new space are copied into the new
 * experiment's suggestion state, so the warm start is fixed at creation. Throws InvalidSpecError
 * at the annotation (the transaction then creates nothing) when the source does not exist or is
 * incompatible. Resolves undefined when the experiment has no warm start.
 */
export async function seedWarmStart(tx: Store, record: ExperimentRecord): Promise<WarmStart | undefined> {
  const from = warmStartSource(record.spec)
  if (from === undefined) return undefined
  const source = await tx.experiments.getByName(from)
  if (!source || source.id === record.id) {
    throw new InvalidSpecError([{ path: WARM_START_PATH, message: `cannot warm-start from "${from}": no experiment of that name exists here; name an experiment of this database (tunewell list)` }])
  }
  const warmStart = warmStartFrom(record.spec, source.spec, await tx.trials.list(source.id, { states: ['Succeeded'] }))
  const { state, version } = await readSuggestionState(tx, record.id)
  await tx.algorithmStates.put(record.id, { ...state, warmStart }, version)
  return warmStart
}

/** The warm start stored for an experiment, if it has one; `store` may be a transaction's. */
export async function storedWarmStart(store: Store, experimentId: string): Promise<WarmStart | undefined> {
  return (await readSuggestionState(store, experimentId)).state.warmStart
}

/** "warm-started from OTHER (N trials used, M skipped)", as the CLI and the API's summaries say it. */
export function describeWarmStart(warm: WarmStart): string {
  const used = warm.trials.length
  return `warm-started from ${warm.from} (${used} ${used === 1 ? 'trial' : 'trials'} used, ${warm.skipped} skipped)`
}

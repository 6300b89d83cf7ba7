import type { Rng } from '../../../core/rng.ts'
import { adamMoments, type AdamMoments } from './adam.ts'
import { initialWeights, type ControllerLayout } from './controller-layout.ts'

/**
 * What the ENAS suggester carries between calls in `NasSuggestResult.state`, as plain JSON, so
 * that a restarted server continues exactly where it was: the controller's weights and Adam's
 * moments (float32, base64 of their little-endian bytes: exact, and a quarter the size of the
 * numbers written out), Adam's step, the reward baseline, which trials have been learned from, and
 * the recent training log.
 *
 * A state that does not parse, or was made for another hidden size, number of layers or of
 * operations, is ignored and the controller starts afresh (as Katib's service does after a
 * restart, having nowhere to keep its checkpoint).
 */
export interface EnasStateJson {
  readonly version: 1
  readonly hiddenSize: number
  readonly numLayers: number
  readonly numOperations: number
  readonly weights: string
  readonly adamM: string
  readonly adamV: string
  readonly adamStep: number
  readonly baseline: number
  /** Every trial numbered below this one has been learned from (or ignored: not succeeded). */
  readonly learnedBelow: number
  /** Trials at or above `learnedBelow` already learned from, ascending. */
  readonly learned: readonly number[]
  /** Succeeded trials the policy was trained on. */
  readonly trialsLearned: number
  /** Completed trials that gave no reward (failed, killed, early stopped, no objective, or an architecture outside the space). */
  readonly trialsIgnored: number
  /** Statistics of every controller_log_every_steps-th update, the latest LOG_LENGTH. */
  readonly log: readonly TrainingLogEntry[]
}

/** Katib's controller log line: step, loss, entropy, gradient norm, baseline, skip rate. */
export interface TrainingLogEntry {
  readonly step: number
  readonly loss: number
  readonly entropy: number
  readonly gradNorm: number
  readonly baseline: number
  readonly skipRate: number
}

export const LOG_LENGTH = 20

/** The state in working form: typed arrays updated in place during a call. */
export interface EnasState {
  readonly weights: Float32Array
  readonly moments: AdamMoments
  baseline: number
  learnedBelow: number
  readonly learned: Set<number>
  trialsLearned: number
  trialsIgnored: number
  log: TrainingLogEntry[]
}

export function freshEnasState(layout: ControllerLayout, rng: Rng): EnasState {
  return {
    weights: initialWeights(layout, rng),
    moments: adamMoments(layout.size),
    baseline: 0,
    learnedBelow: 0,
    learned: new Set(),
    trialsLearned: 0,
    trialsIgnored: 0,
    log: [],
  }
}

export function encodeEnasState(state: EnasState, layout: ControllerLayout): EnasStateJson {
  return {
    version: 1,
    hiddenSize: layout.hidden,
    numLayers: layout.numLayers,
    numOperations: layout.numOperations,
    weights: encodeFloats(state.weights),
    adamM: encodeFloats(state.moments.m),
    adamV: encodeFloats(state.moments.v),
    adamStep: state.moments.step,
    baseline: state.baseline,
    learnedBelow: state.learnedBelow,
    learned: [...state.learned].sort((a, b) => a - b),
    trialsLearned: state.trialsLearned,
    trialsIgnored: state.trialsIgnored,
    log: state.log,
  }
}

/** The state `value` holds for `layout`, or undefined when it holds none usable. */
export function decodeEnasState(value: unknown, layout: ControllerLayout): EnasState | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const s = value as Partial<Record<keyof EnasStateJson, unknown>>
  if (s.version !== 1 || s.hiddenSize !== layout.hidden || s.numLayers !== layout.numLayers || s.numOperations !== layout.numOperations) return undefined
  const weights = decodeFloats(s.weights, layout.size)
  const m = decodeFloats(s.adamM, layout.size)
  const v = decodeFloats(s.adamV, layout.size)
  if (!weights || !m || !v) return undefined
  if (!isCount(s.adamStep) || !isCount(s.learnedBelow) || !isCount(s.trialsLearned) || !isCount(s.trialsIgnored)) return undefined
  if (typeof s.baseline !== 'number' || !Number.isFinite(s.baseline)) return undefined
  if (!Array.isArray(s.learned) || !s.learned.every(isCount) || !Array.isArray(s.log)) return undefined
  return {
    weights,
    moments: { m, v, step: s.adamStep },
    baseline: s.baseline,
    learnedBelow: s.learnedBelow,
    learned: new Set(s.learned as number[]),
    trialsLearned: s.trialsLearned,
    trialsIgnored: s.trialsIgnored,
    log: (s.log as TrainingLogEntry[]).slice(-LOG_LENGTH),
  }
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}

function encodeFloats(values: Float32Array): string {
  const bytes = new Uint8Array(values.length * 4)
  const view = new DataView(bytes.buffer)
  for (let k = 0; k < values.length; k++) view.setFloat32(k * 4, values[k]!, true)
  return Buffer.from(bytes.buffer).toString('base64')
}

function decodeFloats(value: unknown, length: number): Float32Array | undefined {
  if (typeof value !== 'string') return undefined
  const bytes = Buffer.from(value, 'base64')
  if (bytes.length !== length * 4) return undefined
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const out = new Float32Array(length)
  for (let k = 0; k < length; k++) {
    out[k] = view.getFloat32(k * 4, true)
    if (!Number.isFinite(out[k])) return undefined
  }
  return out
}

/**
 * Warm start (katib#1067; Optuna's `enqueue`-free equivalent is adding another study's trials
 * with `add_trials`): a new experiment's algorithm starts with the finished trials of another
 * experiment as history, as a Tunewell extension Katib's tools ignore: the annotation
 * `tunewell.dev/warm-start-from: OTHER` (`tunewell run FILE --from OTHER` sets it).
 *
 * Which trials carry over is a pure decision on the two specs and the source's trials:
 * - refused (the whole warm start, with a message at the annotation): another objective metric
 *   or direction (their values would mean something else), a parameter of the new space that
 *   the source lacks or has with another type, a source with no succeeded trial;
 * - skipped and counted: a succeeded trial with a value outside the new feasible space (a
 *   narrowed range, a dropped category), which no algorithm here can place;
 * - parameters the source has and the new space lacks are dropped from each trial.
 * Only Succeeded trials with a finite objective are used: a failed or early-stopped one says
 * nothing an algorithm here can use without the source's curves.
 */
import { objectivesOf } from '../multiobjective/objectives.ts'
import { InvalidSpecError } from '../errors.ts'
import type { SpecIssue } from '../errors.ts'
import type { Params, SearchSpace } from '../search-space.ts'
import type { TrialSnapshot } from '../trial.ts'
import { checkValue } from './enqueued-trials.ts'
import type { Experiment } from './experiment-schema.ts'
import { joinPointer } from './json-pointer.ts'
import { toSearchSpace } from './to-search-space.ts'

export const WARM_START_ANNOTATION = 'tunewell.dev/warm-start-from'
export const WARM_START_PATH = joinPointer('/metadata/annotations', WARM_START_ANNOTATION)

/** A source trial as the new experiment keeps it (plain JSON: it is stored with the algorithm's state). */
export interface PriorTrial {
  readonly name: string
  readonly number: number
  /** The new space's parameters only. */
  readonly params: Params
  readonly objective: number
}

/** The trials the new experiment's algorithm starts with, and how many were left out as outside its space. */
export interface WarmStart {
  /** The source experiment's name. */
  readonly from: string
  readonly trials: readonly PriorTrial[]
  readonly skipped: number
}

/** The prior trials as algorithms read them (SuggestRequest.priorTrials): succeeded trials of the source. */
export function priorSnapshots(warm: WarmStart | undefined): TrialSnapshot[] | undefined {
  if (!warm || warm.trials.length === 0) return undefined
  const createdAt = new Date(0)
  return warm.trials.map((t) => ({ id: `${warm.from}/${t.name}`, number: t.number, name: t.name, state: 'Succeeded', params: t.params, objective: t.objective, createdAt }))
}

/** One of the source's trials as the store has it. */
export interface SourceTrial {
  readonly number: number
  readonly name: string
  readonly state: TrialSnapshot['state']
  readonly params: Params
  readonly objective: number | null
}

/** The source named by the annotation, if any (blank is treated as absent). */
export function warmStartSource(experiment: Pick<Experiment, 'metadata'>): string | undefined {
  const name = experiment.metadata?.annotations?.[WARM_START_ANNOTATION]?.trim()
  return name ? name : undefined
}

/** Problems of the annotation that need no database: an empty name, the experiment naming itself. */
export function warmStartIssues(experiment: Pick<Experiment, 'metadata'>): SpecIssue[] {
  const raw = experiment.metadata?.annotations?.[WARM_START_ANNOTATION]
  if (raw === undefined) return []
  const name = raw.trim()
  if (name === '') return [{ path: WARM_START_PATH, message: `${WARM_START_ANNOTATION} is empty; name the experiment whose trials this one starts from, or remove the annotation` }]
  if (name === experiment.metadata.name) return [{ path: WARM_START_PATH, message: `experiment "${name}" cannot warm-start from itself; name another experiment` }]
  return []
}

/** The warm start of `target` from `source`'s trials. Throws InvalidSpecError at the annotation when they are incompatible. */
export function warmStartFrom(target: Experiment, source: Experiment, trials: readonly SourceTrial[]): WarmStart {
  const from = source.metadata.name
  const issue = (message: string): InvalidSpecError => new InvalidSpecError([{ path: WARM_START_PATH, message: `cannot warm-start from "${from}": ${message}` }])
  const ours = target.spec.objective
  const theirs = source.spec.objective
  if (ours.objectiveMetricName !== theirs.objectiveMetricName) {
    throw issue(`its objective metric is "${theirs.objectiveMetricName}", this experiment's is "${ours.objectiveMetricName}"; their values cannot be compared`)
  }
  const objectives = Math.max(objectivesOf(ours).length, objectivesOf(theirs).length)
  if (objectives >= 2) {
    // Prior trials reach the algorithms as single objective values (priorSnapshots); a front needs every objective.
    throw issue(`warm start is for single-objective experiments, and ${objectivesOf(ours).length >= 2 ? 'this one' : 'that one'} has several objectives; start it without tunewell.dev/warm-start-from (or --from)`)
  }
  if (ours.type !== theirs.type) {
    throw issue(`it ${theirs.type === 'minimize' ? 'minimizes' : 'maximizes'} ${theirs.objectiveMetricName}, this experiment ${ours.type === 'minimize' ? 'minimizes' : 'maximizes'} it; use the same objective type`)
  }
  const space = toSearchSpace(target)
  const sourceSpace: SearchSpace = toSearchSpace(source)
  for (const parameter of space) {
    const old = sourceSpace.find((p) => p.name === parameter.name)
    if (!old) throw issue(`it has no parameter "${parameter.name}" (its parameters are ${sourceSpace.map((p) => p.name).join(', ')})`)
    if (old.type !== parameter.type) {
      throw issue(`its parameter "${parameter.name}" is ${old.type}, here it is ${parameter.type}; a parameter must keep its type`)
    }
  }
  const used: PriorTrial[] = []
  let skipped = 0
  for (const trial of trials) {
    if (trial.state !== 'Succeeded' || trial.objective === null || !Number.isFinite(trial.objective)) continue
    const params: Record<string, Params[string]> = {}
    const fits = space.every((parameter) => {
      const value = checkValue(parameter, trial.params[parameter.name])
      if (typeof value === 'object') return false
      params[parameter.name] = value
      return true
    })
    if (!fits) {
      skipped++
      continue
    }
    used.push({ name: trial.name, number: trial.number, params, objective: trial.objective })
  }
  if (used.length === 0 && skipped === 0) throw issue('it has no succeeded trial yet; run it first, or remove the annotation')
  return { from, trials: used, skipped }
}

/** The experiment with its warm start from `from` (`tunewell run FILE --from OTHER`). */
export function withWarmStartFrom<E extends Pick<Experiment, 'metadata'>>(experiment: E, from: string): E {
  return { ...experiment, metadata: { ...experiment.metadata, annotations: { ...experiment.metadata.annotations, [WARM_START_ANNOTATION]: from } } }
}

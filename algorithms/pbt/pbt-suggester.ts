/**
 * Population-based training (Jaderberg et al. 2017, "Population Based Training of Neural
 * Networks") as a Suggester under Katib's name and settings. A population of `n_population`
 * members trains side by side; when a member's training segment ends it is judged against the
 * latest results of the others: one in the bottom `truncation_threshold` exploits (copies the
 * hyperparameters and the checkpoint of a member drawn from the top `truncation_threshold`) and
 * explores (perturbs them by 0.8/1.2 or, with `resample_probability`, redraws them; see
 * explore-params.ts); the others continue with their own.
 *
 * As in Katib, a trial is one segment: it starts from the checkpoint of its parent trial
 * (`SuggestResult.parents`: its own previous segment, or the exploited member's), trains one
 * interval (however long the trial program decides), saves its checkpoint and ends with the
 * objective. The runner copies the parent's checkpoint directory into the trial's before launch,
 * so exploiting never damages the parent. Generations are the trials' lineage depth (the trial's
 * `generation`, its parent's + 1).
 *
 * Deviations from the paper, and why:
 * - Asynchronous truncation: a member is judged when its own segment ends, against the latest
 *   finished segment of every member (the paper's "ready" criterion with its truncation
 *   selection), never waiting for a whole generation; no slot idles for a straggler.
 * - Members that failed, were killed or reported nothing rank last and exploit a top member; with
 *   no top member yet (fewer than 1/truncation_threshold results) they restart from fresh random
 *   parameters without a parent rather than resume from a checkpoint that may be broken.
 * - Ints and discrete values move at least one step when perturbed (0.8·2 rounds back to 2);
 *   categoricals change only by resampling (the paper perturbs continuous values only).
 * - It never runs dry: the experiment ends by maxTrialCount or its goal (required at creation).
 *   Fewer than asked, with `waiting`, while every member's segment is still running.
 * - Seeding: the random draws for a segment (initial parameters, exploit choice, exploration)
 *   come from the stream of the trial number it is suggested as (`rngForSuggestion`), not from
 *   one stream per call, so the initial population is the same however the trials were
 *   batched. Later segments follow the order in which members finished, which is timing.
 */
import type { Params, SearchSpace } from '../../core/search-space.ts'
import type { TrialSnapshot } from '../../core/trial.ts'
import { isTrialCompleted } from '../../core/trial.ts'
import { rngForSuggestion } from '../rng-for-suggestion.ts'
import { sampleParams } from '../sample-parameter.ts'
import type { SuggestRequest, SuggestResult, Suggester } from '../suggester.ts'
import { exploreParams } from './explore-params.ts'

export interface PbtOptions {
  readonly populationSize: number
  /** Share of the population at the bottom that exploits, and at the top that is copied. */
  readonly truncationThreshold: number
  readonly resampleProbability: number
}

/** One member of the population: a lineage of trials. */
interface Member {
  /** Its current hyperparameters (of its latest segment). */
  p: Params
  /** Number of its latest segment's trial; absent until suggested (again). */
  t?: number
  /** Number of the trial that segment continues. */
  f?: number
  /** Number of its latest finished segment, whose checkpoint a child continues. */
  r?: number
  /** That segment's result, lower is better; null: it ended without one. */
  v?: number | null
}

/** What survives between requests, as plain JSON. */
export interface PbtState {
  readonly members: Member[]
}

export class PbtSuggester implements Suggester {
  private readonly options: PbtOptions

  constructor(options: PbtOptions) {
    this.options = options
  }

  suggest(request: SuggestRequest): SuggestResult {
    const { space, trials } = request
    const state = readState(request.state)
    const sign = request.direction === 'maximize' ? -1 : 1
    const byNumber = new Map(trials.map((t) => [t.number, t]))
    const lastNumber = trials.reduce((m, t) => Math.max(m, t.number), -1)

    const ready: { member: Member; finished: TrialSnapshot }[] = []
    for (const member of state.members) {
      if (member.t === undefined) continue
      const trial = byNumber.get(member.t)
      if (!trial) {
        // Numbers are given in creation order: a later trial means this one will never come.
        if (lastNumber > member.t) delete member.t
        continue
      }
      if (!isTrialCompleted(trial.state)) continue
      if (member.r !== member.t) {
        member.r = member.t
        member.v = resultOf(trial, sign)
      }
      ready.push({ member, finished: trial })
    }
    // Oldest finished first, so no member starves behind others that finish quickly.
    ready.sort((a, b) => (a.finished.finishedAt?.getTime() ?? 0) - (b.finished.finishedAt?.getTime() ?? 0) || a.finished.number - b.finished.number)

    const suggestions: Params[] = []
    const parents: (string | null)[] = []
    const nextNumber = Math.max(lastNumber + 1, trials.length)
    const issue = (member: Member, parent: number | undefined): void => {
      member.t = nextNumber + suggestions.length
      if (parent === undefined) delete member.f
      else member.f = parent
      suggestions.push(orderLike(space, member.p))
      parents.push(parent === undefined ? null : byNumber.get(parent)?.name ?? null)
    }

    // A segment suggested but never created is suggested again as it was.
    for (const member of state.members) if (member.t === undefined && suggestions.length < request.count) issue(member, member.f)
    while (state.members.length < this.options.populationSize && suggestions.length < request.count) {
      const member: Member = { p: sampleParams(space, rngForSuggestion(request, suggestions.length)) }
      state.members.push(member)
      issue(member, undefined)
    }
    for (const { member } of ready) {
      if (suggestions.length >= request.count) break
      this.nextSegment(member, state.members, space, request, suggestions.length, issue)
    }
    const result = { suggestions, state, parents }
    return suggestions.length < request.count ? { ...result, waiting: true } : result
  }

  /** Truncation selection for a member whose segment ended, then its next segment. */
  private nextSegment(
    member: Member, members: readonly Member[], space: SearchSpace, request: SuggestRequest, index: number,
    issue: (member: Member, parent: number | undefined) => void,
  ): void {
    const ranked = members.filter((m) => typeof m.v === 'number' && Number.isFinite(m.v)).sort((a, b) => a.v! - b.v!)
    const cut = Math.floor(ranked.length * this.options.truncationThreshold)
    const top = ranked.slice(0, cut).filter((m) => m !== member)
    const inBottom = typeof member.v !== 'number' || !Number.isFinite(member.v) || ranked.indexOf(member) >= ranked.length - cut
    // The stream of the trial this segment is about to be suggested as.
    const rng = rngForSuggestion(request, index)
    if (inBottom && top.length > 0) {
      const source = top[rng.int(top.length)]!
      member.p = exploreParams(space, source.p, this.options.resampleProbability, rng)
      issue(member, source.r)
    } else if (typeof member.v !== 'number' || !Number.isFinite(member.v)) {
      member.p = sampleParams(space, rng)
      issue(member, undefined)
    } else {
      issue(member, member.r)
    }
  }
}

/** The value a finished segment gives its member, lower is better; null if it has none. */
function resultOf(trial: TrialSnapshot, sign: number): number | null {
  const usable = trial.state === 'Succeeded' || trial.state === 'EarlyStopped'
  return usable && typeof trial.objective === 'number' && Number.isFinite(trial.objective) ? sign * trial.objective : null
}

function orderLike(space: SearchSpace, params: Params): Params {
  const ordered: Record<string, Params[string]> = {}
  for (const p of space) if (params[p.name] !== undefined) ordered[p.name] = params[p.name]!
  return ordered
}

/** A private, mutable copy of the previous state, or a fresh one. */
function readState(raw: unknown): PbtState {
  if (raw && typeof raw === 'object' && Array.isArray((raw as PbtState).members)) return JSON.parse(JSON.stringify(raw)) as PbtState
  return { members: [] }
}

/**
 * An experiment's objectives and constraints as the dashboard reads them: from the experiment
 * resource's `objectives` and `constraints` when the server sends them, else from the spec by
 * the same rules (docs/multiobjective.md): `objectiveMetricName`/`type` first, then the
 * `objectives` entries naming another metric; `objectives` alone puts its first entry first.
 */
export type Direction = 'minimize' | 'maximize'

export interface ObjectiveInfo {
  readonly metric: string
  readonly direction: Direction
}

export interface ConstraintInfo {
  readonly metric: string
  readonly op: '<=' | '>='
  readonly bound: number
  /** As written in the spec: `latency_ms <= 50`. */
  readonly text: string
}

export interface ObjectivesInfo {
  /** At least one. */
  readonly objectives: readonly ObjectiveInfo[]
  readonly constraints: readonly ConstraintInfo[]
  /** Two objectives or more: the front replaces the best trial. */
  readonly multi: boolean
}

interface LooseObjective {
  type?: string
  objectiveMetricName?: string
  objectives?: { metric?: string; direction?: string }[]
  constraints?: string[]
}

interface LooseResource {
  spec?: { objective?: LooseObjective }
  objectives?: { metric?: string; direction?: string }[]
  constraints?: string[]
}

const direction = (text: string | undefined): Direction => (text?.toLowerCase() === 'maximize' ? 'maximize' : 'minimize')

export function objectivesInfo(experiment: unknown): ObjectivesInfo {
  const resource = experiment as LooseResource
  const spec = resource.spec?.objective ?? {}
  let objectives: ObjectiveInfo[]
  if (Array.isArray(resource.objectives) && resource.objectives.length > 0) {
    objectives = resource.objectives.map((o) => ({ metric: String(o.metric), direction: direction(o.direction) }))
  } else {
    const extra = (spec.objectives ?? []).filter((o) => typeof o.metric === 'string').map((o) => ({ metric: o.metric!, direction: direction(o.direction) }))
    const first = spec.objectiveMetricName !== undefined ? { metric: spec.objectiveMetricName, direction: direction(spec.type) } : extra[0] ?? { metric: 'objective', direction: 'minimize' as const }
    objectives = [first, ...extra.filter((o) => o.metric !== first.metric)]
  }
  const texts = Array.isArray(resource.constraints) ? resource.constraints : spec.constraints ?? []
  const constraints = texts.map(parseConstraint).filter((c): c is ConstraintInfo => c !== undefined)
  return { objectives, constraints, multi: objectives.length >= 2 }
}

/** `METRIC <= NUMBER` or `METRIC >= NUMBER`; the server has refused anything else already. */
export function parseConstraint(text: string): ConstraintInfo | undefined {
  const match = /^\s*(\S+?)\s*(<=|>=)\s*(\S+)\s*$/.exec(text)
  const bound = match ? Number(match[3]) : NaN
  if (!match || !Number.isFinite(bound)) return undefined
  return { metric: match[1]!, op: match[2] as '<=' | '>=', bound, text: text.trim() }
}

/** Every coordinate minimised: maximised objectives negated. */
export function toMinimized(values: readonly number[], objectives: readonly ObjectiveInfo[]): number[] {
  return values.map((v, i) => (objectives[i]!.direction === 'maximize' ? -v : v))
}

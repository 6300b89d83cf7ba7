import { useMemo, useState } from 'preact/hooks'
import { ArchitectureCell } from './architecture-view.tsx'
import { formatDuration, formatNumber } from './format.ts'
import { formatParameterValue } from './parameter-value.ts'
import { Link } from './link.tsx'
import { knownObjectiveValues, violationsOf, type Outcomes } from './objective-outcomes.ts'
import type { ObjectivesInfo } from './objectives-info.ts'
import { objectiveLabel, violationText } from './outcome-text.ts'
import { paths } from './router.ts'
import { compareObjective, latestMetric, textObjective, type SpecInfo } from './spec-info.ts'
import { StatusBadge } from './status-badge.tsx'
import type { TrialRow } from './trial-row.ts'

const ROW = 34
const VIEW_ROWS = 14
const OVERSCAN = 8

type SortKey = { readonly kind: 'number' | 'state' | 'objective' | 'duration' } | { readonly kind: 'param' | 'metric' | 'value'; readonly name: string }

interface TrialsTableProps {
  readonly experiment: string
  readonly trials: readonly TrialRow[]
  readonly info: SpecInfo
  readonly bestTrial: string
  /** NAS experiments: a click on a trial's architecture opens it in full. */
  readonly onOpenArchitecture?: (trial: TrialRow) => void
  /** Several objectives (a column each, the front marked) or constraints (a feasibility column). */
  readonly objectives?: ObjectivesInfo
  readonly outcomes?: Outcomes
}

/**
 * Every trial, a column per parameter and metric, sortable by any column (click the header).
 * Only the rows in view are in the DOM, so 10,000 trials scroll as fast as 10.
 */
export function TrialsTable(props: TrialsTableProps) {
  const [sort, setSort] = useState<SortKey>({ kind: 'number' })
  const [descending, setDescending] = useState(true)
  const [scrollTop, setScrollTop] = useState(0)
  const multi = props.objectives?.multi ? props.objectives : undefined
  const constrained = (props.objectives?.constraints.length ?? 0) > 0
  const extraMetrics = props.info.metrics.slice(1).filter((m) => !multi?.objectives.some((o) => o.metric === m))
  const sorted = useMemo(() => sortTrials(props.trials, sort, descending, props.info, props.objectives), [props.trials, sort, descending, props.info, props.objectives])
  const first = Math.max(0, Math.floor(scrollTop / ROW) - OVERSCAN)
  const last = Math.min(sorted.length, first + VIEW_ROWS + 2 * OVERSCAN)
  const columns = 4 + props.info.parameters.length + extraMetrics.length + (props.info.nas ? 1 : 0) + (multi ? multi.objectives.length - 1 : 0) + (constrained ? 1 : 0)

  const header = (label: string, key: SortKey, className = '') => {
    const active = sameKey(sort, key)
    return (
      <th class={className} aria-sort={active ? (descending ? 'descending' : 'ascending') : 'none'} scope="col">
        <button
          type="button"
          class="th-button"
          onClick={() => {
            if (active) setDescending(!descending)
            else {
              setSort(key)
              setDescending(key.kind === 'number')
            }
          }}
        >
          {label}{active ? (descending ? ' ▾' : ' ▴') : ''}
        </button>
      </th>
    )
  }
  return (
    <div class="trials-table-wrap table-wrap" style={{ maxHeight: `${(VIEW_ROWS + 1) * ROW + 2}px` }} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)} data-testid="trials-table">
      <table class="table trials-table">
        <thead>
          <tr>
            {header('#', { kind: 'number' }, 'num')}
            {header('State', { kind: 'state' })}
            {multi ? multi.objectives.map((o) => header(objectiveLabel(o), { kind: 'value', name: o.metric }, 'num')) : header(props.info.objective.metric, { kind: 'objective' }, 'num')}
            {constrained && <th scope="col">Feasible</th>}
            {props.info.nas && <th scope="col">Architecture</th>}
            {props.info.parameters.map((p) => header(p.name, { kind: 'param', name: p.name }, 'num'))}
            {extraMetrics.map((m) => header(m, { kind: 'metric', name: m }, 'num'))}
            {header('Duration', { kind: 'duration' }, 'num')}
          </tr>
        </thead>
        <tbody>
          {first > 0 && <tr class="spacer" style={{ height: `${first * ROW}px` }}><td colSpan={columns} /></tr>}
          {sorted.slice(first, last).map((t) => (
            <tr key={t.name} class={(multi ? props.outcomes?.byName.get(t.name)?.onFront : t.name === props.bestTrial) ? 'best-row' : undefined} style={{ height: `${ROW}px` }}>
              <td class="num"><Link href={paths.trial(props.experiment, t.name)} title={t.name}>{t.number}</Link></td>
              <td><StatusBadge state={t.state} title={t.message} /></td>
              {multi ? <ObjectiveCells trial={t} info={multi} outcomes={props.outcomes} /> : <td class="num strong">{textObjective(t, props.info) !== undefined ? <TextValue text={textObjective(t, props.info)!} /> : formatNumber(t.objective)}{t.name === props.bestTrial ? <span class="best-mark" title="best trial"> ★</span> : null}</td>}
              {constrained && <td><FeasibleMark trial={t} info={props.objectives!} /></td>}
              {props.info.nas && <td class="architecture-col"><ArchitectureCell params={t.params} onOpen={() => props.onOpenArchitecture?.(t)} /></td>}
              {props.info.parameters.map((p) => <td class="num">{formatParameterValue(p, t.params[p.name])}</td>)}
              {extraMetrics.map((m) => <td class="num">{formatNumber(latestMetric(t, m))}</td>)}
              <td class="num">{t.startedMs !== null ? formatDuration((t.finishedMs ?? Date.now()) - t.startedMs) : '–'}</td>
            </tr>
          ))}
          {last < sorted.length && <tr class="spacer" style={{ height: `${(sorted.length - last) * ROW}px` }}><td colSpan={columns} /></tr>}
        </tbody>
      </table>
    </div>
  )
}

/** A metric reported as text (a DARTS genotype) where its number would go: one line, all of it on hover. */
function TextValue(props: { text: string }) {
  return <span class="text-value" title={props.text} data-testid="text-objective">{props.text}</span>
}

/** One cell per objective (the value the server computed, else read from the metrics); ◆ marks a front trial. */
function ObjectiveCells(props: { trial: TrialRow; info: ObjectivesInfo; outcomes: Outcomes | undefined }) {
  const values = props.outcomes?.byName.get(props.trial.name)?.values ?? knownObjectiveValues(props.trial, props.info)
  const front = props.outcomes?.byName.get(props.trial.name)?.onFront
  return (
    <>
      {props.info.objectives.map((o, i) => (
        <td class="num strong">{formatNumber(values?.[i])}{i === 0 && front ? <span class="best-mark" title="on the Pareto front" data-testid="front-mark"> ◆</span> : null}</td>
      ))}
    </>
  )
}

/** A succeeded trial's feasibility: ✓, or ✗ with the constraints it broke on hover. */
function FeasibleMark(props: { trial: TrialRow; info: ObjectivesInfo }) {
  if (props.trial.state !== 'Succeeded') return <span class="muted">–</span>
  const broken = violationsOf(props.trial, props.info)
  if (broken.length === 0) return <span class="good" title="met every constraint">✓</span>
  const text = `broke ${broken.map(violationText).join(', ')}`
  return <span class="bad" title={text} aria-label={`infeasible: ${text}`} data-testid="infeasible-mark">✗ infeasible</span>
}

function sameKey(a: SortKey, b: SortKey): boolean {
  return a.kind === b.kind && ('name' in a ? a.name : '') === ('name' in b ? b.name : '')
}

const duration = (t: TrialRow) => (t.startedMs !== null ? (t.finishedMs ?? Date.now()) - t.startedMs : -1)

function sortTrials(trials: readonly TrialRow[], key: SortKey, descending: boolean, info: SpecInfo, objectives: ObjectivesInfo | undefined): TrialRow[] {
  const list = [...trials]
  const dir = descending ? -1 : 1
  const byValue = (value: (t: TrialRow) => number | string | undefined) => (a: TrialRow, b: TrialRow) => {
    const x = value(a)
    const y = value(b)
    // Missing values last in either direction.
    if (x === undefined) return y === undefined ? a.number - b.number : 1
    if (y === undefined) return -1
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))
    return dir * c || a.number - b.number
  }
  switch (key.kind) {
    case 'number': return list.sort((a, b) => dir * (a.number - b.number))
    case 'state': return list.sort(byValue((t) => t.state))
    // Objective: ascending means best first, whatever the direction of the objective.
    case 'objective': return list.sort(compareObjective(info, descending))
    case 'duration': return list.sort(byValue((t) => (duration(t) < 0 ? undefined : duration(t))))
    case 'param': return list.sort(byValue((t) => (t.params[key.name] ?? undefined) as number | string | undefined))
    case 'metric': return list.sort(byValue((t) => latestMetric(t, key.name)))
    case 'value': {
      const index = objectives?.objectives.findIndex((o) => o.metric === key.name) ?? -1
      return list.sort(byValue((t) => (objectives ? knownObjectiveValues(t, objectives)[index] ?? undefined : undefined)))
    }
  }
}

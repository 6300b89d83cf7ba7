import { formatNumber } from './format.ts'
import { HypervolumeChart } from './hypervolume-chart.tsx'
import { Notice } from './notice.tsx'
import type { Outcomes } from './objective-outcomes.ts'
import type { ObjectivesInfo } from './objectives-info.ts'
import { ObjectivesParallelChart } from './objectives-parallel-chart.tsx'
import { ParetoChart } from './pareto-chart.tsx'
import { ParetoMatrix } from './pareto-matrix.tsx'

/**
 * The panels of an experiment with several objectives: the trials in objective space (one
 * scatter for two objectives; a pairwise matrix and parallel coordinates for more) and the
 * hypervolume over trials.
 */
export function MultiObjectivePanels(props: { experiment: string; info: ObjectivesInfo; outcomes: Outcomes }) {
  const { info, outcomes } = props
  const many = info.objectives.length > 2
  const infeasible = outcomes.scored.filter((o) => !o.feasible).length
  const reference = outcomes.reference?.map((v, i) => (info.objectives[i]!.direction === 'maximize' ? -v : v))
  const summary = `${outcomes.front.length} on the front, ${outcomes.scored.length - outcomes.front.length - infeasible} dominated${info.constraints.length > 0 ? `, ${infeasible} infeasible` : ''}`
  const empty = <Notice>No succeeded trial has reported every objective yet.</Notice>
  return (
    <>
      <section class={`panel${many ? ' wide' : ''}`}>
        <div class="panel-head">
          <h2>Pareto front</h2>
          <span class="muted small" data-testid="front-summary">{summary}</span>
        </div>
        {outcomes.scored.length === 0 ? empty : many
          ? <ParetoMatrix experiment={props.experiment} info={info} outcomes={outcomes} />
          : <ParetoChart experiment={props.experiment} info={info} outcomes={outcomes} />}
      </section>
      {many && (
        <section class="panel wide">
          <h2>Objectives <span class="muted small">parallel coordinates, better up</span></h2>
          {outcomes.scored.length === 0 ? empty : <ObjectivesParallelChart experiment={props.experiment} info={info} outcomes={outcomes} />}
        </section>
      )}
      <section class="panel">
        <div class="panel-head">
          <h2>Hypervolume</h2>
          {reference && <span class="muted small" data-testid="reference-point">reference point ({reference.map(formatNumber).join(', ')})</span>}
        </div>
        {outcomes.history.length === 0 ? <Notice>No feasible trial yet.</Notice> : <HypervolumeChart experiment={props.experiment} outcomes={outcomes} />}
      </section>
    </>
  )
}

import { formatNumber } from './format.ts'
import { Link } from './link.tsx'
import type { Outcomes } from './objective-outcomes.ts'
import type { ObjectivesInfo } from './objectives-info.ts'
import { objectiveLabel } from './outcome-text.ts'
import { paths } from './router.ts'

/**
 * The best-trial card of an experiment with several objectives: no single best, but the Pareto
 * front of the feasible trials, its size, its hypervolume, and each front trial's objectives
 * (best first objective first), each trial a link to its page.
 */
export function FrontCard(props: { experiment: string; info: ObjectivesInfo; outcomes: Outcomes; hypervolume: number | undefined }) {
  const first = props.info.objectives[0]!
  const front = [...props.outcomes.front].sort((a, b) => a.minimized[0]! - b.minimized[0]! || a.trial.number - b.trial.number)
  return (
    <div class="card best-card front-card" data-testid="pareto-front-card">
      <h2>Pareto front</h2>
      {front.length === 0 ? <p class="muted">No feasible trial has reported every objective yet.</p> : (
        <>
          <p>
            <span class="strong" data-testid="front-size">{front.length} {front.length === 1 ? 'trial' : 'trials'}</span> on the front
            {props.hypervolume !== undefined && <span class="muted small">, hypervolume <span data-testid="front-hypervolume">{formatNumber(props.hypervolume)}</span></span>}
          </p>
          <div class="table-wrap front-table-wrap">
            <table class="kv front-table">
              <thead>
                <tr><th scope="col">trial</th>{props.info.objectives.map((o) => <th scope="col" class="num">{objectiveLabel(o)}</th>)}</tr>
              </thead>
              <tbody>
                {front.map((o) => (
                  <tr key={o.trial.name}>
                    <td><Link href={paths.trial(props.experiment, o.trial.name)} title={o.trial.name}>#{o.trial.number}</Link></td>
                    {o.values.map((v) => <td class="num">{formatNumber(v)}</td>)}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p class="muted small">Best {first.metric}{first.direction === 'minimize' ? ' (lowest)' : ' (highest)'} first; currentOptimalTrial is the first row.</p>
        </>
      )}
    </div>
  )
}

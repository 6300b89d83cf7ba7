import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { ArchitectureView } from './architecture-view.tsx'
import { ContourChart } from './contour-chart.tsx'
import { ExperimentActions } from './experiment-actions.tsx'
import { ExperimentData } from './experiment-data.ts'
import { ExperimentHeader } from './experiment-header.tsx'
import { BestBudget, fidelityOf } from './best-budget.tsx'
import { FailureSummary } from './failure-summary.tsx'
import { HistoryChart } from './history-chart.tsx'
import { ImportanceChart } from './importance-chart.tsx'
import { FrontCard } from './front-card.tsx'
import { LearningCurves } from './learning-curves.tsx'
import { Link } from './link.tsx'
import { MultiObjectivePanels } from './multiobjective-panels.tsx'
import { objectiveOutcomes } from './objective-outcomes.ts'
import { objectivesInfo } from './objectives-info.ts'
import { Notice } from './notice.tsx'
import { ParallelChart } from './parallel-chart.tsx'
import { paths } from './router.ts'
import { SliceCharts } from './slice-charts.tsx'
import { specInfo } from './spec-info.ts'
import { SpecView } from './spec-view.tsx'
import { TimelineChart } from './timeline-chart.tsx'
import { TrialsTable } from './trials-table.tsx'

/**
 * One experiment: status, actions, every chart and the trials table, all live.
 *
 * The page is interactive once the header, the optimisation history and the parallel
 * coordinates are drawn and the trials table is filled: `<main data-interactive>` then holds the
 * milliseconds since navigation (bench/ui measures it). The other charts are drawn only then,
 * and learning curves and importance (further requests) asked for only then, so that at 10,000
 * trials they do not hold up the first ones on a small machine's one main thread.
 */
export function ExperimentPage(props: { name: string }) {
  const data = useMemo(() => new ExperimentData(props.name), [props.name])
  useEffect(() => {
    data.start()
    return () => data.stop()
  }, [data])
  const [brushed, setBrushed] = useState<ReadonlySet<number> | null>(null)
  const [brushKey, setBrushKey] = useState(0)
  const [drawn, setDrawn] = useState({ history: false, parallel: false })
  const [interactive, setInteractive] = useState<number | undefined>(undefined)
  /** NAS: the trial whose architecture is shown in full (the best one until another is opened). */
  const [openArchitecture, setOpenArchitecture] = useState<string | undefined>(undefined)
  const onHistory = useRef(() => setDrawn((d) => ({ ...d, history: true }))).current
  const onParallel = useRef(() => setDrawn((d) => ({ ...d, parallel: true }))).current
  const experiment = data.experiment.value
  const trials = data.trials.value
  const info = useMemo(() => (experiment ? specInfo(experiment) : undefined), [experiment?.spec])
  const fidelity = useMemo(() => (experiment && info ? fidelityOf(experiment, info) : undefined), [experiment?.spec, info])
  // Several objectives or constraints: each trial's vector, feasibility and place on the front.
  const objectivesKey = experiment ? JSON.stringify([objectivesInfo(experiment), experiment.paretoFront, experiment.referencePoint]) : ''
  const objectives = useMemo(() => (experiment ? objectivesInfo(experiment) : undefined), [objectivesKey])
  const outcomes = useMemo(() => (objectives && (objectives.multi || objectives.constraints.length > 0)
    ? objectiveOutcomes(trials, objectives, { paretoFront: experiment?.paretoFront, referencePoint: experiment?.referencePoint ?? undefined })
    : undefined), [trials, objectivesKey])
  const infeasible = useMemo(() => new Set(outcomes?.scored.filter((o) => !o.feasible).map((o) => o.trial.name)), [outcomes])
  const shown = useMemo(() => (brushed ? trials.filter((t) => brushed.has(t.number)) : trials), [trials, brushed])
  const scored = trials.some((t) => t.objective !== null)
  const textual = !scored && trials.some((t) => t.texts?.[info?.objective.metric ?? ''] != null)
  const noValues = textual ? `${info?.objective.metric} is reported as text (a genotype): nothing to chart; the best trial and the table show it.` : 'No objective values yet.'
  const succeeded = experiment?.status.trialsSucceeded ?? 0
  // Without hyperparameters (an architecture search) there are no parallel coordinates to wait for.
  const tuned = info !== undefined && info.parameters.length > 0
  const ready = experiment !== undefined && data.allLoaded.value && (!scored || (drawn.history && (drawn.parallel || !tuned)))
  useEffect(() => {
    if (ready && interactive === undefined) setInteractive(Math.round(performance.now()))
  }, [ready])

  if (data.deleted.value) return <main class="page"><Notice>Experiment {props.name} does not exist (any more). <Link href={paths.experiments()}>All experiments</Link></Notice></main>
  if (!experiment || !info) {
    return <main class="page">{data.error.value ? <Notice kind="error">{data.error.value.message}</Notice> : <Notice kind="loading">Loading {props.name}…</Notice>}</main>
  }
  const status = experiment.status
  const active = status.state === 'Created' || status.state === 'Running' || status.state === 'Restarting'
  const best = status.currentOptimalTrial.bestTrialName
  const later = interactive !== undefined
  const architectureTrial = info.nas ? trials.find((t) => t.name === (openArchitecture ?? best)) : undefined
  return (
    <main class="page experiment-page" data-interactive={interactive}>
      <nav class="crumbs" aria-label="Breadcrumb">
        <Link href={paths.experiments()}>Experiments</Link> / {props.name}
        <span class="crumb-aside"><Link href={paths.compare([props.name])}>Compare with others</Link></span>
      </nav>
      <ExperimentHeader experiment={experiment} info={info} live={data.live.value} {...(objectives?.multi && outcomes ? {
        frontCard: <FrontCard experiment={props.name} info={objectives} outcomes={outcomes} hypervolume={experiment.hypervolume ?? outcomes.history.at(-1)?.hypervolume} />,
      } : {})} {...(fidelity ? { budget: <BestBudget experiment={props.name} fidelity={fidelity} trials={trials} info={info} bestTrial={status.currentOptimalTrial.bestTrialName} /> } : {})} />
      <ExperimentActions experiment={experiment} onChanged={() => data.refresh()} />
      {status.state === 'Failed' && <FailureSummary experiment={props.name} trials={trials} />}
      {data.error.value && <Notice kind="error">Last update failed: {data.error.value.message} (retrying)</Notice>}
      {!data.allLoaded.value && <Notice kind="loading">Loading {status.trials} trials…</Notice>}
      {trials.length === 0 && data.allLoaded.value && <Notice>No trials yet{active ? ': the first ones start in a moment.' : '.'}</Notice>}
      {trials.length > 0 && (
        <div class="panels">
          {objectives?.multi && outcomes && <MultiObjectivePanels experiment={props.name} info={objectives} outcomes={outcomes} />}
          <section class="panel">
            <h2>Optimisation history</h2>
            {scored ? <HistoryChart experiment={props.name} trials={trials} info={info} onRendered={onHistory} {...(outcomes ? { infeasible } : {})} /> : <Notice>{noValues}</Notice>}
          </section>
          <section class="panel">
            <h2>Timeline</h2>
            {later ? <TimelineChart experiment={props.name} trials={trials} /> : <div class="chart-placeholder" style={{ height: '300px' }} />}
          </section>
          {tuned && <>
          <section class="panel wide">
            <div class="panel-head">
              <h2>Parallel coordinates</h2>
              <span class="muted small">drag along an axis to filter the trials below</span>
              {brushed && <button class="button small" onClick={() => { setBrushed(null); setBrushKey(brushKey + 1) }}>Clear selection</button>}
            </div>
            {scored ? <ParallelChart key={brushKey} trials={trials} info={info} onBrush={setBrushed} onRendered={onParallel} /> : <Notice>No objective values yet.</Notice>}
          </section>
          <section class="panel wide">
            <h2>Slices</h2>
            {!scored ? <Notice>No objective values yet.</Notice> : later ? <SliceCharts trials={trials} info={info} /> : <div class="chart-placeholder" style={{ height: '220px' }} />}
          </section>
          <section class="panel">
            <h2>Parameter importance</h2>
            {later ? <ImportanceChart experiment={props.name} succeeded={succeeded} /> : <Notice kind="loading">Waiting for the charts above…</Notice>}
          </section>
          <section class="panel">
            <h2>Contour</h2>
            {!scored ? <Notice>No objective values yet.</Notice> : later ? <ContourChart trials={trials} info={info} bestTrial={best} /> : <div class="chart-placeholder" style={{ height: '360px' }} />}
          </section>
          </>}
          <section class="panel wide">
            <h2>Learning curves <span class="muted small">{info.objective.metric} by step, the 100 best trials{active ? ' and the running ones' : ''}</span></h2>
            {later
              ? <LearningCurves experiment={props.name} metric={info.objective.metric} bestTrial={best} active={active} trialCount={trials.length} />
              : <Notice kind="loading">Waiting for the charts above…</Notice>}
          </section>
          {info.nas && (
            <section class="panel wide" data-testid="architecture-panel">
              <div class="panel-head">
                <h2>{architectureTrial ? `Architecture of trial ${architectureTrial.number}${architectureTrial.name === best ? ' (best)' : ''}` : 'Architecture'}</h2>
                {architectureTrial && <Link href={paths.trial(props.name, architectureTrial.name)} class="small">open the trial</Link>}
                {openArchitecture && best && openArchitecture !== best && <button class="button small" onClick={() => setOpenArchitecture(undefined)}>Show the best</button>}
              </div>
              {architectureTrial ? <ArchitectureView params={architectureTrial.params} /> : <Notice>No best trial yet: click an architecture in the table to see it in full.</Notice>}
            </section>
          )}
          <section class="panel wide">
            <div class="panel-head">
              <h2>Trials</h2>
              <span class="muted small" data-testid="trial-count">
                {brushed ? `${shown.length} of ${trials.length} trials selected` : `${trials.length} trials`}
              </span>
            </div>
            {shown.length > 0 ? <TrialsTable experiment={props.name} trials={shown} info={info} bestTrial={best} {...(objectives && outcomes ? { objectives, outcomes } : {})} onOpenArchitecture={(t) => {
              setOpenArchitecture(t.name)
              document.querySelector('[data-testid="architecture-panel"]')?.scrollIntoView({ block: 'nearest' })
            }} /> : <Notice>No trial in the selected ranges.</Notice>}
          </section>
        </div>
      )}
      <details class="panel spec">
        <summary><h2>Spec</h2></summary>
        <SpecView experiment={experiment} />
      </details>
    </main>
  )
}

import { useMemo } from 'preact/hooks'
import { api } from './api-client.ts'
import { Chart } from './chart.tsx'
import { trialCurvesOption } from './learning-curves.tsx'
import { Notice } from './notice.tsx'
import { trialCurves } from './curve-series.ts'
import { darkMode } from './theme.ts'
import { usePolledSeries } from './use-polled-series.ts'

/** Every metric of one trial by step; re-read every 3 s while it runs. */
export function TrialCurves(props: { experiment: string; trial: string; running: boolean }) {
  const { series, problem } = usePolledSeries(
    async (signal) => trialCurves(await api.trialObservations(props.experiment, props.trial, { maxPoints: 500 }, signal)),
    { live: props.running, everyMs: 3000, missingRoute: 'This server has no observations API yet; the summary above is all there is.' },
    [props.experiment, props.trial, props.running],
  )
  const dark = darkMode.value
  const option = useMemo(() => trialCurvesOption(series ?? [], dark), [series, dark])
  if (problem) return <Notice>{problem}</Notice>
  if (!series) return <Notice kind="loading">Loading metrics…</Notice>
  if (series.every((s) => s.points.length === 0)) return <Notice>No metric reported yet.</Notice>
  return <Chart option={option} height={280} label="Metrics of this trial by step" testId="trial-curves" />
}

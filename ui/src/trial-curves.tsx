import { useEffect, useMemo, useState } from 'preact/hooks'
import { api } from './api-client.ts'
import { isMissingRoute } from './api-error.ts'
import { Chart } from './chart.tsx'
import { trialCurvesOption } from './learning-curves.tsx'
import { Notice } from './notice.tsx'
import { trialCurves, type Series } from './curve-series.ts'
import { darkMode } from './theme.ts'

/** Every metric of one trial by step; re-read every 3 s while it runs. */
export function TrialCurves(props: { experiment: string; trial: string; running: boolean }) {
  const [series, setSeries] = useState<Series[] | undefined>(undefined)
  const [problem, setProblem] = useState<string | undefined>(undefined)
  useEffect(() => {
    const abort = new AbortController()
    let timer: ReturnType<typeof setTimeout> | undefined
    const load = async () => {
      try {
        setSeries(trialCurves(await api.trialObservations(props.experiment, props.trial, { maxPoints: 500 }, abort.signal)))
        if (props.running) timer = setTimeout(load, 3000)
      } catch (error) {
        if (abort.signal.aborted) return
        setProblem(isMissingRoute(error) ? 'This server has no observations API yet; the summary above is all there is.' : (error as Error).message)
      }
    }
    void load()
    return () => {
      abort.abort()
      clearTimeout(timer)
    }
  }, [props.experiment, props.trial, props.running])
  const dark = darkMode.value
  const option = useMemo(() => trialCurvesOption(series ?? [], dark), [series, dark])
  if (problem) return <Notice>{problem}</Notice>
  if (!series) return <Notice kind="loading">Loading metrics…</Notice>
  if (series.every((s) => s.points.length === 0)) return <Notice>No metric reported yet.</Notice>
  return <Chart option={option} height={280} label="Metrics of this trial by step" testId="trial-curves" />
}

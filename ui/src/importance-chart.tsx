import { useEffect, useMemo, useState } from 'preact/hooks'
import { api } from './api-client.ts'
import { isMissingRoute } from './api-error.ts'
import type { Importance } from './api-types.ts'
import { Chart } from './chart.tsx'
import { Notice } from './notice.tsx'
import { chartPalette, darkMode } from './theme.ts'

/**
 * Parameter importance as the server computes it (PED-ANOVA over the succeeded trials): one bar
 * per parameter, most important on top. Read again when the number of succeeded trials
 * changes, which is also what the server's cache is keyed by.
 */
export function ImportanceChart(props: { experiment: string; succeeded: number }) {
  const [result, setResult] = useState<Importance | undefined>(undefined)
  const [problem, setProblem] = useState<string | undefined>(undefined)
  useEffect(() => {
    const abort = new AbortController()
    // Trials finishing in a burst: one read after it settles.
    const timer = setTimeout(() => {
      api.importance(props.experiment, abort.signal).then((body) => {
        setResult(body)
        setProblem(undefined)
      }).catch((error: unknown) => {
        if (abort.signal.aborted) return
        setProblem(isMissingRoute(error) ? 'This server cannot compute importance (GET /api/v1/experiments/{name}/importance).' : (error as Error).message)
      })
    }, result ? 1000 : 0)
    return () => {
      abort.abort()
      clearTimeout(timer)
    }
  }, [props.experiment, props.succeeded])

  const dark = darkMode.value
  const option = useMemo(() => {
    const palette = chartPalette(dark)
    const bars = [...(result?.parameters ?? [])].reverse()
    return {
      animation: false,
      grid: { left: 8, right: 48, top: 8, bottom: 24, containLabel: true },
      tooltip: {
        trigger: 'item', backgroundColor: palette.tooltipBg, textStyle: { color: palette.text },
        formatter: (e: { name: string; value: number }) => `${e.name}: ${(e.value * 100).toFixed(1)} % of the total`,
      },
      xAxis: { type: 'value', min: 0, max: 1, axisLabel: { color: palette.muted, fontSize: 10, formatter: (v: number) => `${Math.round(v * 100)} %` }, splitLine: { lineStyle: { color: palette.split } } },
      yAxis: { type: 'category', data: bars.map((p) => p.name), axisLabel: { color: palette.text }, axisLine: { lineStyle: { color: palette.axis } }, axisTick: { show: false } },
      series: [{
        type: 'bar', data: bars.map((p) => p.importance), barMaxWidth: 22, itemStyle: { color: palette.accent, borderRadius: [0, 3, 3, 0] },
        label: { show: true, position: 'right', color: palette.muted, fontSize: 11, formatter: (e: { value: number }) => `${(e.value * 100).toFixed(0)} %` },
      }],
    }
  }, [result, dark])

  if (problem) return <Notice>{problem}</Notice>
  if (!result) return <Notice kind="loading">Computing importance…</Notice>
  if (result.parameters.length === 0) return <Notice>{result.note ?? 'No importance yet.'}</Notice>
  return (
    <>
      <Chart option={option} height={Math.max(140, 44 * result.parameters.length + 40)} label="Parameter importance" testId="importance-chart" />
      <p class="muted small">
        PED-ANOVA over {result.trials} succeeded and early-stopped trials (these at the rung where they stopped): how differently the best{' '}
        {Math.round(result.quantile * 100)} % ({result.topTrials} trials) are spread over each parameter than all of them.
        {result.resourceParameter !== undefined && <span data-testid="importance-resource"> {result.resourceParameter} is left out: it is the resource the algorithm sets by rung.</span>}
      </p>
    </>
  )
}

import { useMemo } from 'preact/hooks'
import { api } from './api-client.ts'
import { Chart } from './chart.tsx'
import { formatNumber } from './format.ts'
import { Notice } from './notice.tsx'
import { experimentCurves, type Series } from './curve-series.ts'
import { chartPalette, darkMode } from './theme.ts'
import { usePolledSeries } from './use-polled-series.ts'

/** The best trials' curves: what a reader compares; all 10,000 would be an unreadable block of ink. */
const BEST_TRIALS = 100
const RUNNING_TRIALS = 50
const POINTS_PER_TRIAL = 80

/**
 * Intermediate values of the objective metric against step: the 100 best trials by objective
 * and, while the experiment runs, the running ones, each downsampled by the server (min/max per
 * step bucket), the best trial drawn on top and early-stopped ones dashed with a cross where they
 * stopped. Refreshed every 5 s while the experiment runs.
 */
export function LearningCurves(props: { experiment: string; metric: string; bestTrial: string; active: boolean; trialCount: number }) {
  const { series, problem } = usePolledSeries(async (signal) => {
    const q = { metric: props.metric, maxPointsPerTrial: POINTS_PER_TRIAL }
    const [best, running] = await Promise.all([
      api.experimentObservations(props.experiment, { ...q, sort: 'objective', limit: BEST_TRIALS }, signal),
      props.active ? api.experimentObservations(props.experiment, { ...q, state: 'Running', limit: RUNNING_TRIALS }, signal) : undefined,
    ])
    const all = experimentCurves(best)
    const seen = new Set(all.map((s) => s.trial))
    if (running) all.push(...experimentCurves(running).filter((s) => !seen.has(s.trial)))
    return all
  }, {
    live: props.active, everyMs: 5000,
    missingRoute: 'This server has no observations API yet (GET /api/v1/experiments/{name}/observations).',
  }, [props.experiment, props.metric, props.active, props.trialCount > 0])

  const dark = darkMode.value
  const option = useMemo(() => curvesOption(series ?? [], props.bestTrial, props.metric, dark), [series, props.bestTrial, dark])
  if (problem) return <Notice>{problem}</Notice>
  if (!series) return <Notice kind="loading">Loading learning curves…</Notice>
  if (series.every((s) => s.points.length === 0)) return <Notice>No intermediate values reported yet.</Notice>
  return <Chart option={option} height={300} label={`Learning curves of ${props.metric}`} testId="learning-curves" />
}

export function curvesOption(series: readonly Series[], bestTrial: string, metric: string, dark: boolean) {
  const palette = chartPalette(dark)
  const ordered = [...series].sort((a, b) => Number(a.trial === bestTrial) - Number(b.trial === bestTrial))
  return {
    animation: false,
    grid: { left: 56, right: 16, top: 16, bottom: 36 },
    tooltip: {
      trigger: 'item', backgroundColor: palette.tooltipBg, textStyle: { color: palette.text },
      formatter: (e: { seriesName: string; value: [number, number] }) => `${e.seriesName}<br/>step ${e.value[0]}: ${formatNumber(e.value[1])}`,
    },
    xAxis: { type: 'value', name: 'step', nameLocation: 'middle', nameGap: 24, axisLine: { lineStyle: { color: palette.axis } }, axisLabel: { color: palette.muted }, splitLine: { lineStyle: { color: palette.split } } },
    yAxis: { type: 'value', name: metric, scale: true, axisLabel: { color: palette.muted }, splitLine: { lineStyle: { color: palette.split } } },
    series: ordered.map((s) => {
      const best = s.trial === bestTrial
      const stopped = s.state === 'EarlyStopped'
      const last = s.points[s.points.length - 1]
      return {
        // A trial with one report has no line to draw: its point is shown instead.
        name: s.trial, type: 'line', showSymbol: s.points.length === 1, symbolSize: s.points.length === 1 ? 6 : 4, silent: false,
        data: s.points.map((p) => [p.step, p.value]),
        ...(stopped && last ? { markPoint: { symbol: 'path://M2 2L10 10M10 2L2 10', symbolSize: 7, silent: true, itemStyle: { borderColor: palette.muted, borderWidth: 1.5 }, label: { show: false }, data: [{ coord: [last.step, last.value] }] } } : {}),
        lineStyle: { width: best ? 2.5 : 1, opacity: best ? 1 : 0.35, color: best ? palette.best : stopped ? palette.muted : palette.accent, ...(stopped ? { type: 'dashed' } : {}) },
        itemStyle: { color: best ? palette.best : palette.accent },
        z: best ? 3 : 2,
      }
    }),
  }
}

/** For the trial page: the parsed curves of one trial, all its metrics. */
export function trialCurvesOption(series: readonly Series[], dark: boolean) {
  const palette = chartPalette(dark)
  return {
    animation: false,
    grid: { left: 56, right: 16, top: 36, bottom: 36 },
    legend: { top: 0, textStyle: { color: palette.muted } },
    tooltip: { trigger: 'axis', backgroundColor: palette.tooltipBg, textStyle: { color: palette.text } },
    xAxis: { type: 'value', name: 'step', nameLocation: 'middle', nameGap: 24, axisLabel: { color: palette.muted }, splitLine: { lineStyle: { color: palette.split } } },
    yAxis: { type: 'value', scale: true, axisLabel: { color: palette.muted }, splitLine: { lineStyle: { color: palette.split } } },
    series: series.map((s) => ({ name: s.metric, type: 'line', showSymbol: s.points.length < 60, data: s.points.map((p) => [p.step, p.value]) })),
  }
}


import { useMemo } from 'preact/hooks'
import type { TrialState } from './api-types.ts'
import { Chart } from './chart.tsx'
import type { ChartInstance } from './echarts-setup.ts'
import { formatNumber } from './format.ts'
import { navigate, paths } from './router.ts'
import type { SpecInfo } from './spec-info.ts'
import { chartPalette, darkMode, STATE_COLORS } from './theme.ts'
import type { TrialRow } from './trial-row.ts'

/**
 * Optimisation history: each trial's objective by trial number, coloured by state, and the
 * best value so far as a step line. Large mode keeps 10,000 points fast.
 */
export function HistoryChart(props: { experiment: string; trials: readonly TrialRow[]; info: SpecInfo; onRendered?: () => void; infeasible?: ReadonlySet<string> }) {
  const dark = darkMode.value
  const option = useMemo(() => {
    const palette = chartPalette(dark)
    const minimize = props.info.objective.type === 'minimize'
    const byState = new Map<TrialState, [number, number, string][]>()
    const best: [number, number][] = []
    let bestSoFar: number | undefined
    for (const t of props.trials) {
      if (t.objective === null) continue
      const list = byState.get(t.state) ?? []
      list.push([t.number, t.objective, t.name])
      byState.set(t.state, list)
      // A trial that broke a constraint is never the best, however good its objective.
      if (props.infeasible?.has(t.name)) continue
      // Nor is a failed or killed trial that reported a value (lifecycle/best-trial.ts): the line ends at the best card's value.
      if (t.state !== 'Succeeded' && t.state !== 'EarlyStopped') continue
      if (bestSoFar === undefined || (minimize ? t.objective < bestSoFar : t.objective > bestSoFar)) bestSoFar = t.objective
      best.push([t.number, bestSoFar])
    }
    return {
      animation: false,
      textStyle: { color: palette.text },
      grid: { left: 56, right: 16, top: 36, bottom: 36 },
      legend: { top: 0, textStyle: { color: palette.muted }, itemWidth: 10, itemHeight: 10 },
      tooltip: {
        trigger: 'item', backgroundColor: palette.tooltipBg, textStyle: { color: palette.text },
        formatter: (p: { seriesName: string; value: [number, number, string?] }) =>
          p.value[2] ? `${p.value[2]}<br/>#${p.value[0]} ${props.info.objective.metric} = ${formatNumber(p.value[1])}` : `best after #${p.value[0]}: ${formatNumber(p.value[1])}`,
      },
      xAxis: { type: 'value', name: 'trial', nameLocation: 'middle', nameGap: 24, min: 0, axisLine: { lineStyle: { color: palette.axis } }, splitLine: { lineStyle: { color: palette.split } } },
      yAxis: { type: 'value', name: props.info.objective.metric, scale: true, axisLine: { lineStyle: { color: palette.axis } }, splitLine: { lineStyle: { color: palette.split } } },
      series: [
        ...[...byState.entries()].map(([state, data]) => ({
          name: state, type: 'scatter', data, symbolSize: 6, large: true, largeThreshold: 2000,
          itemStyle: { color: STATE_COLORS[state], opacity: 0.8 },
        })),
        { name: 'best so far', type: 'line', step: 'end', data: best, showSymbol: false, lineStyle: { color: palette.best, width: 2 }, itemStyle: { color: palette.best }, z: 3, tooltip: { show: false } },
      ],
    }
  }, [props.trials, props.info, props.infeasible, dark])
  const onReady = (chart: ChartInstance) => {
    chart.on('click', (event) => {
      const value = event.value as [number, number, string?] | undefined
      if (value?.[2]) navigate(paths.trial(props.experiment, value[2]))
    })
  }
  return <Chart option={option} height={300} onReady={onReady} label="Optimisation history: objective per trial and best so far" testId="history-chart" {...(props.onRendered ? { onRendered: props.onRendered } : {})} />
}

import { useMemo } from 'preact/hooks'
import { Chart } from './chart.tsx'
import { formatNumber } from './format.ts'
import type { Outcomes } from './objective-outcomes.ts'
import { openTrialOnClick } from './pareto-chart.tsx'
import { chartPalette, darkMode } from './theme.ts'

/**
 * The hypervolume of the front among the first n succeeded trials (in the order they finished),
 * against the experiment's reference point: how much of the objective space the search has
 * covered, growing as the front advances and flat while trials land behind it.
 */
export function HypervolumeChart(props: { experiment: string; outcomes: Outcomes }) {
  const dark = darkMode.value
  const option = useMemo(() => {
    const palette = chartPalette(dark)
    return {
      animation: false,
      textStyle: { color: palette.text },
      grid: { left: 64, right: 16, top: 32, bottom: 40 },
      tooltip: {
        trigger: 'item', backgroundColor: palette.tooltipBg, textStyle: { color: palette.text },
        formatter: (p: { value: [number, number, string] }) => `after ${p.value[0]} succeeded trials (the last ${p.value[2]})<br/>hypervolume = ${formatNumber(p.value[1])}`,
      },
      xAxis: { type: 'value', name: 'succeeded trials', nameLocation: 'middle', nameGap: 24, min: 0, axisLine: { lineStyle: { color: palette.axis } }, splitLine: { lineStyle: { color: palette.split } } },
      yAxis: { type: 'value', name: 'hypervolume', scale: true, axisLine: { lineStyle: { color: palette.axis } }, splitLine: { lineStyle: { color: palette.split } } },
      series: [{
        name: 'hypervolume', type: 'line', step: 'end', symbolSize: 5, showSymbol: props.outcomes.history.length <= 200,
        lineStyle: { color: palette.best, width: 2 }, itemStyle: { color: palette.best },
        data: props.outcomes.history.map((h) => [h.completed, h.hypervolume, h.trial.name]),
      }],
    }
  }, [props.outcomes, dark])
  return <Chart option={option} height={260} onReady={openTrialOnClick(props.experiment)} label="Hypervolume of the front after each succeeded trial" testId="hypervolume-chart" />
}

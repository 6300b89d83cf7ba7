import { useMemo } from 'preact/hooks'
import type { TrialState } from './api-types.ts'
import { Chart } from './chart.tsx'
import type { ChartInstance } from './echarts-setup.ts'
import { formatDuration } from './format.ts'
import { navigate, paths } from './router.ts'
import { chartPalette, darkMode, STATE_COLORS } from './theme.ts'
import type { TrialRow } from './trial-row.ts'

type Bar = [start: number, end: number, number: number, name: string, state: TrialState]

/** Each trial as a bar from start to end over wall-clock time (to now while it runs), coloured by state. */
export function TimelineChart(props: { experiment: string; trials: readonly TrialRow[] }) {
  const dark = darkMode.value
  const option = useMemo(() => {
    const palette = chartPalette(dark)
    const now = Date.now()
    const bars: Bar[] = []
    for (const t of props.trials) {
      if (t.startedMs === null) continue
      bars.push([t.startedMs, t.finishedMs ?? now, t.number, t.name, t.state])
    }
    const height = Math.max(1, Math.min(14, 260 / Math.max(1, props.trials.length)))
    return {
      animation: false,
      grid: { left: 48, right: 16, top: 12, bottom: 32 },
      tooltip: {
        backgroundColor: palette.tooltipBg, textStyle: { color: palette.text },
        formatter: (e: { value: Bar }) => `${e.value[3]}<br/>${e.value[4]}, ${formatDuration(e.value[1] - e.value[0])}`,
      },
      xAxis: { type: 'time', axisLine: { lineStyle: { color: palette.axis } }, axisLabel: { color: palette.muted, fontSize: 10, hideOverlap: true }, splitLine: { lineStyle: { color: palette.split } } },
      yAxis: {
        type: 'value', inverse: true, min: -0.5, max: Math.max(0, props.trials.length - 0.5),
        axisLabel: { color: palette.muted, fontSize: 10, showMinLabel: false, showMaxLabel: false, formatter: (v: number) => (Number.isInteger(v) ? String(v) : '') },
        splitLine: { show: false },
      },
      series: [{
        type: 'custom', data: bars, encode: { x: [0, 1], y: 2 }, progressive: 2000,
        renderItem: (_params: unknown, api: { value(i: number): number; coord(p: [number, number]): [number, number] }) => {
          const start = api.coord([api.value(0), api.value(2)])
          const end = api.coord([api.value(1), api.value(2)])
          const state = bars[(_params as { dataIndex: number }).dataIndex]![4]
          return {
            type: 'rect',
            shape: { x: start[0], y: start[1] - height / 2, width: Math.max(1, end[0] - start[0]), height },
            style: { fill: STATE_COLORS[state] },
          }
        },
      }],
    }
  }, [props.trials, dark])
  const onReady = (chart: ChartInstance) => {
    chart.on('click', (event) => {
      const value = event.value as Bar | undefined
      if (value) navigate(paths.trial(props.experiment, value[3]))
    })
  }
  return <Chart option={option} height={300} onReady={onReady} label="Timeline of trials over wall-clock time" testId="timeline-chart" />
}

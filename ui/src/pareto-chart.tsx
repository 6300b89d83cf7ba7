import { useMemo } from 'preact/hooks'
import { Chart } from './chart.tsx'
import type { ChartInstance } from './echarts-setup.ts'
import type { Outcomes, TrialOutcome } from './objective-outcomes.ts'
import type { ObjectivesInfo } from './objectives-info.ts'
import { objectiveLabel, outcomeTooltip } from './outcome-text.ts'
import { navigate, paths } from './router.ts'
import { chartPalette, darkMode, STATE_COLORS } from './theme.ts'

/** The three kinds of point every multi-objective chart draws, in drawing order (front on top). */
export const POINT_SERIES = ['dominated', 'infeasible', 'Pareto front'] as const

/** Which series a trial's point is in. */
export function pointSeries(o: TrialOutcome): (typeof POINT_SERIES)[number] {
  return !o.feasible ? 'infeasible' : o.onFront ? 'Pareto front' : 'dominated'
}

/** Point style per series: the front emphasised, dominated trials faded, infeasible ones a red triangle. */
export function pointStyle(series: (typeof POINT_SERIES)[number], dark: boolean) {
  const palette = chartPalette(dark)
  switch (series) {
    case 'Pareto front': return { symbol: 'circle', symbolSize: 10, itemStyle: { color: palette.best, borderColor: palette.text, borderWidth: 1, opacity: 1 }, z: 4 }
    case 'dominated': return { symbol: 'circle', symbolSize: 6, itemStyle: { color: palette.muted, opacity: 0.35 }, z: 2 }
    case 'infeasible': return { symbol: 'triangle', symbolSize: 9, itemStyle: { color: STATE_COLORS.Failed, opacity: 0.85 }, z: 3 }
  }
}

/** The element carries its chart, so a test (or the console) can read what it drew and where (getOption, convertToPixel). */
export function exposeChart(chart: ChartInstance): void {
  (chart.getDom() as HTMLElement & { chart?: ChartInstance }).chart = chart
}

/** Each point carries its trial's name last, so a click opens the trial. */
export function openTrialOnClick(experiment: string) {
  return (chart: ChartInstance) => {
    exposeChart(chart)
    chart.on('click', (event) => {
      const value = event.value as unknown[] | undefined
      const name = value && value[value.length - 1]
      if (typeof name === 'string') navigate(paths.trial(experiment, name))
    })
  }
}

/**
 * Two objectives: every succeeded trial with both values, the first objective across and the
 * second up. The Pareto front of the feasible trials is emphasised and joined by its staircase
 * (the boundary of what it dominates), dominated trials are faded, infeasible ones drawn apart
 * with the constraints they broke in their tooltip.
 */
export function ParetoChart(props: { experiment: string; info: ObjectivesInfo; outcomes: Outcomes }) {
  const dark = darkMode.value
  const option = useMemo(() => {
    const palette = chartPalette(dark)
    const [x, y] = props.info.objectives as [typeof props.info.objectives[0], typeof props.info.objectives[0]]
    const axis = (o: typeof x, vertical: boolean) => ({
      type: 'value', scale: true, name: objectiveLabel(o), nameLocation: 'middle', nameGap: vertical ? 44 : 26, nameTextStyle: { color: palette.text },
      axisLine: { lineStyle: { color: palette.axis } }, axisLabel: { color: palette.muted, fontSize: 10 }, splitLine: { lineStyle: { color: palette.split } },
    })
    return {
      animation: false,
      textStyle: { color: palette.text },
      grid: { left: 64, right: 16, top: 36, bottom: 44 },
      legend: { top: 0, textStyle: { color: palette.muted }, itemWidth: 10, itemHeight: 10, data: [...POINT_SERIES].reverse() },
      tooltip: {
        trigger: 'item', backgroundColor: palette.tooltipBg, textStyle: { color: palette.text },
        formatter: (p: { value: unknown[] }) => {
          const outcome = props.outcomes.byName.get(p.value[p.value.length - 1] as string)
          return outcome ? outcomeTooltip(outcome, props.info.objectives) : ''
        },
      },
      xAxis: axis(x, false),
      yAxis: axis(y, true),
      series: [
        { name: 'front line', type: 'line', data: staircase(props.outcomes.front, props.info), showSymbol: false, silent: true, lineStyle: { color: palette.best, width: 1.5 }, z: 1, tooltip: { show: false } },
        ...POINT_SERIES.map((series) => ({
          name: series, type: 'scatter', ...pointStyle(series, dark), large: true, largeThreshold: 5000,
          data: props.outcomes.scored.filter((o) => pointSeries(o) === series).map((o) => [o.values[0]!, o.values[1]!, o.trial.name]),
        })),
      ],
    }
  }, [props.outcomes, props.info, dark])
  return <Chart option={option} height={340} onReady={openTrialOnClick(props.experiment)} label="Pareto front: each trial's two objectives, the front emphasised" testId="pareto-chart" />
}

/**
 * The front's points in order along the first objective, with a corner between each two at the
 * worse value of each objective: the boundary of the region the front dominates, whatever the
 * two directions.
 */
export function staircase(front: readonly TrialOutcome[], info: ObjectivesInfo): [number, number][] {
  const sorted = [...front].sort((a, b) => a.values[0]! - b.values[0]! || a.minimized[1]! - b.minimized[1]!)
  const worse = (i: number, a: number, b: number) => (info.objectives[i]!.direction === 'minimize' ? Math.max(a, b) : Math.min(a, b))
  const line: [number, number][] = []
  sorted.forEach((o, k) => {
    const previous = sorted[k - 1]
    if (previous) line.push([worse(0, previous.values[0]!, o.values[0]!), worse(1, previous.values[1]!, o.values[1]!)])
    line.push([o.values[0]!, o.values[1]!])
  })
  return line
}

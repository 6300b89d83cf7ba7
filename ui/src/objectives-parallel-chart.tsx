import { useMemo } from 'preact/hooks'
import { Chart } from './chart.tsx'
import type { ChartInstance } from './echarts-setup.ts'
import type { Outcomes } from './objective-outcomes.ts'
import type { ObjectivesInfo } from './objectives-info.ts'
import { objectiveLabel, outcomeTooltip } from './outcome-text.ts'
import { exposeChart, POINT_SERIES, pointSeries } from './pareto-chart.tsx'
import { navigate, paths } from './router.ts'
import { chartPalette, darkMode, STATE_COLORS } from './theme.ts'

/**
 * Parallel coordinates over the objectives, one line per succeeded trial: the front's lines bold
 * in the front's colour, dominated ones faint, infeasible ones dashed red. Each axis is turned so
 * that better is up, whatever its direction, so a front line never crosses above another on every axis.
 */
export function ObjectivesParallelChart(props: { experiment: string; info: ObjectivesInfo; outcomes: Outcomes }) {
  const dark = darkMode.value
  const option = useMemo(() => {
    const palette = chartPalette(dark)
    const style = {
      'Pareto front': { color: palette.best, width: 2, opacity: 0.95, type: 'solid' },
      dominated: { color: palette.muted, width: 1, opacity: 0.25, type: 'solid' },
      infeasible: { color: STATE_COLORS.Failed, width: 1, opacity: 0.5, type: 'dashed' },
    } as const
    return {
      animation: false,
      textStyle: { color: palette.text },
      legend: { top: 0, textStyle: { color: palette.muted }, itemWidth: 10, itemHeight: 10, data: [...POINT_SERIES].reverse() },
      tooltip: {
        trigger: 'item', backgroundColor: palette.tooltipBg, textStyle: { color: palette.text },
        formatter: (p: { name: string }) => {
          const outcome = props.outcomes.byName.get(p.name)
          return outcome ? outcomeTooltip(outcome, props.info.objectives) : ''
        },
      },
      parallel: { left: 56, right: 56, top: 44, bottom: 28, parallelAxisDefault: { nameLocation: 'end', nameGap: 12 } },
      parallelAxis: props.info.objectives.map((o, d) => ({
        dim: d, name: objectiveLabel(o), type: 'value', scale: true, inverse: o.direction === 'minimize',
        nameTextStyle: { color: palette.text, fontSize: 12 }, axisLine: { lineStyle: { color: palette.axis } }, axisLabel: { color: palette.muted, fontSize: 10 },
      })),
      series: POINT_SERIES.map((series) => ({
        name: series, type: 'parallel', lineStyle: style[series], emphasis: { lineStyle: { width: 3, opacity: 1 } }, z: series === 'Pareto front' ? 3 : 1,
        data: props.outcomes.scored.filter((o) => pointSeries(o) === series).map((o) => ({ name: o.trial.name, value: [...o.values] })),
      })),
    }
  }, [props.outcomes, props.info, dark])
  const onReady = (chart: ChartInstance) => {
    exposeChart(chart)
    chart.on('click', (event) => {
      if (typeof event.name === 'string' && event.name) navigate(paths.trial(props.experiment, event.name))
    })
  }
  return <Chart option={option} height={300} onReady={onReady} label="Parallel coordinates of the objectives, better up, the front emphasised" testId="objectives-parallel-chart" />
}

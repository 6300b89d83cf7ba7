import { useMemo } from 'preact/hooks'
import { Chart } from './chart.tsx'
import type { Outcomes } from './objective-outcomes.ts'
import type { ObjectivesInfo } from './objectives-info.ts'
import { objectiveLabel, outcomeTooltip } from './outcome-text.ts'
import { openTrialOnClick, POINT_SERIES, pointSeries, pointStyle } from './pareto-chart.tsx'
import { chartPalette, darkMode } from './theme.ts'

const CELL = 200
const GAP = 56

/**
 * Three objectives or more: one scatter per pair, the lower triangle of a matrix (objective i
 * across, j up, for i < j). The front is that of all objectives, so a front point can sit behind
 * others in a pair's view; it is drawn on top and in the front's colour in every cell.
 */
export function ParetoMatrix(props: { experiment: string; info: ObjectivesInfo; outcomes: Outcomes }) {
  const dark = darkMode.value
  const k = props.info.objectives.length
  const option = useMemo(() => {
    const palette = chartPalette(dark)
    const pairs: [number, number][] = []
    for (let j = 1; j < k; j++) for (let i = 0; i < j; i++) pairs.push([i, j])
    const axis = (index: number, grid: number, vertical: boolean, named: boolean) => ({
      type: 'value', scale: true, gridIndex: grid, name: named ? objectiveLabel(props.info.objectives[index]!) : '',
      nameLocation: 'middle', nameGap: vertical ? 40 : 24, nameTextStyle: { color: palette.text, fontSize: 11 },
      axisLine: { lineStyle: { color: palette.axis } }, axisLabel: { color: palette.muted, fontSize: 9, hideOverlap: true }, splitLine: { lineStyle: { color: palette.split } },
    })
    return {
      animation: false,
      textStyle: { color: palette.text },
      legend: { top: 0, textStyle: { color: palette.muted }, itemWidth: 10, itemHeight: 10, data: [...POINT_SERIES].reverse() },
      tooltip: {
        trigger: 'item', backgroundColor: palette.tooltipBg, textStyle: { color: palette.text },
        formatter: (p: { value: unknown[] }) => {
          const outcome = props.outcomes.byName.get(p.value[p.value.length - 1] as string)
          return outcome ? outcomeTooltip(outcome, props.info.objectives) : ''
        },
      },
      // Cell (row j - 1, column i); axis names on the outer row and column only, as in a matrix.
      grid: pairs.map(([i, j]) => ({ left: GAP + i * (CELL + GAP / 2), top: 32 + (j - 1) * (CELL + GAP / 2), width: CELL, height: CELL })),
      xAxis: pairs.map(([i, j], g) => axis(i, g, false, j === k - 1)),
      yAxis: pairs.map(([i, j], g) => axis(j, g, true, i === 0)),
      series: pairs.flatMap(([i, j], g) => POINT_SERIES.map((series) => ({
        name: series, type: 'scatter', xAxisIndex: g, yAxisIndex: g, ...pointStyle(series, dark), symbolSize: pointStyle(series, dark).symbolSize - 2,
        large: true, largeThreshold: 5000,
        data: props.outcomes.scored.filter((o) => pointSeries(o) === series).map((o) => [o.values[i]!, o.values[j]!, o.trial.name]),
      }))),
    }
  }, [props.outcomes, props.info, dark])
  return <Chart option={option} height={32 + (k - 1) * (CELL + GAP / 2) + GAP / 2} onReady={openTrialOnClick(props.experiment)} label="Pareto front: each pair of objectives, the front emphasised" testId="pareto-matrix" />
}

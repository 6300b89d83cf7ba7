import { useEffect, useMemo, useRef } from 'preact/hooks'
import { Chart } from './chart.tsx'
import type { ChartInstance } from './echarts-setup.ts'
import { axisCategories, chartValue } from './parameter-value.ts'
import type { SpecInfo } from './spec-info.ts'
import { chartPalette, darkMode } from './theme.ts'
import type { TrialRow } from './trial-row.ts'

interface ParallelChartProps {
  readonly trials: readonly TrialRow[]
  readonly info: SpecInfo
  /** The trial numbers inside every brushed axis range, or null when nothing is brushed. */
  readonly onBrush: (selected: ReadonlySet<number> | null) => void
  readonly onRendered?: () => void
}

const BEST_TO_WORST = ['#ef4444', '#a855f7', '#60a5fa']

/** ECharts keeps which lines are inside the brushed ranges on its series model; it has no public getter. */
interface ParallelSeriesModel { getRawIndicesByActiveState(state: 'active' | 'inactive'): number[] }
const seriesModel = (chart: ChartInstance) =>
  (chart as unknown as { getModel(): { getSeries(): ParallelSeriesModel[] } }).getModel().getSeries()[0]

/**
 * Parallel coordinates of the parameters and the objective, one line per trial with a value,
 * coloured by objective (best brightest). Dragging along an axis brushes a range; the trials
 * inside all brushed ranges are reported to filter the table.
 */
export function ParallelChart(props: ParallelChartProps) {
  const dark = darkMode.value
  const chart = useRef<ChartInstance | null>(null)
  const { rows, option } = useMemo(() => {
    const palette = chartPalette(dark)
    const params = props.info.parameters
    const scored = props.trials.filter((t) => t.objective !== null)
    const objectiveDim = params.length
    const minimize = props.info.objective.type === 'minimize'
    const values = scored.map((t) => t.objective!)
    const min = values.length ? Math.min(...values) : 0
    const max = values.length ? Math.max(...values) : 1
    const axisStyle = {
      nameTextStyle: { color: palette.text, fontSize: 12 },
      axisLine: { lineStyle: { color: palette.axis } },
      axisLabel: { color: palette.muted, fontSize: 10 },
      areaSelectStyle: { width: 16, borderWidth: 1, color: palette.accent, opacity: 0.25 },
    }
    return {
      rows: scored.map((t) => t.number),
      option: {
        animation: false,
        parallel: { left: 48, right: 96, top: 36, bottom: 28, parallelAxisDefault: { nameLocation: 'start', nameGap: 14 } },
        parallelAxis: [
          ...params.map((p, i) => ({
            dim: i, name: p.name, ...axisStyle,
            ...(axisCategories(p) ? { type: 'category', data: [...axisCategories(p)!] } : p.log ? { type: 'log' } : { type: 'value', scale: true }),
          })),
          { dim: objectiveDim, name: props.info.objective.metric, type: 'value', scale: true, ...axisStyle, nameTextStyle: { color: palette.best, fontWeight: 'bold' } },
        ],
        visualMap: {
          type: 'continuous', dimension: objectiveDim, min, max: max === min ? min + 1 : max, right: 8, top: 'middle', itemHeight: 140, calculable: false,
          text: minimize ? ['worse', 'better'] : ['better', 'worse'], textStyle: { color: palette.muted, fontSize: 10 },
          inRange: { color: minimize ? BEST_TO_WORST : [...BEST_TO_WORST].reverse() },
        },
        series: [{
          type: 'parallel', data: scored.map((t) => [...params.map((p) => chartValue(p, t.params[p.name]) as number | string), t.objective!]),
          lineStyle: { width: 1, opacity: 0.45 }, inactiveOpacity: 0.04, activeOpacity: 0.9,
          progressive: 2000, progressiveThreshold: 3000, emphasis: { disabled: true },
        }],
      },
    }
  }, [props.trials, props.info, dark])

  const report = () => {
    const model = chart.current && seriesModel(chart.current)
    if (!model) return
    if (model.getRawIndicesByActiveState('inactive').length === 0) return props.onBrush(null)
    props.onBrush(new Set(model.getRawIndicesByActiveState('active').map((i) => rows[i]!)))
  }
  const latestReport = useRef(report)
  latestReport.current = report
  // New trials arrive while a range is brushed: the ranges stay, the selection is recomputed.
  useEffect(() => latestReport.current(), [rows])
  const onReady = (instance: ChartInstance) => {
    chart.current = instance
    instance.on('axisareaselected', () => latestReport.current())
  }
  return <Chart option={option} height={340} onReady={onReady} merge label="Parallel coordinates of parameters and objective; drag along an axis to select a range" testId="parallel-chart" {...(props.onRendered ? { onRendered: props.onRendered } : {})} />
}

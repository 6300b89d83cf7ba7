import { useMemo, useState } from 'preact/hooks'
import { Chart } from './chart.tsx'
import { contourGrid, type GridAxis } from './contour-grid.ts'
import { formatNumber } from './format.ts'
import { chartValue } from './parameter-value.ts'
import type { SpecInfo } from './spec-info.ts'
import { chartPalette, darkMode } from './theme.ts'
import type { TrialRow } from './trial-row.ts'

/** Sequential (viridis-like): the best cells brightest in light and dark mode alike. */
const WORST_TO_BEST = ['#3b0f70', '#2c6e8e', '#2fb47c', '#fde725']

type Cell = [x0: number, x1: number, y0: number, y1: number, mean: number, count: number]

/**
 * The objective over two chosen parameters: the mean of the trials in each cell of a grid
 * (contour-grid.ts), blank where no trial fell; the best trial is starred.
 */
export function ContourChart(props: { trials: readonly TrialRow[]; info: SpecInfo; bestTrial: string }) {
  const params = props.info.parameters
  const [xName, setX] = useState(params[0]?.name ?? '')
  const [yName, setY] = useState(params[1]?.name ?? params[0]?.name ?? '')
  const px = params.find((p) => p.name === xName) ?? params[0]
  const py = params.find((p) => p.name === yName) ?? params[1]
  const dark = darkMode.value
  const grid = useMemo(() => (px && py ? contourGrid(props.trials, px, py) : undefined), [props.trials, px, py])
  const option = useMemo(() => {
    if (!grid || !px || !py) return {}
    const palette = chartPalette(dark)
    const minimize = props.info.objective.type === 'minimize'
    const data: Cell[] = grid.cells.map((c) => [...span(grid.x, c.i), ...span(grid.y, c.j), c.mean, c.count])
    const best = props.trials.find((t) => t.name === props.bestTrial)
    const bestPoint = best ? [coordinate(grid.x, chartValue(px, best.params[px.name])), coordinate(grid.y, chartValue(py, best.params[py.name]))] : undefined
    return {
      animation: false,
      grid: { left: 64, right: 88, top: 16, bottom: 44 },
      tooltip: {
        trigger: 'item', backgroundColor: palette.tooltipBg, textStyle: { color: palette.text },
        formatter: (e: { seriesType: string; value: Cell }) => e.seriesType === 'custom'
          ? `${px.name} ${rangeText(grid.x, e.value[0], e.value[1])}<br/>${py.name} ${rangeText(grid.y, e.value[2], e.value[3])}<br/>` +
            `mean ${props.info.objective.metric} = ${formatNumber(e.value[4])} (${e.value[5]} trial${e.value[5] === 1 ? '' : 's'})`
          : `best trial ${props.bestTrial}`,
      },
      xAxis: axisOption(grid.x, px.name, palette),
      yAxis: { ...axisOption(grid.y, py.name, palette), nameLocation: 'middle', nameGap: 48 },
      visualMap: {
        type: 'continuous', dimension: 4, seriesIndex: 0, min: grid.min, max: grid.max === grid.min ? grid.min + 1 : grid.max, right: 4, top: 'middle',
        itemHeight: 140, calculable: false, text: minimize ? ['worse', 'better'] : ['better', 'worse'], textStyle: { color: palette.muted, fontSize: 10 },
        inRange: { color: minimize ? [...WORST_TO_BEST].reverse() : WORST_TO_BEST },
      },
      series: [
        {
          type: 'custom', data, encode: { x: [0, 1], y: [2, 3] },
          renderItem: (_params: unknown, api: { value(i: number): number; coord(p: [number, number]): [number, number]; visual(k: 'color'): string }) => {
            const a = api.coord([api.value(0), api.value(3)])
            const b = api.coord([api.value(1), api.value(2)])
            return { type: 'rect', shape: { x: a[0], y: a[1], width: b[0] - a[0], height: b[1] - a[1] }, style: { fill: api.visual('color'), stroke: palette.tooltipBg, lineWidth: 0.5 } }
          },
        },
        ...(bestPoint ? [{ type: 'scatter', data: [bestPoint], symbol: 'path://M12 2l3 7h7l-5.5 4.5 2 7.5-6.5-4.5-6.5 4.5 2-7.5L2 9h7z', symbolSize: 16, itemStyle: { color: '#ffffff', borderColor: '#111827', borderWidth: 1 }, z: 5 }] : []),
      ],
    }
  }, [grid, dark, props.bestTrial, props.trials])

  if (params.length < 2) return <p class="muted">A contour needs two parameters; this experiment has {params.length}.</p>
  const select = (label: string, value: string, set: (v: string) => void) => (
    <label class="field inline-field">
      {label}
      <select value={value} onChange={(e) => set(e.currentTarget.value)}>
        {params.map((p) => <option value={p.name}>{p.name}</option>)}
      </select>
    </label>
  )
  return (
    <>
      <div class="toolbar">
        {select('x', px?.name ?? '', setX)}
        {select('y', py?.name ?? '', setY)}
        <span class="muted small">mean {props.info.objective.metric} of the trials in each cell; blank: no trial there</span>
      </div>
      {grid ? <Chart option={option} height={320} label={`Mean objective over ${px?.name} and ${py?.name}`} testId="contour-chart" /> : <p class="muted">No trial with both values and an objective yet.</p>}
    </>
  )
}

/** A bin's extent in axis coordinates: edges for numbers, index ± 0.5 for categories. */
function span(axis: GridAxis, k: number): [number, number] {
  return axis.kind === 'numeric' ? [axis.edges[k]!, axis.edges[k + 1]!] : [k - 0.5, k + 0.5]
}

function coordinate(axis: GridAxis, value: number | string | boolean | null | undefined): number {
  return axis.kind === 'numeric' ? Number(value) : axis.values.indexOf(String(value))
}

function rangeText(axis: GridAxis, from: number, to: number): string {
  return axis.kind === 'numeric' ? `${formatNumber(from)} – ${formatNumber(to)}` : `= ${axis.values[Math.round((from + to) / 2)]}`
}

function axisOption(axis: GridAxis, name: string, palette: ReturnType<typeof chartPalette>) {
  const common = {
    name, nameLocation: 'middle', nameGap: 28, nameTextStyle: { color: palette.text },
    axisLine: { lineStyle: { color: palette.axis } }, splitLine: { show: false },
    axisLabel: { color: palette.muted, fontSize: 10, hideOverlap: true } as Record<string, unknown>,
  }
  if (axis.kind === 'category') {
    return {
      // A value axis (so cells are drawn the same way on both kinds) labelled at the category indices.
      ...common, type: 'value', min: -0.5, max: axis.values.length - 0.5,
      axisTick: { customValues: axis.values.map((_, k) => k) },
      axisLabel: { ...common.axisLabel, customValues: axis.values.map((_, k) => k), formatter: (v: number) => axis.values[Math.round(v)] ?? '' },
    }
  }
  // The extremes are the trials' range, not round numbers: ticks inside it are labelled, the ends are not.
  return { ...common, type: axis.log ? 'log' : 'value', min: axis.edges[0], max: axis.edges[axis.edges.length - 1], axisLabel: { ...common.axisLabel, showMinLabel: false, showMaxLabel: false, formatter: (v: number) => formatNumber(v) } }
}

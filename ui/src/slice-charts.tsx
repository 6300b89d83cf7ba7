import { useMemo } from 'preact/hooks'
import { Chart } from './chart.tsx'
import { formatNumber, formatValue } from './format.ts'
import { axisCategories, chartValue } from './parameter-value.ts'
import type { ParameterInfo, SpecInfo } from './spec-info.ts'
import { chartPalette, darkMode } from './theme.ts'
import type { TrialRow } from './trial-row.ts'

/** Objective against each parameter, one small scatter each, coloured by trial number (later = darker). */
export function SliceCharts(props: { trials: readonly TrialRow[]; info: SpecInfo }) {
  const scored = useMemo(() => props.trials.filter((t) => t.objective !== null), [props.trials])
  return (
    <div class="slices">
      {props.info.parameters.map((p) => <SliceChart key={p.name} parameter={p} trials={scored} info={props.info} />)}
    </div>
  )
}

function SliceChart(props: { parameter: ParameterInfo; trials: readonly TrialRow[]; info: SpecInfo }) {
  const dark = darkMode.value
  const option = useMemo(() => {
    const palette = chartPalette(dark)
    const p = props.parameter
    const last = props.trials.length ? props.trials[props.trials.length - 1]!.number : 1
    return {
      animation: false,
      title: undefined,
      grid: { left: 48, right: 12, top: 28, bottom: 40 },
      tooltip: {
        trigger: 'item', backgroundColor: palette.tooltipBg, textStyle: { color: palette.text },
        formatter: (e: { value: [number | string, number, number] }) => `#${e.value[2]}<br/>${p.name} = ${formatValue(e.value[0])}<br/>${props.info.objective.metric} = ${formatNumber(e.value[1])}`,
      },
      xAxis: {
        name: p.name, nameLocation: 'middle', nameGap: 26, nameTextStyle: { color: palette.text },
        ...(axisCategories(p) ? { type: 'category', data: [...axisCategories(p)!] } : p.log ? { type: 'log' } : { type: 'value', scale: true }),
        axisLine: { lineStyle: { color: palette.axis } }, axisLabel: { color: palette.muted, fontSize: 10, hideOverlap: true }, splitLine: { show: false },
      },
      yAxis: { type: 'value', scale: true, axisLabel: { color: palette.muted, fontSize: 10 }, splitLine: { lineStyle: { color: palette.split } } },
      visualMap: { show: false, dimension: 2, min: 0, max: Math.max(1, last), inRange: { color: dark ? ['#334155', '#60a5fa'] : ['#bfdbfe', '#1e40af'] } },
      series: [{
        type: 'scatter', symbolSize: 5, large: true, largeThreshold: 2000,
        data: props.trials.map((t) => [chartValue(p, t.params[p.name]) as number | string, t.objective!, t.number]),
      }],
    }
  }, [props.trials, props.parameter, dark])
  return <Chart option={option} height={220} label={`Objective against ${props.parameter.name}`} />
}

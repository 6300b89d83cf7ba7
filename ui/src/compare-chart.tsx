import { useMemo, useRef } from 'preact/hooks'
import { Chart } from './chart.tsx'
import type { ComparedExperiment } from './compare-data.ts'
import type { ChartInstance } from './echarts-setup.ts'
import { formatNumber } from './format.ts'
import { navigate, paths } from './router.ts'
import { chartPalette, darkMode } from './theme.ts'

/** One colour per compared experiment, in the order they were picked; the table uses the same. */
export const COMPARE_COLORS = ['#2563eb', '#d97706', '#16a34a', '#dc2626', '#7c3aed', '#0891b2', '#db2777', '#65a30d', '#475569', '#ea580c']
export const compareColor = (index: number) => COMPARE_COLORS[index % COMPARE_COLORS.length]!

/** "name (algorithm)": how every series and row of the comparison is labelled. */
export const compareLabel = (e: Pick<ComparedExperiment, 'name' | 'algorithm'>) => `${e.name} (${e.algorithm})`

/** Each succeeded-or-not trial's objective by trial number, and the best so far, in the experiment's own direction. */
export function bestSoFar(e: ComparedExperiment): { points: [number, number, string][]; best: [number, number][] } {
  const minimize = e.info?.objective.type !== 'maximize'
  const points: [number, number, string][] = []
  const best: [number, number][] = []
  let current: number | undefined
  for (const t of e.trials) {
    if (t.objective === null) continue
    points.push([t.number, t.objective, t.name])
    if (current === undefined || (minimize ? t.objective < current : t.objective > current)) current = t.objective
    best.push([t.number, current])
  }
  return { points, best }
}

/**
 * The objective over trials of several experiments on one chart: each experiment's trials as
 * points and its best so far as a step line, both in its colour and labelled with its name and
 * algorithm (the legend toggles both). A click on a point opens that trial.
 */
export function CompareChart(props: { experiments: readonly ComparedExperiment[]; metric: string }) {
  const dark = darkMode.value
  const option = useMemo(() => {
    const palette = chartPalette(dark)
    const series = props.experiments.flatMap((e, i) => {
      const { points, best } = bestSoFar(e)
      const label = compareLabel(e)
      const color = compareColor(i)
      return [
        { name: label, type: 'scatter', data: points, symbolSize: 6, large: true, largeThreshold: 2000, itemStyle: { color, opacity: 0.55 } },
        { name: label, type: 'line', step: 'end', data: best, showSymbol: false, lineStyle: { color, width: 2.5 }, itemStyle: { color }, z: 3 },
      ]
    })
    return {
      animation: false,
      textStyle: { color: palette.text },
      grid: { left: 56, right: 16, top: 48, bottom: 36 },
      legend: { top: 0, type: 'scroll', textStyle: { color: palette.muted }, itemWidth: 14, itemHeight: 8 },
      tooltip: {
        trigger: 'item', backgroundColor: palette.tooltipBg, textStyle: { color: palette.text },
        formatter: (p: { seriesName: string; seriesType: string; value: [number, number, string?] }) =>
          p.seriesType === 'scatter'
            ? `${p.seriesName}<br/>${p.value[2] ?? ''}<br/>#${p.value[0]} ${props.metric} = ${formatNumber(p.value[1])}`
            : `${p.seriesName}<br/>best after #${p.value[0]}: ${formatNumber(p.value[1])}`,
      },
      xAxis: { type: 'value', name: 'trial', nameLocation: 'middle', nameGap: 24, min: 0, axisLine: { lineStyle: { color: palette.axis } }, splitLine: { lineStyle: { color: palette.split } } },
      yAxis: { type: 'value', name: props.metric, scale: true, axisLine: { lineStyle: { color: palette.axis } }, splitLine: { lineStyle: { color: palette.split } } },
      series,
    }
  }, [props.experiments, props.metric, dark])
  // The click handler is attached once; it reads the experiments shown now.
  const shown = useRef(props.experiments)
  shown.current = props.experiments
  const experimentOf = (seriesIndex: number) => shown.current[Math.floor(seriesIndex / 2)]?.name
  const onReady = (chart: ChartInstance) => {
    chart.on('click', (event) => {
      const value = event.value as [number, number, string?] | undefined
      const experiment = experimentOf(event.seriesIndex ?? -1)
      if (value?.[2] && experiment) navigate(paths.trial(experiment, value[2]))
    })
  }
  return <Chart option={option} height={380} onReady={onReady} label={`Objective over trials: ${props.experiments.map(compareLabel).join(', ')}`} testId="compare-chart" />
}

import { useEffect, useRef } from 'preact/hooks'
import { echarts, type ChartInstance, type ChartOption } from './echarts-setup.ts'

interface ChartProps {
  readonly option: ChartOption
  readonly height: number
  /** Called once with the instance, to attach event handlers. */
  readonly onReady?: (chart: ChartInstance) => void
  readonly label: string
  /** Replace the whole option on update (default) or merge into it (keeps e.g. brushed axis ranges). */
  readonly merge?: boolean
  readonly testId?: string
  /** Called once, when the first option has been drawn completely (progressive rendering included). */
  readonly onRendered?: () => void
}

/** One ECharts canvas that follows its container's size; the option is applied on every change. */
export function Chart(props: ChartProps) {
  const element = useRef<HTMLDivElement>(null)
  const chart = useRef<ChartInstance | null>(null)
  useEffect(() => {
    const instance = echarts.init(element.current!, undefined, { renderer: 'canvas' })
    chart.current = instance
    // On its element too, for tests and the browser's console (`$0.chart.getOption()`): a canvas shows nothing else of what it drew.
    ;(element.current as HTMLDivElement & { chart?: ChartInstance }).chart = instance
    props.onReady?.(instance)
    // data-rendered tells tests and benchmarks that the chart is drawn, not just mounted.
    const done = () => {
      instance.off('finished', done)
      element.current?.setAttribute('data-rendered', 'true')
      props.onRendered?.()
    }
    instance.on('finished', done)
    const resize = new ResizeObserver(() => instance.resize())
    resize.observe(element.current!)
    return () => {
      resize.disconnect()
      instance.dispose()
      chart.current = null
    }
  }, [])
  useEffect(() => {
    chart.current?.setOption(props.option, props.merge ? { replaceMerge: ['series'] } : { notMerge: true })
  }, [props.option])
  return <div ref={element} class="chart" style={{ height: `${props.height}px` }} role="img" aria-label={props.label} data-testid={props.testId} />
}

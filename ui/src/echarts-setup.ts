import { BarChart, CustomChart, LineChart, ParallelChart, ScatterChart } from 'echarts/charts'
import { DataZoomComponent, GridComponent, LegendComponent, MarkPointComponent, ParallelComponent, TooltipComponent, VisualMapComponent } from 'echarts/components'
import * as echarts from 'echarts/core'
import { CanvasRenderer } from 'echarts/renderers'

// Only what the dashboard draws: the full ECharts build would triple the bundle.
echarts.use([
  ScatterChart, LineChart, ParallelChart, CustomChart, BarChart,
  GridComponent, TooltipComponent, ParallelComponent, VisualMapComponent, LegendComponent, DataZoomComponent, MarkPointComponent,
  CanvasRenderer,
])

export { echarts }
export type ChartInstance = ReturnType<typeof echarts.init>
export type ChartOption = Parameters<ChartInstance['setOption']>[0]

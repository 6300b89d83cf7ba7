import { machineLine, type MachineDescription } from '../report/describe-machine.ts'
import { markdownTable } from '../report/markdown-table.ts'

export interface VariantResult {
  readonly name: string
  readonly description: string
  readonly healthy_median_ms: number
  readonly healthy_min_ms: number
  readonly healthy_max_ms: number
  readonly listening_median_ms: number
  /** CPU time (user + system) of the server and its children until healthy; null where /proc is missing. */
  readonly cpu_median_ms: number | null
  /** Every measured start, in order. */
  readonly healthy_ms: readonly number[]
}

export interface ServeStartReport {
  readonly generated: string
  readonly command: string
  readonly machine: MachineDescription
  readonly runs: number
  readonly pack_ms: number
  readonly install_ms: number
  readonly variants: readonly VariantResult[]
}

/** serve-start.md: the medians side by side, then what each variant is. */
export function renderServeStartMarkdown(report: ServeStartReport): string {
  const rows = report.variants.map((v) => [
    v.name,
    `${v.healthy_median_ms} ms`,
    `${v.healthy_min_ms} ms`,
    `${v.healthy_max_ms} ms`,
    `${v.listening_median_ms} ms`,
    v.cpu_median_ms === null ? 'n/a' : `${v.cpu_median_ms} ms`,
  ])
  return [
    '# `tunewell serve`: start to healthy',
    '',
    `Generated ${report.generated} by \`${report.command}\`.`,
    '',
    `- Machine: ${machineLine(report.machine)}`,
    `- ${report.runs} starts per variant, in turns, after one unmeasured warm-up each; the embedded PGlite database of each variant's home exists (made by its warm-up)`,
    `- The package was packed (build included) in ${(report.pack_ms / 1000).toFixed(1)} s and installed in ${(report.install_ms / 1000).toFixed(1)} s`,
    '',
    'From the spawn of `node … serve --port 0` to the first 200 of `GET /healthz` (polled every',
    '5 ms once the server prints that it listens). **CPU** is the user + system time the server',
    'process and its children (esbuild) had used by then, read from /proc: it moves much less than',
    'wall time when other work shares the cores.',
    '',
    markdownTable(['variant', 'healthy, median', 'min', 'max', 'listening, median', 'CPU until healthy, median'], rows),
    '',
    ...report.variants.map((v) => `- **${v.name}**: ${v.description}.`),
    '',
  ].join('\n')
}

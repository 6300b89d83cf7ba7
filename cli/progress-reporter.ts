import cliProgress from 'cli-progress'
import type { Progress } from '../controller/experiment-runner.ts'

/**
 * A bar on a terminal; plain lines (one per change) when output goes to a file or CI log, where
 * a redrawn bar would be noise.
 */
export class ProgressReporter {
  readonly #stream: NodeJS.WriteStream
  readonly #bar: cliProgress.SingleBar | undefined
  #lastLine = ''

  constructor(stream: NodeJS.WriteStream, total: number | undefined) {
    this.#stream = stream
    if (stream.isTTY) {
      this.#bar = new cliProgress.SingleBar(
        {
          stream,
          format: ' {bar} {value}/{total} trials | running {running} | failed {failed} | best {best}',
          hideCursor: true,
          clearOnComplete: false,
        },
        cliProgress.Presets.shades_classic,
      )
      this.#bar.start(total ?? 0, 0, { running: 0, failed: 0, best: '-' })
    }
  }

  update(progress: Progress, metric: string): void {
    const c = progress.counts
    const done = c.Succeeded + c.Failed + c.Killed + c.EarlyStopped + c.MetricsUnavailable
    const failed = c.Failed + c.MetricsUnavailable
    const text = progress.best?.textMetrics?.[metric]
    // A text objective (a darts genotype) is cut to keep the line short; the summary prints it whole.
    const best = progress.best?.objective != null ? `${metric}=${formatNumber(progress.best.objective)}`
      : text !== undefined ? `${metric}=${text.length > 40 ? `${text.slice(0, 40)}…` : text}` : '-'
    if (this.#bar) {
      const total = progress.experiment.spec.spec.maxTrialCount
      this.#bar.setTotal(total ?? Math.max(done + c.Running + c.Pending, 1))
      this.#bar.update(done, { running: c.Running, failed, best })
      return
    }
    const line = `trials done ${done}, running ${c.Running}, failed ${failed}, best ${best}`
    if (line !== this.#lastLine) this.#stream.write(line + '\n')
    this.#lastLine = line
  }

  stop(): void {
    this.#bar?.stop()
  }
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value)
  return Math.abs(value) >= 1e-3 && Math.abs(value) < 1e6 ? String(Number(value.toPrecision(6))) : value.toExponential(4)
}

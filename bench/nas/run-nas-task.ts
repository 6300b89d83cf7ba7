import { enasCpuNasConfig, enasCpuSpace } from './enas-cpu-space.ts'
import { runNasOne } from './run-nas-one.ts'
import type { NasRunOutcome, NasRunSpec } from './run-nas-one.ts'
import { surrogateAccuracy } from './surrogate-accuracy.ts'
import type { SurrogateExtremes } from './surrogate-extremes.ts'

/** One run, as plain data that crosses to a worker thread. */
export interface NasTask {
  readonly layers: number
  /** surrogateExtremes of the space, computed once by the caller. */
  readonly extremes: SurrogateExtremes
  readonly spec: NasRunSpec
}

/** One algorithm × seed on the surrogate of enas-cpu with `layers` layers. */
export function runNasTask(task: NasTask): Promise<NasRunOutcome> {
  const space = enasCpuSpace(task.layers)
  return runNasOne(enasCpuNasConfig(task.layers), (a) => surrogateAccuracy(space, a, task.extremes), task.spec)
}

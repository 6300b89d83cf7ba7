import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import { api } from './api-client.ts'
import type { ApiError } from './api-error.ts'
import type { ExperimentResource } from './api-types.ts'
import { specInfo, type SpecInfo } from './spec-info.ts'
import { rowsFromColumns, type TrialRow } from './trial-row.ts'
import { useLiveRefresh } from './use-live-refresh.ts'

/** One experiment of a comparison: its resource, what its spec says of the objective, and its trials. */
export interface ComparedExperiment {
  readonly name: string
  readonly experiment: ExperimentResource | undefined
  readonly info: SpecInfo | undefined
  readonly algorithm: string
  readonly trials: readonly TrialRow[]
  readonly error: ApiError | undefined
}

/** What changes when the trials do: read first, so unchanged experiments keep their trials unread. */
function signature(e: ExperimentResource): string {
  const s = e.status
  return [s.state, s.trials, s.trialsSucceeded, s.trialsFailed, s.trialsRunning, s.trialsPending, s.trialsKilled, s.trialsEarlyStopped, s.trialMetricsUnavailable].join(':')
}

/**
 * The chosen experiments, kept current: on every event of the server's stream (at most once a
 * second) each one's resource is read, and its trials (as columns) only where its counts or state
 * changed since, so a finished experiment of 10,000 trials is read once.
 */
export function useComparedExperiments(names: readonly string[]): ReadonlyMap<string, ComparedExperiment> {
  const [data, setData] = useState<ReadonlyMap<string, ComparedExperiment>>(new Map())
  const seen = useRef(new Map<string, string>())
  const current = useRef(names)
  current.current = names

  const loadOne = useCallback(async (name: string): Promise<ComparedExperiment | undefined> => {
    try {
      const experiment = await api.getExperiment(name)
      const sig = signature(experiment)
      if (seen.current.get(name) === sig) return undefined
      const rows = rowsFromColumns(await api.trialColumns(name))
      seen.current.set(name, sig)
      return { name, experiment, info: specInfo(experiment), algorithm: experiment.spec.algorithm.algorithmName, trials: rows, error: undefined }
    } catch (error) {
      seen.current.delete(name)
      return { name, experiment: undefined, info: undefined, algorithm: '', trials: [], error: error as ApiError }
    }
  }, [])

  const load = useCallback(async () => {
    const wanted = current.current
    const loaded = await Promise.all(wanted.map(loadOne))
    setData((before) => {
      const next = new Map<string, ComparedExperiment>()
      for (const [i, name] of wanted.entries()) {
        const fresh = loaded[i]
        const kept = fresh ?? before.get(name)
        if (kept) next.set(name, kept)
      }
      return next
    })
  }, [loadOne])

  const key = names.join(',')
  useEffect(() => {
    // Newly chosen ones are read now; dropped ones are forgotten.
    for (const name of [...seen.current.keys()]) if (!names.includes(name)) seen.current.delete(name)
    void load()
  }, [key])
  useLiveRefresh(names.length > 0 ? '/api/v1/events' : null, () => void load(), 1000)
  return data
}

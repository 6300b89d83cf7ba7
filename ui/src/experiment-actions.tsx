import { useState } from 'preact/hooks'
import { api } from './api-client.ts'
import type { ApiError } from './api-error.ts'
import type { ExperimentResource } from './api-types.ts'
import { ExportLink } from './export-link.tsx'
import { navigate, paths } from './router.ts'

interface Counts { parallelTrialCount?: number; maxTrialCount?: number; maxFailedTrialCount?: number }

/** Stop, resume, add trials (whatever the resumePolicy), change the three counts Katib lets change, delete (after a second click). */
export function ExperimentActions(props: { experiment: ExperimentResource; onChanged: () => void }) {
  const { status, metadata } = props.experiment
  const spec = props.experiment.spec as Counts & { resumePolicy?: string }
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | undefined>(undefined)
  const [confirmDelete, setConfirmDelete] = useState(false)
  const [editing, setEditing] = useState(false)
  const [counts, setCounts] = useState<Counts>({})
  const [more, setMore] = useState(10)
  const active = status.state === 'Created' || status.state === 'Running' || status.state === 'Restarting'
  const resumable = !active && (spec.resumePolicy === 'LongRunning' || spec.resumePolicy === 'FromVolume')

  const act = async (work: () => Promise<unknown>, after?: () => void) => {
    setBusy(true)
    setError(undefined)
    try {
      await work()
      after?.()
      props.onChanged()
    } catch (e) {
      setError((e as ApiError).message)
    } finally {
      setBusy(false)
    }
  }
  const field = (key: keyof Counts, label: string) => (
    <label class="field small-field">
      <span>{label}</span>
      <input
        type="number" min={0} inputMode="numeric"
        value={counts[key] ?? spec[key] ?? ''}
        onInput={(e) => setCounts({ ...counts, [key]: e.currentTarget.value === '' ? undefined : Number(e.currentTarget.value) })}
      />
    </label>
  )
  return (
    <section class="actions-bar" aria-label="Experiment actions">
      {active && <button class="button" disabled={busy} onClick={() => act(() => api.stopExperiment(metadata.name))}>Stop</button>}
      {resumable && <button class="button" disabled={busy} onClick={() => act(() => api.resumeExperiment(metadata.name))}>Resume</button>}
      {status.state !== 'Failed' && (
        <form class="more-form" onSubmit={(e) => {
          e.preventDefault()
          void act(() => api.extendExperiment(metadata.name, more))
        }}>
          <label class="field small-field">
            <span>More trials</span>
            <input type="number" min={1} inputMode="numeric" value={more} onInput={(e) => setMore(Number(e.currentTarget.value))} />
          </label>
          <button class="button" type="submit" disabled={busy || !(more >= 1)}>Add trials</button>
        </form>
      )}
      <button class="button" aria-expanded={editing} onClick={() => setEditing(!editing)}>Edit counts</button>
      <ExportLink experiment={metadata.name} />
      {!confirmDelete && <button class="button danger" disabled={busy} onClick={() => setConfirmDelete(true)}>Delete</button>}
      {confirmDelete && (
        <span class="confirm">
          Delete {metadata.name} and all its trials?
          <button class="button danger" disabled={busy} onClick={() => act(() => api.deleteExperiment(metadata.name), () => navigate(paths.experiments()))}>Delete</button>
          <button class="button" onClick={() => setConfirmDelete(false)}>Cancel</button>
        </span>
      )}
      {editing && (
        <form
          class="counts-form"
          onSubmit={(e) => {
            e.preventDefault()
            const changed = Object.fromEntries(Object.entries(counts).filter(([k, v]) => v !== undefined && v !== spec[k as keyof Counts]))
            void act(() => api.patchExperiment(metadata.name, changed), () => {
              setEditing(false)
              setCounts({})
            })
          }}
        >
          {field('parallelTrialCount', 'Parallel trials')}
          {field('maxTrialCount', 'Max trials')}
          {field('maxFailedTrialCount', 'Max failed')}
          <button class="button primary" type="submit" disabled={busy}>Save</button>
        </form>
      )}
      {error && <p class="bad" role="alert">{error}</p>}
    </section>
  )
}

import { useEffect, useRef, useState } from 'preact/hooks'
import { api } from './api-client.ts'
import { ApiError, isMissingRoute } from './api-error.ts'
import type { Issue } from './api-types.ts'
import { EXPERIMENT_TEMPLATE } from './experiment-template.ts'
import { navigate, paths } from './router.ts'
import { focusLine, YamlEditor } from './yaml-editor.tsx'

type Check = { readonly state: 'checking' | 'valid' | 'invalid' | 'unavailable'; readonly issues: readonly Issue[]; readonly warnings: readonly Issue[] }

const DRAFT_KEY = 'tunewell.draft'

/**
 * A YAML editor checked by the server as you type (POST /experiments:validate, the same checks
 * as a submission), problems marked at their line; Create submits it.
 */
export function NewExperimentPage() {
  const [text, setText] = useState(() => sessionStorage.getItem(DRAFT_KEY) ?? EXPERIMENT_TEMPLATE)
  const [check, setCheck] = useState<Check>({ state: 'checking', issues: [], warnings: [] })
  const [submitting, setSubmitting] = useState(false)
  const [submitError, setSubmitError] = useState<string | undefined>(undefined)
  const editor = useRef<HTMLDivElement>(null)

  useEffect(() => {
    sessionStorage.setItem(DRAFT_KEY, text)
    setCheck((c) => ({ ...c, state: 'checking' }))
    const abort = new AbortController()
    const timer = setTimeout(async () => {
      try {
        const result = await api.validateExperiment(text, abort.signal)
        setCheck({ state: result.valid ? 'valid' : 'invalid', issues: result.issues, warnings: result.warnings })
      } catch (error) {
        if (abort.signal.aborted) return
        if (isMissingRoute(error)) setCheck({ state: 'unavailable', issues: [], warnings: [] })
        else if (error instanceof ApiError && error.issues.length > 0) setCheck({ state: 'invalid', issues: error.issues, warnings: [] })
        else setCheck({ state: 'unavailable', issues: [], warnings: [] })
      }
    }, 400)
    return () => {
      clearTimeout(timer)
      abort.abort()
    }
  }, [text])

  const submit = async (event: Event) => {
    event.preventDefault()
    setSubmitting(true)
    setSubmitError(undefined)
    try {
      const created = await api.createExperiment(text)
      sessionStorage.removeItem(DRAFT_KEY)
      navigate(paths.experiment(created.experiment.metadata.name))
    } catch (error) {
      const e = error as ApiError
      if (e.issues?.length) setCheck({ state: 'invalid', issues: e.issues, warnings: [] })
      setSubmitError(e.message)
    } finally {
      setSubmitting(false)
    }
  }

  const shown = [...check.issues.map((i) => ({ ...i, kind: 'error' as const })), ...check.warnings.map((i) => ({ ...i, kind: 'warning' as const }))]
  return (
    <main class="page">
      <div class="page-head">
        <h1>New experiment</h1>
        <button class="button" type="button" onClick={() => setText(EXPERIMENT_TEMPLATE)}>Reset to template</button>
      </div>
      <p class="muted">
        A Katib <code>kubeflow.org/v1beta1</code> Experiment. Trials run <code>trialTemplate.command</code> (or the primary
        container's command) on the server; relative paths resolve against its <code>--home</code>.
      </p>
      <form onSubmit={submit} class="new-experiment">
        <div ref={editor}>
          <YamlEditor value={text} onInput={setText} issues={check.issues} label="Experiment YAML" />
        </div>
        <div class="check-status" aria-live="polite" data-testid="check-status">
          {check.state === 'checking' && <span class="muted">Checking…</span>}
          {check.state === 'valid' && <span class="good">✓ Valid{check.warnings.length > 0 ? `, ${check.warnings.length} warning(s)` : ''}</span>}
          {check.state === 'invalid' && <span class="bad">{check.issues.length} problem(s)</span>}
          {check.state === 'unavailable' && <span class="muted">This server cannot check as you type; problems show on Create.</span>}
        </div>
        {shown.length > 0 && (
          <ul class="issues" data-testid="issues">
            {shown.map((issue) => (
              <li class={`issue issue-${issue.kind}`}>
                {issue.line !== undefined
                  ? <button type="button" class="linklike" onClick={() => focusLine(editor.current, issue.line!)}>line {issue.line}:{issue.col ?? 1}</button>
                  : <span class="muted">{issue.path || 'document'}</span>}
                {' '}<code class="small">{issue.path}</code> {issue.message}
              </li>
            ))}
          </ul>
        )}
        {submitError && check.issues.length === 0 && <p class="bad" role="alert">{submitError}</p>}
        <div class="actions">
          <button class="button primary" type="submit" disabled={submitting || check.state === 'invalid'}>
            {submitting ? 'Creating…' : 'Create experiment'}
          </button>
        </div>
      </form>
    </main>
  )
}

/**
 * The primary container's command and args on a cluster, as Katib's `sh -c` would run them but
 * without a shell in the pod.
 *
 * For the collector kinds Katib's webhook wraps (StdOut, File, TensorFlowEvent: katib-argv.ts
 * describes the wrapping), the container's command and args are one `sh -c` line on Katib: the
 * kubelet expands `$(VAR)` in it, then the shell removes quotes, splits words and expands
 * `$VAR`. Here the line is read once by the local rules (shell-words.ts) and written back as an
 * exec-form argv that the kubelet finishes:
 *  - `$(VAR)` and `$VAR`/`${VAR}` of a name in the container's env become `$(VAR)`, so the
 *    kubelet puts in the value (valueFrom included). It is one argument with no field splitting
 *    (as if the shell had `"$VAR"`): the controller does not know a valueFrom's value. A name
 *    the container's env does not define is refused (LaunchError), since the shell would read it
 *    from the image's environment, which the controller cannot see; with `envFrom` any name may
 *    be defined there, so it becomes `$(VAR)` too.
 *  - Every other `$` of the result is written `$$` (Kubernetes' escape), so the kubelet leaves it.
 *  - Substituted values (`${trialParameters.*}`, `${trialSpec.*}`) are tokens throughout
 *    (value-tokens.ts), and their `$` is escaped the same way: a value is never split, unquoted
 *    or expanded, by the shell rules or by the kubelet.
 *  - Leading `NAME=value` words become env entries of the container, as `NAME=value prog` would.
 *  - Without a command (the image's entrypoint runs), the args alone are read as the words after it.
 *  - A line that starts with `sh -c` or `bash -c` keeps that shell, as Katib does; the words
 *    after it are joined into its script, and the values reach the script as env variables
 *    (TUNEWELL_VALUE_<n>, shell-script-values.ts), as locally.
 * Text that needs a real shell (a pipe, `;`, a redirection, `$(cmd)`, a glob) is refused with the
 * local message. For the other kinds (Push, None, PrometheusMetric, Custom) Katib does not wrap,
 * so command and args stay in the exec form written, with only the values' `$` escaped. So do a
 * Tekton step's: Tekton fills in its own `$(params.x)` and puts its entrypoint before the step's
 * command before Katib's webhook sees the pod, which the template's text cannot stand for.
 */
import { referenceValuesInScript } from '../../core/spec/shell-script-values.ts'
import { parseSimpleCommand, ShellWordsError } from '../../core/spec/shell-words.ts'
import { fillValueTokens, mapValueTokens, valueToken } from '../../core/spec/value-tokens.ts'
import { expandKubeVars } from '../expand-kube-vars.ts'
import { valueVariable, WRAPPED_COLLECTOR_KINDS } from '../katib-argv.ts'
import { LaunchError } from '../trial-executor.ts'
import { isJsonObject as isObject, type JsonObject as Json } from './walk-objects.ts'

/** The template's own text of a primary container, substituted values still tokens (value-tokens.ts). */
export interface TokenizedContainer {
  readonly command?: unknown
  readonly args?: unknown
  /** The template's env values with tokens, keyed by the env entry objects of the rendered container they belong to. */
  readonly envValues: ReadonlyMap<object, string>
}

/** `text` as the kubelet must receive it to leave it as it is: every `$` doubled. */
export function escapeKubeVars(text: string): string {
  return text.replace(/\$/g, () => '$$')
}

/**
 * Sets `container`'s command, args and env (the rendered container, its env final) from the
 * template's tokenized text, as described above. Throws LaunchError.
 */
export function applyClusterArgv(container: Json, template: TokenizedContainer, collectorKind: string, values: readonly string[], options: { readonly tekton?: boolean } = {}): void {
  const fillEscaped = (text: string) => fillValueTokens(text, values.map(escapeKubeVars))
  for (const item of Array.isArray(container.env) ? container.env : []) {
    if (isObject(item)) {
      const tokenized = template.envValues.get(item)
      if (tokenized !== undefined) item.value = fillEscaped(tokenized)
    }
  }
  const command = strings(template.command)
  const args = strings(template.args)
  if (!WRAPPED_COLLECTOR_KINDS.includes(collectorKind) || options.tekton) {
    if (command) container.command = command.map(fillEscaped)
    if (args) container.args = args.map(fillEscaped)
    return
  }
  const listed = [...(command ?? []), ...(args ?? [])]
  if (listed.length === 0) return

  if (command !== undefined && (listed[0] === 'sh' || listed[0] === 'bash') && listed[1] === '-c' && listed.length > 2) {
    const entries: Json[] = []
    const script = referenceValuesInScript(listed.slice(2).join(' '), (index) => {
      const name = valueVariable(index)
      if (!entries.some((e) => e.name === name)) entries.push({ name, value: escapeKubeVars(values[index] ?? '') })
      return name
    }, values)
    container.command = [listed[0], '-c']
    container.args = [script]
    setEntries(container, entries)
    return
  }

  const env = Array.isArray(container.env) ? container.env.filter(isObject) : []
  const defined = new Set(env.map((e) => String(e.name)))
  const fromSources = Array.isArray(container.envFrom) && container.envFrom.length > 0
  const references: string[] = []
  const reference = (name: string) => {
    let index = references.indexOf(name)
    if (index < 0) index = references.push(name) - 1
    return valueToken(values.length + index)
  }
  const known = (name: string) => defined.has(name) || fromSources
  // The entrypoint of the image stands first when there is no command; its words are not ours.
  const entrypoint = command === undefined
  const text = expandKubeVars((entrypoint ? ['entrypoint', ...listed] : listed).join(' '), (name) => (known(name) ? reference(name) : undefined))
  const output = (word: string) => mapValueTokens(escapeKubeVars(word), (index) =>
    index < values.length ? escapeKubeVars(values[index]!) : `$(${references[index - values.length]})`)

  let parsed
  try {
    parsed = parseSimpleCommand(text, (name) => {
      if (known(name)) return reference(name)
      throw new LaunchError(`Katib runs the primary container's command and args as one \`sh -c\` line (collector ${collectorKind}), where $${name} is read from the container's environment; ` +
        `its env defines no ${name}, and the image's environment is unknown to Tunewell: add ${name} to the container's env (the kubelet then puts its value in), or write the directory or value out`)
    })
  } catch (error) {
    if (!(error instanceof ShellWordsError)) throw error
    const shown = mapValueTokens(text, (index) => (index < values.length ? values[index]! : `$(${references[index - values.length]})`))
    throw new LaunchError(`Katib runs the primary container's command and args as one \`sh -c\` line (collector ${collectorKind}), ` +
      `and ${error.construct} in it needs a real shell: ${shown.replaceAll('\n', '\\n')}${error.hint ? `; ${error.hint}` : ''}`)
  }
  const argv = parsed.argv.map(output)
  if (entrypoint) {
    container.args = argv.slice(1)
  } else {
    container.command = argv
    delete container.args
  }
  setEntries(container, parsed.assignments.map(([name, value]) => ({ name, value: output(value) })))
}

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.map(String) : undefined
}

/** Appends env entries, replacing earlier ones of the same name (Kubernetes expands `$(VAR)` with the entries before). */
function setEntries(container: Json, entries: readonly Json[]): void {
  if (entries.length === 0) return
  const names = new Set(entries.map((e) => e.name))
  const existing = Array.isArray(container.env) ? (container.env as Json[]) : []
  container.env = [...existing.filter((e) => !names.has(e?.name)), ...entries]
}

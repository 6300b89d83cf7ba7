/**
 * The argv a Katib trial's primary container runs on Kubernetes, computed without a shell.
 *
 * What Katib's pod mutating webhook does (pkg/webhook/v1beta1/pod, wrapWorkerContainer): for the
 * collector kinds StdOut, File and TensorFlowEvent (not Push, PrometheusMetric, Custom or None)
 * it rewrites the primary container to `command: [sh, -c]` and one arg: the container's command
 * followed by its args (the image's entrypoint and cmd when those are unset), joined with single
 * spaces, no quoting at all. When that list starts exactly with `sh -c` or `bash -c`, that shell
 * is kept and only the rest is joined onto its script. To the text it appends
 * `1>/var/log/katib/metrics.log 2>&1` for StdOut, `|| <early-stopping check>` when early
 * stopping is set, and `&& echo completed > <dir>/$$$$.pid` (the sidecar's signal that training
 * ended). The kubelet then expands `$(VAR)` in command and args (expand-kube-vars.ts), with
 * the container's env, to which the webhook has appended KATIB_TRIAL_NAME; and the shell parses
 * the text. So quotes in a Katib template are the shell's: `--x="${trialParameters.y}"`
 * reaches the program as `--x=<value>`.
 *
 * Locally, for the kinds Katib wraps:
 *  - a command that starts with `sh -c`/`bash -c` runs in that real shell with its script
 *    joined as Katib joins it; what Katib appends is not (our collectors read the process's
 *    output and exit status);
 *  - anything else is read as one simple command by shell-words.ts, with `$VAR` from the
 *    environment the trial gets, and refused (LaunchError) where it would need a real shell;
 *    the program is then started directly, as the shell would have exec'd it.
 * For the other kinds, argv is command + args after `$(VAR)` expansion only, as on Kubernetes.
 *
 * Substituted values ( `${trialParameters.*}`, `${trialSpec.*}` ) are tokens until the end
 * (value-tokens.ts): no expansion and no quoting applies inside a value, unlike Katib, where a
 * value's text becomes part of the shell line. Where a real shell runs the script (ours or the
 * user's `sh -c`), each value reaches it as a variable, TUNEWELL_VALUE_<n>, referenced in the
 * script instead of the value's text (shell-script-values.ts). So a value is never split into
 * several arguments, and an empty value standing as a word of its own is an empty argument
 * (Katib's shell would drop it). Katib's appended redirection only catches the output of a
 * multi-line script's last command; locally all of the script's output is collected.
 */
import { referenceValuesInScript } from '../core/spec/shell-script-values.ts'
import { parseSimpleCommand, ShellWordsError } from '../core/spec/shell-words.ts'
import { fillValueTokens, mapValueTokens } from '../core/spec/value-tokens.ts'
import { expandKubeVars } from './expand-kube-vars.ts'

/** The collector kinds whose primary container Katib's webhook runs through `sh -c`. */
export const WRAPPED_COLLECTOR_KINDS: readonly string[] = ['StdOut', 'File', 'TensorFlowEvent']

export interface PrimaryArgvInput {
  /** The container's command and args, rendered with value tokens. */
  readonly command: readonly string[]
  readonly args: readonly string[]
  readonly collectorKind: string
  /** The container's env after its own `$(VAR)` expansion, value tokens still in: what `$(VAR)` reads. */
  readonly containerEnv: Readonly<Record<string, string>>
  /** Every variable the trial's process gets (tokens in container values): what the shell's `$VAR` reads. */
  readonly processEnv: Readonly<Record<string, string>>
  /** The substituted values, by token. */
  readonly values: readonly string[]
}

export interface PrimaryArgv {
  readonly argv: string[]
  /** Variables to add to the trial's environment: `NAME=value prog` assignments, and the values a real shell reads. */
  readonly env: Record<string, string>
  /** How argv came about, for messages and tests. */
  readonly form: 'katib-shell-parsed' | 'katib-shell-script' | 'no-shell' | 'own-shell-script'
}

/** Thrown with a message for the user: what in the command needs what, and how to write it. */
export class ArgvError extends Error {}

export function primaryArgv(input: PrimaryArgvInput): PrimaryArgv {
  const listed = [...input.command, ...input.args]
  const kube = (text: string) => expandKubeVars(text, (name) => input.containerEnv[name])
  const env: Record<string, string> = {}
  const referenced = (script: string) => referenceValuesInScript(script, (index) => {
    const name = valueVariable(index)
    env[name] = input.values[index] ?? ''
    return name
  }, input.values)
  const fill = (text: string) => fillValueTokens(text, input.values)

  if (!WRAPPED_COLLECTOR_KINDS.includes(input.collectorKind)) {
    const argv = listed.map(kube)
    const scripted = shellScriptWithValues(argv, input.values)
    return scripted ? { ...scripted, form: 'own-shell-script' } : { argv: argv.map(fill), env, form: 'no-shell' }
  }
  if ((listed[0] === 'sh' || listed[0] === 'bash') && listed[1] === '-c') {
    if (listed.length === 2) throw new ArgvError(`the command is \`${listed[0]} -c\` with no script after it`)
    const script = kube(listed.slice(2).join(' '))
    return { argv: [listed[0], '-c', referenced(script)], env, form: 'katib-shell-script' }
  }
  const text = kube(listed.join(' '))
  let parsed
  try {
    parsed = parseSimpleCommand(text, (name) => input.processEnv[name])
  } catch (error) {
    if (!(error instanceof ShellWordsError)) throw error
    throw new ArgvError(`Katib runs the primary container's command and args as one \`sh -c\` line (collector ${input.collectorKind}), ` +
      `and ${error.construct} in it needs a real shell: ${show(text, error.offset, input.values)}` +
      `${error.hint ? `; ${error.hint}` : ''}`)
  }
  for (const [name, value] of parsed.assignments) env[name] = fill(value)
  return { argv: parsed.argv.map(fill), env, form: 'katib-shell-parsed' }
}

/** The variable that carries substituted value `index` into a real shell. */
export function valueVariable(index: number): string {
  return `TUNEWELL_VALUE_${index}`
}

/**
 * For `sh -c script ...` (value tokens in): the script with references to variables that carry
 * the values, and those variables; the words after the script (its $0, $1, ...) get the values
 * as text. Undefined when argv is not a shell running a script.
 */
export function shellScriptWithValues(argv: readonly string[], values: readonly string[]): { argv: string[]; env: Record<string, string> } | undefined {
  if (!isShellScript(argv)) return undefined
  const env: Record<string, string> = {}
  const script = referenceValuesInScript(argv[2], (index) => {
    const name = valueVariable(index)
    env[name] = values[index] ?? ''
    return name
  }, values)
  return { argv: argv.map((word, i) => (i === 2 ? script : fillValueTokens(word, values))), env }
}

/** `sh -c script ...`, `bash -ec script ...`: a shell the user runs a script with. */
function isShellScript(argv: readonly string[]): boolean {
  const program = argv[0]?.split('/').at(-1) ?? ''
  return ['sh', 'bash', 'dash', 'ash', 'ksh', 'zsh'].includes(program) && /^-[a-zA-Z]*c[a-zA-Z]*$/.test(argv[1] ?? '') && argv.length > 2
}

/** The line around `offset`, values shown as they are, with a marker at the spot. */
function show(text: string, offset: number, values: readonly string[]): string {
  // An error is never inside a token (tokens are word characters), so `offset` splits none.
  const before = mapValueTokens(text.slice(0, offset), (i) => values[i] ?? '')
  const after = mapValueTokens(text.slice(offset), (i) => values[i] ?? '')
  const head = before.length > 40 ? `…${before.slice(-40)}` : before
  const tail = after.length > 40 ? `${after.slice(0, 40)}…` : after
  return `${head}⟨here⟩${tail}`.replaceAll('\n', '\\n')
}

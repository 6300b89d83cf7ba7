/**
 * Kubernetes' `$(VAR)` expansion (k8s.io/kubernetes third_party/forked/golang/expansion), which
 * the kubelet applies to a container's command and args, and to each env value (there with the
 * variables defined before it). `$(NAME)` becomes NAME's value when the map has it and stays as
 * written otherwise; `$$` is an escaped `$`; any other `$` is kept. An unclosed `$(` is kept.
 */
export function expandKubeVars(input: string, lookup: (name: string) => string | undefined): string {
  let out = ''
  let checkpoint = 0
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue
    out += input.slice(checkpoint, cursor)
    const next = input[cursor + 1]
    let advance = 1
    if (next === '$') out += '$'
    else if (next === '(') {
      const close = input.indexOf(')', cursor + 2)
      if (close < 0) out += '$('
      else {
        const name = input.slice(cursor + 2, close)
        out += lookup(name) ?? `$(${name})`
        advance = close - cursor
      }
    } else out += '$' + next
    cursor += advance
    checkpoint = cursor + 1
  }
  return out + input.slice(checkpoint)
}

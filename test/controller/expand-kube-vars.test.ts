import { test } from 'node:test'
import assert from 'node:assert/strict'
import { expandKubeVars } from '../../controller/expand-kube-vars.ts'

test('$(VAR) expands as the kubelet expands it: $$ escapes, unknown and unclosed references stay', () => {
  const vars: Record<string, string> = { A: 'x', B: '$(A)', EMPTY: '' }
  const lookup = (name: string) => vars[name]
  const cases: [string, string][] = [
    ['$(A)', 'x'], ['p$(A)q$(A)', 'pxqx'], ['$(B)', '$(A)'], ['$(EMPTY)|', '|'],
    ['$$(A)', '$(A)'], ['$$$(A)', '$x'], ['$$$$.pid', '$$.pid'], ['$$', '$'],
    ['$(C)', '$(C)'], ['$(A', '$(A'], ['$(', '$('], ['a$', 'a$'], ['$x$HOME', '$x$HOME'], ['${A}', '${A}'],
  ]
  for (const [input, output] of cases) assert.equal(expandKubeVars(input, lookup), output, input)
})

import type { Params } from '../../core/search-space.ts'

/** "linear:1 rbf:19": how often each choice is the final incumbent's, in choice order, zeros left out. */
export function categoricalCounts(choices: readonly string[], name: string, bestParams: readonly (Params | null)[]): string {
  const counts = new Map<string, number>()
  for (const params of bestParams) {
    const value = params?.[name]
    if (typeof value === 'string') counts.set(value, (counts.get(value) ?? 0) + 1)
  }
  const order = [...choices, ...[...counts.keys()].filter((c) => !choices.includes(c))]
  const text = order.filter((c) => counts.has(c)).map((c) => `${c}:${counts.get(c)}`).join(' ')
  return text === '' ? 'n/a' : text
}

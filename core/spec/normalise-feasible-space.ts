import { field, isRecord, list } from './raw-json.ts'

/**
 * Katib writes bounds as strings (`min: "0.01"`), but people write `min: 0.01`, which Katib's
 * Go decoder rejects with an unhelpful message. We accept YAML numbers and turn them into the
 * strings Katib would have had, so everything downstream sees one form. Mutates `raw`, which
 * must be the caller's private copy.
 */
export function normaliseFeasibleSpaceNumbers(raw: unknown): void {
  const spec = field(raw, 'spec')
  for (const parameter of list(field(spec, 'parameters'))) normaliseParameter(parameter)
  for (const operation of list(field(field(spec, 'nasConfig'), 'operations'))) {
    for (const parameter of list(field(operation, 'parameters'))) normaliseParameter(parameter)
  }
}

function normaliseParameter(parameter: unknown): void {
  const space = field(parameter, 'feasibleSpace')
  if (!isRecord(space)) return
  for (const key of ['min', 'max', 'step']) {
    if (typeof space[key] === 'number') space[key] = String(space[key])
  }
  if (Array.isArray(space.list)) space.list = space.list.map((v: unknown) => (typeof v === 'number' ? String(v) : v))
}

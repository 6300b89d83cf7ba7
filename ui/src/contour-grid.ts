import { axisCategories, chartValue } from './parameter-value.ts'
import type { ParameterInfo } from './spec-info.ts'
import type { TrialRow } from './trial-row.ts'

/** One axis of the grid: numeric bins (edges in the parameter's values) or one bin per category. */
export type GridAxis =
  | { readonly kind: 'numeric'; readonly log: boolean; readonly edges: readonly number[] }
  | { readonly kind: 'category'; readonly values: readonly string[] }

export interface GridCell {
  readonly i: number
  readonly j: number
  readonly mean: number
  readonly count: number
}

export interface ContourGrid {
  readonly x: GridAxis
  readonly y: GridAxis
  /** Only cells with at least one trial: an empty cell has no value to show, and none is made up. */
  readonly cells: readonly GridCell[]
  readonly min: number
  readonly max: number
}

/**
 * The mean objective of the trials in each cell of a grid over two parameters: binned, not
 * interpolated, so every coloured cell is backed by trials (their count is in the tooltip) and
 * regions nobody tried stay blank. Numeric axes get equal bins on the parameter's own scale
 * (log for log-uniform), about √(n/3) of them (3 to 20), so a cell holds a few trials on
 * average; categorical axes one bin per value.
 */
export function contourGrid(trials: readonly TrialRow[], px: ParameterInfo, py: ParameterInfo): ContourGrid | undefined {
  const scored = trials.filter((t) => t.objective !== null && t.params[px.name] != null && t.params[py.name] != null)
  if (scored.length === 0) return undefined
  const bins = Math.max(3, Math.min(20, Math.round(Math.sqrt(scored.length / 3))))
  // A discrete value as written ("0.10"): its axis is one bin per list entry, labelled so.
  const vx = (t: TrialRow) => chartValue(px, t.params[px.name])!
  const vy = (t: TrialRow) => chartValue(py, t.params[py.name])!
  const ax = gridAxis(px, scored.map(vx), bins)
  const ay = gridAxis(py, scored.map(vy), bins)
  const nx = ax.kind === 'numeric' ? ax.edges.length - 1 : ax.values.length
  const sums = new Float64Array(nx * (ay.kind === 'numeric' ? ay.edges.length - 1 : ay.values.length))
  const counts = new Uint32Array(sums.length)
  for (const t of scored) {
    const i = binOf(ax, vx(t))
    const j = binOf(ay, vy(t))
    if (i < 0 || j < 0) continue
    sums[j * nx + i]! += t.objective!
    counts[j * nx + i]! += 1
  }
  const cells: GridCell[] = []
  let min = Infinity
  let max = -Infinity
  for (let k = 0; k < sums.length; k++) {
    if (counts[k] === 0) continue
    const mean = sums[k]! / counts[k]!
    cells.push({ i: k % nx, j: Math.floor(k / nx), mean, count: counts[k]! })
    min = Math.min(min, mean)
    max = Math.max(max, mean)
  }
  return { x: ax, y: ay, cells, min, max }
}

function gridAxis(p: ParameterInfo, values: readonly (number | string | boolean)[], bins: number): GridAxis {
  const categories = axisCategories(p)
  if (categories || values.some((v) => typeof v !== 'number')) {
    const seen = new Set(values.map(String))
    return { kind: 'category', values: categories ? categories.filter((v) => seen.has(v)) : [...seen].sort() }
  }
  const nums = values as readonly number[]
  const log = p.log && nums.every((v) => v > 0)
  const f = (v: number) => (log ? Math.log(v) : v)
  let lo = Infinity
  let hi = -Infinity
  for (const v of nums) {
    lo = Math.min(lo, f(v))
    hi = Math.max(hi, f(v))
  }
  if (hi === lo) hi = lo + (log ? Math.log(2) : 1)
  // Few integers: a bin per value, centred on it, rather than bins that split no value or two.
  if (p.type === 'int' && !log && hi - lo + 1 <= bins) {
    return { kind: 'numeric', log: false, edges: Array.from({ length: Math.round(hi - lo) + 2 }, (_, k) => lo - 0.5 + k) }
  }
  const n = bins
  const edges = Array.from({ length: n + 1 }, (_, k) => lo + ((hi - lo) * k) / n)
  return { kind: 'numeric', log, edges: log ? edges.map(Math.exp) : edges }
}

function binOf(axis: GridAxis, value: number | string | boolean): number {
  if (axis.kind === 'category') return axis.values.indexOf(String(value))
  const v = value as number
  const e = axis.edges
  const f = (x: number) => (axis.log ? Math.log(x) : x)
  const k = Math.floor(((f(v) - f(e[0]!)) / (f(e[e.length - 1]!) - f(e[0]!))) * (e.length - 1))
  return Math.max(0, Math.min(e.length - 2, k))
}

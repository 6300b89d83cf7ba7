/**
 * Minimises a smooth function over a box with a projected limited-memory BFGS method: the
 * L-BFGS two-loop recursion (Nocedal, "Updating quasi-Newton matrices with limited storage",
 * Math. Comp. 35, 1980; Nocedal & Wright, "Numerical Optimization", 2nd ed., Algorithm 7.4)
 * restricted to the variables not held at a bound, and a backtracking Armijo search along the
 * projected path (Bertsekas, "Projected Newton methods for optimization problems with simple
 * constraints", SIAM J. Control Optim. 20, 1982).
 *
 * This is not L-BFGS-B (Byrd, Lu, Nocedal & Zhu 1995): there is no generalised Cauchy point,
 * just "freeze the variables a bound is stopping, quasi-Newton step on the rest". For the
 * problems here (a dozen GP hyperparameters in log space; acquisition functions on [0, 1]^d
 * from a good start) it converges in tens of iterations, and it is a page of code.
 */

export interface BoxMinimizeOptions {
  readonly maxIterations: number
  /** Stored correction pairs. */
  readonly memory?: number
  /** Stop when every free component of the gradient is below this. */
  readonly gradientTolerance?: number
  /** Stop when an iteration lowers f by less than this, relative to max(|f|, 1). */
  readonly relativeTolerance?: number
  /** Largest move of any coordinate on the first (steepest-descent) step. */
  readonly initialStep?: number
}

export interface BoxMinimum {
  readonly x: Float64Array
  readonly value: number
  readonly evaluations: number
}

const ARMIJO = 1e-4
const MAX_BACKTRACKS = 30

/**
 * `f(x, gradient)` returns f(x) and writes ∇f(x) into `gradient`. A non-finite value is treated
 * as "outside the domain": the line search backs off from it.
 */
export function minimizeInBox(
  f: (x: Float64Array, gradient: Float64Array) => number,
  start: ArrayLike<number>,
  lower: ArrayLike<number>,
  upper: ArrayLike<number>,
  options: BoxMinimizeOptions,
): BoxMinimum {
  const n = start.length
  const memory = options.memory ?? 8
  const gradientTolerance = options.gradientTolerance ?? 1e-6
  const relativeTolerance = options.relativeTolerance ?? 1e-9
  const initialStep = options.initialStep ?? 0.1

  const x = new Float64Array(n)
  for (let i = 0; i < n; i++) x[i] = clamp(start[i]!, lower[i]!, upper[i]!)
  let g = new Float64Array(n)
  let fx = f(x, g)
  let evaluations = 1
  if (!Number.isFinite(fx)) return { x, value: fx, evaluations }

  const sList: Float64Array[] = []
  const yList: Float64Array[] = []
  const rhoList: number[] = []
  const alphas = new Float64Array(memory)
  const direction = new Float64Array(n)
  const free = new Uint8Array(n)
  const candidate = new Float64Array(n)
  let candidateGradient = new Float64Array(n)

  for (let iteration = 0; iteration < options.maxIterations; iteration++) {
    let largestFreeGradient = 0
    for (let i = 0; i < n; i++) {
      const blocked = (x[i]! <= lower[i]! && g[i]! > 0) || (x[i]! >= upper[i]! && g[i]! < 0)
      free[i] = blocked ? 0 : 1
      if (!blocked) largestFreeGradient = Math.max(largestFreeGradient, Math.abs(g[i]!))
    }
    if (largestFreeGradient < gradientTolerance) break

    // Two-loop recursion on the free components.
    for (let i = 0; i < n; i++) direction[i] = free[i] ? g[i]! : 0
    for (let k = sList.length - 1; k >= 0; k--) {
      const a = rhoList[k]! * dotFree(sList[k]!, direction, free)
      alphas[k] = a
      axpyFree(-a, yList[k]!, direction, free)
    }
    if (sList.length > 0) {
      const last = sList.length - 1
      const scale = dotFree(sList[last]!, yList[last]!, free) / Math.max(dotFree(yList[last]!, yList[last]!, free), 1e-300)
      for (let i = 0; i < n; i++) direction[i]! *= scale > 0 ? scale : 1
    } else {
      // First step: steepest descent, scaled so that no coordinate moves more than initialStep.
      for (let i = 0; i < n; i++) direction[i]! *= initialStep / largestFreeGradient
    }
    for (let k = 0; k < sList.length; k++) {
      const b = rhoList[k]! * dotFree(yList[k]!, direction, free)
      axpyFree(alphas[k]! - b, sList[k]!, direction, free)
    }
    for (let i = 0; i < n; i++) direction[i] = free[i] ? -direction[i]! : 0
    if (dotFree(direction, g, free) >= 0) {
      // Not a descent direction (curvature pairs went stale): restart from steepest descent.
      sList.length = 0
      yList.length = 0
      rhoList.length = 0
      for (let i = 0; i < n; i++) direction[i] = free[i] ? (-g[i]! * initialStep) / largestFreeGradient : 0
    }

    let step = 1
    let accepted = false
    let candidateValue = fx
    for (let backtrack = 0; backtrack < MAX_BACKTRACKS; backtrack++) {
      let decrease = 0
      let moved = false
      for (let i = 0; i < n; i++) {
        candidate[i] = clamp(x[i]! + step * direction[i]!, lower[i]!, upper[i]!)
        const delta = candidate[i]! - x[i]!
        if (delta !== 0) moved = true
        decrease += g[i]! * delta
      }
      if (!moved) break
      candidateValue = f(candidate, candidateGradient)
      evaluations++
      if (Number.isFinite(candidateValue) && candidateValue <= fx + ARMIJO * Math.min(decrease, 0)) {
        accepted = true
        break
      }
      step *= 0.5
    }
    if (!accepted) break

    const s = new Float64Array(n)
    const y = new Float64Array(n)
    let sy = 0
    for (let i = 0; i < n; i++) {
      s[i] = candidate[i]! - x[i]!
      y[i] = candidateGradient[i]! - g[i]!
      sy += s[i]! * y[i]!
    }
    if (sy > 1e-12) {
      if (sList.length === memory) {
        sList.shift()
        yList.shift()
        rhoList.shift()
      }
      sList.push(s)
      yList.push(y)
      rhoList.push(1 / sy)
    }
    const improvement = fx - candidateValue
    x.set(candidate)
    const previousGradient = g
    g = candidateGradient
    candidateGradient = previousGradient
    fx = candidateValue
    if (improvement <= relativeTolerance * Math.max(Math.abs(fx), 1)) break
  }
  return { x, value: fx, evaluations }
}

function dotFree(a: Float64Array, b: Float64Array, free: Uint8Array): number {
  let s = 0
  for (let i = 0; i < a.length; i++) if (free[i]) s += a[i]! * b[i]!
  return s
}

function axpyFree(a: number, x: Float64Array, y: Float64Array, free: Uint8Array): void {
  for (let i = 0; i < x.length; i++) if (free[i]) y[i]! += a * x[i]!
}

function clamp(v: number, low: number, high: number): number {
  return v < low ? low : v > high ? high : v
}

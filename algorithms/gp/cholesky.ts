/**
 * Dense Cholesky factorisation K = L·Lᵀ and the triangular solves a Gaussian process needs, on
 * row-major Float64Arrays with an explicit row stride (Golub & Van Loan, "Matrix Computations",
 * 4th ed., §4.2).
 *
 * Written by hand rather than taken from ml-matrix: ml-matrix stores rows as JS arrays and
 * allocates per operation, which at n = 200 costs several times more than these flat loops, and
 * the GP refactorises K dozens of times per suggestion while fitting its hyperparameters. Every
 * inner loop is a dot product over contiguous memory, unrolled four ways (independent partial
 * sums let the CPU overlap the multiplies; about 1.5× faster in V8). The stride lets a factor
 * grow by one row in place (`appendCholeskyRow`) when the GP conditions on a fantasy.
 */

/** Σ_{k<length} a[ai+k]·b[bi+k]. */
export function dot(a: Float64Array, ai: number, b: Float64Array, bi: number, length: number): number {
  let s0 = 0
  let s1 = 0
  let s2 = 0
  let s3 = 0
  let k = 0
  for (; k + 3 < length; k += 4) {
    s0 += a[ai + k]! * b[bi + k]!
    s1 += a[ai + k + 1]! * b[bi + k + 1]!
    s2 += a[ai + k + 2]! * b[bi + k + 2]!
    s3 += a[ai + k + 3]! * b[bi + k + 3]!
  }
  for (; k < length; k++) s0 += a[ai + k]! * b[bi + k]!
  return s0 + s1 + s2 + s3
}

/**
 * Factorises the leading n×n block of `a` (row-major, row stride `stride`; only the lower
 * triangle is read) into L, written over `a`'s lower triangle. Returns false when a pivot is
 * not positive, i.e. the matrix is not numerically positive definite.
 */
export function choleskyInPlace(a: Float64Array, n: number, stride: number = n): boolean {
  for (let i = 0; i < n; i++) {
    const rowI = i * stride
    for (let j = 0; j < i; j++) {
      const rowJ = j * stride
      a[rowI + j] = (a[rowI + j]! - dot(a, rowI, a, rowJ, j)) / a[rowJ + j]!
    }
    const pivot = a[rowI + i]! - dot(a, rowI, a, rowI, i)
    if (!(pivot > 0)) return false
    a[rowI + i] = Math.sqrt(pivot)
  }
  return true
}

/** Solves L·x = b in place (forward substitution); L lower triangular, stride `stride`. */
export function solveLowerInPlace(l: Float64Array, n: number, b: Float64Array, stride: number = n): void {
  for (let i = 0; i < n; i++) {
    const row = i * stride
    b[i] = (b[i]! - dot(l, row, b, 0, i)) / l[row + i]!
  }
}

/** Solves Lᵀ·x = b in place (back substitution with the transpose of lower-triangular L). */
export function solveLowerTransposedInPlace(l: Float64Array, n: number, b: Float64Array, stride: number = n): void {
  for (let i = n - 1; i >= 0; i--) {
    const row = i * stride
    const xi = b[i]! / l[row + i]!
    b[i] = xi
    // Column i of Lᵀ is row i of L: subtract its contribution from the rows above.
    for (let k = 0; k < i; k++) b[k]! -= l[row + k]! * xi
  }
}

/**
 * L⁻¹ of the lower-triangular factor, stored transposed: entry (i, j) of L⁻¹ (i ≥ j) at
 * [j·n + i], so that column j is contiguous, which is what both the inversion and Mᵀ·M read.
 */
export function invertLowerTransposed(l: Float64Array, n: number, stride: number = n): Float64Array {
  const mt = new Float64Array(n * n)
  for (let j = 0; j < n; j++) {
    const colJ = j * n
    mt[colJ + j] = 1 / l[j * stride + j]!
    for (let i = j + 1; i < n; i++) {
      const row = i * stride
      mt[colJ + i] = -dot(l, row + j, mt, colJ + j, i - j) / l[row + i]!
    }
  }
  return mt
}

/** (L·Lᵀ)⁻¹ as a dense symmetric n×n matrix (stride n), from the factor L. */
export function inverseFromCholesky(l: Float64Array, n: number, stride: number = n): Float64Array {
  const mt = invertLowerTransposed(l, n, stride)
  const inverse = new Float64Array(n * n)
  for (let a = 0; a < n; a++) {
    for (let b = 0; b <= a; b++) {
      // (K⁻¹)_ab = Σ_{k ≥ a} M_ka·M_kb, since M is lower triangular and a ≥ b.
      const s = dot(mt, a * n + a, mt, b * n + a, n - a)
      inverse[a * n + b] = s
      inverse[b * n + a] = s
    }
  }
  return inverse
}

/**
 * Extends the factor of an n×n matrix to the (n+1)×(n+1) matrix bordered by `column` (its
 * first n entries: covariances with the old rows; entry n: the new diagonal). Row n of `l`
 * must fit in the stride. Returns false when the new pivot is not positive.
 */
export function appendCholeskyRow(l: Float64Array, n: number, column: ArrayLike<number>, stride: number): boolean {
  const row = n * stride
  for (let i = 0; i < n; i++) {
    const rowI = i * stride
    l[row + i] = (column[i]! - dot(l, rowI, l, row, i)) / l[rowI + i]!
  }
  const pivot = column[n]! - dot(l, row, l, row, n)
  if (!(pivot > 0)) return false
  l[row + n] = Math.sqrt(pivot)
  return true
}

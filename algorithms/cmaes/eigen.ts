/**
 * Eigendecomposition of a symmetric matrix, C = B·diag(values)·Bᵀ, as CMA-ES needs it to sample
 * (x = m + σ·B·√values·z) and to whiten steps (C^(-1/2) = B·diag(1/√values)·Bᵀ). ml-matrix's
 * EigenvalueDecomposition with `assumeSymmetric` runs JAMA's Householder tridiagonalisation
 * and QL iterations (tred2/tql2): deterministic, and accurate for the small matrices (tens of
 * coordinates) CMA-ES sees here.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix'

export interface SymmetricEigen {
  /** Eigenvalues, in ml-matrix's order (ascending). */
  readonly values: readonly number[]
  /** vectors[i][j]: coordinate i of eigenvector j (B, row-major). */
  readonly vectors: readonly (readonly number[])[]
}

/** `matrix` is symmetrised first ((A + Aᵀ)/2) so rounding noise cannot make it non-symmetric. */
export function symmetricEigen(matrix: readonly (readonly number[])[]): SymmetricEigen {
  const n = matrix.length
  if (n === 0) return { values: [], vectors: [] }
  const symmetric = Matrix.zeros(n, n)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) symmetric.set(i, j, (matrix[i]![j]! + matrix[j]![i]!) / 2)
  }
  const evd = new EigenvalueDecomposition(symmetric, { assumeSymmetric: true })
  return { values: [...evd.realEigenvalues], vectors: evd.eigenvectorMatrix.to2DArray() }
}

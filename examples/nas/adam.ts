import { Matrix } from 'ml-matrix'

/** Adam (Kingma & Ba 2015) with its usual constants. */
export class Adam {
  private readonly m: Matrix[]
  private readonly v: Matrix[]
  private t = 0

  constructor(
    private readonly params: readonly Matrix[],
    private readonly learningRate: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly epsilon = 1e-8,
  ) {
    this.m = params.map((p) => Matrix.zeros(p.rows, p.columns))
    this.v = params.map((p) => Matrix.zeros(p.rows, p.columns))
  }

  step(grads: readonly Matrix[]): void {
    this.t++
    const c1 = 1 - this.beta1 ** this.t
    const c2 = 1 - this.beta2 ** this.t
    this.params.forEach((p, k) => {
      const g = grads[k]!
      const m = this.m[k]!
      const v = this.v[k]!
      for (let i = 0; i < p.rows; i++) {
        for (let j = 0; j < p.columns; j++) {
          const gij = g.get(i, j)
          const mij = this.beta1 * m.get(i, j) + (1 - this.beta1) * gij
          const vij = this.beta2 * v.get(i, j) + (1 - this.beta2) * gij * gij
          m.set(i, j, mij)
          v.set(i, j, vij)
          p.set(i, j, p.get(i, j) - (this.learningRate * (mij / c1)) / (Math.sqrt(vij / c2) + this.epsilon))
        }
      }
    })
  }
}

/**
 * Two interleaving half-moons with label noise: small, generated on the fly (nothing to
 * download), and not linearly separable, so the polynomial degree and regularisation matter.
 */
export interface Dataset {
  readonly x: number[][]
  readonly y: number[]
}

export function makeMoons(count: number, noise: number, seed: number): Dataset {
  let state = seed >>> 0
  const uniform = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state / 2 ** 32
  }
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform())
  const x: number[][] = []
  const y: number[] = []
  for (let i = 0; i < count; i++) {
    const label = i % 2
    const t = Math.PI * uniform()
    const px = label === 0 ? Math.cos(t) : 1 - Math.cos(t)
    const py = label === 0 ? Math.sin(t) : 0.5 - Math.sin(t)
    x.push([px + noise * gaussian(), py + noise * gaussian()])
    y.push(label)
  }
  return { x, y }
}

export function split(data: Dataset, trainFraction: number): { train: Dataset; validation: Dataset } {
  const cut = Math.floor(data.x.length * trainFraction)
  return {
    train: { x: data.x.slice(0, cut), y: data.y.slice(0, cut) },
    validation: { x: data.x.slice(cut), y: data.y.slice(cut) },
  }
}

/** "0-19", "3", "0,2,5-7" → the listed seeds, ascending, without duplicates. */
export function parseSeeds(text: string): number[] {
  const seeds = new Set<number>()
  for (const part of text.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part)
    if (!match) throw new Error(`--seeds: "${part}" is not a seed or a range like 0-19`)
    const from = Number(match[1])
    const to = match[2] === undefined ? from : Number(match[2])
    if (to < from) throw new Error(`--seeds: range "${part}" runs backwards`)
    for (let s = from; s <= to; s++) seeds.add(s)
  }
  if (seeds.size === 0) throw new Error('--seeds: no seed given')
  return [...seeds].sort((a, b) => a - b)
}

/** The inverse, for reports: [0..19] → "0..19 (20)" as the anchor writes it. */
export function describeSeeds(seeds: readonly number[]): string {
  const parts: string[] = []
  for (let i = 0; i < seeds.length;) {
    let j = i
    while (j + 1 < seeds.length && seeds[j + 1] === seeds[j]! + 1) j++
    parts.push(j > i ? `${seeds[i]}..${seeds[j]}` : String(seeds[i]))
    i = j + 1
  }
  return `${parts.join(', ')} (${seeds.length})`
}

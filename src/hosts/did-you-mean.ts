/** Edit distance counting a swap of neighbours as one edit (optimal string alignment). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({length: a.length + 1}, (_, i) => Array.from({length: b.length + 1}, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1)
      d[i]![j] = v
    }
  return d[a.length]![b.length]!
}

/** The closest candidate to a mistyped word, if one is close enough to be a likely typo. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const w = word.toLowerCase()
  let best: string | undefined
  let bestD = Infinity
  for (const c of candidates) {
    const lc = c.toLowerCase()
    const d = lc === w ? 0 : distance(w, lc)
    if (d < bestD) {
      best = c
      bestD = d
    }
  }
  if (best === undefined) return undefined
  const limit = Math.max(1, Math.floor(Math.max(word.length, best.length) / 3))
  return bestD <= limit ? best : undefined
}

/** `did you mean 'port'?` or undefined. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const c = closest(word, candidates)
  return c === undefined ? undefined : `did you mean '${c}'?`
}

/**
 * An IPv6 address as text from its eight 16-bit groups (hex, without leading zeros): the longest run of two
 * or more zero groups becomes `::`, as RFC 5952 and iproute2 write it.
 */
export function formatIpv6Groups(groups: readonly string[]): string {
  let best = -1
  let bestLen = 0
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== '0') {
      i++
      continue
    }
    let j = i
    while (j < groups.length && groups[j] === '0') j++
    if (j - i > bestLen && j - i >= 2) [best, bestLen] = [i, j - i]
    i = j
  }
  if (best < 0) return groups.join(':')
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`
}

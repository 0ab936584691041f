import type {AnyProbe} from '../../../inventory/kit/probe.js'

/**
 * Spreads probes over `count` batches so the heaviest batch is as light as possible (longest first,
 * each to the lightest batch). Batches run in parallel, one channel each.
 */
export function planBatches(probes: readonly AnyProbe[], count: number): AnyProbe[][] {
  const n = Math.max(1, Math.min(count, probes.length))
  const batches: {weight: number; probes: AnyProbe[]}[] = Array.from({length: n}, () => ({weight: 0, probes: []}))
  const sorted = [...probes].sort((a, b) => (b.weight ?? 1) - (a.weight ?? 1))
  for (const p of sorted) {
    const lightest = batches.reduce((min, b) => (b.weight < min.weight ? b : min))
    lightest.probes.push(p)
    lightest.weight += p.weight ?? 1
  }
  return batches.filter((b) => b.probes.length > 0).map((b) => b.probes)
}

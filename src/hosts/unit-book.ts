import {ancestorPaths, unitPath, type Unit} from '../model/unit.js'
import {didYouMean} from './did-you-mean.js'
import type {UnitNames} from './hosts-schema.js'

/**
 * The units a hosts file declares (`units:`), each made once and shared by its hosts: its names (English falls back
 * to Vietnamese) and the declared units above it. An ancestor need not be declared: it is then known by its path.
 */
export class UnitBook {
  private readonly names = new Map<string, {key: string; names: UnitNames}>()
  private readonly made = new Map<string, Unit>()
  /** Keys that are one unit in NFC, written twice (`hà-nội` composed and decomposed): [second key, first key]. */
  readonly twice: [string, string][] = []

  constructor(units: Record<string, UnitNames> | undefined) {
    for (const [key, names] of Object.entries(units ?? {})) {
      const path = unitPath(key) ?? key
      const first = this.names.get(path)
      if (first) this.twice.push([key, first.key])
      else this.names.set(path, {key, names})
    }
  }

  /** The declared unit at this path (written in any Unicode form), or undefined. */
  unit(written: string): Unit | undefined {
    const path = unitPath(written) ?? written
    const known = this.made.get(path)
    if (known) return known
    const declared = this.names.get(path)
    if (!declared) return undefined
    const parents = ancestorPaths(path).flatMap((p) => {
      const n = this.names.get(p)?.names
      return n ? [{path: p, vi: n.vi, en: n.en ?? n.vi}] : []
    })
    const unit: Unit = {path, vi: declared.names.vi, en: declared.names.en ?? declared.names.vi, ...(parents.length ? {parents} : {})}
    this.made.set(path, unit)
    return unit
  }

  /** What to do about a path that is not declared: the closest declared one, or how to declare it. */
  hint(written: string): string {
    return didYouMean(written, [...this.names.values()].map((d) => d.key)) ?? `declare it under 'units:' with its names, e.g. '${written}: {vi: …, en: …}'`
  }
}

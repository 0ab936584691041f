import type {Fixable, FixKind, HostReport, Results} from '../model/results.js'

type RunFixable = NonNullable<Results['dataQuality']['fixable']>

/**
 * One host's failed findings (status fail: a waived finding is not one, nor an unknown) by how they are fixed: those
 * whose check has an automatic fix, and the others (a check kindOf does not know counts as manual).
 */
export function hostFixable(results: HostReport['results'], kindOf: (pack: string, check: string) => FixKind | undefined): Fixable {
  const out = {auto: 0, manual: 0}
  for (const r of results) if (r.status === 'fail') out[kindOf(r.pack, r.check) === 'auto' ? 'auto' : 'manual']++
  return out
}

/** The run's counts (every host's summed), and each unit's: the hosts whose own unit it is, units by path. */
export function runFixable(hosts: readonly (Pick<HostReport, 'unit'> & {fixable: Fixable})[]): RunFixable {
  const total = {auto: 0, manual: 0}
  const units = new Map<string, RunFixable['units'][number]>()
  for (const h of hosts) {
    total.auto += h.fixable.auto
    total.manual += h.fixable.manual
    if (!h.unit) continue
    const u = units.get(h.unit.path) ?? {path: h.unit.path, vi: h.unit.vi, en: h.unit.en, hosts: 0, auto: 0, manual: 0}
    u.hosts++
    u.auto += h.fixable.auto
    u.manual += h.fixable.manual
    units.set(h.unit.path, u)
  }
  return {...total, units: [...units.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))}
}

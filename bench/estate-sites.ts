import path from 'node:path'

import type {Pack} from '../src/engine/checks/pack.js'
import {evaluateRun} from '../src/engine/evaluate-run.js'
import type {Snapshot} from '../src/model/snapshot.js'
import type {Unit} from '../src/model/unit.js'
import {openStore} from '../src/store/store.js'
import {fleet} from '../test/unit/report/fleet.js'
import {siteUnit} from './estate-units.js'

/** A site of the bench's estate: its own SQLite store holding one judged run of its hosts, all in one unit. */
export interface Site {
  name: string
  file: string
  unit: Unit
  hosts: number
}

/**
 * Makes `sites` site stores in `dir`, each with ONE judged run (built-in packs) of `hosts` hosts: the real snapshot
 * `base` varied per host by the test fleet (fleet()), renamed `sNNN-srv-NNNN` so that host names are unique across the
 * estate, and given the site's unit. One site at a time, so memory holds one site's snapshots.
 */
export async function makeSites(dir: string, sites: number, hosts: number, base: Snapshot, packs: Pack[], onSite: (s: Site) => void = () => undefined): Promise<Site[]> {
  const made: Site[] = []
  for (let i = 0; i < sites; i++) {
    const code = `s${String(i).padStart(3, '0')}`
    const unit = siteUnit(i, sites)
    const snapshots = fleet(hosts, base).map((s) => inUnit(s, `${code}-${s.host.name}`, unit))
    const site: Site = {name: `hatang.${unit.path.replaceAll('/', '.')}`, file: path.join(dir, `${code}.db`), unit, hosts}
    const store = await openStore(site.file)
    try {
      await store.storeRun({source: 'audit', site: site.name, operator: 'kiem-tra@site', hostsFile: 'hosts.yaml'}, snapshots, {evaluation: evaluateRun(snapshots, packs), waivers: []})
    } finally {
      await store.close()
    }
    made.push(site)
    onSite(site)
  }
  return made
}

/** The snapshot as host `name` (its identity section says so too) of `unit`. */
function inUnit(s: Snapshot, name: string, unit: Unit): Snapshot {
  const identity = (s.sections as unknown as Record<string, {data?: {hostname?: string}} | undefined>).identity
  if (identity?.data) identity.data.hostname = name
  s.host = {...s.host, name, unit}
  return s
}

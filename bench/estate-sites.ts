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

/** fleet() repeats its variations every 300 hosts (lcm of its periods): sites take windows of a fleet this much longer. */
const PERIOD = 300

/**
 * Makes `sites` site stores in `dir`, each with ONE judged run (built-in packs) of `hosts` hosts: the real snapshot
 * `base` varied per host by the test fleet (fleet(), made once), each site a different window of it (so their mixes
 * of releases, failures and unreachable hosts differ), renamed `sNNN-srv-NNNN` so that host names are unique across
 * the estate, and given the site's unit. One site at a time, so memory holds the fleet and one site's run.
 */
export async function makeSites(dir: string, sites: number, hosts: number, base: Snapshot, packs: Pack[], onSite: (s: Site) => void = () => undefined): Promise<Site[]> {
  const made: Site[] = []
  const template = fleet(hosts + PERIOD, base)
  for (let i = 0; i < sites; i++) {
    const code = `s${String(i).padStart(3, '0')}`
    const unit = siteUnit(i, sites)
    const offset = (i * 37) % PERIOD
    const snapshots = template.slice(offset, offset + hosts).map((s, j) => inUnit(s, `${code}-srv-${String(j).padStart(4, '0')}`, unit))
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

/** A copy of the snapshot as host `name` (its identity section says so too) of `unit`; the fleet's own is left as it is. */
function inUnit(s: Snapshot, name: string, unit: Unit): Snapshot {
  const identity = (s.sections as unknown as Record<string, {data?: Record<string, unknown>} | undefined>).identity
  const sections = identity?.data ? ({...s.sections, identity: {...identity, data: {...identity.data, hostname: name}}} as Snapshot['sections']) : s.sections
  return {...s, host: {...s.host, name, unit}, sections}
}

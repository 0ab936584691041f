/**
 * A store with three runs of a small fleet (real snapshots of this machine varied per host, see fleet.ts), for
 * the history part of reports. Run 1, ten days before run 3, judged: srv-0000…srv-0005. Run 2, a day before
 * run 3, judged: on srv-0000 a package added (named like markup), one removed, one upgraded and root login
 * turned off (a finding fixed); srv-0001 upgraded from Debian 11 to 12; srv-0003 unreachable; srv-0005 gone;
 * srv-0099 new. Run 3: run 2 again, collected a day later, not judged.
 */
import {failedSnapshot} from '../../../src/collect/sweep.js'
import {evaluateRun} from '../../../src/engine/evaluate-run.js'
import type {Snapshot} from '../../../src/model/snapshot.js'
import {openStore, type Store} from '../../../src/store/store.js'
import {withData} from '../../support/snapshots.js'
import {builtinPacks, fleet, realSnapshot} from './fleet.js'

const DAY = 86_400_000
export const ADDED = {name: '<img src=x onerror=alert(1)>', version: '1.0-"1"', architecture: 'amd64', manager: 'dpkg', status: 'ii'}

export interface HistoryStore {
  file: string
  /** Run start times, by run id (1, 2, 3). */
  startedAt: Record<number, string>
  /** The package removed from and the one upgraded on srv-0000 in run 2. */
  removed: {name: string; version: string}
  upgraded: {name: string; from: string; to: string}
  runs: Record<number, Snapshot[]>
}

const at = (snaps: Snapshot[], time: string) =>
  snaps.map((s) => {
    const c = structuredClone(s)
    c.meta.collectedAt = time
    return c
  })

async function store(file: string, fn: (s: Store) => Promise<void>): Promise<void> {
  const s = await openStore(file)
  try {
    await fn(s)
  } finally {
    await s.close()
  }
}

/** Writes the three runs into a new store at `file`. */
export async function writeHistoryStore(file: string): Promise<HistoryStore> {
  const base = realSnapshot()
  const now = Date.parse(base.meta.collectedAt)
  const startedAt = {1: new Date(now - 10 * DAY).toISOString(), 2: new Date(now - DAY).toISOString(), 3: new Date(now).toISOString()}
  const first = at(fleet(6, base), startedAt[1])

  const items = first[0]!.sections.packages.data!.items
  const installed = items.filter((p) => p.status === 'ii')
  const removed = installed[0]!
  const upgraded = installed[1]!
  const upgradedTo = `${upgraded.version}+hatang1`
  let s0 = withData(first[0]!, 'packages', {
    ...first[0]!.sections.packages.data,
    items: [...items.filter((p) => p !== removed).map((p) => (p === upgraded ? {...p, version: upgradedTo} : p)), ADDED],
  })
  s0 = withData(s0, 'sshd', {permitRootLogin: 'no'})
  let s1 = withData(first[1]!, 'os', {versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)', kernel: '6.1.0-28-amd64'})
  s1 = withData(s1, 'system', {serial: 'SN-REPLACED-1'})
  const s3 = failedSnapshot(
    {name: 'srv-0003', address: '10.0.3.13', port: 22, identityFiles: [], knownHostsFiles: [], sudo: false, transport: 'ssh', groups: ['mail'], tags: [], source: {file: 'hosts.yaml', line: 4, column: 3}},
    'unreachable',
    'connect ECONNREFUSED 10.0.3.13:22',
    'ssh',
  )
  const s99 = structuredClone(first[2]!)
  s99.host = {...s99.host, name: 'srv-0099'}
  const second = at([s0, s1, first[2]!, s3, first[4]!, s99], startedAt[2])
  const third = at(second, startedAt[3])

  const packs = builtinPacks()
  await store(file, async (s) => {
    for (const [id, snaps, judge] of [[1, first, true], [2, second, true], [3, third, false]] as const) {
      const w = await s.beginRun({source: 'sweep', hostsFile: '/etc/hatang/hosts.yaml', operator: 'auditor', startedAt: new Date(startedAt[id])})
      for (const snap of snaps) await w.addSnapshot(snap)
      await w.finish(judge ? {evaluation: evaluateRun(snaps, packs, {now: new Date(startedAt[id])}), finishedAt: new Date(Date.parse(startedAt[id]) + 60_000)} : {finishedAt: new Date(Date.parse(startedAt[id]) + 60_000)})
    }
  })
  return {
    file,
    startedAt,
    removed: {name: removed.name, version: removed.version ?? ''},
    upgraded: {name: upgraded.name, from: upgraded.version ?? '', to: upgradedTo},
    runs: {1: first, 2: second, 3: third},
  }
}

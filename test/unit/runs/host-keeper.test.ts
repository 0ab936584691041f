import {mkdtempSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import v8 from 'node:v8'
import vm from 'node:vm'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {builtinPackNames, packFile} from '../../../src/engine/checks/builtin-packs.js'
import {loadPack, type Pack} from '../../../src/engine/checks/pack.js'
import {diffRuns} from '../../../src/engine/diff.js'
import {evaluateChecked, evaluateRun} from '../../../src/engine/evaluate-run.js'
import type {Waiver} from '../../../src/engine/waivers.js'
import {isInstalled} from '../../../src/model/sections/packages.js'
import type {Snapshot} from '../../../src/model/snapshot.js'
import {buildResults} from '../../../src/runs/build-results.js'
import {HostKeeper} from '../../../src/runs/host-keeper.js'
import {judgeRun} from '../../../src/runs/judge-run.js'
import {keptSections} from '../../../src/runs/kept-snapshot.js'
import {fleetReads} from '../../../src/engine/fleet/fleet-reads.js'
import {openStore, type Store} from '../../../src/store/store.js'
import {capturedFleet, withData} from '../../support/snapshots.js'

/**
 * An audit judges each host as its snapshot comes and keeps only what the rest of the run reads (HostKeeper): the
 * judgement, the results, the diff say exactly what the whole snapshots say, and no whole snapshot outlives its host.
 */


/** Group web declares web1 its reference (fleet checks against a reference read every package of it). */
const withReference = (snaps: Snapshot[]) => snaps.map((s) => (s.host.groups?.includes('web') ? {...s, host: {...s.host, references: [{group: 'web', host: 'web1'}]}} : s))

const packs: Pack[] = builtinPackNames().map((p) => loadPack(packFile(p)))
const waivers: Waiver[] = [
  {check: 'ssh.root-login', hosts: ['db*'], reason: 'kiểm thử', approver: 'Nguyễn Văn A', expires: '2999-12-31', source: 'w.yaml:2'},
  {check: 'sync.key-packages', groups: ['web'], reason: 'bản vá', approver: 'Trần Thị B', expires: '2999-12-31', source: 'w.yaml:9'},
  {check: 'firewall.active', hosts: ['*'], reason: 'hết hạn', approver: 'Lê Văn C', expires: '2001-01-01', source: 'w.yaml:16'},
]
const run = {startedAt: '2026-11-24T12:00:00.000Z', finishedAt: '2026-11-24T12:01:00.000Z', toolVersion: 'test', operator: 'test@test', source: 'test/fixtures/fleet'}

const keepAll = (snaps: readonly Snapshot[], keeper = new HostKeeper(packs)) => Promise.all(snaps.map((s) => keeper.keep(s)))

describe('HostKeeper', () => {
  it('the run judged from what was kept says what judging the whole snapshots says: evaluation and results alike', async () => {
    const whole = withReference(capturedFleet())
    const before = JSON.stringify(whole)
    const now = new Date(whole.map((s) => s.meta.collectedAt).sort().at(-1)!)
    const options = {waivers, now, staleAfterDays: 30}

    const expected = evaluateRun(whole, packs, options)
    const keeper = new HostKeeper(packs)
    const kept = await keepAll(whole, keeper)
    const evaluation = evaluateChecked(kept, packs, options, keeper.regexes)
    expect(JSON.stringify(evaluation)).toBe(JSON.stringify(expected))
    // the fleet findings are there to compare (and waived, referenced, failing), not an empty list equal to another
    expect(evaluation.fleet.map((f) => f.status)).toEqual(expect.arrayContaining(['pass', 'fail', 'waived']))
    expect(evaluation.fleet.some((f) => f.rule === 'reference' && f.check === 'sync.reference-packages')).toBe(true)

    const results = buildResults({snapshots: kept.map((k) => k.snapshot), facts: kept.map((k) => k.facts), packs, evaluation, waivers, run})
    expect(JSON.stringify(results)).toBe(JSON.stringify(buildResults({snapshots: whole, packs, evaluation: expected, waivers, run})))
    // keeping reads the snapshots, never changes them
    expect(JSON.stringify(whole)).toBe(before)
  })

  it('the diff against the previous run says of what was kept what it says of the whole snapshots', async () => {
    const previous = capturedFleet()
    // a package upgraded and one removed on web2, more memory on db1, a section lost on web3
    const current = capturedFleet().map((s) => {
      if (s.host.name === 'db1') return withData(s, 'memory', {totalBytes: s.sections.memory.data!.totalBytes * 2})
      if (s.host.name === 'web3') return {...s, sections: {...s.sections, os: {status: 'error' as const, reason: 'lost', source: 'probe' as const, durationMs: 0}}}
      if (s.host.name !== 'web2') return s
      const items = s.sections.packages.data!.items
      return withData(s, 'packages', {items: items.slice(1).map((p, i) => (i === 0 ? {...p, version: `${p.version}+hatang1`} : p))})
    })
    const side = (id: number, snapshots: Snapshot[]) => ({run: {id, startedAt: run.startedAt}, snapshots})
    const expected = diffRuns(side(1, previous), side(2, current))
    expect(expected.changed.map((c) => c.host)).toEqual(['db1', 'web2', 'web3', 'web4'])
    expect(diffRuns(side(1, previous), side(2, (await keepAll(current)).map((k) => k.snapshot)))).toEqual(expected)
  })

  it('keeps of a snapshot only what the fleet checks and the diff read: no other section, installed packages as they compare them', async () => {
    const [web1] = capturedFleet().filter((s) => s.host.name === 'web1')
    const {snapshot} = await new HostKeeper(packs).keep(web1!)
    const sections = keptSections(fleetReads(packs))
    expect(Object.keys(snapshot.sections).sort()).toEqual([...sections, 'packages'].sort())
    for (const gone of ['processes', 'services', 'certificates', 'accounts', 'scheduled']) expect(snapshot.sections).not.toHaveProperty(gone)
    const items = snapshot.sections.packages.data!.items
    expect(items.length).toBe(web1!.sections.packages.data!.items.filter(isInstalled).length)
    for (const p of items) expect(Object.keys(p).every((k) => ['name', 'version', 'architecture', 'manager', 'status'].includes(k))).toBe(true)
    expect(snapshot.meta.probes).toEqual([])
  })

  it('hosts with the same package share one record of it', async () => {
    const keeper = new HostKeeper(packs)
    const [a, b] = await Promise.all(capturedFleet().filter((s) => s.host.name === 'web1' || s.host.name === 'web3').map((s) => keeper.keep(s)))
    const libc = (k: typeof a) => k!.facts.packages.items.find((p) => p.name === 'libc6')!
    expect(libc(a)).toBe(libc(b))
    expect(Object.isFrozen(libc(a))).toBe(true)
  })
})

describe('an audit judging its run from what it kept', () => {
  let dir: string
  let store: Store
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-host-keeper-'))
    store = await openStore(path.join(dir, 'hatang.db'))
  })
  afterAll(async () => {
    await store?.close()
    rmSync(dir, {recursive: true, force: true})
  })

  it('holds no whole snapshot once each is stored and kept: the judged run and its results let them all go', async () => {
    v8.setFlagsFromString('--expose-gc')
    const gc = vm.runInNewContext('gc') as () => void
    const keeper = new HostKeeper(packs)
    const writer = await store.beginRun({source: 'audit'})
    const gone: WeakRef<Snapshot>[] = []
    // as collectRun takes each host: stored and kept, then let go (in a function of its own: a suspended async
    // function may keep its last loop value in a register, which says nothing of collectRun)
    const collect = async () => {
      const hosts = []
      for (const s of capturedFleet()) {
        hosts.push(await keeper.keep(s))
        await writer.addSnapshot(s)
        gone.push(new WeakRef(s))
      }
      return hosts
    }
    const kept = await collect()
    const judged = await judgeRun({store, writer, hosts: kept, regexes: keeper.regexes, packs, waivers, staleAfterDays: 30, run})
    // WeakRef targets stay until the current job ends
    await new Promise((resolve) => setTimeout(resolve, 0))
    gc()
    expect(gone.map((w) => w.deref()?.host.name).filter(Boolean)).toEqual([])
    // while what was kept, and all the run made of it, is still here
    expect(judged.results.hosts).toHaveLength(7)
    expect(kept.map((k) => k.facts.name).sort()).toEqual(['db1', 'db2', 'db3', 'web1', 'web2', 'web3', 'web4'])
    expect((await store.snapshots(judged.record.id)).map((s) => s.host.name)).toEqual(['db1', 'db2', 'db3', 'web1', 'web2', 'web3', 'web4'])
  })
})

import {mkdtempSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {storageProbe} from '../../../inventory/storage.js'
import {builtinPackNames, packFile} from '../../../src/engine/checks/builtin-packs.js'
import {loadPack, type Pack} from '../../../src/engine/checks/pack.js'
import {evaluateRun} from '../../../src/engine/evaluate-run.js'
import type {Snapshot} from '../../../src/model/snapshot.js'
import {HostKeeper} from '../../../src/runs/host-keeper.js'
import {judgeRun} from '../../../src/runs/judge-run.js'
import {resultsFromStore} from '../../../src/runs/results-from-store.js'
import {SMART_HISTORY_RUNS, SmartHistoryReader, smartHistories} from '../../../src/runs/smart-history.js'
import {openStore, type Store} from '../../../src/store/store.js'
import {contextOf, loadFixture} from '../../support/fixtures.js'
import {capturedFleet, withSection} from '../../support/snapshots.js'

/**
 * The runs layer hands the trend check the earlier readings of a host's disks from a real SQLite store, and every way
 * of judging a stored run (audit as it goes, check of the run, report of it) gives the same verdict. The host is a
 * captured one with the storage section the probe reads from a REAL two-time capture of one disk (scripts/capture-vm.sh
 * nvme: the EFI virtual machine's NVMe disk, serial HATANG-NVME-0001, critical warning 0 in test/fixtures/
 * debian-12-vm-nvme, then the spare-below-threshold bit set in debian-12-vm-nvme-warning); nothing is edited.
 */
let dir: string
let store: Store
let packs: Pack[]
const day = (n: number) => `2026-11-${String(20 + n).padStart(2, '0')}T02:00:00.000Z`

const [FIRST, WARNED] = ['debian-12-vm-nvme', 'debian-12-vm-nvme-warning']
function db1(collectedAt: string, capture: string): Snapshot {
  const base = capturedFleet().find((s) => s.host.name === 'db1')!
  const f = loadFixture(capture, 'storage')
  const section = storageProbe.interpret(f.outputs, contextOf(f))
  return {...withSection(base, 'storage', section), meta: {...base.meta, collectedAt}}
}
const trendOf = (results: {check: string; status: string; reason?: string}[]) => {
  const r = results.find((x) => x.check === 'storage.smart-trend')!
  return `${r.status}: ${r.reason}`
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-smart-history-'))
  store = await openStore(path.join(dir, 'hatang.db'))
  packs = builtinPackNames().map((n) => loadPack(packFile(n)))
})
afterAll(async () => {
  await store?.close()
  rmSync(dir, {recursive: true, force: true})
})

describe('the trend of a disk across stored runs', () => {
  it('audit, check of the stored run and its report say the same: a rise since the latest earlier run that read the disk', async () => {
    const one = await store.storeRun({source: 'import', startedAt: new Date(day(1))}, [db1(day(1), FIRST)])
    // a run that did not collect db1 at all: it is passed over
    await store.storeRun({source: 'import', startedAt: new Date(day(2))}, capturedFleet().filter((s) => s.host.name === 'web1'))

    // the audit: its run begun, each host kept as it comes with its history read from the store
    const now = db1(day(3), WARNED)
    const writer = await store.beginRun({source: 'audit', startedAt: new Date(day(3))})
    const keeper = new HostKeeper(packs, new SmartHistoryReader(store, (await store.run(writer.id))!))
    const kept = await keeper.keep(now)
    await writer.addSnapshot(now)
    const run = {startedAt: day(3), toolVersion: 'test', operator: 'test@test', source: 'test'}
    const audited = await judgeRun({store, writer, hosts: [kept], regexes: keeper.regexes, packs, waivers: [], now: new Date(day(3)), staleAfterDays: 30, run})
    const expected = `fail: /dev/nvme0n1 (QEMU NVMe Ctrl, serial HATANG-NVME-0001): NVMe critical warning 0 → 1 since run ${one.id} of 2026-11-21`
    expect(trendOf(audited.evaluation.hosts[0]!.results)).toBe(expected)

    // check of the stored run: judged again, its history read from the runs before it
    const stored = await store.snapshots(audited.record.id)
    const history = await smartHistories(store, audited.record, stored, packs)
    expect(history!.get('db1')).toMatchObject({searched: 1, readings: new Map([[expect.any(String), expect.objectContaining({run: one.id})]])})
    expect(trendOf(evaluateRun(stored, packs, {history, now: new Date(day(3))}).hosts[0]!.results)).toBe(expected)
    // its report: as it was judged and stored
    const report = await resultsFromStore(store, audited.record.id)
    expect(trendOf(report.hosts[0]!.results)).toBe(expected)
  })

  it('a later run compares with the one before it, not the first; a run judged again ignores the runs after it', async () => {
    const runs = await store.listRuns()
    const four = await store.storeRun({source: 'import', startedAt: new Date(day(4))}, [db1(day(4), WARNED)])
    const fourSnaps = await store.snapshots(four.id)
    const history = await smartHistories(store, four, fourSnaps, packs)
    expect(trendOf(evaluateRun(fourSnaps, packs, {history}).hosts[0]!.results)).toBe(`pass: /dev/nvme0n1 (QEMU NVMe Ctrl, serial HATANG-NVME-0001): NVMe media errors 0 → 0, NVMe critical warning 1 → 1 since run ${runs[0]!.id} of 2026-11-23, none risen`)
    // the first run, judged again now that later ones exist: still nothing earlier
    const first = runs.at(-1)!
    const firstSnaps = await store.snapshots(first.id)
    const h1 = await smartHistories(store, first, firstSnaps, packs)
    expect(h1!.get('db1')!.searched).toBe(0)
    expect(trendOf(evaluateRun(firstSnaps, packs, {history: h1}).hosts[0]!.results)).toBe('unknown: no earlier run to compare: the store has no earlier run of this host')
    // no check judges a trend: nothing is read
    expect(await smartHistories(store, four, fourSnaps, packs.map((p) => ({...p, checks: p.checks.filter((c) => c.id !== 'storage.smart-trend')})))).toBeUndefined()
    expect(SMART_HISTORY_RUNS).toBe(30)
  })
})

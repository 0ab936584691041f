import {readFileSync} from 'node:fs'
import path from 'node:path'

import {beforeAll, describe, expect, it} from 'vitest'

import {storageProbe} from '../../../inventory/storage.js'
import {builtinPackNames, packFile} from '../../../src/engine/checks/builtin-packs.js'
import {loadPack, type Pack} from '../../../src/engine/checks/pack.js'
import {runChecks, type CheckResult} from '../../../src/engine/checks/run-checks.js'
import type {EarlierDiskReading, SmartHistory} from '../../../src/engine/checks/smart-trend.js'
import {ConfigError} from '../../../src/config/config-error.js'
import {diskIdentity, type SmartDiskData, type StorageData} from '../../../src/model/sections/storage.js'
import type {Snapshot} from '../../../src/model/snapshot.js'
import {whyText} from '../../../src/report/why-text.js'
import {contextOf, FIXTURES, loadFixture} from '../../support/fixtures.js'
import {published, storageOutputs} from '../../support/published.js'

/**
 * The trend of a disk across runs. The earlier readings are real captures (test/fixtures/published: smartctl_exporter's
 * ST3500418AS on /dev/sdb, a Seagate with 1 reallocated sector, and a Toshiba NVMe), read by the storage probe as its
 * command prints them. No published capture shows the SAME disk at two times with a rising count (smartctl_exporter's
 * two ST3500418AS captures are two disks, /dev/sda and /dev/sdb; scrutiny's smart-ata-date2.json is smart-ata-date.json
 * with every raw value edited by +10, not a later reading): so a later reading that rose is DERIVED here, by raising
 * the counter of that same parsed capture (`raised`), and says so where it is made.
 * The NVMe cases of the last describe are REAL two-time captures: one disk (qemu's NVMe controller, serial
 * HATANG-NVME-0001) of the EFI virtual machine read twice in one boot by scripts/capture-vm.sh, with its critical
 * warning 0 (test/fixtures/debian-12-vm-nvme), then with the spare-below-threshold bit (1) raised over QMP
 * (debian-12-vm-nvme-warning): nothing in them is edited.
 */
const ST = 'smartctl-exporter-ST3500418AS_11.json'
const NVME = 'smartctl-exporter-KXG60ZNV512G_TOSHIBA_2.json'

/** The storage section of a root run on a host with these disks' smartctl documents (published captures). */
const storage = (disks: Record<string, string>) => storageProbe.interpret(storageOutputs(undefined, disks), {uid: 0, privileged: true, os: 'Linux'})

/** A Linux host whose only sections are os and this storage section, collected on a fixed day. */
function host(section: {status: string; reason?: string; data?: unknown}): Snapshot {
  return {
    host: {name: 'db1', address: '127.0.0.1', groups: [], tags: []},
    meta: {collectedAt: '2026-12-05T02:00:00.000Z'},
    sections: {os: {source: 'probe', durationMs: 0, status: 'ok', data: {family: 'Linux'}}, storage: {source: 'probe', durationMs: 0, ...section}},
  } as unknown as Snapshot
}

/** The same host with one disk's data changed (a derived later reading, see above). */
function withDisk(s: Snapshot, name: string, fields: Partial<SmartDiskData>): Snapshot {
  const copy = structuredClone(s)
  const disks = (copy.sections.storage.data as StorageData).smart.disks!
  Object.assign(disks.find((d) => d.name === name)!, fields)
  return copy
}
const disk = (s: Snapshot, name: string) => (s.sections.storage.data as StorageData).smart.disks!.find((d) => d.name === name)!

/** A history of earlier readings (run 12, started 2026-11-28) and how many earlier runs of the host were searched. */
function history(readings: SmartDiskData[], searched = 1, run = 12): SmartHistory {
  const map = new Map<string, EarlierDiskReading>()
  for (const d of readings) map.set(diskIdentity(d)!, {run, startedAt: '2026-11-28T02:00:00.000Z', disk: d})
  return {readings: map, searched}
}

let trend: Pack
beforeAll(() => {
  const server = builtinPackNames().map((n) => loadPack(packFile(n))).find((p) => p.pack === 'linux-server')!
  trend = {...server, checks: server.checks.filter((c) => c.id === 'storage.smart-trend')}
  expect(trend.checks).toHaveLength(1)
})
const judge = (s: Snapshot, h?: SmartHistory): CheckResult => runChecks(s, [trend], undefined, h).results[0]!

describe('storage.smart-trend: a disk judged against its latest earlier reading', () => {
  const earlier = host(storage({'/dev/sdb': published(ST)}))
  const sdb = disk(earlier, '/dev/sdb')

  it('reads the disk\'s identity from the capture: model, serial number and WWN', () => {
    expect(sdb).toMatchObject({name: '/dev/sdb', model: 'ST3500418AS', serial: 'REDACTED', wwn: '5 000c50 0499602d2', passed: true, reallocatedSectors: 1})
    expect(diskIdentity(sdb)).toBe(JSON.stringify(['ST3500418AS', 'REDACTED', '5 000c50 0499602d2']))
  })

  it('a rise fails (high), naming the disk, both readings and the earlier run', () => {
    // DERIVED: the captured disk with its reallocated sectors raised from the captured 1 to 8 (no real later capture exists)
    const raised = withDisk(earlier, '/dev/sdb', {reallocatedSectors: 8})
    const r = judge(raised, history([sdb]))
    expect(r).toMatchObject({status: 'fail', severity: 'high'})
    expect(r.reason).toBe('/dev/sdb (ST3500418AS, serial REDACTED): reallocated sectors 1 → 8 since run 12 of 2026-11-28')
    expect(whyText(r.why, 'en')).toBe('Reallocated sectors of disk /dev/sdb (ST3500418AS, REDACTED): 1 → 8 since run 12 of 2026-11-28')
    expect(whyText(r.why, 'vi')).toBe('Số sector bị cấp phát lại của ổ /dev/sdb (ST3500418AS, REDACTED): 1 → 8 kể từ lần chạy 12 ngày 2026-11-28')
  })

  it('equal (or lower) passes, with both readings and the earlier run as its evidence', () => {
    const r = judge(earlier, history([sdb]))
    expect(r.status).toBe('pass')
    expect(r.reason).toBe('/dev/sdb (ST3500418AS, serial REDACTED): reallocated sectors 1 → 1, pending sectors 0 → 0, offline uncorrectable sectors 0 → 0 since run 12 of 2026-11-28, none risen')
    // DERIVED: an earlier reading with more pending sectors than now (remapped since): lower is no rise
    expect(judge(earlier, history([{...sdb, pendingSectors: 3}])).status).toBe('pass')
  })

  it('no earlier reading of the disk: unknown with that reason, never a pass', () => {
    expect(judge(earlier, history([], 4))).toMatchObject({status: 'unknown', reason: '/dev/sdb (ST3500418AS, serial REDACTED): no earlier reading of this disk in the 4 runs before'})
    expect(judge(earlier, history([], 0))).toMatchObject({status: 'unknown', reason: 'no earlier run to compare: the store has no earlier run of this host'})
  })

  it('judged from snapshot files, without a store: unknown, "no earlier run to compare"', () => {
    expect(judge(earlier)).toMatchObject({status: 'unknown', reason: 'no earlier run to compare: judged without a store of runs'})
  })

  it('a disk replaced by another in the same slot: unknown for the new disk, not a false rise', () => {
    // the real Toshiba NVMe capture printed for /dev/sdb where the Seagate was: another model, hence another disk
    const replaced = host(storage({'/dev/sdb': published(NVME)}))
    expect(disk(replaced, '/dev/sdb')).toMatchObject({model: 'KXG60ZNV512G TOSHIBA', serial: 'REDACTED'})
    expect(judge(replaced, history([{...sdb, reallocatedSectors: 0}]))).toMatchObject({status: 'unknown', reason: '/dev/sdb (KXG60ZNV512G TOSHIBA, serial REDACTED): no earlier reading of this disk in the 1 runs before'})
    // DERIVED: the same model with another serial number (a new drive of the same make), 8 reallocated sectors where the old one had 1
    const sameModel = withDisk(earlier, '/dev/sdb', {serial: 'Z1D2NEW', reallocatedSectors: 8})
    expect(judge(sameModel, history([sdb])).status).toBe('unknown')
  })

  it('NVMe: media errors that rose and a critical warning bit newly set fail; a disk without a serial number is unknown', () => {
    const nvme = host(storage({'/dev/nvme2': published(NVME)}))
    const now = disk(nvme, '/dev/nvme2')
    expect(now).toMatchObject({nvmeCriticalWarning: 0, nvmeMediaErrors: 0})
    expect(judge(nvme, history([now])).status).toBe('pass')
    // DERIVED from the capture: 2 media errors, then the spare-below-threshold bit (0x1) set
    expect(judge(withDisk(nvme, '/dev/nvme2', {nvmeMediaErrors: 2}), history([now])).reason).toBe('/dev/nvme2 (KXG60ZNV512G TOSHIBA, serial REDACTED): NVMe media errors 0 → 2 since run 12 of 2026-11-28')
    expect(judge(withDisk(nvme, '/dev/nvme2', {nvmeCriticalWarning: 1}), history([{...now, nvmeCriticalWarning: 4}])).status).toBe('fail')
    expect(judge(withDisk(nvme, '/dev/nvme2', {nvmeCriticalWarning: 4}), history([{...now, nvmeCriticalWarning: 4}])).status).toBe('pass')
    const noSerial = withDisk(nvme, '/dev/nvme2', {serial: undefined})
    expect(judge(noSerial, history([now]))).toMatchObject({status: 'unknown', reason: '/dev/nvme2: smartctl gave no serial number, the disk cannot be told across runs'})
  })

  it('not applicable where the host has no SMART candidates (this machine, root and not); unknown where SMART needs root', () => {
    for (const p of ['debian-12-root', 'debian-12-user']) {
      const f = loadFixture(p, 'storage')
      expect(judge(host(storageProbe.interpret(f.outputs, contextOf(f))), history([])).status, p).toBe('not-applicable')
    }
    const unprivileged = storageProbe.interpret(storageOutputs(undefined, {}, '!candidate /dev/sda\n!needs-root\n'), {uid: 65534, privileged: false, os: 'Linux'})
    expect(judge(host(unprivileged), history([]))).toMatchObject({status: 'unknown', reason: 'reading SMART needs root: the disks were not read'})
  })

  it('the pack loader takes smartTrend only as the whole assert of a per-host check', () => {
    const pack = (assert: string) => `pack: t\nversion: 1.0.0\ntitle: {vi: Thử, en: Test}\nchecks:\n  - id: t.one\n    title: {vi: Thử, en: Test}\n    rationale: {vi: Thử, en: Test}\n    remediation: {vi: Thử, en: Test}\n    severity: high\n    assert: ${assert}\n`
    expect(loadPack('t.yaml', pack('{smartTrend: true}')).checks[0]!.assert).toEqual({smartTrend: true})
    expect(() => loadPack('t.yaml', pack('{all: [{smartTrend: true}]}'))).toThrow(ConfigError)
    expect(() => loadPack('t.yaml', pack('{all: [{smartTrend: true}]}'))).toThrow(/t\.yaml:10:\d+ .*is judged only as the whole assert of a per-host check/)
  })
})

describe('storage.smart-trend on a real two-time capture of one NVMe disk (scripts/capture-vm.sh nvme)', () => {
  /** The virtual machine's storage section as the probe reads the capture, and the moment it was captured. */
  const vm = (p: string) => {
    const f = loadFixture(p, 'storage')
    const capturedAt = (JSON.parse(readFileSync(path.join(FIXTURES, p, 'platform.json'), 'utf8')) as {capturedAt: string}).capturedAt
    return {snapshot: host(storageProbe.interpret(f.outputs, contextOf(f))), capturedAt}
  }
  const first = vm('debian-12-vm-nvme')
  const warned = vm('debian-12-vm-nvme-warning')
  const before = disk(first.snapshot, '/dev/nvme0n1')
  const after = disk(warned.snapshot, '/dev/nvme0n1')
  /** The other capture as the latest earlier reading, in run 12 started when it was captured. */
  const earlier = (c: {snapshot: Snapshot; capturedAt: string}): SmartHistory => {
    const d = disk(c.snapshot, '/dev/nvme0n1')
    return {readings: new Map([[diskIdentity(d)!, {run: 12, startedAt: c.capturedAt, disk: d}]]), searched: 1}
  }

  it('the two captures are one disk at two times: the same identity, captured in that order, the warning bit set in the second', () => {
    expect(before).toMatchObject({name: '/dev/nvme0n1', protocol: 'NVMe', model: 'QEMU NVMe Ctrl', serial: 'HATANG-NVME-0001', passed: true, nvmeCriticalWarning: 0, nvmeMediaErrors: 0})
    expect(after).toMatchObject({name: '/dev/nvme0n1', model: 'QEMU NVMe Ctrl', serial: 'HATANG-NVME-0001', passed: false, nvmeCriticalWarning: 1, nvmeMediaErrors: 0})
    expect(diskIdentity(after)).toBe(diskIdentity(before))
    expect(Date.parse(warned.capturedAt)).toBeGreaterThan(Date.parse(first.capturedAt))
  })

  it('earlier run: no warning, later run: the warning bit set — fail (high), naming the disk and the rise', () => {
    const r = judge(warned.snapshot, earlier(first))
    const date = first.capturedAt.slice(0, 10)
    expect(r).toMatchObject({status: 'fail', severity: 'high'})
    expect(r.reason).toBe(`/dev/nvme0n1 (QEMU NVMe Ctrl, serial HATANG-NVME-0001): NVMe critical warning 0 → 1 since run 12 of ${date}`)
    expect(whyText(r.why, 'en')).toContain('/dev/nvme0n1 (QEMU NVMe Ctrl, HATANG-NVME-0001): 0 → 1')
  })

  it('the same capture twice: pass, with both readings as its evidence', () => {
    const r = judge(first.snapshot, earlier(first))
    expect(r.status).toBe('pass')
    expect(r.reason).toBe(`/dev/nvme0n1 (QEMU NVMe Ctrl, serial HATANG-NVME-0001): NVMe media errors 0 → 0, NVMe critical warning 0 → 0 since run 12 of ${first.capturedAt.slice(0, 10)}, none risen`)
    expect(judge(warned.snapshot, earlier(warned)).status).toBe('pass')
  })

  it('earlier run: the warning, later run: none (the bit cleared) — pass: lower is no rise', () => {
    const r = judge(first.snapshot, earlier(warned))
    expect(r.status).toBe('pass')
    expect(r.reason).toContain('NVMe critical warning 1 → 0')
  })
})

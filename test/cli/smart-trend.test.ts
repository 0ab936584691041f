import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {parse, stringify} from 'yaml'

import {storageProbe} from '../../inventory/storage.js'
import type {Snapshot} from '../../src/model/snapshot.js'
import {hatang, ROOT} from '../support/cli.js'
import {contextOf, loadFixture} from '../support/fixtures.js'
import {capturedFleet, withSection} from '../support/snapshots.js'

/**
 * storage.smart-trend through the built CLI and a real SQLite store: three runs of one host stored one after the
 * other (`hatang import`), then judged by `check RUN` and `report RUN`. The host is the captured db1 with the storage
 * section the probe reads from a REAL two-time capture of one disk (scripts/capture-vm.sh nvme: the EFI virtual
 * machine's NVMe disk, serial HATANG-NVME-0001): run 1 its first reading (critical warning 0, test/fixtures/
 * debian-12-vm-nvme), runs 2 and 3 its later one (the spare-below-threshold bit set, debian-12-vm-nvme-warning);
 * nothing is edited. The pack is the built-in check alone, so the exit code is its.
 */
let dir: string
let store: string
let pack: string
const DAY = 86_400_000
// collected days before now: fresh for the evidence rule whatever the day the tests run
const at = [3, 2, 1].map((days) => new Date(Date.now() - days * DAY).toISOString())

function snapshotFile(n: number, capture: string): string {
  const base = capturedFleet().find((s) => s.host.name === 'db1')!
  const f = loadFixture(capture, 'storage')
  const section = storageProbe.interpret(f.outputs, contextOf(f))
  const s: Snapshot = {...withSection(base, 'storage', section), meta: {...base.meta, collectedAt: at[n - 1]!}}
  const file = path.join(dir, `db1-${n}.json`)
  writeFileSync(file, JSON.stringify(s))
  return file
}

type CheckOut = {hosts: {host: string; insufficient?: string; results: {check: string; severity: string; status: string; reason?: string}[]}[]}
const check = (args: string[]) => {
  const r = hatang(['check', ...args, '--pack', pack, '--json'])
  const out = JSON.parse(r.stdout) as CheckOut
  return {status: r.status, result: out.hosts[0]!.results[0]!}
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-smart-trend-'))
  store = path.join(dir, 'hatang.db')
  // the built-in check as it is in the linux-server pack, alone in a pack
  const server = parse(readFileSync(path.join(ROOT, 'checks/linux-server.yaml'), 'utf8')) as {checks: {id: string}[]}
  pack = path.join(dir, 'trend.yaml')
  writeFileSync(pack, stringify({pack: 'trend', version: '1.0.0', title: {vi: 'Xu hướng', en: 'Trend'}, checks: server.checks.filter((c) => c.id === 'storage.smart-trend')}))
  for (const [n, capture] of [[1, 'debian-12-vm-nvme'], [2, 'debian-12-vm-nvme-warning'], [3, 'debian-12-vm-nvme-warning']] as const) {
    const r = hatang(['import', snapshotFile(n, capture), '--store', store])
    expect(r.stdout, r.stderr).toMatch(new RegExp(`^imported 1 snapshot into new run ${n} \\(1 host`))
  }
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('hatang check and report of stored runs: storage.smart-trend', () => {
  it('run 2: the NVMe critical warning bit newly set since run 1 — fail (high), exit 1; its report says the same', () => {
    const {status, result} = check(['2', '--store', store])
    expect(result).toMatchObject({check: 'storage.smart-trend', severity: 'high', status: 'fail', reason: `/dev/nvme0n1 (QEMU NVMe Ctrl, serial HATANG-NVME-0001): NVMe critical warning 0 → 1 since run 1 of ${at[0]!.slice(0, 10)}`})
    expect(status).toBe(1)
    const out = path.join(dir, 'report-2')
    expect(hatang(['report', '2', '--store', store, '--pack', pack, '--format', 'json,html', '--lang', 'en', '-o', out]).status).toBe(0)
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as CheckOut
    expect(results.hosts[0]!.results[0]).toMatchObject({status: 'fail', reason: result.reason})
    // the HTML report shows it like its neighbours: the check's title and the reason in the reader's language
    const html = readFileSync(path.join(out, 'hatang-report.html'), 'utf8')
    expect(html).toContain("No disk's count of bad sectors has risen since the previous run")
    expect(html).toContain('NVMe critical warning of disk')
  })

  it('run 3: equal to run 2 — pass with both readings as evidence, exit 0', () => {
    const {status, result} = check(['3', '--store', store])
    expect(result.status).toBe('pass')
    expect(result.reason).toBe(`/dev/nvme0n1 (QEMU NVMe Ctrl, serial HATANG-NVME-0001): NVMe media errors 0 → 0, NVMe critical warning 1 → 1 since run 2 of ${at[1]!.slice(0, 10)}, none risen`)
    expect(status).toBe(0)
  })

  it('run 1 (nothing before it) and a snapshot file judged without a store: unknown, never pass (exit 6: too little evidence)', () => {
    const first = check(['1', '--store', store])
    expect(first.result).toMatchObject({status: 'unknown', reason: 'no earlier run to compare: the store has no earlier run of this host'})
    expect(first.status).toBe(6)
    const file = check([path.join(dir, 'db1-2.json')])
    expect(file.result).toMatchObject({status: 'unknown', reason: 'no earlier run to compare: judged without a store of runs'})
    expect(file.status).toBe(6)
  })

  it('a waiver covers it like any other check', () => {
    const waivers = path.join(dir, 'waivers.yaml')
    writeFileSync(waivers, stringify({waivers: [{check: 'storage.smart-trend', hosts: ['db1'], reason: 'ổ đã đặt mua', approver: 'Nguyễn Văn A', expires: '2999-12-31'}]}))
    const r = hatang(['check', '2', '--store', store, '--pack', pack, '--waivers', waivers, '--json'])
    expect((JSON.parse(r.stdout) as CheckOut).hosts[0]!.results[0]).toMatchObject({status: 'waived'})
    expect(r.status).toBe(0)
  })
})

import {readFileSync} from 'node:fs'
import path from 'node:path'

import {beforeAll, describe, expect, it} from 'vitest'

import {containersProbe} from '../../../inventory/containers.js'
import {storageProbe} from '../../../inventory/storage.js'
import {builtinPackNames, packFile} from '../../../src/engine/checks/builtin-packs.js'
import {loadPack, type Pack} from '../../../src/engine/checks/pack.js'
import {runChecks} from '../../../src/engine/checks/run-checks.js'
import type {Snapshot} from '../../../src/model/snapshot.js'
import {contextOf, FIXTURES, loadFixture} from '../../support/fixtures.js'
import {published, storageOutputs} from '../../support/published.js'

/** A Linux host whose only sections are these, collected when the capture was made (so no date moves with the calendar). */
function host(collectedAt: string, sections: Record<string, {status: string; reason?: string; data?: unknown}>): Snapshot {
  return {
    host: {name: 'h1', address: '127.0.0.1', groups: [], tags: []},
    meta: {collectedAt},
    sections: {os: {source: 'probe', durationMs: 0, status: 'ok', data: {family: 'Linux'}}, ...Object.fromEntries(Object.entries(sections).map(([k, v]) => [k, {source: 'probe', durationMs: 0, ...v}]))},
  } as unknown as Snapshot
}
const capturedAt = (platform: string) => (JSON.parse(readFileSync(path.join(FIXTURES, platform, 'platform.json'), 'utf8')) as {capturedAt: string}).capturedAt

let packs: Pack[] = []
beforeAll(() => {
  packs = builtinPackNames().map((n) => loadPack(packFile(n)))
})
const verdicts = (s: Snapshot, ids: string[]) => {
  const results = runChecks(s, packs.map((p) => ({...p, checks: p.checks.filter((c) => ids.includes(c.id))}))).results
  return Object.fromEntries(ids.map((id) => [id, results.find((r) => r.check === id)?.status]))
}

describe('the storage checks on real captures', () => {
  const ids = ['storage.raid-degraded', 'storage.smart', 'storage.vg-full']
  const storage = (mdstat: string | undefined, smart: Record<string, string>) => storageProbe.interpret(storageOutputs(mdstat, smart), {uid: 0, privileged: true, os: 'Linux'})

  it('fail: the published mdstat with two degraded arrays, a disk with a reallocated sector', () => {
    const s = host('2026-01-01T00:00:00Z', {storage: storage(published('node-exporter-mdstat'), {'/dev/sdb': published('smartctl-exporter-ST3500418AS_11.json')})})
    expect(verdicts(s, ids)).toEqual({'storage.raid-degraded': 'fail', 'storage.smart': 'fail', 'storage.vg-full': 'not-applicable'})
    const r = runChecks(s, packs).results
    expect(r.find((x) => x.check === 'storage.raid-degraded')!.reason).toMatch(/md6.*md7|md7.*md6/)
    expect(r.find((x) => x.check === 'storage.smart')!.reason).toContain('/dev/sdb')
  })

  it('pass: a healthy NVMe disk (published); this machine (no md array, no SMART disk, no LVM): not applicable, never a pass', () => {
    expect(verdicts(host('2026-01-01T00:00:00Z', {storage: storage(undefined, {'/dev/nvme2': published('smartctl-exporter-KXG60ZNV512G_TOSHIBA_2.json')})}), ['storage.smart'])).toEqual({'storage.smart': 'pass'})
    for (const p of ['debian-12-root', 'debian-12-user']) {
      const f = loadFixture(p, 'storage')
      const s = host(capturedAt(p), {storage: storageProbe.interpret(f.outputs, contextOf(f))})
      expect(verdicts(s, ids), p).toEqual({'storage.raid-degraded': 'not-applicable', 'storage.smart': 'not-applicable', 'storage.vg-full': 'not-applicable'})
    }
  })

  it('the virtual machine (scripts/capture-vm.sh): a volume group 95 % allocated: fail; 50 %: pass; lvm2 and no group: not applicable', () => {
    const judged = (p: string) => {
      const f = loadFixture(p, 'storage')
      return verdicts(host(capturedAt(p), {storage: storageProbe.interpret(f.outputs, contextOf(f))}), ['storage.vg-full'])['storage.vg-full']
    }
    expect(judged('debian-12-vm-lvm-full')).toBe('fail')
    expect(judged('debian-12-vm-lvm-room')).toBe('pass')
    expect(judged('debian-12-vm-secureboot')).toBe('not-applicable')
    const f = loadFixture('debian-12-vm-lvm-full', 'storage')
    const r = runChecks(host(capturedAt('debian-12-vm-lvm-full'), {storage: storageProbe.interpret(f.outputs, contextOf(f))}), packs).results
    expect(r.find((x) => x.check === 'storage.vg-full')!.reason).toContain('vmdata')
  })

  it('the virtual machine\'s NVMe disk (scripts/capture-vm.sh nvme), one disk at two times: critical warning 0: pass; the spare-below-threshold bit set: fail, naming the disk', () => {
    const judged = (p: string) => {
      const f = loadFixture(p, 'storage')
      const s = host(capturedAt(p), {storage: storageProbe.interpret(f.outputs, contextOf(f))})
      return runChecks(s, packs.map((pk) => ({...pk, checks: pk.checks.filter((c) => c.id === 'storage.smart')}))).results[0]!
    }
    expect(judged('debian-12-vm-nvme')).toMatchObject({check: 'storage.smart', status: 'pass'})
    const warned = judged('debian-12-vm-nvme-warning')
    expect(warned).toMatchObject({check: 'storage.smart', status: 'fail', severity: 'high'})
    // smartctl's own verdict turned with the bit (its exit status 8), before the check's critical-warning clause
    expect(warned.reason).toBe('storage.smart.disks[/dev/nvme0n1].passed is false, expected true')
  })

  it('a SMART disk on an unprivileged run: unknown', () => {
    const outputs = storageOutputs(undefined, {}, '!candidate /dev/sda\n!needs-root\n')
    const s = host('2026-01-01T00:00:00Z', {storage: storageProbe.interpret(outputs, {uid: 65534, privileged: false, os: 'Linux'})})
    expect(verdicts(s, ['storage.smart'])).toEqual({'storage.smart': 'unknown'})
  })
})

describe('the container checks on real podman captures', () => {
  const ids = ['containers.privileged', 'containers.docker-socket', 'containers.image-age']
  const judged = (platform: string) => {
    const f = loadFixture(platform, 'containers')
    return verdicts(host(capturedAt(platform), {containers: containersProbe.interpret(f.outputs, contextOf(f))}), ids)
  }

  it('fail: a privileged container with the docker socket bound, of an image built in 2023', () => {
    expect(judged('debian-12-podman-fail')).toEqual({'containers.privileged': 'fail', 'containers.docker-socket': 'fail', 'containers.image-age': 'fail'})
  })

  it('pass: a plain container of an image built at the capture', () => {
    expect(judged('debian-12-podman-pass')).toEqual({'containers.privileged': 'pass', 'containers.docker-socket': 'pass', 'containers.image-age': 'pass'})
  })

  it('this machine: docker without a daemon runs nothing (pass), has no image (not applicable)', () => {
    expect(judged('debian-12-root')).toEqual({'containers.privileged': 'pass', 'containers.docker-socket': 'pass', 'containers.image-age': 'not-applicable'})
  })
})

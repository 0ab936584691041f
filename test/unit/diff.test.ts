import {beforeAll, describe, expect, it} from 'vitest'

import {packagesProbe} from '../../inventory/packages.js'
import {builtinPackNames, packFile} from '../../src/engine/checks/builtin-packs.js'
import {loadPack} from '../../src/engine/checks/pack.js'
import {diffHost, diffRuns, type DiffSide} from '../../src/engine/diff.js'
import {evaluateRun} from '../../src/engine/evaluate-run.js'
import {compareDpkgVersions} from '../../src/model/versions/dpkg-version.js'
import type {Snapshot} from '../../src/model/snapshot.js'
import {contextOf, loadFixture} from '../support/fixtures.js'
import {asHost, withData, withSection} from '../support/snapshots.js'
import {realSnapshot} from './store/real-snapshot.js'

let real: Snapshot
beforeAll(async () => {
  real = await realSnapshot()
  expect(real.sections.packages.data?.items.length ?? 0, 'this machine must report its packages').toBeGreaterThan(3)
})

const side = (id: number, snapshots: Snapshot[], results?: DiffSide['results']): DiffSide => ({run: {id, startedAt: `2026-11-2${id}T02:00:00.000Z`}, snapshots, ...(results ? {results} : {})})
const items = (s: Snapshot) => s.sections.packages.data!.items

describe('diffRuns', () => {
  it('finds nothing between two identical runs', () => {
    const d = diffRuns(side(1, [asHost(real, 'web01')]), side(2, [asHost(real, 'web01')]))
    expect(d).toEqual({
      from: {id: 1, startedAt: '2026-11-21T02:00:00.000Z'},
      to: {id: 2, startedAt: '2026-11-22T02:00:00.000Z'},
      hosts: {appeared: [], disappeared: [], compared: 1},
      changed: [],
      findings: null,
      findingsNote: 'run 1 and run 2 were not judged (no check results stored)',
    })
  })

  it('lists hosts that appeared and disappeared', () => {
    const d = diffRuns(side(1, [asHost(real, 'a'), asHost(real, 'b')]), side(2, [asHost(real, 'b'), asHost(real, 'd'), asHost(real, 'c')]))
    expect(d.hosts).toEqual({appeared: ['c', 'd'], disappeared: ['a'], compared: 1})
  })

  it('says why a host could not be compared when it was not collected', () => {
    const down = asHost(real, 'web01')
    down.host.status = 'unreachable'
    down.host.reason = 'connect ECONNREFUSED 10.0.0.1:22\nmore'
    const d = diffRuns(side(1, [asHost(real, 'web01')]), side(2, [down]))
    expect(d.changed).toEqual([
      {host: 'web01', hardware: [], os: [], packages: {added: [], removed: [], upgraded: [], downgraded: []}, notCompared: ['host not collected in run 2: unreachable (connect ECONNREFUSED 10.0.0.1:22)']},
    ])
  })
})

describe('diffHost', () => {
  it('classifies packages added, removed, upgraded and downgraded by dpkg version order', () => {
    const list = items(real).filter((p) => p.status === 'ii')
    const [gone, up, down, same] = [list[0]!, list[1]!, list[2]!, list[3]!]
    const upVersion = `${up.version}+deb1`
    const downVersion = `${down.version}~rc1`
    expect(compareDpkgVersions(up.version!, upVersion)).toBe(-1)
    expect(compareDpkgVersions(down.version!, downVersion)).toBe(1)
    const newer = [
      ...items(real).filter((p) => p !== gone && p !== up && p !== down),
      {...up, version: upVersion},
      {...down, version: downVersion},
      {...same, name: `${same.name}-extra`},
    ]
    const b = withData(real, 'packages', {items: newer})
    const d = diffHost(real, b, {from: 1, to: 2})
    const arch = (p: {architecture?: string}) => (p.architecture ? {architecture: p.architecture} : {})
    expect(d.packages).toEqual({
      added: [{name: `${same.name}-extra`, ...arch(same), manager: 'dpkg', version: same.version}],
      removed: [{name: gone.name, ...arch(gone), manager: 'dpkg', version: gone.version}],
      upgraded: [{name: up.name, ...arch(up), manager: 'dpkg', from: up.version, to: upVersion}],
      downgraded: [{name: down.name, ...arch(down), manager: 'dpkg', from: down.version, to: downVersion}],
    })
    expect(d.hardware).toEqual([])
    expect(d.os).toEqual([])
    expect(d.notCompared).toEqual([])
  })

  it('counts only installed packages: one removed with its configuration left (rc) is removed', () => {
    const p = items(real).find((x) => x.status === 'ii')!
    const b = withData(real, 'packages', {items: items(real).map((x) => (x === p ? {...x, status: 'rc'} : x))})
    expect(diffHost(real, b).packages.removed.map((x) => x.name)).toEqual([p.name])
  })

  it('compares rpm packages by rpm order, several versions of one name as sets (a real rpm database)', () => {
    const f = loadFixture('rpm-db', 'packages')
    const rpmItems = packagesProbe.interpret(f.outputs, contextOf(f)).data!.items
    const a = withSection(real, 'packages', {status: 'ok', data: {managers: ['rpm'], items: rpmItems}})
    const epoch = rpmItems.find((p) => p.name === 'hatang-epoch')!
    const lib = rpmItems.filter((p) => p.name === 'hatang-lib')
    // an epoch bump wins over a smaller version; a second build of one arch installed beside the first
    const b = withSection(real, 'packages', {
      status: 'ok',
      data: {managers: ['rpm'], items: [...rpmItems.map((p) => (p === epoch ? {...p, version: '3:1.0-1.el9'} : p)), {...lib[0]!, version: '9.9-1'}]},
    })
    const d = diffHost(a, b)
    expect(d.packages.upgraded).toEqual([{name: 'hatang-epoch', architecture: 'noarch', manager: 'rpm', from: epoch.version, to: '3:1.0-1.el9'}])
    expect(d.packages.added).toEqual([{name: 'hatang-lib', architecture: lib[0]!.architecture, manager: 'rpm', version: '9.9-1'}])
    expect(d.packages.removed).toEqual([])
  })

  it('reports OS upgrades: version and kernel', () => {
    const os = real.sections.os.data!
    const b = withData(real, 'os', {versionId: `${os.versionId ?? '0'}.1`, kernel: `${os.kernel}-next`})
    expect(diffHost(real, b).os).toEqual([
      {section: 'os', field: 'versionId', from: os.versionId ?? null, to: `${os.versionId ?? '0'}.1`},
      {section: 'os', field: 'kernel', from: os.kernel, to: `${os.kernel}-next`},
    ])
  })

  it('reports hardware: serials, CPU, memory beyond 1 %, disks by serial', () => {
    const sys = withData(real, 'system', {vendor: 'Dell Inc.', serial: 'ABC123'})
    const moved = withData(sys, 'system', {serial: 'XYZ789'})
    expect(diffHost(sys, moved).hardware).toEqual([{section: 'system', field: 'serial', from: 'ABC123', to: 'XYZ789'}])
    // a section unavailable alike in both runs (no DMI on a VM) is not a change
    expect(diffHost(real, real).notCompared).toEqual([])
    // available in one run only: said, not guessed
    expect(diffHost(sys, real, {from: 1, to: 2}).notCompared).toEqual([`system: ${real.sections.system.status}${real.sections.system.reason ? ` (${real.sections.system.reason})` : ''} in run 2`])

    const cpu = real.sections.cpu.data!
    expect(diffHost(real, withData(real, 'cpu', {threads: cpu.threads * 2, mhz: (cpu.mhz ?? 1000) + 500})).hardware).toEqual([
      {section: 'cpu', field: 'threads', from: String(cpu.threads), to: String(cpu.threads * 2)},
    ])

    const mem = real.sections.memory.data!
    expect(diffHost(real, withData(real, 'memory', {totalBytes: Math.round(mem.totalBytes * 1.005)})).hardware).toEqual([])
    expect(diffHost(real, withData(real, 'memory', {totalBytes: mem.totalBytes * 2})).hardware).toEqual([
      {section: 'memory', field: 'totalBytes', from: String(mem.totalBytes), to: String(mem.totalBytes * 2)},
    ])

    const disks = real.sections.disks.data!.disks
    expect(disks.length).toBeGreaterThan(0)
    const first = disks[0]!
    const extra = {...first, name: 'sdz', serial: 'NEWDISK01', sizeBytes: 2_000_398_934_016}
    const d = diffHost(real, withData(real, 'disks', {disks: [...disks, extra]})).hardware
    expect(d).toEqual([{section: 'disks', field: 'sdz', from: null, to: expect.stringContaining('2000398934016 B serial NEWDISK01')}])
    const grown = diffHost(real, withData(real, 'disks', {disks: [{...first, sizeBytes: first.sizeBytes * 2}, ...disks.slice(1)]})).hardware
    expect(grown).toEqual([{section: 'disks', field: first.name, from: expect.stringContaining(`${first.sizeBytes} B`), to: expect.stringContaining(`${first.sizeBytes * 2} B`)}])
  })

  it('says which sections could not be compared, and in which run', () => {
    const b = withSection(real, 'packages', {status: 'error', reason: 'dpkg-query: database locked'})
    const d = diffHost(real, b, {from: 4, to: 5})
    expect(d.notCompared).toEqual(['packages: error (dpkg-query: database locked) in run 5'])
    expect(d.packages).toEqual({added: [], removed: [], upgraded: [], downgraded: []})
  })
})

describe('findings', () => {
  it('new failures and fixed ones, from the stored results of both runs', () => {
    const packs = builtinPackNames().map((p) => loadPack(packFile(p)))
    const good = withData(real, 'sshd', {installed: true, permitRootLogin: 'no'})
    const bad = withData(real, 'sshd', {installed: true, permitRootLogin: 'yes'})
    const results = (snaps: Snapshot[]) => evaluateRun(snaps, packs).hosts.flatMap((h) => h.results)
    const runA = [asHost(good, 'web01'), asHost(bad, 'web02'), asHost(bad, 'old01')]
    const runB = [asHost(bad, 'web01'), asHost(good, 'web02')]
    const d = diffRuns(side(1, runA, results(runA)), side(2, runB, results(runB)))
    const root = results([asHost(bad, 'x')]).find((r) => r.status === 'fail' && /root/i.test(r.check))!
    expect(root, 'a built-in check fails PermitRootLogin yes').toBeDefined()
    expect(d.findings!.new).toEqual([{host: 'web01', pack: root.pack, check: root.check, severity: root.severity, ...(root.reason ? {reason: root.reason} : {}), ...(root.why ? {why: root.why} : {})}])
    // old01 disappeared: its failures are not "fixed"
    expect(d.findings!.fixed).toEqual([{host: 'web02', pack: root.pack, check: root.check, severity: root.severity, ...(root.reason ? {reason: root.reason} : {}), ...(root.why ? {why: root.why} : {})}])
    expect(diffRuns(side(1, runA, results(runA)), side(2, runB)).findingsNote).toBe('run 2 was not judged (no check results stored)')
  })
})

import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {packFile} from '../../../src/engine/checks/builtin-packs.js'
import {loadPack} from '../../../src/engine/checks/pack.js'
import {evaluateRun} from '../../../src/engine/evaluate-run.js'
import {runFleetChecks} from '../../../src/engine/fleet/run-fleet.js'
import type {FleetFinding} from '../../../src/engine/fleet/types.js'
import {loadSnapshots} from '../../../src/engine/load-snapshots.js'
import type {Waiver} from '../../../src/engine/waivers.js'
import type {Snapshot} from '../../../src/model/snapshot.js'
import {FIXTURES} from '../../support/fixtures.js'
import {withData, withSection} from '../../support/snapshots.js'

/** The mixed chroot fleet of scripts/make-fleet-fixture.sh, as collected by hatang. */
const fleet = () => loadSnapshots([path.join(FIXTURES, 'fleet')])
const unreached = () => loadSnapshots([path.join(FIXTURES, 'fleet-unreached')])
const pack = loadPack(packFile('fleet-sync'))
const byName = (snaps: Snapshot[], name: string) => snaps.find((s) => s.host.name === name)!
const failing = (f: FleetFinding[]) => f.filter((x) => x.status === 'fail')
const version = (s: Snapshot, name: string) => s.sections.packages.data!.items.find((p) => p.name === name)!.version!
/** The MAC addresses of a host's network cards (not loopback), sorted. */
const macs = (s: Snapshot) => s.sections.network.data!.interfaces.filter((i) => i.kind !== 'loopback' && i.mac).map((i) => i.mac!).sort()

describe('fleet-sync on a mixed loopback fleet (real chroot snapshots)', () => {
  const snaps = fleet()
  const {fleet: findings} = evaluateRun(snaps, [pack])

  it('the fixture is what the script says: six collected hosts in groups web and db', () => {
    expect(snaps.map((s) => `${s.host.name}:${s.host.groups!.join()}:${s.sections.os.data!.versionId}`).sort()).toEqual([
      'db1:db:13',
      'db2:db:13',
      'db3:db:11',
      'web1:web:13',
      'web2:web:13',
      'web3:web:13',
    ])
    expect(snaps.every((s) => s.host.status === 'ok' || s.host.status === 'partial')).toBe(true)
  })

  it('reports exactly the drifted package, the cloned machine-id and MACs, and the release difference', () => {
    const web1 = byName(snaps, 'web1')
    const web2 = byName(snaps, 'web2')
    expect(version(web2, 'openssh-server')).not.toBe(version(web1, 'openssh-server'))
    const fails = failing(findings).map((f) => ({check: f.check, scope: f.scope, subject: f.subject, majority: f.majority, outliers: f.outliers}))
    expect(fails).toEqual([
      {
        check: 'sync.os-release',
        scope: {kind: 'group', name: 'db'},
        subject: 'OS release',
        majority: {value: 'Debian GNU/Linux 13 (trixie)', hosts: ['db1', 'db2']},
        outliers: [{host: 'db3', value: 'Debian GNU/Linux 11 (bullseye)'}],
      },
      {
        check: 'sync.key-packages',
        scope: {kind: 'group', name: 'web'},
        subject: 'package openssh-server [debian 13]',
        majority: {value: version(web1, 'openssh-server'), hosts: ['web1', 'web3']},
        outliers: [{host: 'web2', value: version(web2, 'openssh-server')}],
      },
      {
        check: 'identity.unique-machine-id',
        scope: {kind: 'fleet', name: 'all'},
        subject: 'machine-id',
        majority: undefined,
        outliers: [
          {host: 'web1', value: web1.sections.identity.data!.machineAppId!},
          {host: 'web3', value: web1.sections.identity.data!.machineAppId!},
        ],
      },
      {
        check: 'identity.unique-mac',
        scope: {kind: 'fleet', name: 'all'},
        subject: 'MAC address',
        majority: undefined,
        outliers: [
          {host: 'web1', value: macs(web1).join(', ')},
          {host: 'web3', value: macs(web1).join(', ')},
        ],
      },
    ])
    expect(macs(web1)).toHaveLength(2)
    expect(macs(byName(snaps, 'web3'))).toEqual(macs(web1))
  })

  it('is unknown only where the copies have no data by construction (no /sys: no DMI), and waives nothing silently', () => {
    expect(findings.filter((f) => f.status === 'unknown').map((f) => f.check).sort()).toEqual(['identity.unique-system-uuid', 'sync.firmware'])
    expect(findings.filter((f) => f.status === 'waived')).toEqual([])
  })

  it('finds no false drift: names, uptimes, host keys and settings that differ per host or agree per group pass', () => {
    const pass = (check: string) => findings.filter((f) => f.check === check)
    for (const check of ['identity.unique-hostname', 'identity.unique-ssh-host-key', 'sync.kernel', 'sync.time-source', 'sync.clock-skew', 'sync.reached']) {
      expect(pass(check).length, check).toBeGreaterThan(0)
      expect(pass(check).every((f) => f.status === 'pass'), check).toBe(true)
    }
    // the per-release comparisons compare trixie hosts only in db: db3 (bullseye) is alone in its release
    const sshd = pass('sync.sshd-settings')
    expect(sshd.map((f) => `${f.scope.name} ${f.subject} ${f.status}`)).toEqual(['db sshd [debian 13] pass', 'web sshd [debian 13] pass'])
    expect(new Set(snaps.flatMap((s) => s.sections.identity.data!.sshHostKeys!.map((k) => k.fingerprint))).size).toBe(snaps.length * 3 + 1)
  })

  it('hosts lacking the data are unknown with the probe reason, never agreeing', () => {
    const uuid = findings.find((f) => f.check === 'identity.unique-system-uuid')!
    expect(uuid.status).toBe('unknown')
    expect(uuid.unknown.map((u) => u.host)).toEqual(['db1', 'db2', 'db3', 'web1', 'web2', 'web3'])
    expect(uuid.unknown[0]!.reason).toMatch(/no DMI/)
    const mac = findings.find((f) => f.check === 'identity.unique-mac')!
    expect(mac.unknown).toEqual([])
    const blindNet = withSection(byName(snaps, 'db3'), 'network', {status: 'error', reason: 'ip: exit 2'})
    const withBlind = runFleetChecks([...snaps.filter((s) => s.host.name !== 'db3'), blindNet], [pack]).find((f) => f.check === 'identity.unique-mac')!
    expect(withBlind.unknown).toEqual([{host: 'db3', reason: 'network: error (ip: exit 2)'}])
    // a host whose package list is unavailable is not counted in the majority
    const blind = withSection(byName(snaps, 'web3'), 'packages', {status: 'unavailable', reason: 'dpkg-query: not installed'})
    const others = snaps.filter((s) => s.host.name !== 'web3')
    const ssh = runFleetChecks([...others, blind], [pack]).find((f) => f.check === 'sync.key-packages' && f.scope.name === 'web' && f.subject.startsWith('package openssh-server'))!
    expect(ssh.majority!.hosts).not.toContain('web3')
    expect(ssh.unknown).toEqual([{host: 'web3', reason: 'packages: unavailable (dpkg-query: not installed)'}])
    // tie between web1 and web2: broken by the value's text, still a failure
    expect(ssh.status).toBe('fail')
  })
})

describe('hosts of the hosts file that were not reached', () => {
  it('are one fleet finding and a host error, not a wall of unknowns', () => {
    const snaps = [...fleet(), ...unreached()]
    const {hosts, fleet: findings} = evaluateRun(snaps, [loadPack(packFile('linux-server')), pack])
    const web4 = hosts.find((h) => h.host === 'web4')!
    expect(web4).toMatchObject({results: [], error: expect.stringMatching(/^not collected: unreachable \(connection refused by 127\.0\.0\.1:\d+\)$/)})
    const reached = findings.find((f) => f.check === 'sync.reached')!
    expect(reached).toMatchObject({status: 'fail', outliers: [{host: 'web4', value: expect.stringMatching(/^unreachable: connection refused/)}]})
    expect(reached.majority!.hosts).toHaveLength(6)
    for (const f of findings.filter((x) => x.check !== 'sync.reached')) {
      expect([...f.unknown, ...f.outliers].map((x) => x.host)).not.toContain('web4')
      expect(f.majority?.hosts ?? []).not.toContain('web4')
    }
  })
})

describe('fleet check semantics', () => {
  const snaps = fleet()

  it('compares the whole fleet when no host has a group, and drops a role scope that holds the same hosts as a group', () => {
    const flat = snaps.map((s) => ({...s, host: {...s.host, groups: []}}))
    const release = runFleetChecks(flat, [pack]).filter((f) => f.check === 'sync.os-release')
    expect(release).toMatchObject([{scope: {kind: 'fleet', name: 'all'}, status: 'fail', majority: {hosts: ['db1', 'db2', 'web1', 'web2', 'web3']}, outliers: [{host: 'db3'}]}])
    const roles = snaps.map((s) => ({...s, host: {...s.host, role: s.host.groups![0]}}))
    expect(runFleetChecks(roles, [pack]).filter((f) => f.check === 'sync.os-release').map((f) => f.scope)).toEqual([
      {kind: 'group', name: 'db'},
      {kind: 'group', name: 'web'},
    ])
    const mixed = roles.map((s) => (s.host.name === 'db1' ? {...s, host: {...s.host, role: 'web'}} : s))
    expect(runFleetChecks(mixed, [pack]).filter((f) => f.check === 'sync.os-release').map((f) => `${f.scope.kind}:${f.scope.name}`)).toEqual([
      'group:db',
      'group:web',
      'role:db',
      'role:web',
    ])
  })

  it('names each sshd setting that differs within a group, keeping list order (a preference) significant', () => {
    const web2 = byName(snaps, 'web2')
    const settings = web2.sections.sshd.data!.settings!
    const changed = withData(web2, 'sshd', {settings: {...settings, passwordauthentication: ['no'], ciphers: [[...settings.ciphers![0]!.split(',')].reverse().join(',')]}})
    const f = runFleetChecks([...snaps.filter((s) => s.host.name !== 'web2'), changed], [pack]).filter((x) => x.check === 'sync.sshd-settings' && x.scope.name === 'web')
    expect(f.map((x) => [x.subject, x.status, x.outliers.map((o) => o.host)])).toEqual([
      ['sshd ciphers [debian 13]', 'fail', ['web2']],
      ['sshd passwordauthentication [debian 13]', 'fail', ['web2']],
    ])
    expect(f[1]!.majority).toEqual({value: 'yes', hosts: ['web1', 'web3']})
  })

  it('reports a clock beyond the threshold (past its uncertainty) and a shared SSH host key', () => {
    const web2 = byName(snaps, 'web2')
    const skewed = {...web2, meta: {...web2.meta, clock: {...web2.meta.clock!, skewMs: -90_000}}}
    const web1 = byName(snaps, 'web1')
    const cloneKeys = withData(byName(snaps, 'db2'), 'identity', {sshHostKeys: web1.sections.identity.data!.sshHostKeys})
    const others = snaps.filter((s) => !['web2', 'db2'].includes(s.host.name))
    const f = runFleetChecks([...others, skewed, cloneKeys], [pack])
    expect(f.find((x) => x.check === 'sync.clock-skew')).toMatchObject({status: 'fail', outliers: [{host: 'web2', value: expect.stringMatching(/^-90000 ms/)}]})
    const keys = f.find((x) => x.check === 'identity.unique-ssh-host-key')!
    expect(keys.status).toBe('fail')
    expect(new Set(keys.outliers.map((o) => o.host))).toEqual(new Set(['db2', 'web1']))
    // one outlier per host, with the three keys it shares
    expect(keys.outliers).toHaveLength(2)
    expect(keys.outliers.every((o) => o.value.split(', ').length === 3)).toBe(true)
    expect(keys.reason).toBe('3 values shared by 2 hosts: db2, web1')
  })

  it('counts the hosts that share MAC addresses, not the addresses they share', () => {
    const mac = evaluateRun(snaps, [pack]).fleet.find((f) => f.check === 'identity.unique-mac')!
    expect(mac.reason).toBe('2 values shared by 2 hosts: web1, web3')
    expect(mac.outliers.map((o) => o.host)).toEqual(['web1', 'web3'])
    // six names for one machine (six sshd instances of one host): each of its MACs is held by all six
    const web1 = byName(snaps, 'web1')
    const same = snaps.map((s) => withData(s, 'network', {interfaces: web1.sections.network.data!.interfaces}))
    const all = runFleetChecks(same, [pack]).find((f) => f.check === 'identity.unique-mac')!
    expect(all.reason).toBe('2 values shared by 6 hosts: db1, db2, db3, web1, web2, web3')
    expect(all.outliers).toEqual(same.map((s) => ({host: s.host.name, value: macs(web1).join(', ')})).sort((a, b) => a.host.localeCompare(b.host)))
  })
})

describe('waivers and scores of fleet findings', () => {
  const snaps = fleet()
  const waiver = (w: Partial<Waiver>): Waiver => ({check: 'sync.key-packages', reason: 'kiểm thử bản vá', approver: 'Nguyễn Văn A', expires: '2999-12-31', source: 'w.yaml:2', ...w})
  const drift = (ws: Waiver[]) => evaluateRun(snaps, [pack], {waivers: ws, now: new Date('2026-11-24T12:00:00Z')}).fleet.find((f) => f.check === 'sync.key-packages' && f.status !== 'pass')!

  it('a waiver selecting every outlier (by host or the scope group) waives; one selecting other hosts does not', () => {
    expect(drift([waiver({hosts: ['web2']})])).toMatchObject({status: 'waived', waiver: {status: 'fail', approver: 'Nguyễn Văn A'}})
    expect(drift([waiver({groups: ['web']})]).status).toBe('waived')
    expect(drift([waiver({check: 'fleet-sync/sync.key-packages', hosts: ['web*']})]).status).toBe('waived')
    expect(drift([waiver({hosts: ['web1']})]).status).toBe('fail')
    expect(drift([waiver({check: 'sync.kernel', hosts: ['web2']})]).status).toBe('fail')
  })

  it('an expired waiver leaves a failure with a note', () => {
    expect(drift([waiver({hosts: ['web2'], expires: '2020-01-01'})])).toMatchObject({status: 'fail', note: 'waiver expired on 2020-01-01 (w.yaml:2, approved by Nguyễn Văn A)'})
  })

  it('fleet findings weigh in the overall score and in the score of their group, by severity', () => {
    const {scores, fleet: findings} = evaluateRun(snaps, [pack])
    const weight = {critical: 10, high: 5, medium: 3, low: 1, info: 0}
    const sum = (fs: FleetFinding[], status: string) => fs.filter((f) => f.status === status).reduce((n, f) => n + weight[f.severity], 0)
    expect(scores.overall.failedWeight).toBe(sum(findings, 'fail'))
    expect(scores.overall.passedWeight).toBe(sum(findings, 'pass'))
    const web = findings.filter((f) => f.scope.kind === 'group' && f.scope.name === 'web')
    expect(scores.groups.find((g) => g.group === 'web')).toMatchObject({failedWeight: sum(web, 'fail'), passedWeight: sum(web, 'pass'), hosts: 3})
    expect(scores.hosts.every((h) => h.score === null)).toBe(true)
    const waived = evaluateRun(snaps, [pack], {waivers: [waiver({hosts: ['web2']})]}).scores
    expect(waived.overall.score!).toBeGreaterThan(scores.overall.score!)
  })
})

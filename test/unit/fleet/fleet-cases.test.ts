import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {appSpecificId} from '../../../src/model/sections/identity.js'
import {packFile} from '../../../src/engine/checks/builtin-packs.js'
import {loadPack} from '../../../src/engine/checks/pack.js'
import {runFleetChecks} from '../../../src/engine/fleet/run-fleet.js'
import {loadSnapshots} from '../../../src/engine/load-snapshots.js'
import type {Snapshot} from '../../../src/model/snapshot.js'
import {FIXTURES} from '../../support/fixtures.js'
import {withData} from '../../support/snapshots.js'

const pack = loadPack(packFile('fleet-sync'))
const web1 = loadSnapshots([path.join(FIXTURES, 'fleet', 'web1.json')])[0]!
type Data = Record<string, unknown>
const data = (s: Snapshot, id: string): Data => (s.sections as unknown as Record<string, {data?: Data}>)[id]!.data ?? {}

/**
 * Three hosts of group web made from one real chroot snapshot (web1): the same systems and settings, each with
 * its own identity (hostname, machine-id, system UUID, MAC, SSH host keys). The chroot has no DMI and only a
 * loopback interface, so a hardware model with its BIOS version and an Ethernet interface are added.
 */
function host(i: number): Snapshot {
  let s = structuredClone(web1)
  s.host = {...s.host, name: `h${i}`, status: 'ok', groups: ['web']}
  delete s.host.reason
  const id = data(web1, 'identity')
  s = withData(s, 'identity', {
    hostname: `h${i}`,
    machineAppId: appSpecificId(String(i).repeat(32)),
    systemUuid: `${String(i).repeat(8)}-0000-4000-8000-00000000000${i}`,
    sshHostKeys: (id.sshHostKeys as {fingerprint: string}[]).map((k) => ({...k, fingerprint: `${k.fingerprint.slice(0, -1)}${i}`})),
  })
  s = withData(s, 'system', {vendor: 'HPE', model: 'ProLiant DL380 Gen10', biosVersion: 'U30 v2.90'})
  const lo = (data(web1, 'network').interfaces as {kind: string}[]).find((x) => x.kind === 'loopback')!
  s = withData(s, 'network', {interfaces: [lo, {...lo, name: 'eth0', kind: 'ether', mac: `52:54:00:12:34:0${i}`}]})
  // the chroot has no account with keys: each host gets its own admin key
  s = withData(s, 'access', {authorizedKeysFiles: ['.ssh/authorized_keys'], accounts: [], keys: [adminKey(i)]})
  return s
}

const adminKey = (i: number) => ({name: '/root/.ssh/authorized_keys:1', user: 'root', file: '/root/.ssh/authorized_keys', line: 1, type: 'ssh-ed25519', bits: 256, fingerprint: `SHA256:admin-key-of-h${i}`, options: []})

const packageOf = (s: Snapshot, name: string) => s.sections.packages.data!.items.find((p) => p.name === name)!

/** For each fleet check: how one host (h3) of a consistent group makes it fail. */
const drift: Record<string, (s: Snapshot) => Snapshot> = {
  'sync.reached': (s) => ({...s, host: {...s.host, status: 'unreachable', reason: 'connect ETIMEDOUT 192.0.2.3:22'}}),
  'sync.os-release': (s) => withData(s, 'os', {prettyName: 'Debian GNU/Linux 12 (bookworm)'}),
  'sync.kernel': (s) => withData(s, 'os', {kernel: '6.1.0-28-amd64'}),
  'sync.key-packages': (s) => {
    const libc = packageOf(s, 'libc6')
    return withData(s, 'packages', {items: s.sections.packages.data!.items.map((p) => (p === libc ? {...p, version: `${p.version}+drift1`} : p))})
  },
  'sync.sshd-settings': (s) => withData(s, 'sshd', {settings: {...(data(s, 'sshd').settings as Data), permitrootlogin: ['yes']}}),
  'sync.time-source': (s) => withData(s, 'timeSync', {configuredServers: [{file: '/etc/chrony/chrony.conf', kind: 'server', address: 'ntp.example.net'}]}),
  'sync.time-daemon': (s) => withData(s, 'timeSync', {daemon: 'systemd-timesyncd'}),
  'sync.firmware': (s) => withData(s, 'system', {biosVersion: 'U30 v2.50'}),
  'sync.clock-skew': (s) => ({...s, meta: {...s.meta, clock: {...s.meta.clock!, skewMs: 90_000, uncertaintyMs: 20}}}),
  'identity.unique-hostname': (s) => withData(s, 'identity', {hostname: 'h1'}),
  'identity.unique-machine-id': (s) => withData(s, 'identity', {machineAppId: appSpecificId('1'.repeat(32))}),
  'identity.unique-system-uuid': (s) => withData(s, 'identity', {systemUuid: '11111111-0000-4000-8000-000000000001'}),
  'identity.unique-mac': (s) => {
    const ifs = data(s, 'network').interfaces as {name: string; mac?: string}[]
    return withData(s, 'network', {interfaces: ifs.map((x) => (x.name === 'eth0' ? {...x, mac: '52:54:00:12:34:01'} : x))})
  },
  'identity.unique-ssh-host-key': (s) => withData(s, 'identity', {sshHostKeys: data(host(1), 'identity').sshHostKeys}),
  'sync.reference-packages': (s) => withData(s, 'packages', {items: s.sections.packages.data!.items.filter((p) => p.name !== 'chrony')}),
  'keys.shared': (s) => withData(s, 'access', {keys: [adminKey(3), {...adminKey(1), name: '/home/deploy/.ssh/authorized_keys:4', user: 'deploy', file: '/home/deploy/.ssh/authorized_keys', line: 4}]}),
}

/** Checks that judge a group against its declared reference only: the group declares h1 (hosts.yaml `reference: h1`). */
const needsReference = new Set(['sync.reference-packages'])
const declared = (s: Snapshot): Snapshot => ({...s, host: {...s.host, references: [{group: 'web', host: 'h1'}]}})

const finding = (snaps: Snapshot[], check: string) =>
  runFleetChecks(needsReference.has(check) ? snaps.map(declared) : snaps, [{...pack, fleet: pack.fleet!.filter((c) => c.id === check)}])

describe('every fleet-sync check, on a consistent group and with one host drifted', () => {
  it('has a drift case for each check of the pack, and no other', () => {
    expect(Object.keys(drift).sort()).toEqual(pack.fleet!.map((c) => c.id).sort())
  })

  for (const check of Object.keys(drift)) {
    it(`${check}: passes on three consistent hosts, fails naming h3 when h3 drifts`, () => {
      const good = [host(1), host(2), host(3)]
      const passing = finding(good, check)
      expect(passing.length, check).toBeGreaterThan(0)
      for (const f of passing) expect(f, `${check} ${f.subject}`).toMatchObject({status: 'pass', outliers: [], unknown: []})

      const bad = [host(1), host(2), drift[check]!(host(3))]
      const failing = finding(bad, check).filter((f) => f.status === 'fail')
      expect(failing.length, check).toBeGreaterThan(0)
      for (const f of failing) expect(f.outliers.map((o) => o.host), `${check} ${f.subject}`).toContain('h3')
      // a clone (or a shared key) is reported on every host sharing the value, a drift on the odd one only
      const expected = check.startsWith('identity.') || check === 'keys.shared' ? ['h1', 'h3'] : ['h3']
      expect([...new Set(failing.flatMap((f) => f.outliers.map((o) => o.host)))].sort(), check).toEqual(expected)
    })
  }
})

/**
 * Test fleets for the report: one real snapshot of this machine (hatang collect --no-native), varied per
 * host with the snapshot helpers (names, groups, OS release, hardware, settings that pass or fail checks),
 * a few hosts that could not be collected (the sweep's own failedSnapshot) and a few stale collections.
 */
import {spawnSync} from 'node:child_process'

import {failedSnapshot} from '../../../src/collect/sweep.js'
import {builtinPackNames, packFile} from '../../../src/engine/checks/builtin-packs.js'
import {loadPack, type Pack} from '../../../src/engine/checks/pack.js'
import {evaluateRun} from '../../../src/engine/evaluate-run.js'
import type {FleetFinding} from '../../../src/engine/fleet/types.js'
import type {Waiver} from '../../../src/engine/waivers.js'
import type {Results} from '../../../src/model/results.js'
import {buildResults} from '../../../src/runs/build-results.js'
import type {Snapshot} from '../../../src/model/snapshot.js'
import {BIN} from '../../support/bin.js'
import {withData} from '../../support/snapshots.js'

let cached: Snapshot | undefined
/** This machine, collected once per process by the built CLI. */
export function realSnapshot(): Snapshot {
  if (!cached) {
    const r = spawnSync(process.execPath, [BIN, 'collect', '--json', '--quiet', '--no-native'], {encoding: 'utf8', maxBuffer: 64 << 20, env: {...process.env, NO_COLOR: '1'}})
    if (r.status !== 0) throw new Error(`hatang collect failed: ${r.stderr}`)
    cached = JSON.parse(r.stdout) as Snapshot
  }
  return structuredClone(cached)
}

const GROUPS = ['web', 'db', 'app', 'mail']
const MODELS = [
  {vendor: 'Dell Inc.', model: 'PowerEdge R740', biosDate: '2019-06-11'},
  {vendor: 'HPE', model: 'ProLiant DL380 Gen10', biosDate: '2021-03-02'},
  {vendor: 'Lenovo', model: 'ThinkSystem SR650', biosDate: '2023-09-20'},
]
const RELEASES = [
  {versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)', kernel: '6.1.0-28-amd64'},
  {versionId: '11', prettyName: 'Debian GNU/Linux 11 (bullseye)', kernel: '5.10.0-33-amd64'},
  {versionId: '13', prettyName: 'Debian GNU/Linux 13 (trixie)', kernel: '6.12.12-amd64'},
]

export const hostName = (i: number) => `srv-${String(i).padStart(4, '0')}`

/**
 * n hosts from the real snapshot. Host i: group GROUPS[i % 4], hardware MODELS[i % 3], release
 * RELEASES[i % 3] (kernel too), root login allowed on every 5th host, firewall on for even ones; every
 * 25th host unreachable (from i = 7), every 30th collected 40 days before the rest (from i = 11).
 */
export function fleet(n: number, base: Snapshot = realSnapshot()): Snapshot[] {
  const now = Date.parse(base.meta.collectedAt)
  return Array.from({length: n}, (_, i) => {
    const name = hostName(i)
    const group = GROUPS[i % GROUPS.length]!
    const address = `10.${Math.floor(i / 250)}.${i % 250}.${10 + (i % 7)}`
    if (i % 25 === 7) {
      return failedSnapshot(
        {name, address, port: 22, identityFiles: [], knownHostsFiles: [], sudo: false, transport: 'ssh', groups: [group], tags: [], source: {file: 'hosts.yaml', line: i + 1, column: 3}},
        'unreachable',
        `connect ECONNREFUSED ${address}:22`,
        'ssh',
      )
    }
    const m = MODELS[i % MODELS.length]!
    const rel = RELEASES[i % RELEASES.length]!
    let s = withData(base, 'system', {vendor: m.vendor, model: m.model, serial: `SN${String(100000 + i)}`, biosDate: m.biosDate})
    s = withData(s, 'os', {versionId: rel.versionId, prettyName: rel.prettyName, kernel: rel.kernel})
    s = withData(s, 'sshd', {permitRootLogin: i % 5 === 0 ? 'yes' : 'no'})
    s = withData(s, 'firewall', {active: i % 2 === 0})
    s = withData(s, 'identity', {hostname: name})
    s.host = {...s.host, name, address, groups: [group], status: s.host.status}
    if (i % 30 === 11) s.meta = {...s.meta, collectedAt: new Date(now - 40 * 86_400_000).toISOString()}
    return s
  })
}

export function builtinPacks(): Pack[] {
  return builtinPackNames().map((p) => loadPack(packFile(p)))
}

/** Results of a fleet as the report command builds them. */
export function resultsOf(snapshots: Snapshot[], options: {packs?: Pack[]; waivers?: Waiver[]; fleet?: FleetFinding[]} = {}): Results {
  const packs = options.packs ?? builtinPacks()
  const evaluation = evaluateRun(snapshots, packs, {waivers: options.waivers ?? []})
  if (options.fleet) evaluation.fleet = options.fleet
  const startedAt = snapshots.map((s) => s.meta.collectedAt).sort().at(-1)!
  return buildResults({
    snapshots,
    packs,
    evaluation,
    waivers: options.waivers ?? [],
    run: {startedAt, finishedAt: startedAt, toolVersion: '0.1.0', operator: 'auditor@workstation', source: 'test fleet', hostsFile: 'hosts.yaml'},
  })
}

/** A fleet finding as the fleet engine reports drift: the kernel of group web, the most common one the majority. */
export function kernelDrift(snapshots: Snapshot[]): FleetFinding {
  const web = snapshots.filter((s) => s.host.groups?.includes('web') && s.host.status === 'ok')
  const kernels = web.map((s) => ({host: s.host.name, value: s.sections.os.data?.kernel ?? '?'}))
  const tally = new Map<string, number>()
  for (const k of kernels) tally.set(k.value, (tally.get(k.value) ?? 0) + 1)
  const majority = [...tally.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? '?'
  return {
    pack: 'fleet-sync',
    check: 'sync.kernel',
    severity: 'medium',
    scope: {kind: 'group', name: 'web'},
    subject: 'kernel',
    status: 'fail',
    majority: {value: majority, hosts: kernels.filter((k) => k.value === majority).map((k) => k.host)},
    outliers: kernels.filter((k) => k.value !== majority),
    unknown: [],
    reason: 'kernels differ',
  }
}

/**
 * A fleet for the fixes part of the reports: hosts alike but for the findings under test, from the real snapshot of
 * this machine (fleet.ts). Every host passes ssh.max-auth-tries (automatic fix) and mac.active (manual, with the pack's
 * reason) unless told otherwise, whatever this machine says, and fails accounts.uid0 (no fix written).
 */
import {failedSnapshot} from '../../../src/collect/sweep.js'
import type {Waiver} from '../../../src/engine/waivers.js'
import type {Snapshot} from '../../../src/model/snapshot.js'
import type {Unit} from '../../../src/model/unit.js'
import {asHost, withData, withSection} from '../../support/snapshots.js'
import {fleet} from './fleet.js'

export const VU: Unit = {path: 'bo-noi-vu/vu-to-chuc-can-bo', vi: 'Vụ Tổ chức cán bộ', en: 'Department of Personnel'}
export const HN: Unit = {path: 'tinh/ha-noi/so-noi-vu', vi: 'Sở Nội vụ Hà Nội', en: 'Hanoi Department of Home Affairs'}

/** The automatic fix's check and the manual one's. */
export const AUTO = 'ssh.max-auth-tries'
export const MANUAL = 'mac.active'
/** A check every collected host fails whose pack writes no fix at all. */
export const NONE = 'accounts.uid0'

/** The waiver of fix-d's ssh.max-auth-tries. */
export const WAIVER: Waiver = {check: AUTO, hosts: ['fix-d'], reason: 'lab host', approver: 'Trưởng phòng CNTT', expires: '2999-12-31', source: 'waivers.yaml:1'}

/**
 * fix-a: the baseline (unit VU); fix-b: + ssh.max-auth-tries failed (VU); fix-c: + mac.active failed (HN); fix-d: both
 * failed, ssh.max-auth-tries waived (no unit); fix-e: sshd not read, ssh.max-auth-tries unknown (no unit); fix-f: not
 * collected (no unit).
 */
export function fixFleet(): Snapshot[] {
  let base = fleet(1)[0]!
  base = withData(base, 'sshd', {installed: true, maxAuthTries: 3})
  base = withData(base, 'mac', {active: 'apparmor'})
  base = withData(base, 'accounts', {uid0: ['root', 'toor']})
  const failAuto = (s: Snapshot) => withData(s, 'sshd', {maxAuthTries: 6})
  const failManual = (s: Snapshot) => withData(s, 'mac', {active: 'none'})
  const unit = (s: Snapshot, u: Unit) => ({...s, host: {...s.host, unit: u}})
  return [
    unit(asHost(base, 'fix-a'), VU),
    unit(asHost(failAuto(base), 'fix-b'), VU),
    unit(asHost(failManual(base), 'fix-c'), HN),
    asHost(failManual(failAuto(base)), 'fix-d'),
    asHost(withSection(base, 'sshd', {status: 'unavailable', reason: 'needs root'}), 'fix-e'),
    failedSnapshot(
      {name: 'fix-f', address: '127.0.0.9', port: 22, identityFiles: [], knownHostsFiles: [], sudo: false, transport: 'ssh', groups: [], tags: [], source: {file: 'hosts.yaml', line: 6, column: 3}},
      'unreachable',
      'connect ECONNREFUSED 127.0.0.9:22',
      'ssh',
    ),
  ]
}
